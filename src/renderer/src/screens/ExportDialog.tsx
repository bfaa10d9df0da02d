/**
 * Export…: what (all faces, one import or folder, the open person, the selected faces, the faces without a label
 * for the current task), which tasks, which format, where; a summary
 * at the end. The choices are remembered per project (in this window's storage), so the next export starts
 * from the last one.
 */
import { useEffect, useState, type ReactElement } from 'react'
import { EXPORT_FORMAT_NAMES, type ExportFormatName } from '../../../shared/labels-io'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { request } from '../store/client'
import { loadTasks } from '../store/review-actions'
import { closeDialog } from '../store/ui-actions'
import { ErrorMessage, FileField, Modal } from '../components/common'
import { DialogJobProgress, useDialogJob } from '../components/DialogJob'
import { importName, useImportScopes } from '../components/import-scopes'
import { isActive } from '../store/jobs-actions'
import { selectedFaceIds } from '../store/map-actions'
import { scopeFields } from '../store/review'
import { count, fileName, plural } from '../format'
import '../labels-io.css'

const FORMAT_NAMES: Record<ExportFormatName, string> = {
  csv: 'CSV rows (one per face)',
  json: 'JSON rows (one per face)',
  coco: 'COCO JSON (pycocotools, FiftyOne, CVAT)',
  labelstudio: 'Label Studio tasks JSON',
  npy: 'NumPy embeddings (.npy + index .csv)'
}
const EXTENSIONS: Record<ExportFormatName, string> = {
  csv: 'csv',
  json: 'json',
  coco: 'json',
  labelstudio: 'json',
  npy: 'npy'
}

type Scope = 'all' | 'folder' | 'person' | 'selection' | 'map' | 'review' | 'unlabelled'

interface Remembered {
  format: ExportFormatName
  out: string
  tasks: string[] | null
  absolutePaths: boolean
  feature: 'identity' | 'expression' | 'age_gender'
}

const key = (dir: string): string => `face-studio.export.${dir}`

function remembered(dir: string | undefined): Remembered | null {
  if (!dir) return null
  try {
    const v = JSON.parse(localStorage.getItem(key(dir)) ?? 'null') as Remembered | null
    return v && EXPORT_FORMAT_NAMES.includes(v.format) ? v : null
  } catch {
    return null
  }
}

function withExtension(out: string, format: ExportFormatName): string {
  if (out.trim() === '') return out
  return out.replace(/\.(csv|json|npy)$/i, '') + '.' + EXTENSIONS[format]
}

export function ExportDialog(): ReactElement {
  const project = useStudio((s) => s.project)
  const tasks = useStudio((s) => s.tasks)
  const openPersonId = useStudio((s) => s.openPersonId)
  const openPerson = useStudio((s) => s.openPerson)
  const selectedFaces = useStudio((s) => s.selectedFaces)
  const selected = Object.keys(selectedFaces).map(Number)
  const last = remembered(project?.dir)
  const [format, setFormat] = useState<ExportFormatName>(last?.format ?? 'csv')
  const [out, setOut] = useState(last?.out ?? (project ? `${project.dir}/faces.csv` : ''))
  const [chosen, setChosen] = useState<string[] | null>(last?.tasks ?? null)
  const [absolutePaths, setAbsolutePaths] = useState(last?.absolutePaths ?? false)
  const [feature, setFeature] = useState<Remembered['feature']>(last?.feature ?? 'identity')
  const mapCount = useStudio((s) => (s.mapPoints ? s.mapSelection.length : 0))
  const reviewScope = useStudio((s) => s.reviewScope)
  // Opened from a screen with a selection or a limited Review, the dialog starts from what that screen shows.
  const [scope, setScope] = useState<Scope>(() => {
    const s = useStudio.getState()
    if (s.screen === 'map' && s.mapPoints && s.mapSelection.length > 0) return 'map'
    if (s.screen === 'people' && Object.keys(s.selectedFaces).length > 0) return 'selection'
    if (s.screen === 'review' && s.reviewScope.kind !== 'all') return 'review'
    return 'all'
  })
  const currentTask = useStudio((s) => s.task)
  const { imports, folders } = useImportScopes()
  const reviewScopeName = (() => {
    switch (reviewScope.kind) {
      case 'import': {
        const b = imports.find((x) => x.id === reviewScope.importId)
        return b ? importName(b) : 'one import'
      }
      case 'folder':
        return `Folder: ${fileName(reviewScope.folder)}`
      case 'person':
        return reviewScope.personId === openPersonId && openPerson?.name
          ? openPerson.name
          : `Person #${reviewScope.personId}`
      case 'faces':
        return reviewScope.name
      default:
        return ''
    }
  })()
  // "import:<id>" or "folder:<path>"; the newest import until the user picks another.
  const [picked, setPicked] = useState('')
  const where = picked || (imports[0] ? `import:${imports[0].id}` : folders[0] ? `folder:${folders[0].folder}` : '')
  const [starting, setStarting] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const { job, follow, forget } = useDialogJob('export')
  const busy = starting || (job !== null && isActive(job))
  const done = job?.status === 'done' ? job.result : null
  const jobError: AppErrorShape | null =
    job?.status === 'failed'
      ? { code: 'INTERNAL', message: job.error ?? 'The export failed.' }
      : job?.status === 'cancelled'
        ? { code: 'CANCELLED', message: 'Export cancelled: no file was written.' }
        : null
  useEffect(() => {
    if (!tasks) void loadTasks()
  }, [tasks])
  const allTasks = (tasks ?? []).map((t) => t.name)
  const taskSet = new Set(chosen ?? allTasks)

  const run = async (): Promise<void> => {
    if (busy || !project) return
    setStarting(true)
    setError(null)
    forget()
    const r = await request(
      'export.run',
      {
        format,
        out: out.trim(),
        tasks: chosen ?? undefined,
        absolutePaths,
        ...(format === 'npy' ? { feature } : {}),
        ...(scope === 'person' && openPersonId !== null ? { personId: openPersonId } : {}),
        ...(scope === 'selection' && selected.length > 0 ? { faceIds: selected } : {}),
        ...(scope === 'map' && mapCount > 0 ? { faceIds: selectedFaceIds() } : {}),
        ...(scope === 'review' ? scopeFields(reviewScope) : {}),
        ...(scope === 'folder' && where.startsWith('import:') ? { importId: where.slice(7) } : {}),
        ...(scope === 'folder' && where.startsWith('folder:') ? { folder: where.slice(7) } : {}),
        ...(scope === 'unlabelled' && currentTask ? { unlabelledFor: currentTask } : {})
      },
      { inline: true }
    )
    setStarting(false)
    if (!r.ok) {
      setError(r.error)
      return
    }
    const keep: Remembered = { format, out: out.trim(), tasks: chosen, absolutePaths, feature }
    localStorage.setItem(key(project.dir), JSON.stringify(keep))
    follow(r.value)
  }

  if (done) {
    return (
      <Modal
        title="Export finished"
        onClose={closeDialog}
        testId="export-dialog"
        width={560}
        footer={
          <>
            <button className="button" onClick={forget} data-testid="export-another">
              Export again…
            </button>
            <button className="button button--primary" onClick={closeDialog} data-testid="export-close">
              Done
            </button>
          </>
        }
      >
        <p data-testid="export-summary">
          {plural(done.faces, 'face')} of {plural(done.images, 'photo')} written as {done.format}.
        </p>
        <ul className="lio-files" data-testid="export-files">
          {done.files.map((f) => (
            <li key={f} className="mono">
              {f}
            </li>
          ))}
        </ul>
      </Modal>
    )
  }

  return (
    <Modal
      title="Export faces and labels"
      onClose={closeDialog}
      testId="export-dialog"
      width={620}
      footer={
        <>
          <button className="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            className="button button--primary"
            data-testid="export-run"
            disabled={busy || out.trim() === '' || taskSet.size === 0}
            onClick={() => void run()}
          >
            {busy ? 'Exporting…' : 'Export'}
          </button>
        </>
      }
    >
      <div className="field">
        <span className="field__label">What</span>
        <div className="lio-radios" role="radiogroup">
          <Radio value="all" scope={scope} onScope={setScope} label="All faces" />
          <div className="lio-radio-row">
            <Radio
              value="folder"
              scope={scope}
              onScope={setScope}
              disabled={where === ''}
              label={where === '' ? 'One import or folder (nothing imported yet)' : 'One import or folder:'}
            />
            {where !== '' && (
              <select
                className="select"
                value={where}
                aria-label="Import or folder"
                data-testid="export-folder"
                onChange={(e) => {
                  setPicked(e.target.value)
                  setScope('folder')
                }}
              >
                {imports.map((b) => (
                  <option key={b.id} value={`import:${b.id}`} title={b.folder}>
                    {importName(b)}
                  </option>
                ))}
                {folders.map((f) => (
                  <option key={f.folder} value={`folder:${f.folder}`} title={f.folder}>
                    Folder: {fileName(f.folder)} ({count(f.images)} photos)
                  </option>
                ))}
              </select>
            )}
          </div>
          <Radio
            value="person"
            scope={scope}
            onScope={setScope}
            disabled={openPersonId === null}
            label={
              openPersonId === null
                ? 'A person (open one in People first)'
                : `The open person: ${openPerson?.name ?? 'Unnamed'}`
            }
          />
          <Radio
            value="selection"
            scope={scope}
            onScope={setScope}
            disabled={selected.length === 0}
            label={
              selected.length === 0
                ? 'Faces selected in People (none selected)'
                : `The ${plural(selected.length, 'face')} selected in People`
            }
          />
          <Radio
            value="map"
            scope={scope}
            onScope={setScope}
            disabled={mapCount === 0}
            label={
              mapCount === 0
                ? 'Faces selected on the Map (none selected)'
                : `The ${plural(mapCount, 'face')} selected on the Map`
            }
          />
          <Radio
            value="review"
            scope={scope}
            onScope={setScope}
            disabled={reviewScope.kind === 'all'}
            label={
              reviewScope.kind === 'all'
                ? 'The faces Review is limited to (Review shows every face)'
                : `The faces Review is limited to: ${reviewScopeName}`
            }
          />
          <Radio
            value="unlabelled"
            scope={scope}
            onScope={setScope}
            disabled={!currentTask}
            label={currentTask ? `Faces without a label for ${currentTask}` : 'Faces without a label (choose a task)'}
          />
        </div>
      </div>
      <div className="field">
        <span className="field__label">Tasks</span>
        <div className="lio-checks" data-testid="export-tasks">
          {allTasks.map((t) => (
            <label key={t} className="checkbox lio-check">
              <input
                type="checkbox"
                checked={taskSet.has(t)}
                data-testid={`export-task-${t}`}
                onChange={(e) => {
                  const next = new Set(taskSet)
                  if (e.target.checked) next.add(t)
                  else next.delete(t)
                  setChosen(next.size === allTasks.length ? null : allTasks.filter((x) => next.has(x)))
                }}
              />
              <span>{t}</span>
            </label>
          ))}
        </div>
      </div>
      <div className="field">
        <label className="field__label" htmlFor="export-format">
          Format
        </label>
        <select
          id="export-format"
          className="select"
          value={format}
          data-testid="export-format"
          onChange={(e) => {
            const f = e.target.value as ExportFormatName
            setFormat(f)
            setOut((o) => withExtension(o, f))
          }}
        >
          {EXPORT_FORMAT_NAMES.map((f) => (
            <option key={f} value={f}>
              {FORMAT_NAMES[f]}
            </option>
          ))}
        </select>
      </div>
      {format === 'npy' && (
        <div className="field">
          <label className="field__label" htmlFor="export-feature">
            Embedding
          </label>
          <select
            id="export-feature"
            className="select"
            value={feature}
            onChange={(e) => setFeature(e.target.value as Remembered['feature'])}
          >
            <option value="identity">identity (128-d)</option>
            <option value="expression">expression</option>
            <option value="age_gender">age_gender</option>
          </select>
        </div>
      )}
      <FileField
        id="export-out"
        label="Save as (full path of the file)"
        purpose="export"
        pickHint={() => ({ format, name: out.trim().split(/[\\/]/).pop() || undefined })}
        testId="export-out"
        invalid={Boolean(error)}
        value={out}
        hint="Photo paths are written relative to this file's folder."
        onChange={(v) => {
          setOut(v)
          setError(null)
        }}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={absolutePaths}
          data-testid="export-absolute"
          onChange={(e) => setAbsolutePaths(e.target.checked)}
        />
        <span>Absolute photo paths</span>
      </label>
      {job && <DialogJobProgress job={job} testId="export-progress" />}
      {(error ?? jobError) && <ErrorMessage error={(error ?? jobError)!} title="Could not export" />}
    </Modal>
  )
}

function Radio({
  value,
  scope,
  onScope,
  label,
  disabled
}: {
  value: Scope
  scope: Scope
  onScope: (s: Scope) => void
  label: string
  disabled?: boolean
}): ReactElement {
  return (
    <label className={`lio-radio${disabled ? ' lio-radio--disabled' : ''}`}>
      <input
        type="radio"
        name="export-scope"
        checked={scope === value}
        disabled={disabled}
        data-testid={`export-scope-${value}`}
        onChange={() => onScope(value)}
      />
      {label}
    </label>
  )
}
