/**
 * Review → "Possible label errors": the faces whose given label the label-error finder doubts, largest margin
 * first, one at a time. k keeps the label (a confirm), f fixes it to the suggestion (a correction), s skips.
 */
import { useEffect, type ReactElement } from 'react'
import type { LabelErrorsSummary, LabelErrorSuspect } from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { cancelJob, isActive, latestJob } from '../store/jobs-actions'
import { answerSuspect, findLabelErrors, loadLabelErrors, openSuspects } from '../store/label-errors-actions'
import { EmptyState, ErrorMessage, Kbd, ProgressBar } from '../components/common'
import { CheckIcon } from '../components/icons'
import { count, plural } from '../format'

function pct(x: number): string {
  return `${Math.round(x * 100)}%`
}

function when(iso: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

function Counts({ summary }: { summary: LabelErrorsSummary }): ReactElement {
  return (
    <div className="label-errors__counts" data-testid="label-errors-counts">
      {summary.perClass.map((c) => (
        <span
          key={c.label}
          className="badge label-errors__count"
          title={`${c.suspects} doubted of ${c.checked} labelled ${c.label}`}
        >
          {c.label} <strong>{count(c.suspects)}</strong>
          <span className="muted">/{count(c.checked)}</span>
        </span>
      ))}
    </div>
  )
}

function Suspect({ s, rest }: { s: LabelErrorSuspect; rest: LabelErrorSuspect[] }): ReactElement {
  return (
    <div className="review-card label-errors__card" data-testid="label-error" data-face-id={s.faceId}>
      <div className="review-card__header">
        <div>
          <div className="review-question">
            Labelled <strong>{s.given}</strong> — is it <strong>{s.suggested}</strong>?
          </div>
          <div className="review-card__meta">
            Face {s.faceId} · given by <strong>{s.annotator ?? 'unknown'}</strong>
            {s.labelledAt ? ` on ${when(s.labelledAt)}` : ''} · the model says {s.suggested}{' '}
            <strong>{pct(s.probability)}</strong> (margin {s.score.toFixed(2)})
          </div>
        </div>
      </div>
      <div className="label-errors__body">
        <img className="label-errors__face" src={mediaUrl(s.thumb)} alt={`Face ${s.faceId}`} draggable={false} />
        <div className="label-errors__actions">
          <button
            className="button button--large"
            data-testid="label-error-keep"
            onClick={() => void answerSuspect('keep')}
          >
            <Kbd>K</Kbd> Keep “{s.given}”
          </button>
          <button
            className="button button--primary button--large"
            data-testid="label-error-fix"
            onClick={() => void answerSuspect('fix')}
          >
            <Kbd>F</Kbd> Fix to “{s.suggested}”
          </button>
          <button className="button" data-testid="label-error-skip" onClick={() => void answerSuspect('skip')}>
            <Kbd>S</Kbd> Skip
          </button>
          <div className="muted label-errors__path" title={s.path}>
            {s.path}
          </div>
        </div>
      </div>
      {rest.length > 0 && (
        <div className="label-errors__next">
          <span className="muted">Next</span>
          {rest.slice(0, 12).map((x) => (
            <figure
              key={x.faceId}
              className="label-errors__mini"
              title={`${x.given} → ${x.suggested} (${x.score.toFixed(2)})`}
            >
              <img src={mediaUrl(x.thumb)} alt={`Face ${x.faceId}`} loading="lazy" draggable={false} />
              <figcaption>
                {x.given} → {x.suggested}
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  )
}

export function ReviewLabelErrors(): ReactElement {
  const task = useStudio((s) => s.task)
  const summary = useStudio((s) => s.labelErrors)
  const skipped = useStudio((s) => s.labelErrorsSkipped)
  const loading = useStudio((s) => s.labelErrorsLoading)
  const job = useStudio((s) => latestJob(s.jobs, 'label-errors', s.task))
  const classification = useStudio((s) => s.tasks?.find((t) => t.name === s.task)?.kind === 'classification')
  const running = !!job && isActive(job)
  void skipped // re-render when a suspect is skipped

  useEffect(() => {
    void loadLabelErrors()
  }, [task])

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const st = useStudio.getState()
      if (st.dialog || e.altKey || e.ctrlKey || e.metaKey || st.reviewMode !== 'errors') return
      const t = e.target as HTMLElement | null
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return
      const k = e.key.toLowerCase()
      const action = k === 'k' ? 'keep' : k === 'f' ? 'fix' : k === 's' ? 'skip' : null
      if (!action) return
      e.preventDefault()
      e.stopPropagation()
      void answerSuspect(action)
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const suspects = openSuspects()
  const progress = job && running ? job.progress : null
  const searchBar = (
    <div className="label-errors__bar">
      {summary && <Counts summary={summary} />}
      <span className="screen__spacer" />
      {summary && (
        <span className="muted" data-testid="label-errors-summary">
          {plural(suspects.length, 'suspect')} left of {count(summary.n_checked)} labels ·{' '}
          {summary.k > 0 ? `${summary.k}-fold heads` : `v${summary.reusedVersion}'s out-of-fold`}
        </span>
      )}
      {running ? (
        <button className="button button--small" onClick={() => job && void cancelJob(job.id)}>
          Cancel
        </button>
      ) : (
        <button
          className={`button button--small${summary ? '' : ' button--primary'}`}
          data-testid="label-errors-find"
          disabled={!classification}
          onClick={() => void findLabelErrors()}
        >
          {summary ? 'Search again' : 'Find possible label errors'}
        </button>
      )}
    </div>
  )

  let body: ReactElement
  if (!classification) {
    body = (
      <EmptyState title="Label errors need classes" testId="label-errors-empty">
        Score tasks have no classes to confuse; pick a classification task.
      </EmptyState>
    )
  } else if (progress) {
    body = (
      <div className="label-errors__progress" data-testid="label-errors-progress">
        <div>{progress.message || 'Checking labels…'}</div>
        <ProgressBar value={progress.total > 0 ? progress.done / progress.total : 0} />
        <div className="muted">
          Each label is judged by a head that never saw it (out-of-fold); a label is doubted when another class is more
          probable than that class usually is for its own faces.
        </div>
      </div>
    )
  } else if (job?.status === 'failed' && !summary) {
    body = (
      <div className="screen__banner">
        <ErrorMessage
          error={{ code: 'INTERNAL', message: job.error ?? 'The search failed.' }}
          title="Could not check the labels"
        />
      </div>
    )
  } else if (!summary) {
    body = loading ? (
      <div className="review-loading muted">Loading…</div>
    ) : (
      <EmptyState title="Possible label errors" testId="label-errors-empty">
        Trains five heads on the labelled faces, each judging the faces it never saw, and lists the labels they
        confidently disagree with (confident learning), most doubtful first.
      </EmptyState>
    )
  } else if (suspects.length === 0) {
    body = (
      <EmptyState
        icon={<CheckIcon width={34} height={34} />}
        title="No doubtful labels left"
        testId="label-errors-done"
      >
        {summary.suspects.length === 0
          ? `None of the ${count(summary.n_checked)} ${task} labels looks wrong to the model.`
          : 'Skipped ones come back after a reload.'}
      </EmptyState>
    )
  } else {
    body = <Suspect s={suspects[0] as LabelErrorSuspect} rest={suspects.slice(1)} />
  }
  return (
    <div className="label-errors" data-testid="label-errors">
      {searchBar}
      {body}
    </div>
  )
}
