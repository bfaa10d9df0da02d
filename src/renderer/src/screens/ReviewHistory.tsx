/** The history panel: the focused face, its prediction, and every answer it (or its person) got, newest first. */
import type { ReactElement } from 'react'
import { answerName } from '../../../shared/answers'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'

const SOURCE: Record<string, string> = {
  confirm: 'confirmed',
  correct: 'corrected',
  import: 'imported',
  person: 'person label',
  undo: 'undone',
  redo: 'redone'
}

function when(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const today = new Date().toDateString() === d.toDateString()
  return today
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function HistoryPanel(): ReactElement {
  const faceId = useStudio((s) => s.historyFaceId)
  const history = useStudio((s) => s.history)
  const face = useStudio((s) => s.reviewCards[0]?.faces.find((f) => f.faceId === s.historyFaceId))
  const mark = useStudio((s) => (s.historyFaceId === null ? undefined : s.reviewMarked[s.historyFaceId]))
  // An overlap face this annotator has not answered yet: other answers stay hidden so they answer blind.
  const me = useStudio((s) => s.profiles?.current ?? null)
  const blind = face?.blind === true
  const shown = history && blind ? history.filter((h) => h.annotator === me) : history
  const hidden = history && shown ? history.length - shown.length : 0
  return (
    <aside className="history-panel" data-testid="history-panel" data-face-id={faceId ?? ''} aria-label="Face history">
      {faceId === null ? (
        <div className="muted history-panel__empty">The focused face’s answers show here.</div>
      ) : (
        <>
          <div className="history-panel__face">
            <img src={mediaUrl(`thumb/${faceId}`)} alt="" draggable={false} />
          </div>
          <dl className="history-panel__facts">
            <dt>Face</dt>
            <dd className="mono">#{faceId}</dd>
            {face && (
              <>
                <dt>Predicted</dt>
                <dd>
                  {face.predicted ?? '—'}
                  {face.confidence !== null && <span className="muted"> · {Math.round(face.confidence * 100)}%</span>}
                </dd>
                {face.personId !== null && (
                  <>
                    <dt>Person</dt>
                    <dd className="mono">#{face.personId}</dd>
                  </>
                )}
              </>
            )}
            {mark !== undefined && (
              <>
                <dt>This card</dt>
                <dd className="text-bad">marked wrong{mark ? ` → ${answerName(mark)}` : ', waiting for a label'}</dd>
              </>
            )}
          </dl>
          <div className="section-title">History</div>
          {hidden > 0 && (
            <div className="muted" data-testid="history-blind">
              Another annotator answered this face; their answer shows once you have given yours.
            </div>
          )}
          {shown === null ? (
            <div className="muted">…</div>
          ) : shown.length === 0 ? (
            hidden === 0 && (
              <div className="muted" data-testid="history-empty">
                No answers yet for this face.
              </div>
            )
          ) : (
            <ol className="history-list">
              {shown.map((h) => (
                <li
                  key={h.id}
                  className={`history-entry history-entry--${h.source}`}
                  data-testid="history-entry"
                  data-value={h.value ?? ''}
                  data-source={h.source}
                  data-task={h.task}
                  data-annotator={h.annotator}
                >
                  <div className="history-entry__main">
                    <span className="history-entry__task">{h.task}</span>
                    {h.previousValue !== null && (
                      <span className="history-entry__prev">{answerName(h.previousValue)} →</span>
                    )}
                    <strong>{h.value === null ? 'no label' : answerName(h.value)}</strong>
                  </div>
                  <div className="history-entry__meta">
                    {SOURCE[h.source] ?? h.source}
                    {h.target === 'person' ? ` (person #${h.personId ?? '?'})` : ''} · {h.annotator} ·{' '}
                    {when(h.createdAt)}
                  </div>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </aside>
  )
}
