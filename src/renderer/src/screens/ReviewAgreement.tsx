/**
 * Review → Agreement: how far the annotators of the active task agree (Cohen's κ per pair, Krippendorff's α,
 * per-class agreement, all on faces with ≥ 2 answers) and the disagreement queue, where a reviewer settles a
 * face with one click (recorded as its own answer, source "adjudicate", undoable like any answer).
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react'
import '../models.css'
import '../teams.css'
import { answerName } from '../../../shared/answers'
import type { TaskInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import type { AgreementReport, DisagreementQueue } from '../../../shared/teams'
import { useStudio } from '../store'
import { mediaUrl, pushToast, request } from '../store/client'
import { EmptyState, ErrorMessage } from '../components/common'

const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(2))

/** Landis & Koch's words for κ, so a number reads the same to everyone. */
function kappaWords(k: number | null): string {
  if (k === null) return 'undefined'
  if (k < 0) return 'worse than chance'
  if (k <= 0.2) return 'slight'
  if (k <= 0.4) return 'fair'
  if (k <= 0.6) return 'moderate'
  if (k <= 0.8) return 'substantial'
  return 'almost perfect'
}

function KappaBar({ k }: { k: number | null }): ReactElement {
  const w = k === null ? 0 : Math.max(0, Math.min(1, k))
  return (
    <span className={`kappa-bar kappa-bar--${k === null ? 'none' : k > 0.6 ? 'good' : k > 0.4 ? 'mid' : 'low'}`}>
      <span style={{ width: `${Math.round(w * 100)}%` }} />
    </span>
  )
}

/** "Ask for a second answer on N % of faces": the project's overlap setting, next to what it is for. */
function OverlapControl(): ReactElement {
  const [saved, setSaved] = useState<number | null>(null)
  const [value, setValue] = useState('')
  useEffect(() => {
    void request('teams.overlap', {}, { inline: true }).then((r) => {
      if (!r.ok) return
      setSaved(r.value.percent)
      setValue(String(r.value.percent))
    })
  }, [])
  const n = Number(value)
  const valid = value.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 100
  const save = async (): Promise<void> => {
    if (!valid) return
    const r = await request('teams.setOverlap', { percent: n }, { failTitle: 'Could not save the overlap' })
    if (!r.ok) return
    setSaved(r.value.percent)
    pushToast({
      kind: 'info',
      title: 'Overlap saved',
      message:
        r.value.percent > 0
          ? `${r.value.percent}% of faces (per predicted label) are asked of every annotator, blind.`
          : 'Every face is asked once.'
    })
  }
  return (
    <div className="overlap-control" data-testid="overlap-control">
      <label htmlFor="overlap-input">Ask for a second answer on</label>
      <input
        id="overlap-input"
        className="input overlap-control__input"
        inputMode="decimal"
        value={value}
        data-testid="overlap-input"
        aria-invalid={!valid}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void save()
        }}
      />
      <span>% of faces</span>
      <button
        className="button button--small"
        data-testid="overlap-save"
        disabled={!valid || n === saved}
        onClick={() => void save()}
      >
        Save
      </button>
      <span className="muted">
        seeded, stratified by predicted label; each annotator sees those faces without the others’ answers
      </span>
    </div>
  )
}

export function AgreementView({ task }: { task: TaskInfo }): ReactElement {
  const annotator = useStudio((s) => s.profiles?.current ?? '')
  const [report, setReport] = useState<AgreementReport | null>(null)
  const [queue, setQueue] = useState<DisagreementQueue | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [busy, setBusy] = useState<number | null>(null)

  const load = useCallback(async () => {
    const [r, q] = await Promise.all([
      request('teams.agreement', { task: task.name }, { inline: true }),
      request('teams.disagreements', { task: task.name, limit: 60 }, { inline: true })
    ])
    if (!r.ok) return setError(r.error)
    if (!q.ok) return setError(q.error)
    setError(null)
    setReport(r.value)
    setQueue(q.value)
  }, [task.name])

  useEffect(() => {
    setReport(null)
    setQueue(null)
    void load()
  }, [load])

  const settle = async (faceId: number, value: string): Promise<void> => {
    setBusy(faceId)
    const r = await request(
      'teams.adjudicate',
      { task: task.name, faceId, value },
      { failTitle: 'Could not adjudicate' }
    )
    setBusy(null)
    if (r.ok) {
      pushToast({
        kind: 'info',
        title: 'Adjudicated',
        message: `Face #${faceId} is “${answerName(value)}” (Ctrl+Z undoes).`
      })
      await load()
    }
  }

  if (error)
    return (
      <div className="agreement" data-testid="agreement-view">
        <ErrorMessage error={error} title="Could not compute agreement" />
      </div>
    )
  if (!report || !queue)
    return (
      <div className="agreement muted" data-testid="agreement-view" aria-busy="true">
        Counting answers…
      </div>
    )
  if (report.n_faces === 0)
    return (
      <div className="agreement" data-testid="agreement-view">
        <OverlapControl />
        <EmptyState title="No face has two answers yet" testId="agreement-empty">
          Agreement is measured on faces that at least two annotators answered. Switch the annotator profile (bottom of
          the sidebar) and answer the same faces again, or merge another copy’s annotations.
        </EmptyState>
      </div>
    )
  return (
    <div className="agreement" data-testid="agreement-view">
      <OverlapControl />
      <div className="stats agreement__stats">
        <div className="stat">
          <div className="stat__value" data-testid="agreement-alpha">
            {fmt(report.alpha)}
          </div>
          <div className="stat__label">Krippendorff α (all annotators)</div>
        </div>
        <div className="stat">
          <div className="stat__value" data-testid="agreement-faces">
            {report.n_faces}
          </div>
          <div className="stat__label">faces with ≥ 2 answers</div>
        </div>
        <div className="stat">
          <div className="stat__value">{report.n_answers}</div>
          <div className="stat__label">answers on them</div>
        </div>
        <div className="stat">
          <div className="stat__value">{report.annotators.length}</div>
          <div className="stat__label">annotators</div>
        </div>
        <div className="stat">
          <div className={`stat__value${report.disagreements > 0 ? ' stat__value--bad' : ''}`}>
            {report.disagreements}
          </div>
          <div className="stat__label">open disagreements</div>
        </div>
      </div>
      <div className="agreement__tables">
        <section>
          <div className="section-title">Cohen’s κ per pair</div>
          <table className="metric-table" data-testid="agreement-pairs">
            <thead>
              <tr>
                <th>Annotators</th>
                <th className="m-num">Faces</th>
                <th className="m-num">Same</th>
                <th className="m-num">κ</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {report.pairs.map((p) => (
                <tr key={`${p.a}\u0000${p.b}`} data-testid="agreement-pair" data-kappa={p.kappa ?? ''}>
                  <th>
                    {p.a} · {p.b}
                  </th>
                  <td className="m-num">{p.n}</td>
                  <td className="m-num">{Math.round(p.observed * 100)}%</td>
                  <td className="m-num mono">{fmt(p.kappa)}</td>
                  <td>
                    <KappaBar k={p.kappa} /> <span className="muted">{kappaWords(p.kappa)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <div className="section-title">Per class</div>
          <table className="metric-table" data-testid="agreement-classes">
            <thead>
              <tr>
                <th>Label</th>
                <th className="m-num">Answers</th>
                <th className="m-num">Agreement</th>
              </tr>
            </thead>
            <tbody>
              {report.per_class.map((c) => (
                <tr key={c.label} className={c.n === 0 ? 'muted' : ''}>
                  <th>{c.label}</th>
                  <td className="m-num">{c.n}</td>
                  <td className="m-num mono">{fmt(c.agreement)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted agreement__note">
            Agreement of a label: given one answer with it on a face, the chance another answer on that face is the
            same. Unsure, not applicable and undone answers do not count.
          </p>
        </section>
      </div>
      <div className="section-title">
        Disagreements {queue.total > queue.faces.length ? `(first ${queue.faces.length} of ${queue.total})` : ''}
      </div>
      {queue.total === 0 ? (
        <div className="muted" data-testid="disagreements-empty">
          Every face with differing answers has been adjudicated.
        </div>
      ) : (
        <ul className="disagreements" data-testid="disagreements">
          {queue.faces.map((f) => (
            <li key={f.faceId} className="disagreement" data-testid="disagreement" data-face-id={f.faceId}>
              <img src={mediaUrl(f.thumb)} alt="" draggable={false} />
              <div className="disagreement__body">
                <div className="disagreement__answers">
                  {f.answers.map((a) => (
                    <span key={a.annotator} className="chip" title={a.at}>
                      {a.annotator}: <strong>{answerName(a.value)}</strong>
                    </span>
                  ))}
                </div>
                <div className="disagreement__actions">
                  <span className="muted">Settle as {annotator ? `(${annotator})` : ''}</span>
                  {task.labels.map((l) => (
                    <button
                      key={l}
                      className="button button--small"
                      disabled={busy === f.faceId}
                      data-testid="adjudicate"
                      data-value={l}
                      onClick={() => void settle(f.faceId, l)}
                    >
                      {l}
                    </button>
                  ))}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
