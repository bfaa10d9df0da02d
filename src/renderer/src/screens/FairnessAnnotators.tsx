/**
 * Fairness → Annotators (issue 14): how often each annotator (or each value of an annotator attribute, such as a
 * self-declared group) gives each label to faces of each subject group, with the largest difference in words —
 * the bias in human labels that a model trained on them inherits. Also where annotator attributes are set.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react'
import '../teams.css'
import type { TaskInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import type { AnnotatorGroupReport, AnnotatorProfileInfo } from '../../../shared/teams'
import { pushToast, request } from '../store/client'
import { EmptyState, ErrorMessage } from '../components/common'

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${Math.round(x * 100)}%`)

function ProfileRow({ p, onSaved }: { p: AnnotatorProfileInfo; onSaved: () => void }): ReactElement {
  const [group, setGroup] = useState(p.attributes.group ?? '')
  const dirty = group.trim() !== (p.attributes.group ?? '')
  const save = async (): Promise<void> => {
    const r = await request(
      'teams.setAnnotatorAttributes',
      { name: p.name, attributes: { ...p.attributes, group } },
      { failTitle: 'Could not save the attribute' }
    )
    if (r.ok) {
      pushToast({ kind: 'info', title: 'Saved', message: `${p.name}: group “${group.trim() || '—'}”` })
      onSaved()
    }
  }
  return (
    <tr data-testid="annotator-profile" data-name={p.name}>
      <th>{p.name}</th>
      <td className="m-num">{p.answers}</td>
      <td>
        <input
          className="input annotator-attr"
          value={group}
          placeholder="optional"
          aria-label={`Self-declared group of ${p.name}`}
          data-testid="annotator-group-input"
          onChange={(e) => setGroup(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && dirty) void save()
          }}
        />{' '}
        <button
          className="button button--small"
          disabled={!dirty}
          data-testid="annotator-group-save"
          onClick={() => void save()}
        >
          Save
        </button>
      </td>
    </tr>
  )
}

export function AnnotatorsPanel({ task, tasks }: { task: string; tasks: TaskInfo[] }): ReactElement {
  const groupable = tasks.filter((t) => t.name !== task && t.kind === 'classification')
  const [groupTask, setGroupTask] = useState<string>('')
  const [by, setBy] = useState('annotator')
  const [profiles, setProfiles] = useState<AnnotatorProfileInfo[] | null>(null)
  const [report, setReport] = useState<AnnotatorGroupReport | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const chosen = groupable.some((t) => t.name === groupTask) ? groupTask : (groupable[0]?.name ?? '')
  const taskInfo = tasks.find((t) => t.name === task)

  const loadProfiles = useCallback(async () => {
    const r = await request('teams.annotators', {}, { inline: true })
    if (r.ok) setProfiles(r.value)
  }, [])
  const load = useCallback(async () => {
    if (!chosen || taskInfo?.kind !== 'classification') return
    const r = await request('teams.annotatorGroups', { task, groupTask: chosen, by }, { inline: true })
    if (!r.ok) {
      setError(r.error)
      setReport(null)
      return
    }
    setError(null)
    setReport(r.value)
  }, [task, chosen, by, taskInfo?.kind])
  useEffect(() => void loadProfiles(), [loadProfiles])
  useEffect(() => void load(), [load])

  const keys = [...new Set((profiles ?? []).flatMap((p) => Object.keys(p.attributes)))].sort()
  if (taskInfo && taskInfo.kind !== 'classification')
    return (
      <EmptyState title="Label rates need a classification task" testId="annotators-empty">
        Pick a task with labels at the top of the sidebar.
      </EmptyState>
    )
  const gap = report?.largest ?? null
  const isGap = (unit: string, group: string, label: string): boolean =>
    !!gap && gap.unit === unit && gap.label === label && (gap.high.group === group || gap.low.group === group)
  return (
    <div className="annotators" data-testid="annotators-panel">
      <div className="fair-controls annotators__controls">
        <label className="fair-control">
          <span className="fair-control__label">Subjects grouped by</span>
          <select
            className="select"
            value={chosen}
            data-testid="annotators-grouping"
            onChange={(e) => setGroupTask(e.target.value)}
          >
            {groupable.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label className="fair-control">
          <span className="fair-control__label">Rows</span>
          <select className="select" value={by} data-testid="annotators-by" onChange={(e) => setBy(e.target.value)}>
            <option value="annotator">each annotator</option>
            {keys.map((k) => (
              <option key={k} value={k}>
                annotators by {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <ErrorMessage error={error} title="Could not compute label rates" />}
      {report && (
        <>
          <p className={`annotators__sentence${gap ? '' : ' muted'}`} data-testid="annotator-gap-sentence">
            {report.sentence}
          </p>
          {report.cells.length === 0 ? (
            <p className="muted">
              No {task} answers on faces with a {report.grouping} label yet.
            </p>
          ) : (
            <table className="metric-table fair-table" data-testid="annotator-group-table">
              <thead>
                <tr>
                  <th>{by === 'annotator' ? 'Annotator' : by}</th>
                  <th>{report.grouping}</th>
                  <th className="m-num">Answers</th>
                  {report.labels.map((l) => (
                    <th key={l} className="m-num">
                      {l}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.cells.map((c, i) => (
                  <tr
                    key={`${c.unit}\u0000${c.group}`}
                    className={c.n < report.minAnswers ? 'muted' : ''}
                    data-testid="annotator-group-row"
                  >
                    <th>{i === 0 || report.cells[i - 1]?.unit !== c.unit ? c.unit : ''}</th>
                    <td>{c.group}</td>
                    <td className="m-num">{c.n}</td>
                    {report.labels.map((l) => (
                      <td key={l} className={`m-num${isGap(c.unit, c.group, l) ? ' annotators__gap' : ''}`}>
                        {pct(c.rates[l])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted annotators__note">
            Counted answers only (latest per annotator and face; unsure, not applicable and undone answers left out).
            Rows with fewer than {report.minAnswers} answers are greyed and not compared. Subject groups come from the{' '}
            {report.grouping} annotations.
          </p>
        </>
      )}
      <div className="section-title">Annotator profiles</div>
      <p className="muted annotators__note">
        Optional and free text: a group an annotator chooses to declare, used only to group rows above.
      </p>
      {profiles && profiles.length > 0 ? (
        <table className="metric-table annotators__profiles">
          <thead>
            <tr>
              <th>Annotator</th>
              <th className="m-num">Answers</th>
              <th>Self-declared group</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <ProfileRow key={p.name} p={p} onSaved={() => void loadProfiles().then(load)} />
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Nobody has answered in this project yet.</p>
      )}
    </div>
  )
}
