/** Bottom status bar: project · faces · ML backend · running jobs with progress and cancel. */
import type { ReactElement } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { JobInfo } from '../../../shared/domain'
import { useStudio } from '../store'
import { cancelJob, isActive } from '../store/jobs-actions'
import { navigate } from '../store/ui-actions'
import { count, duration, fraction, plural, rate } from '../format'
import { ProgressBar } from './common'
import { CloseIcon } from './icons'

function JobStatus({ job, more }: { job: JobInfo; more: number }): ReactElement {
  const p = job.progress
  const queued = job.status === 'queued'
  const known = p.total > 0
  return (
    <div className="status-job" data-testid="status-job" data-job-id={job.id}>
      <span className="status-job__title" title={p.message || job.title}>
        {job.title}
      </span>
      <ProgressBar
        value={fraction(p.done, p.total)}
        indeterminate={queued || !known}
        size="sm"
        testId="status-job-progress"
      />
      <span className="status-job__numbers">
        {queued
          ? 'queued'
          : known
            ? `${count(p.done)}/${count(p.total)} · ${rate(p.rate, job.kind === 'import' ? 'files' : 'items')} · ETA ${duration(p.etaSeconds)}`
            : p.message || 'starting…'}
      </span>
      <button
        className="icon-button icon-button--small"
        title={`Cancel ${job.title}`}
        aria-label={`Cancel ${job.title}`}
        data-testid="job-cancel"
        onClick={() => void cancelJob(job.id)}
      >
        <CloseIcon width={13} height={13} />
      </button>
      {more > 0 && <span className="status-job__more">+{more} more</span>}
    </div>
  )
}

export function StatusBar(): ReactElement {
  const project = useStudio(
    useShallow((s) => (s.project ? { name: s.project.name, faces: s.project.counts.faces, dir: s.project.dir } : null))
  )
  const backend = useStudio((s) => s.info?.backend?.label ?? null)
  const annotator = useStudio((s) => s.info?.annotator ?? null)
  const backendState = useStudio((s) => s.backendState)
  const connection = useStudio((s) => s.connection)
  const active = useStudio(
    useShallow((s) =>
      Object.values(s.jobs)
        .filter(isActive)
        .sort((a, b) => a.id - b.id)
    )
  )
  const running = active.find((j) => j.status === 'running') ?? active[0]
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className="status-bar__item status-bar__project" data-testid="status-project" title={project?.dir}>
        {project ? project.name : 'No project open'}
      </span>
      {project && (
        <>
          <span className="status-bar__sep" aria-hidden="true">
            ·
          </span>
          <span className="status-bar__item" data-testid="status-faces">
            {plural(project.faces, 'face')}
          </span>
          {annotator && (
            <>
              <span className="status-bar__sep" aria-hidden="true">
                ·
              </span>
              <button
                className="status-bar__item status-bar__link"
                data-testid="status-annotator"
                title="Answers are recorded under this name; click to switch profile"
                onClick={() => navigate('settings')}
              >
                as {annotator}
              </button>
            </>
          )}
        </>
      )}
      <span className="status-bar__sep" aria-hidden="true">
        ·
      </span>
      <span
        className={`status-bar__item status-backend status-backend--${backendState}`}
        data-testid="status-backend"
        title="Machine-learning backend used for detection, features and training"
      >
        <span className="status-dot" aria-hidden="true" />
        {backend ?? (backendState === 'unavailable' ? 'ML backend unavailable' : 'starting…')}
      </span>
      {connection !== 'open' && (
        <>
          <span className="status-bar__sep" aria-hidden="true">
            ·
          </span>
          <span className="status-bar__item status-bar__warn" data-testid="status-connection">
            {connection === 'connecting' ? 'Connecting…' : 'Disconnected — retrying'}
          </span>
        </>
      )}
      <span className="status-bar__spacer" />
      <div className="status-bar__jobs" data-testid="status-jobs" data-count={active.length}>
        {running ? (
          <JobStatus job={running} more={active.length - 1} />
        ) : (
          <span className="muted">No running jobs</span>
        )}
      </div>
    </footer>
  )
}
