/**
 * People → a person's privacy actions (issue 14): "Export this person's data…" (a subject access request: their
 * faces, labels and predictions written to a folder) and "Forget person…" (their faces' rows and files go, the
 * photos stay untouched and are excluded from re-import, versions trained on them are flagged for retraining).
 */
import { useState, type ReactElement } from 'react'
import '../teams.css'
import type { PersonSummary } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import type { ForgetResult, PersonExport } from '../../../shared/teams'
import { request } from '../store/client'
import { invalidatePeople, nameOf, openPerson } from '../store/people-actions'
import { navigate } from '../store/ui-actions'
import { ErrorMessage, FolderField, Modal } from '../components/common'
import { plural } from '../format'

function ForgetDialog({ person, onClose }: { person: PersonSummary; onClose: () => void }): ReactElement {
  const [understood, setUnderstood] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [done, setDone] = useState<ForgetResult | null>(null)
  const forget = async (): Promise<void> => {
    setBusy(true)
    const r = await request('teams.forget', { personId: person.id }, { inline: true })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setDone(r.value)
    invalidatePeople()
  }
  const finish = (): void => {
    onClose()
    if (done) openPerson(null)
  }
  if (done)
    return (
      <Modal
        title="Person forgotten"
        onClose={finish}
        testId="forget-done"
        footer={
          <>
            {done.versions_flagged > 0 && (
              <button
                className="button"
                data-testid="forget-go-models"
                onClick={() => {
                  finish()
                  navigate('models')
                }}
              >
                Go to Models
              </button>
            )}
            <button className="button button--primary" data-autofocus onClick={finish}>
              Done
            </button>
          </>
        }
      >
        <p data-testid="forget-summary">
          Removed {plural(done.faces, 'face')}, {plural(done.annotations, 'annotation')} and{' '}
          {plural(done.files, 'file')} (thumbnails and previews). The photos are untouched and will not bring these
          faces back on a re-import.
        </p>
        {done.versions_flagged > 0 ? (
          <>
            <p className="forget-warning">
              {plural(done.versions_flagged, 'model version')} learnt from this person and{' '}
              {done.versions_flagged === 1 ? 'is' : 'are'} now marked “trained on forgotten data”:
            </p>
            <ul className="forget-list" data-testid="forget-versions">
              {done.versions.map((v) => (
                <li key={`${v.task}-${v.version}`}>
                  {v.task} v{v.version}
                </li>
              ))}
            </ul>
            <p className="muted">Retrain each from Models (one click, same settings, without these faces).</p>
          </>
        ) : (
          <p className="muted">No model version was trained on these faces.</p>
        )}
        <p className="muted">An audit entry records when and by whom, with counts only.</p>
      </Modal>
    )
  return (
    <Modal
      title={`Forget ${nameOf(person)}?`}
      onClose={onClose}
      testId="forget-dialog"
      footer={
        <>
          <button className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            className="button button--danger"
            data-testid="forget-confirm"
            disabled={!understood || busy}
            onClick={() => void forget()}
          >
            {busy ? 'Forgetting…' : `Forget ${plural(person.count, 'face')}`}
          </button>
        </>
      }
    >
      <p>This deletes, for good:</p>
      <ul className="forget-list">
        <li>
          the person and their {plural(person.count, 'face')}: thumbnails, features, predictions and every answer about
          them,
        </li>
        <li>their person-level labels,</li>
        <li>the previews of photos where no other face remains.</li>
      </ul>
      <p className="muted">
        Your photo files are not touched; they are put on an exclusion list so a re-import does not bring these faces
        back. Model versions trained on them get marked for retraining. Undo is not possible.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={understood}
          data-testid="forget-understood"
          onChange={(e) => setUnderstood(e.target.checked)}
        />{' '}
        I understand this cannot be undone
      </label>
      {error && <ErrorMessage error={error} title="Could not forget this person" />}
    </Modal>
  )
}

function ExportDialog({ person, onClose }: { person: PersonSummary; onClose: () => void }): ReactElement {
  const [dir, setDir] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [done, setDone] = useState<PersonExport | null>(null)
  const run = async (): Promise<void> => {
    if (!dir.trim()) return
    setBusy(true)
    const r = await request('teams.exportPerson', { personId: person.id, dir: dir.trim() }, { inline: true })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setError(null)
    setDone(r.value)
  }
  return (
    <Modal
      title={`Export ${nameOf(person)}’s data`}
      onClose={onClose}
      testId="export-person-dialog"
      footer={
        done ? (
          <button className="button button--primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              className="button button--primary"
              data-testid="export-person-run"
              disabled={busy || !dir.trim()}
              onClick={() => void run()}
            >
              {busy ? 'Exporting…' : 'Export'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <p data-testid="export-person-done">
          Wrote {plural(done.faces, 'face')}, {plural(done.annotations, 'label')} and{' '}
          {plural(done.predictions, 'prediction')} to <span className="mono">{done.path}</span>.
        </p>
      ) : (
        <>
          <p className="muted">
            For a subject access request: their face thumbnails, photo paths and boxes, every label (with annotator and
            time) and the active models’ predictions, as CSV and JSON in a new folder{' '}
            <span className="mono">person-{person.id}</span>.
          </p>
          <FolderField
            id="export-person-dir"
            label="Into folder"
            value={dir}
            onChange={setDir}
            purpose="open"
            testIdPrefix="export-person"
            onEnter={() => void run()}
          />
        </>
      )}
      {error && <ErrorMessage error={error} title="Could not export" />}
    </Modal>
  )
}

export function PersonPrivacyActions({ person }: { person: PersonSummary }): ReactElement {
  const [open, setOpen] = useState<'forget' | 'export' | null>(null)
  return (
    <>
      <button
        className="button"
        data-testid="person-export-data"
        title="Write this person’s faces, labels and predictions to a folder"
        onClick={() => setOpen('export')}
      >
        Export data…
      </button>
      <button
        className="button button--danger"
        data-testid="person-forget"
        title="Delete this person’s faces and everything derived from them"
        onClick={() => setOpen('forget')}
      >
        Forget person…
      </button>
      {open === 'forget' && <ForgetDialog person={person} onClose={() => setOpen(null)} />}
      {open === 'export' && <ExportDialog person={person} onClose={() => setOpen(null)} />}
    </>
  )
}
