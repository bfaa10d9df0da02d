/**
 * A job a dialog started (Import labels…, Export…): the dialog keeps its id, follows it through the store's
 * job list (job.updated), shows its progress with a Cancel, and reads its result or error when it stops.
 */
import { useState, type ReactElement } from 'react'
import type { JobInfo, JobKind } from '../../../shared/domain'
import { useStudio } from '../store'
import { cancelJob, isActive, trackJob, type Job } from '../store/jobs-actions'
import { ProgressBar } from './common'

export function useDialogJob<K extends JobKind>(
  kind: K
): { job: Job<K> | null; follow: (job: JobInfo) => void; forget: () => void } {
  const [id, setId] = useState<number | null>(null)
  const job = useStudio((s) => {
    const j = id === null ? undefined : s.jobs[id]
    return j && j.kind === kind ? (j as Job<K>) : null
  })
  return {
    job,
    follow: (j) => {
      trackJob(j)
      setId(j.id)
    },
    forget: () => setId(null)
  }
}

export function DialogJobProgress({ job, testId }: { job: JobInfo; testId: string }): ReactElement | null {
  if (!isActive(job)) return null
  const p = job.progress
  return (
    <div className="lio-job" data-testid={testId}>
      <div className="lio-job__row">
        <span data-testid={`${testId}-message`}>
          {p.message || (job.status === 'queued' ? 'Waiting…' : 'Working…')}
        </span>
        <button
          className="button button--small"
          data-testid={`${testId}-cancel`}
          onClick={() => void cancelJob(job.id)}
        >
          Cancel
        </button>
      </div>
      <ProgressBar value={p.total > 0 ? p.done / p.total : 0} indeterminate={p.total === 0} />
    </div>
  )
}
