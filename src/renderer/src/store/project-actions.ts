/** The open project, recent projects, the folder picker and what the app says about itself (app.info). */
import type { ProjectInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from './index'
import { on, onDataChanged, onReconnect, projectChanged, request, showError } from './client'
import { onJobFinished } from './jobs-actions'
import type { ProjectFormKind } from './slices'
import type { ExportFormatName } from '../../../shared/labels-io'

const set = useStudio.setState
const get = useStudio.getState

// ---------------------------------------------------------------- app info

export async function loadAppInfo(attempt = 0): Promise<void> {
  const reply = await request('app.info', {}, { failTitle: 'Could not read app information' })
  if (!reply.ok) {
    set({ backendState: 'unavailable' })
    return
  }
  const info = reply.value
  set({ info, backendState: info.backend ? 'ready' : 'starting' })
  // app.info waits a while for the ML worker's probe, then answers without it; ask again later.
  if (!info.backend) {
    if (attempt < 8) setTimeout(() => void loadAppInfo(attempt + 1), 3000)
    else set({ backendState: 'unavailable' })
  }
}

// ---------------------------------------------------------------- project

function applyProject(project: ProjectInfo | null): void {
  const prev = get().project
  set({ project, projectKnown: true })
  if (!project) set({ dialog: null, importJobId: null })
  if (project?.dir !== prev?.dir) projectChanged()
}

export async function refreshProject(): Promise<void> {
  const reply = await request('project.current', {}, { failTitle: 'Could not read the open project' })
  if (reply.ok) applyProject(reply.value)
  else set({ projectKnown: true })
}

export async function loadRecent(): Promise<void> {
  const reply = await request('project.recent', {}, { failTitle: 'Could not read recent projects' })
  if (reply.ok) set({ recent: reply.value })
}

/** Creates or opens a project; the error (if any) stays beside the form that asked. */
export async function createOrOpenProject(form: ProjectFormKind, dir: string): Promise<boolean> {
  const trimmed = dir.trim()
  if (!trimmed) {
    setProjectError(form, { code: 'BAD_ARGS', message: 'Type the folder’s full path, or choose one.', path: 'dir' })
    return false
  }
  set({ projectBusy: true })
  setProjectError(form, null)
  const reply = await request(form === 'create' ? 'project.create' : 'project.open', { dir: trimmed }, { inline: true })
  set({ projectBusy: false })
  if (!reply.ok) {
    setProjectError(form, reply.error)
    return false
  }
  applyProject(reply.value)
  set({ dialog: null, screen: 'library', projectErrors: {} })
  void loadRecent()
  return true
}

export function setProjectError(form: ProjectFormKind, error: AppErrorShape | null): void {
  if (!error && !get().projectErrors[form]) return
  set((s) => ({ projectErrors: { ...s.projectErrors, [form]: error ?? undefined } }))
}

export async function closeProject(): Promise<void> {
  const reply = await request('project.close', {}, { failTitle: 'Could not close the project' })
  if (reply.ok) {
    applyProject(null)
    void loadRecent()
  }
}

export async function forgetRecent(dir: string): Promise<void> {
  const reply = await request('project.forgetRecent', { dir }, { failTitle: 'Could not forget that project' })
  if (reply.ok) set({ recent: reply.value })
}

/**
 * Native folder dialog. Returns the folder, or null when cancelled or unsupported (browser mode, where
 * the caller's path field is the way in; `pickerUnsupported` lets the form say so).
 */
export async function pickFolder(purpose: 'create' | 'open' | 'import'): Promise<string | null> {
  const reply = await request('system.pickFolder', { purpose }, { inline: true })
  if (reply.ok) return reply.value
  if (reply.error.code === 'UNSUPPORTED') set({ pickerUnsupported: true })
  else showError('Could not open the folder picker', reply.error)
  return null
}

/**
 * Native file dialog: a labels file to open, or where an export is saved (`name` suggests the file name). Null when
 * cancelled or in a browser window, where the path field is the way in.
 */
export async function pickFile(
  purpose: 'labels' | 'export',
  hint: { format?: ExportFormatName; name?: string } = {}
): Promise<string | null> {
  const reply = await request('system.pickFile', { purpose, ...hint }, { inline: true })
  if (reply.ok) return reply.value
  if (reply.error.code !== 'UNSUPPORTED') showError('Could not open the file picker', reply.error)
  return null
}

// ---------------------------------------------------------------- events

export function registerProject(): void {
  on('project.changed', (p) => {
    applyProject(p)
    void loadRecent()
  })
  // The counts in the status bar and on the first screen.
  onJobFinished((job) => {
    if (job.kind === 'import') void refreshProject()
  })
  onDataChanged((what) => {
    if (what.size) void refreshProject()
  })
  onReconnect(() => void refreshProject())
}
