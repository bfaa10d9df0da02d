/** "New task…": a classification task (any label set) or a numeric score, per face or per person. */
import { useState, type ReactElement } from 'react'
import '../people.css'
import { reservedAnswer } from '../../../shared/answers'
import { taskNameProblem } from '../../../shared/task-name'
import { Modal } from './common'
import { createTask } from '../store/review-actions'

function parseLabels(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((l) => l.trim())
    .filter(Boolean)
}

export function TaskEditor({ onClose }: { onClose: () => void }): ReactElement {
  const [name, setName] = useState('')
  const [kind, setKind] = useState<'classification' | 'score'>('classification')
  const [labels, setLabels] = useState('')
  const [min, setMin] = useState('0')
  const [max, setMax] = useState('10')
  const [level, setLevel] = useState<'face' | 'person'>('face')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ message: string; path?: string } | null>(null)
  const parsed = parseLabels(labels)
  const dupes = parsed.filter((l, i) => parsed.indexOf(l) !== i)
  // Any case: "Unsure" would be accepted as a label, but it is surely meant as the answer every task has.
  const reserved = parsed.filter((l) => reservedAnswer(l.toLowerCase()) !== null)

  const submit = async (): Promise<void> => {
    setError(null)
    if (!name.trim()) {
      setError({ message: 'Give the task a name, e.g. “glasses”.', path: 'name' })
      return
    }
    // The same rule main applies (src/shared/task-name.ts), said before the round trip.
    const problem = taskNameProblem(name.trim())
    if (problem) {
      setError({ message: problem, path: 'name' })
      return
    }
    if (kind === 'classification' && parsed.length === 0) {
      setError({ message: 'List at least one label, separated by commas.', path: 'labels' })
      return
    }
    const lo = Number(min)
    const hi = Number(max)
    if (kind === 'score' && !(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      setError({ message: 'The score range needs two numbers, the minimum below the maximum.', path: 'scoreMin' })
      return
    }
    setBusy(true)
    const r = await createTask({
      name: name.trim(),
      kind,
      level,
      ...(kind === 'classification' ? { labels: parsed } : { scoreMin: lo, scoreMax: hi }),
      ...(note.trim() ? { note: note.trim() } : {})
    })
    setBusy(false)
    if (r.ok) onClose()
    else setError({ message: r.message, path: r.path })
  }

  return (
    <Modal
      title="New task"
      onClose={onClose}
      testId="task-editor"
      width={500}
      footer={
        <>
          <button className="button" onClick={onClose} data-testid="task-editor-cancel">
            Cancel
          </button>
          <button
            className="button button--primary"
            disabled={busy}
            data-testid="task-editor-create"
            onClick={() => void submit()}
          >
            {busy ? 'Creating…' : 'Create task'}
          </button>
        </>
      }
    >
      <form
        className="task-editor"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor="task-editor-name">
            Name
          </label>
          <input
            id="task-editor-name"
            className={`input${error?.path === 'name' ? ' input--invalid' : ''}`}
            data-testid="task-editor-name"
            placeholder="e.g. glasses, head_pose, self_described_gender"
            value={name}
            maxLength={64}
            data-autofocus
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <span className="field__label">Kind</span>
          <div className="segmented" role="radiogroup" aria-label="Kind">
            {(['classification', 'score'] as const).map((k) => (
              <button
                type="button"
                key={k}
                role="radio"
                aria-checked={kind === k}
                className={`segmented__item${kind === k ? ' segmented__item--active' : ''}`}
                data-testid={`task-editor-kind-${k}`}
                onClick={() => setKind(k)}
              >
                {k === 'classification' ? 'Labels' : 'Numeric score'}
              </button>
            ))}
          </div>
        </div>
        {kind === 'classification' ? (
          <div className="field">
            <label className="field__label" htmlFor="task-editor-labels">
              Labels
            </label>
            <input
              id="task-editor-labels"
              className={`input${error?.path === 'labels' ? ' input--invalid' : ''}`}
              data-testid="task-editor-labels"
              placeholder="comma-separated, e.g. none, reading, sunglasses"
              value={labels}
              onChange={(e) => setLabels(e.target.value)}
            />
            <div className="task-editor__chips" data-testid="task-editor-preview">
              {parsed.map((l, i) => (
                <span key={`${l}:${i}`} className="chip">
                  {i < 9 && <span className="chip__key">{i + 1}</span>}
                  {l}
                </span>
              ))}
              <span className="chip chip--fixed" title="Always available" data-testid="task-editor-unsure">
                <span className="chip__key">u</span>unsure
              </span>
              <span className="chip chip--fixed" title="Always available" data-testid="task-editor-na">
                <span className="chip__key">n</span>not applicable
              </span>
            </div>
            <div className="field__hint">
              {dupes.length
                ? `“${dupes[0]}” is listed twice.`
                : reserved.length
                  ? '“unsure” and “not applicable” are always there; no need to list them.'
                  : 'Unsure and not applicable are always available. Labels can be added later; never assume two.'}
            </div>
          </div>
        ) : (
          <div className="field">
            <span className="field__label">Range</span>
            <div className="task-editor__range">
              <input
                className={`input${error?.path === 'scoreMin' ? ' input--invalid' : ''}`}
                data-testid="task-editor-score-min"
                aria-label="Minimum"
                inputMode="decimal"
                value={min}
                onChange={(e) => setMin(e.target.value)}
              />
              <span className="muted">to</span>
              <input
                className={`input${error?.path === 'scoreMin' ? ' input--invalid' : ''}`}
                data-testid="task-editor-score-max"
                aria-label="Maximum"
                inputMode="decimal"
                value={max}
                onChange={(e) => setMax(e.target.value)}
              />
            </div>
            <div className="field__hint">Unsure and not applicable are always available besides a number.</div>
          </div>
        )}
        <div className="field">
          <span className="field__label">Applies to</span>
          <div className="segmented" role="radiogroup" aria-label="Level">
            {(['face', 'person'] as const).map((l) => (
              <button
                type="button"
                key={l}
                role="radio"
                aria-checked={level === l}
                className={`segmented__item${level === l ? ' segmented__item--active' : ''}`}
                data-testid={`task-editor-level-${l}`}
                onClick={() => setLevel(l)}
              >
                {l === 'face' ? 'Each face' : 'Each person'}
              </button>
            ))}
          </div>
          <div className="field__hint">
            {level === 'person'
              ? 'A person’s label applies to all their faces and overrides predictions (e.g. a self-described gender).'
              : 'Every face is labelled on its own (e.g. expression).'}
          </div>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="task-editor-note">
            Note <span className="muted">(optional)</span>
          </label>
          <input
            id="task-editor-note"
            className="input"
            data-testid="task-editor-note"
            placeholder="What the labels mean, how to decide"
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
        {error && (
          <div className="error-message" role="alert" data-testid="task-editor-error">
            {error.message}
          </div>
        )}
        <button type="submit" hidden />
      </form>
    </Modal>
  )
}
