/**
 * Mirrored features on the Models screen (issue 11 §2): how many faces have the mirrored views every prediction
 * averages in, and "Compute for the rest" for faces imported before they were stored (the `augment` job).
 */
import { useEffect, useState, type ReactElement } from 'react'
import type { JobInfo, MirrorStatus } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { request } from '../store/client'
import { cancelJob, cancelledSays, isActive, trackJob } from '../store/jobs-actions'
import { ErrorMessage, ProgressBar } from '../components/common'
import { count, fraction } from '../format'

function latestAugment(jobs: Record<number, JobInfo>): JobInfo | undefined {
  let latest: JobInfo | undefined
  for (const j of Object.values(jobs)) if (j.kind === 'augment' && (!latest || j.id > latest.id)) latest = j
  return latest
}

export function MirrorFeatures(): ReactElement | null {
  const projectDir = useStudio((s) => s.project?.dir ?? null)
  const job = useStudio((s) => latestAugment(s.jobs))
  const running = !!job && isActive(job)
  const [status, setStatus] = useState<MirrorStatus | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  // Counted again when the project changes and whenever an augment job starts or ends.
  const jobKey = job ? `${job.id}:${job.status}` : ''
  useEffect(() => {
    if (!projectDir) return
    let live = true
    void request('models.mirrorStatus', {}, { inline: true }).then((r) => {
      if (!live) return
      if (r.ok) setStatus(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [projectDir, jobKey])
  if (!status || status.faces === 0) return error ? <ErrorMessage error={error} title="Mirrored features" /> : null
  const start = async (): Promise<void> => {
    setError(null)
    const r = await request('models.augment', {}, { inline: true })
    if (r.ok) trackJob(r.value)
    else setError(r.error)
  }
  const missing = status.faces - status.mirrored
  const said = job ? cancelledSays(job) : null
  const skippedLast = job?.kind === 'augment' && job.status === 'done' && (job.result?.skipped ?? 0) > 0
  return (
    <div
      className="mirror-panel"
      data-testid="mirror-features"
      data-state={running ? 'busy' : missing > 0 ? 'missing' : 'done'}
    >
      {running ? (
        <>
          <div className="mirror-panel__line">
            <strong>Computing mirrored features:</strong>{' '}
            <span data-testid="mirror-progress">
              {job.progress.total > 0
                ? `${count(job.progress.done)} of ${count(job.progress.total)} faces`
                : 'starting…'}
            </span>
            <button className="button button--small" data-testid="mirror-cancel" onClick={() => void cancelJob(job.id)}>
              Cancel
            </button>
          </div>
          <ProgressBar
            value={fraction(job.progress.done, job.progress.total)}
            indeterminate={job.progress.total === 0}
            size="sm"
          />
        </>
      ) : (
        <div className="mirror-panel__line">
          <strong>Mirrored features:</strong>{' '}
          <span data-testid="mirror-count">
            {missing === 0
              ? `all ${count(status.faces)} faces`
              : `${count(status.mirrored)} of ${count(status.faces)} faces`}
          </span>
          {missing > 0 ? (
            <button
              className="button button--small button--primary"
              data-testid="mirror-compute"
              onClick={() => void start()}
            >
              Compute for the rest
            </button>
          ) : (
            <span className="muted">— every prediction averages a face and its mirror image.</span>
          )}
        </div>
      )}
      {!running && missing > 0 && !skippedLast && (
        <div className="muted m-small">
          {said ??
            `${count(missing)} faces were imported before mirrored views were stored; their predictions use one view until computed (from the photos, about as long as importing them).`}
        </div>
      )}
      {job?.status === 'failed' && !running && <div className="version-job--bad m-small">{job.error}</div>}
      {job?.kind === 'augment' && job.status === 'done' && job.result && job.result.skipped > 0 && (
        <div className="version-job--bad m-small" data-testid="mirror-skipped">
          {count(job.result.skipped)} faces skipped
          {job.result.problems[0] ? ` (${job.result.problems[0].reason}: ${job.result.problems[0].path})` : ''}. Their
          predictions keep using one view; restore the photos and compute again.
        </div>
      )}
      {error && <ErrorMessage error={error} title="Could not compute mirrored features" />}
    </div>
  )
}
