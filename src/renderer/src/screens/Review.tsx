/**
 * Review: the ask-when-unsure queue of the active task, one card at a time. "Are these all happy?" — Enter
 * confirms, x marks a face wrong and a label key gives its label, s skips, Ctrl+Z undoes (persisted).
 */
import { memo, useEffect, useRef, useState, type ReactElement } from 'react'
import '../people.css'
import '../labels-io.css'
import { answerName, NOT_APPLICABLE, UNSURE } from '../../../shared/answers'
import type { ReviewCard, ReviewFace, TaskInfo } from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { navigate } from '../store/ui-actions'
import {
  cardLabel,
  CARD_SIZE,
  confirmCard,
  enterReview,
  labelKey,
  loadQueue,
  setFocus,
  setReviewBelow,
  setReviewGroupBy,
  setReviewHelp,
  setReviewScope,
  skipCard,
  toggleMark,
  undoAnnotation,
  unmarkWaiting
} from '../store/review-actions'
import { EmptyState, ErrorMessage, Kbd } from '../components/common'
import { CheckIcon, ReviewIcon } from '../components/icons'
import { count, fileName, plural } from '../format'
import { importName, useImportScopes } from '../components/import-scopes'
import { useTileGrid } from './PeopleVirtual'
import { HistoryPanel } from './ReviewHistory'
import { ReviewHelp } from './ReviewHelp'
import { GridThumb } from '../components/GridThumb'
import { ReviewLabelErrors } from './ReviewLabelErrors'
import { setReviewMode } from '../store/label-errors-actions'
import { AgreementView } from './ReviewAgreement'

const MIN_TILE = 128
const GAP = 10
const CAPTION = 22

function pct(x: number | null): string {
  return x === null ? '—' : `${Math.round(x * 100)}%`
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
}

function FaceTileView({
  face,
  index,
  size,
  focused,
  mark,
  cardValue,
  showPrediction
}: {
  face: ReviewFace
  index: number
  size: number
  focused: boolean
  mark: string | null | undefined
  cardValue: string | null
  showPrediction: boolean
}): ReactElement {
  const marked = mark !== undefined
  const conf = face.confidence
  return (
    <button
      className={`review-face${focused ? ' review-face--focus' : ''}${marked ? ' review-face--marked' : ''}`}
      style={{ width: size }}
      data-testid="review-face"
      data-face-id={face.faceId}
      data-marked={marked}
      data-label={mark ?? ''}
      data-index={index}
      tabIndex={-1}
      title={`Face #${face.faceId} · predicted ${face.predicted ?? '—'} (${pct(conf)}) · click to mark wrong`}
      onClick={() => toggleMark(index)}
    >
      <span className="review-face__media" style={{ height: size }}>
        <GridThumb src={mediaUrl(face.thumb)} />
        {marked && (
          <span className="review-face__mark" data-testid="review-face-mark">
            {mark === null ? 'label?' : answerName(mark)}
          </span>
        )}
        {conf !== null && (
          <span className="review-face__conf" aria-hidden="true">
            <span style={{ width: `${Math.round(conf * 100)}%` }} />
          </span>
        )}
      </span>
      <span className="review-face__caption">
        {showPrediction || (face.predicted !== null && face.predicted !== cardValue) ? (
          <span className="review-face__pred">{face.predicted ?? '—'}</span>
        ) : (
          <span />
        )}
        <span className="review-face__pct">{conf === null ? '' : pct(conf)}</span>
      </span>
    </button>
  )
}

/** Memoised: scrolling re-renders the grid every frame, and only tiles whose props changed need to. */
const FaceTile = memo(FaceTileView)

function CardGrid({
  card,
  cardValue,
  onColumns
}: {
  card: ReviewCard
  cardValue: string | null
  onColumns: (n: number) => void
}): ReactElement {
  const focus = useStudio((s) => s.reviewFocus)
  const marked = useStudio((s) => s.reviewMarked)
  const score = useStudio((s) => s.tasks?.find((t) => t.name === s.task)?.kind === 'score')
  const grid = useTileGrid({
    count: card.faces.length,
    minTile: MIN_TILE,
    gap: GAP,
    caption: CAPTION,
    padding: 2 * 20,
    overscan: 2
  })
  const { columns, virtualizer } = grid
  useEffect(() => onColumns(columns), [columns, onColumns])
  useEffect(() => {
    virtualizer.scrollToIndex(Math.floor(focus / columns), { align: 'auto' })
  }, [focus, columns, virtualizer])
  return (
    <div className="review-grid" ref={grid.scrollRef} data-testid="review-grid">
      <div className="grid-inner" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="grid-row"
            style={{ transform: `translateY(${row.start}px)`, height: grid.rowHeight - GAP, gap: GAP }}
          >
            {Array.from({ length: columns }, (_, c) => {
              const index = row.index * columns + c
              const face = card.faces[index]
              if (!face) return null
              return (
                <FaceTile
                  key={face.faceId}
                  face={face}
                  index={index}
                  size={grid.tile}
                  focused={index === focus}
                  mark={marked[face.faceId]}
                  cardValue={cardValue}
                  showPrediction={score}
                />
              )
            })}
          </div>
        ))}
      </div>
    </div>
  )
}

/** The row of answer keys: 1–9 with the task's labels, u unsure, n not applicable (or a typed score). */
function LabelKeys({
  task,
  cardValue,
  waiting,
  scoreBuffer
}: {
  task: TaskInfo
  cardValue: string | null
  waiting: boolean
  scoreBuffer: string
}): ReactElement {
  const hint = waiting ? 'Label for the marked face:' : 'Answer the whole card:'
  const key = (testKey: string, kbd: string, name: string, value: string): ReactElement => (
    <button
      key={testKey}
      className={`label-key${value === cardValue ? ' label-key--card' : ''}${
        value === UNSURE || value === NOT_APPLICABLE ? ' label-key--reserved' : ''
      }`}
      data-testid={`label-key-${testKey}`}
      data-value={value}
      title={`${name} (${kbd})`}
      onClick={() => labelKey(value)}
    >
      <Kbd>{kbd}</Kbd>
      <span className="label-key__name">{name}</span>
    </button>
  )
  return (
    <div className={`label-keys${waiting ? ' label-keys--waiting' : ''}`} data-testid="label-keys">
      <span className="label-keys__hint" data-testid="label-keys-hint">
        {hint}
      </span>
      {task.kind === 'score' ? (
        <span className="label-keys__score" data-testid="score-entry">
          Type a value {task.scoreMin ?? ''}–{task.scoreMax ?? ''}:{' '}
          <span className="label-keys__buffer mono">{scoreBuffer || '…'}</span> then <Kbd>Enter</Kbd>
        </span>
      ) : (
        <>
          {task.labels.map((l, i) =>
            i < 9 ? (
              key(String(i + 1), String(i + 1), l, l)
            ) : (
              <button
                key={l}
                className={`label-key${l === cardValue ? ' label-key--card' : ''}`}
                data-testid={`label-key-extra`}
                data-value={l}
                onClick={() => labelKey(l)}
              >
                <span className="label-key__name">{l}</span>
              </button>
            )
          )}
        </>
      )}
      <span className="label-keys__sep" />
      {key('u', 'u', 'unsure', UNSURE)}
      {key('n', 'n', 'not applicable', NOT_APPLICABLE)}
    </div>
  )
}

function Card({
  card,
  task,
  onColumns,
  scoreBuffer
}: {
  card: ReviewCard
  task: TaskInfo
  onColumns: (n: number) => void
  scoreBuffer: string
}): ReactElement {
  const marked = useStudio((s) => s.reviewMarked)
  const cardsLeft = useStudio((s) => s.reviewCards.length)
  const value = task.kind === 'score' ? null : cardLabel(card)
  const confs = card.faces.map((f) => f.confidence).filter((c): c is number => c !== null)
  const mean = confs.length ? confs.reduce((a, b) => a + b, 0) / confs.length : null
  const markedCount = Object.keys(marked).length
  const waiting = Object.values(marked).some((v) => v === null)
  return (
    <section className="review-card" data-testid="review-card" data-card-key={card.key} data-label={value ?? ''}>
      <header className="review-card__header">
        <div>
          <h2 className="review-question" data-testid="review-question">
            {task.kind === 'score' ? (
              <>
                Are these <strong>{task.name}</strong> estimates right?
              </>
            ) : value ? (
              <>
                Are these all <strong>{value}</strong>?
              </>
            ) : (
              <>What are these?</>
            )}
          </h2>
          <div className="review-card__meta" data-testid="review-card-meta">
            {card.personId !== null || card.key.startsWith('person:') ? (
              <span className="review-card__person">
                {card.personName ?? (card.personId === null ? 'In no person' : `Unnamed #${card.personId}`)} ·{' '}
              </span>
            ) : null}
            {plural(card.faces.length, 'face')}
            {mean !== null ? (
              <>
                {' · '}model <strong data-testid="review-confidence">{pct(mean)}</strong> sure on average
              </>
            ) : card.faces.some((f) => f.predicted !== null) ? (
              ' · the model’s estimate under each face'
            ) : (
              ' · no prediction yet for this task'
            )}
            {markedCount > 0 && <span className="review-card__marked"> · {markedCount} marked wrong</span>}
          </div>
        </div>
        <span className="screen__spacer" />
        <span className="review-card__index muted">
          card 1 of {cardsLeft}
          {cardsLeft >= 10 ? '+' : ''}
        </span>
      </header>
      <CardGrid card={card} cardValue={value} onColumns={onColumns} />
      <footer className="review-card__footer">
        <LabelKeys task={task} cardValue={value} waiting={waiting} scoreBuffer={scoreBuffer} />
        <div className="review-card__actions">
          <button className="button" data-testid="review-skip" title="Skip this card (s)" onClick={skipCard}>
            Skip <Kbd>s</Kbd>
          </button>
          <button
            className="button button--primary button--large"
            data-testid="review-confirm"
            title="Confirm the card (Enter)"
            onClick={confirmCard}
          >
            <CheckIcon width={15} height={15} />
            {task.kind === 'score'
              ? 'Confirm'
              : value
                ? markedCount
                  ? `Confirm the rest as ${value}`
                  : `All ${value}`
                : 'Save marked'}{' '}
            <Kbd>Enter</Kbd>
          </button>
        </div>
      </footer>
    </section>
  )
}

function ReviewToolbar(): ReactElement {
  const below = useStudio((s) => s.reviewBelow)
  const groupBy = useStudio((s) => s.reviewGroupBy)
  const remaining = useStudio((s) => s.reviewRemaining)
  const answered = useStudio((s) => s.reviewAnswered)
  const score = useStudio((s) => s.tasks?.find((t) => t.name === s.task)?.kind === 'score')
  // A task without predictions yet asks about every unlabelled face, whatever the threshold.
  const unscored = useStudio((s) => !!s.reviewCards[0]?.faces.every((f) => f.confidence === null))
  const undoLabel = useStudio((s) => s.undoLabel)
  const redoLabel = useStudio((s) => s.redoLabel)
  return (
    <div className="review-toolbar">
      <span className="review-remaining" data-testid="review-remaining" data-remaining={remaining ?? ''}>
        {remaining === null ? (
          '…'
        ) : (
          <>
            <strong>{count(remaining)}</strong>
            {below < 1 && !score && !unscored ? ` left below ${Math.round(below * 100)}%` : ' unlabelled left'}
          </>
        )}
      </span>
      {answered > 0 && <span className="muted">· {count(answered)} answered this session</span>}
      <span className="screen__spacer" />
      <label
        className="review-slider"
        title={
          score
            ? 'Score predictions carry no confidence: every unlabelled face is asked'
            : 'Only ask about faces the model is less sure of than this'
        }
      >
        <span className="muted">Ask below</span>
        <input
          type="range"
          className="range"
          min={0.3}
          max={1}
          step={0.05}
          value={below}
          disabled={score}
          data-testid="review-confidence-slider"
          aria-label="Confidence threshold"
          onPointerUp={(e) => e.currentTarget.blur()}
          onChange={(e) => setReviewBelow(Number(e.target.value))}
        />
        <span className="mono review-slider__value">{below >= 1 ? 'all' : `${Math.round(below * 100)}%`}</span>
      </label>
      <ReviewScopePicker />
      <div className="segmented" role="group" aria-label="Group cards by" data-testid="review-group">
        {(['label', 'person'] as const).map((g) => (
          <button
            key={g}
            className={`segmented__item${(score ? g === 'person' : groupBy === g) ? ' segmented__item--active' : ''}`}
            aria-pressed={score ? g === 'person' : groupBy === g}
            disabled={score}
            title={score ? 'Score tasks are reviewed person by person' : undefined}
            data-testid={`review-group-${g}`}
            onClick={() => setReviewGroupBy(g)}
          >
            {g === 'label' ? 'By prediction' : 'By person'}
          </button>
        ))}
      </div>
      <button
        className="icon-button"
        data-testid="review-undo"
        disabled={!undoLabel}
        title={undoLabel ? `Undo: ${undoLabel} (Ctrl+Z)` : 'Nothing to undo'}
        aria-label="Undo"
        onClick={() => void undoAnnotation(false)}
      >
        ↶
      </button>
      <button
        className="icon-button"
        data-testid="review-redo"
        disabled={!redoLabel}
        title={redoLabel ? `Redo: ${redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo'}
        aria-label="Redo"
        onClick={() => void undoAnnotation(true)}
      >
        ↷
      </button>
      <button
        className="button button--small"
        data-testid="review-help-button"
        title="Keyboard shortcuts (?)"
        onClick={() => setReviewHelp(true)}
      >
        <Kbd>?</Kbd> Shortcuts
      </button>
    </div>
  )
}

export function Review(): ReactElement {
  const taskName = useStudio((s) => s.task)
  const task = useStudio((s) => s.tasks?.find((t) => t.name === s.task))
  const tasksLoaded = useStudio((s) => s.tasks !== null)
  const card = useStudio((s) => s.reviewCards[0])
  const loading = useStudio((s) => s.reviewLoading)
  const error = useStudio((s) => s.reviewError)
  const remaining = useStudio((s) => s.reviewRemaining)
  const below = useStudio((s) => s.reviewBelow)
  const help = useStudio((s) => s.reviewHelp)
  const mode = useStudio((s) => s.reviewMode)
  const faces = useStudio((s) => s.project?.counts.faces ?? 0)
  const projectDir = useStudio((s) => s.project?.dir)
  const columns = useRef(4)
  const [scoreBuffer, setScoreBuffer] = useState('')
  // Agreement and disagreements (issue 14) replace the card while open; the card's keys pause.
  const [agreement, setAgreement] = useState(false)
  const showAgreement = agreement && task?.kind === 'classification'
  const onColumns = useRef((n: number) => {
    columns.current = n
  }).current

  useEffect(() => {
    void enterReview()
    // Keys belong to the card: a nav button or the task picker keeping focus would swallow Enter and arrows.
    const el = document.activeElement as HTMLElement | null
    if (el?.closest('.sidebar')) el.blur()
  }, [projectDir, taskName])
  useEffect(() => setScoreBuffer(''), [card?.key, taskName])

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const st = useStudio.getState()
      if (st.dialog || isTyping(e.target) || e.altKey) return
      if (e.key === '?') {
        // Capture phase: the app-wide `?` would open the general shortcuts list instead.
        e.preventDefault()
        e.stopPropagation()
        setReviewHelp(!st.reviewHelp)
        return
      }
      if (st.reviewHelp || e.ctrlKey || e.metaKey || st.reviewMode === 'errors') return
      // Another dialog (task editor, picker) or the agreement view owns the keyboard while open.
      if (document.querySelector('[aria-modal="true"], [data-testid="agreement-view"]')) return
      const t = st.tasks?.find((x) => x.name === st.task)
      if (!t || !st.reviewCards[0]) return
      const k = e.key
      const cols = columns.current
      let handled = true
      if (k === 'ArrowRight') setFocus(st.reviewFocus + 1)
      else if (k === 'ArrowLeft') setFocus(st.reviewFocus - 1)
      else if (k === 'ArrowDown') setFocus(st.reviewFocus + cols)
      else if (k === 'ArrowUp') setFocus(st.reviewFocus - cols)
      else if (k === 'Home') setFocus(0)
      else if (k === 'End') setFocus(Number.MAX_SAFE_INTEGER)
      else if (k === 'Enter') {
        // A focused button (mouse users) keeps its own Enter.
        if ((e.target as HTMLElement | null)?.tagName === 'BUTTON') (e.target as HTMLElement).blur()
        if (t.kind === 'score' && scoreBuffer) {
          labelKey(scoreBuffer)
          setScoreBuffer('')
        } else confirmCard()
      } else if (k === 'x' || k === 'X' || k === 'Delete' || k === 'Backspace') {
        if (t.kind === 'score' && scoreBuffer && k === 'Backspace') setScoreBuffer(scoreBuffer.slice(0, -1))
        else toggleMark()
      } else if (k === 's' || k === 'S') skipCard()
      else if (k === 'u' || k === 'U') labelKey(UNSURE)
      else if (k === 'n' || k === 'N') labelKey(NOT_APPLICABLE)
      else if (k === 'Escape') {
        if (scoreBuffer) setScoreBuffer('')
        else if (!unmarkWaiting()) handled = false
      } else if (t.kind === 'score' && /^[0-9.]$/.test(k)) setScoreBuffer((scoreBuffer + k).slice(0, 8))
      else if (t.kind === 'classification' && /^[1-9]$/.test(k)) {
        const label = t.labels[Number(k) - 1]
        if (label) labelKey(label)
      } else handled = false
      if (handled) {
        e.preventDefault()
        e.stopPropagation()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [scoreBuffer])

  let body: ReactElement
  if (faces === 0) {
    body = (
      <EmptyState
        icon={<ReviewIcon width={34} height={34} />}
        title="Nothing to review yet"
        testId="review-empty"
        actions={
          <button className="button button--primary button--large" onClick={() => navigate('library')}>
            Go to Library
          </button>
        }
      >
        Import photos first; their faces are asked about here, least sure first.
      </EmptyState>
    )
  } else if (!task) {
    body = tasksLoaded ? (
      <EmptyState title={`No task named “${taskName}”`} testId="review-empty">
        Pick a task at the top of the sidebar.
      </EmptyState>
    ) : (
      <div className="splash" />
    )
  } else if (error && !card) {
    body = (
      <div className="screen__banner">
        <ErrorMessage error={error} title="Could not load the review queue" />
        <button className="button" onClick={() => void loadQueue(true)}>
          Try again
        </button>
      </div>
    )
  } else if (card) {
    body = <Card card={card} task={task} onColumns={onColumns} scoreBuffer={scoreBuffer} />
  } else if (loading || remaining === null) {
    body = <div className="review-loading muted">Finding the faces the model is least sure of…</div>
  } else {
    body = (
      <EmptyState
        icon={<CheckIcon width={34} height={34} />}
        title="All caught up"
        testId="review-done"
        actions={
          below < 1 ? (
            <button className="button button--primary" onClick={() => setReviewBelow(1)}>
              Ask about every unlabelled face
            </button>
          ) : undefined
        }
      >
        {below < 1
          ? `No ${task.name} questions left below ${Math.round(below * 100)}% confidence.`
          : `Every face has a ${task.name} answer.`}{' '}
        Skipped cards come back after a reload.
      </EmptyState>
    )
  }

  return (
    <div className="screen" data-testid="review-screen" data-task={taskName} data-loading={loading} data-below={below}>
      <header className="screen__header">
        <h1>Review</h1>
        <span className="badge" data-testid="review-task">
          {taskName}
        </span>
        {task && (
          <span className="screen__subtitle">
            {task.kind === 'score'
              ? `score ${task.scoreMin ?? ''}–${task.scoreMax ?? ''}`
              : plural(task.labels.length, 'label')}
            {task.level === 'person' ? ' · per person' : ''}
          </span>
        )}
        <span className="screen__spacer" />
        {task?.kind === 'classification' && mode === 'unsure' && (
          <button
            className={`button button--small review-agreement-toggle${showAgreement ? ' button--primary' : ''}`}
            data-testid="agreement-toggle"
            aria-pressed={showAgreement}
            title="Agreement between annotators, and the faces they disagree on"
            onClick={() => setAgreement(!showAgreement)}
          >
            {showAgreement ? 'Back to the queue' : 'Agreement & disagreements'}
          </button>
        )}
        <div className="segmented" role="group" aria-label="Queue" data-testid="review-mode">
          {(
            [
              ['unsure', 'Ask when unsure'],
              ['errors', 'Possible label errors']
            ] as const
          ).map(([m, text]) => (
            <button
              key={m}
              className={`segmented__item${mode === m ? ' segmented__item--active' : ''}`}
              aria-pressed={mode === m}
              data-testid={`review-mode-${m}`}
              onClick={() => setReviewMode(m)}
            >
              {text}
            </button>
          ))}
        </div>
      </header>
      {mode === 'errors' ? (
        <div className="review-body">
          <div className="review-main">
            <ReviewLabelErrors />
          </div>
        </div>
      ) : (
        <>
          <ReviewToolbar />
          <div className="review-body">
            <div className="review-main">{showAgreement && task ? <AgreementView task={task} /> : body}</div>
            {!showAgreement && <HistoryPanel />}
          </div>
        </>
      )}
      {help && <ReviewHelp cardSize={CARD_SIZE} />}
    </div>
  )
}

/** Review scope: every unlabelled face, one import, a folder, or the person open in People. */
function ReviewScopePicker(): ReactElement {
  const scope = useStudio((s) => s.reviewScope)
  const openPersonId = useStudio((s) => s.openPersonId)
  const openPerson = useStudio((s) => s.openPerson)
  const { imports, folders } = useImportScopes()
  const value =
    scope.kind === 'folder'
      ? `folder:${scope.folder}`
      : scope.kind === 'import'
        ? `import:${scope.importId}`
        : scope.kind === 'person'
          ? `person:${scope.personId}`
          : scope.kind === 'faces'
            ? 'faces'
            : 'all'
  return (
    <select
      className="select review-scope"
      value={value}
      aria-label="Review scope"
      title="Which unlabelled faces to ask about"
      data-testid="review-scope"
      onChange={(e) => {
        const v = e.target.value
        if (v.startsWith('folder:')) setReviewScope({ kind: 'folder', folder: v.slice(7) })
        else if (v.startsWith('import:')) setReviewScope({ kind: 'import', importId: v.slice(7) })
        else if (v.startsWith('person:')) setReviewScope({ kind: 'person', personId: Number(v.slice(7)) })
        else if (v !== 'faces') setReviewScope({ kind: 'all' })
      }}
    >
      <option value="all">All unlabelled faces</option>
      {imports.map((b) => (
        <option key={b.id} value={`import:${b.id}`} title={b.folder}>
          {importName(b)}
        </option>
      ))}
      {scope.kind === 'import' && !imports.some((b) => b.id === scope.importId) && (
        <option value={value}>One import</option>
      )}
      {folders.map((f) => (
        <option key={f.folder} value={`folder:${f.folder}`} title={f.folder}>
          Folder: {fileName(f.folder)} ({count(f.images)} photos)
        </option>
      ))}
      {scope.kind === 'folder' && !folders.some((f) => f.folder === scope.folder) && (
        <option value={value}>Folder: {fileName(scope.folder)}</option>
      )}
      {openPersonId !== null && (
        <option value={`person:${openPersonId}`}>Person: {openPerson?.name ?? 'Unnamed'}</option>
      )}
      {scope.kind === 'person' && scope.personId !== openPersonId && (
        <option value={value}>Person #{scope.personId}</option>
      )}
      {scope.kind === 'faces' && <option value="faces">{scope.name}</option>}
    </select>
  )
}
