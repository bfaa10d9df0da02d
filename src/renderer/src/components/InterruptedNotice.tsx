/**
 * Above every screen: the jobs an earlier run (the app, or the command line) on this project did not finish —
 * killed, crashed or closed mid-job — and what each left behind, until the user dismisses it.
 */
import type { ReactElement } from 'react'
import { useStudio } from '../store'
import { dismissInterrupted } from '../store/jobs-actions'
import { plural, shortDateTime } from '../format'
import { AlertIcon } from './icons'

export function InterruptedNotice(): ReactElement | null {
  const jobs = useStudio((s) => s.interrupted)
  if (jobs.length === 0) return null
  return (
    <section className="interrupted" role="status" data-testid="interrupted-jobs" aria-label="Unfinished jobs">
      <AlertIcon className="interrupted__icon" width={18} height={18} />
      <div className="interrupted__body">
        <div className="interrupted__title">
          {jobs.length === 1 ? 'A job did not finish' : `${plural(jobs.length, 'job')} did not finish`}: Face Studio
          stopped while {jobs.length === 1 ? 'it was' : 'they were'} running.
        </div>
        <ul className="interrupted__list">
          {jobs.map((j) => (
            <li key={j.id} data-testid="interrupted-job" data-kind={j.kind}>
              <span className="interrupted__job">{j.title}</span>
              <span className="muted"> · started {shortDateTime(j.startedAt)}</span>
              <div className="interrupted__note">{j.note}</div>
            </li>
          ))}
        </ul>
      </div>
      <button
        className="button button--small"
        data-testid="interrupted-dismiss"
        onClick={() => void dismissInterrupted()}
      >
        Dismiss
      </button>
    </section>
  )
}
