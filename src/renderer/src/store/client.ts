/**
 * The renderer's client of main: every call goes through `request` (a failed Reply ends up in front of the
 * user), events reach the features that registered for them, toasts and undo steps look the same
 * everywhere, and a reply that arrives after its question was replaced or its project closed is dropped.
 * It knows no feature: features register here (see init.ts), never the other way round.
 */
import type { ConnectedApi } from '../api'
import type { CallArgs, CallName, CallResult, EventName, Events } from '../../../shared/contract'
import type { ProjectInfo } from '../../../shared/domain'
import type { AppErrorShape, Reply } from '../../../shared/result'
import { useStudio } from './index'
import type { ScreenId, Toast } from './slices'

let client: ConnectedApi | null = null

function api(): ConnectedApi {
  if (!client) throw new Error('studio api used before connect()')
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

// ---------------------------------------------------------------- slow answers

/**
 * A call main has not answered for this long shows the busy banner, so a stuck main process (issue 9: an
 * export that spun at 100 % CPU left every screen waiting in silence) is visible instead of looking like a
 * frozen window. Cleared as soon as nothing has been waiting that long.
 */
export const BUSY_AFTER_MS = 3000

let callSeq = 0
const inFlight = new Map<number, { name: CallName; since: number }>()
let busyTimer: ReturnType<typeof setTimeout> | null = null

function refreshBusy(): void {
  if (busyTimer) clearTimeout(busyTimer)
  busyTimer = null
  // Map order is insertion order: the first entry is the oldest call still waiting.
  const oldest = inFlight.values().next().value
  const age = oldest ? Date.now() - oldest.since : 0
  const slow =
    oldest && age >= BUSY_AFTER_MS ? { name: oldest.name, since: oldest.since, waiting: inFlight.size } : null
  const now = get().slowCall
  if (slow?.name !== now?.name || slow?.since !== now?.since || slow?.waiting !== now?.waiting) set({ slowCall: slow })
  if (oldest && !slow) busyTimer = setTimeout(refreshBusy, BUSY_AFTER_MS - age)
}

/** Calls main and keeps `slowCall` up to date while it waits. */
async function tracked<N extends CallName>(name: N, args: CallArgs<N>): Promise<Reply<CallResult<N>>> {
  const seq = ++callSeq
  inFlight.set(seq, { name, since: Date.now() })
  refreshBusy()
  try {
    return await api().call(name, args)
  } finally {
    inFlight.delete(seq)
    refreshBusy()
  }
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
    reply = await tracked(name, args)
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

// ---------------------------------------------------------------- stale replies

/** Bumped on every project change: no reply about the previous project may land in the next one. */
let projectEpoch = 0

/**
 * The one way to drop stale replies. A request takes a ticket before it calls main and applies its reply
 * only while the ticket is still valid: `next()` supersedes every earlier ticket of the gate (a newer
 * question replaces the old one), `join()` shares the current one (the pages of one view), `drop()` voids
 * them all (the view was thrown away). A project change voids the tickets of every gate.
 */
export class ReplyGate {
  private epoch = 0

  next(): () => boolean {
    this.epoch++
    return this.join()
  }

  join(): () => boolean {
    const epoch = this.epoch
    const project = projectEpoch
    return () => epoch === this.epoch && project === projectEpoch
  }

  drop(): void {
    this.epoch++
  }
}

const projectGate = new ReplyGate()

/** A ticket valid until another project opens: for replies nothing else supersedes (a started job, a list). */
export function sameProject(): () => boolean {
  return projectGate.join()
}

// ---------------------------------------------------------------- undo

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

type Undoer = (redo: boolean) => Promise<void>
const undoers = new Map<ScreenId | 'elsewhere', Undoer>()

/** What Ctrl+Z does on `screen` ('elsewhere': on every screen without its own). */
export function onUndo(screen: ScreenId | 'elsewhere', undo: Undoer): void {
  undoers.set(screen, undo)
}

export function undo(redo: boolean): void {
  const run = undoers.get(get().screen) ?? undoers.get('elsewhere')
  if (run) void run(redo)
}

// ---------------------------------------------------------------- events

export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  api().on(event, listener)
}

type DataListener = (what: ReadonlySet<string>) => void
const dataListeners: DataListener[] = []
let dataTimer: ReturnType<typeof setTimeout> | null = null
let dataPending = new Set<string>()

/** data.changed can arrive many times a second during an import: listeners hear it at most twice a second. */
export function onDataChanged(listener: DataListener): void {
  dataListeners.push(listener)
}

function dataChanged(what: readonly string[]): void {
  for (const w of what) dataPending.add(w)
  if (dataTimer) return
  dataTimer = setTimeout(() => {
    dataTimer = null
    const pending = dataPending
    dataPending = new Set()
    for (const l of dataListeners) l(pending)
  }, 500)
}

const projectListeners: Array<() => void> = []

/** Another project (or none) is open: each feature starts its slice over with `set(createXSlice())`. */
export function onProjectChange(listener: () => void): void {
  projectListeners.push(listener)
}

/** Called by the project feature once `project` holds a different folder (or none). */
export function projectChanged(): void {
  projectEpoch++
  for (const l of projectListeners) l()
}

const reconnectListeners: Array<() => void> = []

/** The event socket came back (web mode): events sent while it was down are lost, so catch up. */
export function onReconnect(listener: () => void): void {
  reconnectListeners.push(listener)
}

/** Binds the client to main. Features register their listeners right after (init.ts). */
export function connect(connected: ConnectedApi): void {
  client = connected
  set({ mode: connected.mode, connection: connected.mode === 'web' ? 'connecting' : 'open' })
  connected.on('data.changed', (d) => dataChanged(d.what))
  let wasOpen = false
  connected.onConnection?.((state) => {
    set({ connection: state })
    if (state === 'open' && wasOpen) for (const l of reconnectListeners) l()
    if (state === 'open') wasOpen = true
  })
  connected.onAuthRejected?.(() => set({ authRejected: true }))
}
