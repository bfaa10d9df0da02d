/**
 * Module-level actions: every call to main goes through here, every event listener lands here, and every
 * failed Reply ends up in front of the user (a toast, or an inline error where a form asked for it).
 */
import type { ConnectedApi } from '../api'
import type { CallArgs, CallName, CallResult, MenuAction } from '../../../shared/contract'
import type { JobInfo, ProjectInfo } from '../../../shared/domain'
import type { AppErrorShape, Reply } from '../../../shared/result'
import { useStudio } from './index'
import { clusterSummary, peopleDataChanged, undoPeople } from './people-actions'
import { wireModels } from './models-actions'
import { reviewDataChanged, undoAnnotation } from './review-actions'
import {
  LIBRARY_PAGE,
  type DialogId,
  type ProjectFormKind,
  type LibraryFilter,
  type ScreenId,
  type Toast
} from './slices'

let client: ConnectedApi | null = null

function api(): ConnectedApi {
  if (!client) throw new Error('studio api used before initClient()')
  return client
}

const set = useStudio.setState
const get = useStudio.getState

// ---------------------------------------------------------------- toasts

let toastSeq = 0
const toastTimers = new Map<number, ReturnType<typeof setTimeout>>()

export function pushToast(toast: Omit<Toast, 'id'>): number {
  const same = get().toasts.find((t) => t.kind === toast.kind && t.title === toast.title && t.message === toast.message)
  if (same) return same.id
  const id = ++toastSeq
  set((s) => ({ toasts: [...s.toasts.slice(-4), { ...toast, id }] }))
  // Errors stay until dismissed: a message that vanishes before it is read has been swallowed.
  if (toast.kind !== 'error')
    toastTimers.set(
      id,
      setTimeout(() => dismissToast(id), 5000)
    )
  return id
}

export function dismissToast(id: number): void {
  const t = toastTimers.get(id)
  if (t) clearTimeout(t)
  toastTimers.delete(id)
  set((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) }))
}

export function showError(title: string, error: AppErrorShape): void {
  pushToast({ kind: 'error', title, message: error.message, code: error.code })
}

// ---------------------------------------------------------------- calls

/**
 * Calls main. A failure is shown as a toast titled `failTitle` unless the caller passes `inline: true`
 * (and then shows `reply.error` beside the form itself).
 */
export async function request<N extends CallName>(
  name: N,
  args: CallArgs<N>,
  opts: { failTitle?: string; inline?: boolean } = {}
): Promise<Reply<CallResult<N>>> {
  let reply: Reply<CallResult<N>>
  try {
    reply = await api().call(name, args)
  } catch (e) {
    reply = { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } }
  }
  if (!reply.ok && !opts.inline) showError(opts.failTitle ?? `“${name}” failed`, reply.error)
  return reply
}

/** A short stable key per project, so media URLs of different projects never share a cache entry. */
function projectKey(project: ProjectInfo): string {
  let h = 2166136261
  for (const ch of project.dir + '\u0000' + project.createdAt) h = Math.imul(h ^ ch.charCodeAt(0), 16777619)
  return (h >>> 0).toString(36)
}

export function mediaUrl(ref: string): string {
  if (!client) return ''
  const url = client.mediaUrl(ref)
  // Ids restart at 1 in every project while browsers cache media by URL (the bridge allows an hour):
  // without a per-project key, a newly opened project would show the previous project's photos.
  const project = get().project
  // Both transports ignore the extra query parameter when resolving the file.
  return project ? `${url}${url.includes('?') ? '&' : '?'}p=${projectKey(project)}` : url
}

// ---------------------------------------------------------------- app info

async function loadAppInfo(attempt = 0): Promise<void> {
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
  if (!project || !prev || prev.dir !== project.dir) {
    resetLibrary()
    set({ selectedImageId: null })
    if (!project) set({ dialog: null, importJobId: null })
  }
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

// ---------------------------------------------------------------- jobs

export function isActive(job: JobInfo): boolean {
  return job.status === 'queued' || job.status === 'running'
}

async function loadJobs(): Promise<void> {
  const reply = await request('jobs.list', {}, { failTitle: 'Could not list running jobs' })
  if (reply.ok) set({ jobs: Object.fromEntries(reply.value.map((j) => [j.id, j])) })
}

function onJobUpdated(job: JobInfo): void {
  const prev = get().jobs[job.id]
  set((s) => ({ jobs: { ...s.jobs, [job.id]: job } }))
  const finished = !isActive(job) && (!prev || isActive(prev))
  if (!finished) return
  if (job.kind === 'import') {
    void refreshProject()
    invalidateLibrary()
  }
  // The open Import dialog already shows how its own job ended.
  if (get().dialog === 'import' && get().importJobId === job.id) return
  if (job.status === 'failed') {
    pushToast({
      kind: 'error',
      title: `${job.title} failed`,
      message:
        job.error ?? 'The job stopped without saying why. Try again; if it keeps failing, check the terminal log.'
    })
  } else if (job.status === 'cancelled') {
    pushToast({
      kind: 'info',
      title: `${job.title} cancelled`,
      message: 'What was finished before cancelling is kept.'
    })
  } else {
    pushToast({ kind: 'success', title: `${job.title} finished`, message: jobSummary(job) })
  }
}

export function jobSummary(job: JobInfo): string {
  const cluster = job.kind === 'cluster' ? clusterSummary(job) : null
  if (cluster) return cluster
  const c = job.progress.counters
  // Training and re-prediction jobs say what they did in their last progress message ("Saved version 2").
  const saved = job.kind === 'train' ? (job.result as { version?: unknown } | null)?.version : undefined
  if (typeof saved === 'number') return `Saved version ${saved}`
  const re = job.kind === 'repredict' ? (job.result as { faces?: unknown; seconds?: unknown } | null) : null
  if (re && typeof re.faces === 'number')
    return `${re.faces} faces re-predicted${typeof re.seconds === 'number' ? ` in ${re.seconds.toFixed(1)} s` : ''}`
  const sweep = job.kind === 'sweep' ? (job.result as { points?: unknown; picked?: unknown } | null) : null
  if (sweep && Array.isArray(sweep.points))
    return `${sweep.points.length} versions trained${typeof sweep.picked === 'number' ? ` · picked v${sweep.picked}` : ''}`
  if ((job.kind === 'train' || job.kind === 'repredict') && job.progress.message) return job.progress.message
  const parts = [`${job.progress.done} of ${job.progress.total} files`]
  if (c.faces !== undefined) parts.push(`${c.faces} faces`)
  if (c.errors) parts.push(`${c.errors} errors`)
  return parts.join(' · ')
}

export async function cancelJob(id: number): Promise<void> {
  const reply = await request('jobs.cancel', { id }, { failTitle: 'Could not cancel the job' })
  if (reply.ok && !reply.value) {
    pushToast({ kind: 'info', title: 'Nothing to cancel', message: 'That job had already finished.' })
  }
}

// ---------------------------------------------------------------- import

export async function startImport(args: CallArgs<'import.start'>): Promise<AppErrorShape | null> {
  const reply = await request('import.start', args, { inline: true })
  if (!reply.ok) return reply.error
  set((s) => ({
    importJobId: reply.value.id,
    jobs: { ...s.jobs, [reply.value.id]: s.jobs[reply.value.id] ?? reply.value }
  }))
  return null
}

type UndoCall = 'annotations.undo' | 'annotations.redo' | 'people.undo' | 'people.redo'

/**
 * One undo or redo step of either stack (answers, people changes), with the toasts both share: "Nothing to
 * undo" with `nothing`'s text, or "Undone" with `describe`'s. Returns what was undone, or null.
 */
export async function undoStep<N extends UndoCall>(
  name: N,
  nothing: string,
  describe: (done: NonNullable<CallResult<N>>) => string
): Promise<NonNullable<CallResult<N>> | null> {
  const redo = name.endsWith('redo')
  const reply = await request(name, {} as CallArgs<N>, { failTitle: redo ? 'Could not redo' : 'Could not undo' })
  if (!reply.ok) return null
  const done = reply.value as NonNullable<CallResult<N>> | null
  if (!done) {
    pushToast({ kind: 'info', title: redo ? 'Nothing to redo' : 'Nothing to undo', message: nothing })
    return null
  }
  pushToast({ kind: 'info', title: redo ? 'Redone' : 'Undone', message: describe(done) })
  return done
}

export function requestImport(): void {
  if (!get().project) {
    pushToast({
      kind: 'info',
      title: 'No project open',
      message: 'Create or open a project first, then import photos into it.'
    })
    return
  }
  const current = get().importJobId
  const job = current === null ? undefined : get().jobs[current]
  if (job && !isActive(job)) set({ importJobId: null })
  set({ dialog: 'import', screen: 'library' })
}

// ---------------------------------------------------------------- library

const loadingPages = new Set<string>()

function resetLibrary(): void {
  loadingPages.clear()
  set((s) => ({ pages: {}, total: null, generation: s.generation + 1, libraryError: null }))
}

/** Drops cached pages but keeps `total` so the grid does not jump while it refetches. */
export function invalidateLibrary(): void {
  loadingPages.clear()
  set((s) => ({ pages: {}, generation: s.generation + 1, libraryError: null }))
  void loadPage(0)
}

export function setLibraryFilter(filter: LibraryFilter): void {
  if (get().filter === filter) return
  set({ filter })
  resetLibrary()
  void loadPage(0)
}

export async function loadPage(page: number): Promise<void> {
  const { generation, filter, project } = get()
  if (!project) return
  const key = `${generation}:${page}`
  if (loadingPages.has(key) || get().pages[page]) return
  loadingPages.add(key)
  const reply = await request(
    'library.images',
    { offset: page * LIBRARY_PAGE, limit: LIBRARY_PAGE, filter },
    { inline: true }
  )
  loadingPages.delete(key)
  if (get().generation !== generation) return
  if (!reply.ok) {
    // Shown inline in the grid; a toast per page would flood.
    set({ libraryError: reply.error })
    return
  }
  set((s) => ({ total: reply.value.total, pages: { ...s.pages, [page]: reply.value.items }, libraryError: null }))
}

/** Makes sure rows [start, end] are loaded (the virtual grid calls this with what is on screen). */
export function ensureRows(start: number, end: number): void {
  const first = Math.floor(Math.max(0, start) / LIBRARY_PAGE)
  const last = Math.floor(Math.max(0, end) / LIBRARY_PAGE)
  for (let p = first; p <= last; p++) void loadPage(p)
}

export function selectImage(id: number | null): void {
  set({ selectedImageId: id })
}

// ---------------------------------------------------------------- ui

export function navigate(screen: ScreenId): void {
  set({ screen, selectedImageId: null })
}

export function openDialog(dialog: DialogId): void {
  if (dialog === 'project-new' || dialog === 'project-open') set({ projectErrors: {} })
  set({ dialog })
}

export function closeDialog(): void {
  set({ dialog: null, projectErrors: {} })
}

export function setTask(task: string): void {
  set({ task })
}

/** Shared by the native menu (Electron), the web app menu and keyboard shortcuts. */
export function runMenuAction(action: MenuAction): void {
  switch (action) {
    case 'project.new':
    case 'project.open': {
      const dialog = action === 'project.new' ? 'project-new' : 'project-open'
      if (get().project) openDialog(dialog)
      else {
        document.getElementById(action === 'project.new' ? 'firstrun-create-path' : 'firstrun-open-path')?.focus()
      }
      return
    }
    case 'import':
      requestImport()
      return
    case 'undo':
    case 'redo':
      // On People, undo reverses people changes (this session); elsewhere answers, which persist in the project.
      if (get().screen === 'people') void undoPeople(action === 'redo')
      else void undoAnnotation(action === 'redo')
      return
    case 'about':
      openDialog('about')
      return
  }
}

// ---------------------------------------------------------------- wiring

let dataTimer: ReturnType<typeof setTimeout> | null = null
let dataPending: Set<string> = new Set()

/** data.changed can arrive many times a second during an import; refetch at most twice a second. */
function onDataChanged(what: string[]): void {
  for (const w of what) dataPending.add(w)
  if (dataTimer) return
  dataTimer = setTimeout(() => {
    dataTimer = null
    const pending = dataPending
    dataPending = new Set()
    if (pending.has('images') || pending.has('faces')) {
      invalidateLibrary()
      void refreshProject()
    } else if (pending.size) void refreshProject()
    peopleDataChanged(pending)
    reviewDataChanged(pending)
  }, 500)
}

export function initClient(connected: ConnectedApi): void {
  client = connected
  set({ mode: connected.mode, connection: connected.mode === 'web' ? 'connecting' : 'open' })
  connected.on('job.updated', onJobUpdated)
  connected.on('project.changed', (p) => {
    applyProject(p)
    void loadRecent()
  })
  connected.on('data.changed', (d) => onDataChanged(d.what))
  connected.on('menu', (m) => runMenuAction(m.action))
  wireModels(connected)
  let wasOpen = false
  connected.onConnection?.((state) => {
    set({ connection: state })
    // Events sent while the socket was down are lost: catch up after a reconnect.
    if (state === 'open' && wasOpen) {
      void refreshProject()
      void loadJobs()
      invalidateLibrary()
    }
    if (state === 'open') wasOpen = true
  })
  connected.onAuthRejected?.(() => set({ authRejected: true }))
  void refreshProject()
  void loadRecent()
  void loadJobs()
  void loadAppInfo()
}
