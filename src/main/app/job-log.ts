/**
 * The jobs table: one row per job, written when the job is queued and kept current while it runs, so a
 * process that dies mid-job (kill -9, a crash, power loss) leaves a 'queued' or 'running' row behind. The next
 * start marks such rows 'interrupted' and the UI says what did not finish. Main is the only writer.
 *
 * Writes are few: on every change of status, and while an import runs its progress at most every
 * PROGRESS_EVERY_MS (each imported photo is its own tiny commit, so "stopped after at least 40 of 120 files" is true). Other
 * kinds store progress only at status changes: their worker commits are large single transactions, and a
 * progress write in main during one would block main's event loop on the write lock.
 */
import type { InterruptedJob, JobInfo, JobKind } from '../../shared/domain'
import type { Db } from '../db/open'

const PROGRESS_EVERY_MS = 500

interface Written {
  status: JobInfo['status']
  atMs: number
}

/** Session job ids restart at 1 each launch; rows keep their history by offsetting past the last stored one. */
export class JobLog {
  private readonly offset: number
  private readonly written = new Map<number, Written>()
  private readonly upsert

  constructor(private readonly db: Db) {
    this.offset = (db.prepare('SELECT COALESCE(MAX(id), 0) FROM jobs').pluck().get() as number) ?? 0
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO jobs (id, kind, title, status, params, result, error, started_at, ended_at, progress, pid)
       VALUES (@id, @kind, @title, @status, @params, @result, @error, @started_at, @ended_at, @progress, @pid)`
    )
  }

  /** The stored row id of a session job. */
  rowId(jobId: number): number {
    return jobId + this.offset
  }

  /** Called on every job change; writes when the status changed, or an import's progress is due. */
  record(job: JobInfo, nowMs = Date.now()): void {
    const last = this.written.get(job.id)
    const changed = !last || last.status !== job.status
    const progressDue =
      job.kind === 'import' && job.status === 'running' && (!last || nowMs - last.atMs >= PROGRESS_EVERY_MS)
    if (!changed && !progressDue) return
    const finished = job.status !== 'queued' && job.status !== 'running'
    this.upsert.run({
      id: this.rowId(job.id),
      kind: job.kind,
      title: job.title,
      status: job.status,
      params: JSON.stringify({ task: job.task, ...(job.kind === 'repredict' ? { version: job.version } : {}) }),
      result: JSON.stringify(job.result ?? null),
      error: job.error,
      started_at: job.startedAt,
      ended_at: job.endedAt,
      progress: JSON.stringify({
        done: job.progress.done,
        total: job.progress.total,
        message: job.progress.message,
        status: job.status
      }),
      pid: process.pid
    })
    if (finished) this.written.delete(job.id)
    else this.written.set(job.id, { status: job.status, atMs: nowMs })
  }
}

/** Whether a process still runs (EPERM: it exists, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Marks the rows of jobs whose process is gone as interrupted; returns how many. A row of a live process
 * (another app or CLI run on this project right now, or this process) is left alone: its own writer finishes it.
 */
export function markInterruptedJobs(db: Db, alive: (pid: number) => boolean = processAlive): number {
  const rows = db.prepare(`SELECT id, pid FROM jobs WHERE status IN ('queued', 'running')`).all() as Array<{
    id: number
    pid: number | null
  }>
  const gone = rows.filter((r) => r.pid === null || (r.pid !== process.pid && !alive(r.pid)))
  if (gone.length === 0) return 0
  const mark = db.prepare(`UPDATE jobs SET status = 'interrupted', ended_at = ? WHERE id = ?`)
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const r of gone) mark.run(now, r.id)
  })()
  return gone.length
}

interface InterruptedRow {
  id: number
  kind: string
  title: string
  params: string
  started_at: string
  ended_at: string | null
  progress: string | null
}

function parse<T>(text: string | null, fallback: T): T {
  if (!text) return fallback
  try {
    return { ...fallback, ...(JSON.parse(text) as object) }
  } catch {
    return fallback
  }
}

const KINDS: readonly JobKind[] = [
  'import',
  'cluster',
  'train',
  'repredict',
  'sweep',
  'curve',
  'label-errors',
  'labels-import',
  'export',
  'augment',
  'projection'
]

/** What an interrupted job of each kind left behind, as the commit points guarantee it (docs/architecture.md). */
function noteFor(kind: JobKind, started: boolean, p: { done: number; total: number }, version: number | null): string {
  if (!started)
    return 'It was waiting in the queue and never started; nothing was changed. Start it again if you still want it.'
  switch (kind) {
    case 'import':
      return p.total > 0
        ? `Stopped after at least ${p.done} of ${p.total} files. Photos imported before it stopped are kept; import the folder again to add the rest (imported files are skipped).`
        : 'Stopped while listing files; photos imported before are kept. Import the folder again.'
    case 'train':
      return 'No version was saved and the active version is unchanged (nothing half-done is listed). Train again.'
    case 'repredict':
      return `Version ${version ?? '?'} was not activated; the previous active version and its predictions are unchanged. Activate it again.`
    case 'sweep':
      return 'Versions the sweep finished before it stopped are kept (inactive); nothing was picked or activated. Run the sweep again.'
    case 'cluster':
      return 'People are as they were before the clustering started. Cluster again.'
    case 'curve':
      return 'A learning curve saves nothing: no version or prediction was changed. Run it again.'
    case 'label-errors':
      return 'The search for label errors writes nothing; search again.'
    case 'labels-import':
      return 'The labels are written in one transaction at the end: none of this file was applied. Import it again.'
    case 'export':
      return 'An export is written to a temporary file and renamed at the end: no export file was left. Export again.'
    case 'augment':
      return 'Mirrored features of the photos finished before it stopped are kept; run it again for the rest (faces that have them are skipped).'
    case 'projection':
      return 'A map is stored only when it is complete: the map shown before is unchanged. Compute it again.'
  }
}

/** Interrupted jobs the user has not dismissed yet, newest first. */
export function interruptedJobs(db: Db): InterruptedJob[] {
  const rows = db
    .prepare(
      `SELECT id, kind, title, params, started_at, ended_at, progress FROM jobs
       WHERE status = 'interrupted' AND dismissed = 0 ORDER BY id DESC`
    )
    .all() as InterruptedRow[]
  return rows.flatMap((r) => {
    const kind = KINDS.find((k) => k === r.kind)
    if (!kind) return []
    const params = parse<{ task: string | null; version: number | null }>(r.params, { task: null, version: null })
    const p = parse<{ done: number; total: number; status: string }>(r.progress, {
      done: 0,
      total: 0,
      status: 'queued'
    })
    // The status it had when its row was last written, before the next start marked it interrupted.
    const started = p.status === 'running'
    return [
      {
        id: r.id,
        kind,
        title: r.title,
        task: params.task,
        startedAt: r.started_at,
        foundAt: r.ended_at ?? r.started_at,
        started,
        done: p.done,
        total: p.total,
        note: noteFor(kind, started, p, params.version)
      }
    ]
  })
}

/** The user has read the notice: these rows (all, without ids) stop being shown. */
export function dismissInterrupted(db: Db, ids?: readonly number[]): number {
  if (!ids)
    return db.prepare(`UPDATE jobs SET dismissed = 1 WHERE status = 'interrupted' AND dismissed = 0`).run().changes
  const stmt = db.prepare(`UPDATE jobs SET dismissed = 1 WHERE status = 'interrupted' AND id = ?`)
  let n = 0
  db.transaction(() => {
    for (const id of ids) n += stmt.run(id).changes
  })()
  return n
}
