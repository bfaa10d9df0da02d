import {
  LATE_CANCEL_MESSAGE,
  type JobInfo,
  type JobKind,
  type JobOf,
  type JobProgress,
  type JobResults,
  type JobSpec
} from '../../shared/domain'

export { LATE_CANCEL_MESSAGE }
import { AppError } from '../../shared/result'

export interface JobContext {
  signal: AbortSignal
  /** Report progress; rate and ETA are derived here so every job reports them the same way. */
  progress(update: { done?: number; total?: number; message?: string; counters?: Record<string, number> }): void
}

/** The work of a job of kind K: it can only finish with K's result. */
export type JobRunner<K extends JobKind> = (ctx: JobContext) => Promise<JobResults[K]>

/** A queued job as `submit` hands it back: its first snapshot and its last one, both of its own kind. */
export interface SubmittedJob<K extends JobKind> {
  info: JobOf<K>
  done: Promise<JobOf<K>>
}

/**
 * Entries of every kind share one queue, so here kind, subject and result are the wide types; only
 * `submit` builds an entry, and it pairs each kind with its own subject and runner.
 */
interface Entry {
  info: JobOf<JobKind>
  run: JobRunner<JobKind>
  controller: AbortController
  startedMs: number
  lastEmitMs: number
  done: Promise<unknown>
  resolve: (info: JobInfo) => void
}

/** What a job that ended 'done' returned (the queue keeps a result then, and only then). */
export function resultOf<K extends JobKind>(job: JobOf<K>): JobResults[K] {
  if (job.status !== 'done' || job.result === null)
    throw new AppError('INTERNAL', `${job.title} has no result: it ended ${job.status}.`)
  return job.result
}

/** The narrow union screens and services see; an entry's kind and subject came from one JobSpec. */
function snapshot(e: Entry): JobInfo {
  return { ...e.info } as JobInfo
}

const EMIT_INTERVAL_MS = 100

function emptyProgress(): JobProgress {
  return { done: 0, total: 0, rate: 0, etaSeconds: null, message: 'Waiting…', counters: {} }
}

/**
 * Runs long work one job at a time (2-core machines: parallelism lives inside a job's worker pool).
 * Every change is reported through `onChange`, throttled for progress so the UI is not flooded.
 */
export class JobQueue {
  private readonly entries = new Map<number, Entry>()
  private readonly pending: Entry[] = []
  private running: Entry | null = null
  private nextId = 1

  constructor(private readonly onChange: (job: JobInfo) => void) {}

  /** Queues a job; the spec's kind alone decides K, so the runner must return that kind's result. */
  submit<K extends JobKind>(spec: JobSpec<K>, run: JobRunner<NoInfer<K>>): SubmittedJob<K> {
    let resolve!: (info: JobOf<K>) => void
    const done = new Promise<JobOf<K>>((r) => (resolve = r))
    const info: JobOf<K> = {
      ...spec,
      id: this.nextId++,
      status: 'queued',
      progress: emptyProgress(),
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      result: null
    }
    const entry: Entry = {
      info,
      run,
      controller: new AbortController(),
      startedMs: 0,
      lastEmitMs: 0,
      done,
      // This entry's snapshots are of kind K: it was built from spec.
      resolve: (last) => resolve(last as JobOf<K>)
    }
    this.entries.set(info.id, entry)
    this.pending.push(entry)
    this.onChange(snapshot(entry))
    queueMicrotask(() => this.pump())
    return { info: { ...info }, done }
  }

  list(): JobInfo[] {
    return [...this.entries.values()].map(snapshot).reverse()
  }

  get(id: number): JobInfo | null {
    const e = this.entries.get(id)
    return e ? snapshot(e) : null
  }

  cancel(id: number): boolean {
    const e = this.entries.get(id)
    if (!e || (e.info.status !== 'queued' && e.info.status !== 'running')) return false
    if (e.info.status === 'queued') {
      this.pending.splice(this.pending.indexOf(e), 1)
      this.finish(e, 'cancelled', null, null)
    } else {
      e.info.progress = { ...e.info.progress, message: 'Cancelling…' }
      this.onChange(snapshot(e))
      e.controller.abort()
    }
    return true
  }

  /** Cancels everything and waits for the running job to stop (used on quit and project switch). */
  async drain(): Promise<void> {
    for (const e of [...this.pending]) this.cancel(e.info.id)
    const running = this.running
    if (running) {
      this.cancel(running.info.id)
      await running.done
    }
  }

  get busy(): boolean {
    return this.running !== null || this.pending.length > 0
  }

  private pump(): void {
    if (this.running) return
    const next = this.pending.shift()
    if (!next) return
    this.running = next
    next.startedMs = Date.now()
    next.info.status = 'running'
    next.info.progress = { ...next.info.progress, message: 'Starting…' }
    this.onChange(snapshot(next))
    const ctx: JobContext = {
      signal: next.controller.signal,
      progress: (u) => this.report(next, u)
    }
    next
      .run(ctx)
      .then(
        // A runner that returned has committed its work: it is done even when a cancel arrived on the way
        // (a cancel reaches the worker between turns, so it can land after the commit point). Saying
        // "cancelled" then would hide a saved version or an activation that happened.
        (result) =>
          this.finish(next, 'done', result, null, next.controller.signal.aborted ? LATE_CANCEL_MESSAGE : undefined),
        (e: unknown) => {
          const cancelled = next.controller.signal.aborted || (e instanceof AppError && e.code === 'CANCELLED')
          const message = e instanceof Error ? e.message : String(e)
          // A runner's CANCELLED says what was kept ("no version was saved", "40 photos kept"): show it.
          const said = e instanceof AppError && e.code === 'CANCELLED' ? e.message : undefined
          if (cancelled) this.finish(next, 'cancelled', null, null, said)
          else this.finish(next, 'failed', null, message)
        }
      )
      .finally(() => {
        this.running = null
        this.pump()
      })
  }

  private report(
    e: Entry,
    u: { done?: number; total?: number; message?: string; counters?: Record<string, number> }
  ): void {
    const p = e.info.progress
    const done = u.done ?? p.done
    const total = u.total ?? p.total
    const seconds = Math.max((Date.now() - e.startedMs) / 1000, 1e-3)
    const rate = done / seconds
    e.info.progress = {
      done,
      total,
      rate,
      etaSeconds: rate > 0 && total >= done ? (total - done) / rate : null,
      message: u.message ?? p.message,
      counters: { ...p.counters, ...u.counters }
    }
    const now = Date.now()
    if (now - e.lastEmitMs >= EMIT_INTERVAL_MS || done === total) {
      e.lastEmitMs = now
      this.onChange(snapshot(e))
    }
  }

  private finish(
    e: Entry,
    status: JobInfo['status'],
    result: JobResults[JobKind] | null,
    error: string | null,
    message?: string
  ): void {
    e.info.status = status
    e.info.result = result ?? null
    e.info.error = error
    e.info.endedAt = new Date().toISOString()
    e.info.progress = {
      ...e.info.progress,
      etaSeconds: null,
      message: message ?? (status === 'done' ? 'Done' : status === 'cancelled' ? 'Cancelled' : 'Failed')
    }
    this.onChange(snapshot(e))
    e.resolve(snapshot(e))
  }
}
