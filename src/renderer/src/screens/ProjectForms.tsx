/** Create / open project forms, used on the first-run screen and in the New/Open Project dialogs. */
import { useState, type ReactElement } from 'react'
import { useStudio } from '../store'
import { createOrOpenProject, setProjectError } from '../store/project-actions'
import { closeDialog } from '../store/ui-actions'
import { ErrorMessage, FolderField, Modal } from '../components/common'
import { FolderIcon, FolderPlusIcon } from '../components/icons'

const TITLES = {
  create: { heading: 'New project', button: 'Create project', error: 'Could not create the project' },
  open: { heading: 'Open project', button: 'Open project', error: 'Could not open the project' }
} as const

const BLURBS = {
  create:
    'A project is a folder that holds the database, face thumbnails and trained models. Your photos stay where they are.',
  open: 'A folder that already holds a Face Studio project (it contains studio.db).'
} as const

export function ProjectForm({
  form,
  testIdPrefix,
  initialDir = '',
  compact
}: {
  form: 'create' | 'open'
  testIdPrefix: string
  initialDir?: string
  compact?: boolean
}): ReactElement {
  const [dir, setDir] = useState(initialDir)
  const busy = useStudio((s) => s.projectBusy)
  const error = useStudio((s) => s.projectErrors[form] ?? null)
  const t = TITLES[form]
  const submit = (): void => {
    if (!busy) void createOrOpenProject(form, dir)
  }
  return (
    <form
      className="project-form"
      data-testid={`${testIdPrefix}-form`}
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      {!compact && (
        <div className="project-form__head">
          <span className="project-form__icon">
            {form === 'create' ? <FolderPlusIcon width={20} height={20} /> : <FolderIcon width={20} height={20} />}
          </span>
          <div>
            <h2>{t.heading}</h2>
            <p className="muted">{BLURBS[form]}</p>
          </div>
        </div>
      )}
      {compact && <p className="muted project-form__blurb">{BLURBS[form]}</p>}
      <FolderField
        id={`${testIdPrefix}-path`}
        label={form === 'create' ? 'Project folder (new or empty)' : 'Project folder'}
        value={dir}
        onChange={(v) => {
          setDir(v)
          setProjectError(form, null)
        }}
        purpose={form}
        testIdPrefix={testIdPrefix}
        invalid={!!error}
        onEnter={submit}
      />
      {error && <ErrorMessage error={error} title={t.error} />}
      <div className="project-form__actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid={`${testIdPrefix}-submit`}>
          {busy ? 'Working…' : t.button}
        </button>
      </div>
    </form>
  )
}

export function ProjectDialog({ form }: { form: 'create' | 'open' }): ReactElement {
  return (
    <Modal title={TITLES[form].heading} onClose={closeDialog} testId={`project-${form}-dialog`}>
      <ProjectForm form={form} testIdPrefix={`project-${form}`} compact />
    </Modal>
  )
}
