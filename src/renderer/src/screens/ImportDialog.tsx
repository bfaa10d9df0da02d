/** Import a folder of photos: options, then live progress of the import job (which can run in the background). */
import { useState, type ReactElement } from 'react'
import type { ImportSummary, JobInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { cancelJob, cancelledSays, isActive, startImport } from '../store/jobs-actions'
import { setLibraryFilter } from '../store/library-actions'
import { setReviewScope } from '../store/review-actions'
import { closeDialog, navigate } from '../store/ui-actions'
import { ErrorMessage, FolderField, Modal, ProgressBar } from '../components/common'
import { count, duration, fraction, rate } from '../format'

function ImportForm(): ReactElement {
  const [folder, setFolder] = useState('')
  const [crops, setCrops] = useState(false)
  const [detector, setDetector] = useState<'ssd' | 'tiny'>('ssd')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const submit = async (): Promise<void> => {
    if (busy) return
    if (!folder.trim()) {
      setError({
        code: 'BAD_ARGS',
        message: 'Type the full path of the folder to import, or choose one.',
        path: 'folder'
      })
      return
    }
    setBusy(true)
    setError(null)
    const err = await startImport({ folder: folder.trim(), crops, detector })
    setBusy(false)
    if (err) setError(err)
  }
  return (
    <Modal
      title="Import photos"
      onClose={closeDialog}
      testId="import-dialog"
      width={560}
      footer={
        <>
          <button className="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            className="button button--primary"
            data-testid="import-start"
            disabled={busy}
            onClick={() => void submit()}
          >
            {busy ? 'Starting…' : 'Start import'}
          </button>
        </>
      }
    >
      <p className="muted dialog-intro">
        Photos are read where they are (sub-folders included) and never copied; Face Studio stores face crops,
        thumbnails and features in the project.
      </p>
      <FolderField
        id="import-folder-path"
        label="Folder of photos"
        value={folder}
        onChange={(v) => {
          setFolder(v)
          setError(null)
        }}
        purpose="import"
        testIdPrefix="import-folder"
        invalid={!!error}
        onEnter={() => void submit()}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={crops}
          data-testid="import-crops"
          onChange={(e) => setCrops(e.target.checked)}
        />
        <span>
          Faces are already cropped (FER, UTKFace…)
          <span className="checkbox__hint">Each image is one aligned face; no detection is run.</span>
        </span>
      </label>
      <div className="field field--inline">
        <label htmlFor="import-detector" className="field__label">
          Face detector
        </label>
        <select
          id="import-detector"
          className="select"
          value={detector}
          disabled={crops}
          data-testid="import-detector"
          onChange={(e) => setDetector(e.target.value === 'tiny' ? 'tiny' : 'ssd')}
        >
          <option value="ssd">SSD (accurate)</option>
          <option value="tiny">Tiny (faster)</option>
        </select>
        <span className="field__hint">
          {crops ? 'Not used for cropped faces.' : 'SSD finds more small and turned faces.'}
        </span>
      </div>
      {error && <ErrorMessage error={error} title="Could not start the import" />}
    </Modal>
  )
}

function Stat({
  label,
  value,
  testId,
  tone
}: {
  label: string
  value: string
  testId?: string
  tone?: 'bad'
}): ReactElement {
  return (
    <div className="stat">
      <div className={`stat__value${tone === 'bad' ? ' stat__value--bad' : ''}`} data-testid={testId}>
        {value}
      </div>
      <div className="stat__label">{label}</div>
    </div>
  )
}

function elapsed(job: JobInfo): number | null {
  const start = Date.parse(job.startedAt)
  const end = job.endedAt ? Date.parse(job.endedAt) : Date.now()
  return Number.isFinite(start) && Number.isFinite(end) ? (end - start) / 1000 : null
}

function ImportProgress({ job }: { job: JobInfo }): ReactElement {
  const p = job.progress
  const faces = p.counters.faces ?? 0
  const errors = p.counters.errors ?? 0
  const active = isActive(job)
  const startAnother = (): void => useStudio.setState({ importJobId: null })
  // An import that added faces can be reviewed on its own (its faces would otherwise queue behind older ones).
  const summary = job.kind === 'import' && job.status === 'done' ? (job.result as ImportSummary | null) : null
  const reviewable = summary && summary.faces > 0 ? summary.importId : null
  const heading =
    job.status === 'queued'
      ? 'Waiting to start…'
      : job.status === 'running'
        ? 'Importing…'
        : job.status === 'done'
          ? 'Import finished'
          : job.status === 'cancelled'
            ? 'Import cancelled'
            : 'Import failed'
  return (
    <Modal
      title="Import photos"
      onClose={closeDialog}
      testId="import-dialog"
      width={560}
      footer={
        active ? (
          <>
            <button className="button" onClick={closeDialog} data-testid="import-background">
              Run in background
            </button>
            <button
              className="button button--danger"
              data-testid="import-cancel"
              onClick={() => void cancelJob(job.id)}
            >
              Cancel import
            </button>
          </>
        ) : (
          <>
            {errors > 0 && (
              <button
                className="button"
                data-testid="import-show-errors"
                onClick={() => {
                  setLibraryFilter('errors')
                  closeDialog()
                }}
              >
                Show {errors === 1 ? 'the error' : `${count(errors)} errors`}
              </button>
            )}
            {reviewable && (
              <button
                className="button"
                data-testid="import-review"
                title="Review only the faces this import added, least sure first"
                onClick={() => {
                  setReviewScope({ kind: 'import', importId: reviewable })
                  closeDialog()
                  navigate('review')
                }}
              >
                Review this import
              </button>
            )}
            <button className="button" onClick={startAnother} data-testid="import-another">
              Import another folder
            </button>
            <button className="button button--primary" onClick={closeDialog} data-testid="import-close">
              Done
            </button>
          </>
        )
      }
    >
      <div className="import-progress" data-testid="import-progress" data-status={job.status}>
        <div className="import-progress__head">
          <span className="import-progress__heading">{heading}</span>
          <span className="muted">{p.total > 0 ? `${Math.round(fraction(p.done, p.total) * 100)}%` : ''}</span>
        </div>
        <ProgressBar
          value={fraction(p.done, p.total)}
          indeterminate={active && p.total === 0}
          testId="import-progress-bar"
        />
        {/* A cancelled import's last message is said in full below the numbers. */}
        {cancelledSays(job) === null && (
          <div className="import-progress__message muted" title={p.message}>
            {p.message || job.title}
          </div>
        )}
        <div className="stats">
          <Stat label="Files" value={`${count(p.done)} / ${count(p.total)}`} testId="import-files" />
          <Stat label="Faces found" value={count(faces)} testId="import-faces" />
          <Stat label="Errors" value={count(errors)} testId="import-errors" tone={errors > 0 ? 'bad' : undefined} />
          <Stat label="Rate" value={rate(p.rate)} testId="import-rate" />
          <Stat
            label={active ? 'Time left' : 'Took'}
            value={active ? duration(p.etaSeconds) : duration(elapsed(job))}
            testId="import-eta"
          />
        </div>
        {job.status === 'failed' && (
          <ErrorMessage
            error={{ code: 'INTERNAL', message: job.error ?? 'The import stopped without a reason.' }}
            title="The import stopped"
          />
        )}
        {job.status === 'cancelled' && (
          <p className="muted" data-testid="import-cancelled-note">
            {/* The job's last word says how far it got and how many photos it kept. */}
            {cancelledSays(job) ?? 'Photos imported before you cancelled are kept.'}
          </p>
        )}
      </div>
    </Modal>
  )
}

export function ImportDialog(): ReactElement {
  const job = useStudio((s) => (s.importJobId === null ? undefined : s.jobs[s.importJobId]))
  return job ? <ImportProgress job={job} /> : <ImportForm />
}
