import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { JobInfo } from '../../shared/domain'
import { migrate, schemaVersion } from '../db/migrate'
import { migrations } from '../db/migrations'
import { JobQueue } from '../jobs/queue'
import { dismissInterrupted, interruptedJobs, JobLog, markInterruptedJobs } from './job-log'

function freshDb(): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

type Row = { id: number; status: string; pid: number | null; progress: string | null }
const rows = (db: Database.Database): Row[] =>
  db.prepare('SELECT id, status, pid, progress FROM jobs ORDER BY id').all() as Row[]

describe('migration 5: job rows', () => {
  it('turns rows the old code marked failed as interrupted into interrupted ones, already dismissed', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 4))
    const ins = db.prepare(
      `INSERT INTO jobs (id, kind, title, status, error, started_at) VALUES (?, 'import', 'Import x', ?, ?, 'then')`
    )
    ins.run(1, 'failed', 'Interrupted (the app stopped while it ran).')
    ins.run(2, 'failed', 'disk full')
    ins.run(3, 'done', null)
    migrate(db, migrations.slice(0, 5))
    expect(schemaVersion(db)).toBe(5)
    expect(db.prepare('SELECT id, status, dismissed FROM jobs ORDER BY id').all()).toEqual([
      { id: 1, status: 'interrupted', dismissed: 1 },
      { id: 2, status: 'failed', dismissed: 1 },
      { id: 3, status: 'done', dismissed: 1 }
    ])
    expect(() => ins.run(4, 'exploded', null)).toThrow(/CHECK/)
  })
})

describe('job rows', () => {
  it('writes a job row when it is queued and when it starts, not only when it ends', async () => {
    const db = freshDb()
    const log = new JobLog(db)
    const seenWhileRunning: Row[][] = []
    const q = new JobQueue((j) => log.record(j))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const job = q.submit({ kind: 'train', task: 'expression', title: 'Train expression' }, async () => {
      seenWhileRunning.push(rows(db))
      await gate
      throw new Error('stop here')
    })
    expect(rows(db)).toMatchObject([{ id: 1, status: 'queued', pid: process.pid }])
    await new Promise((r) => setImmediate(r))
    expect(seenWhileRunning[0]).toMatchObject([{ status: 'running' }])
    release()
    await job.done
    expect(rows(db)).toMatchObject([{ status: 'failed' }])
  })

  it('marks what a dead process left queued or running as interrupted, and says what each left behind', () => {
    const db = freshDb()
    const log = new JobLog(db)
    const base = { progress: { done: 0, total: 0, rate: 0, etaSeconds: null, message: '', counters: {} } }
    const job = (over: Partial<JobInfo>): JobInfo =>
      ({
        id: 1,
        kind: 'import',
        task: null,
        title: 'Import photos',
        status: 'running',
        error: null,
        startedAt: '2026-12-02T10:00:00.000Z',
        endedAt: null,
        result: null,
        ...base,
        ...over
      }) as JobInfo
    log.record(job({ id: 1, progress: { ...base.progress, done: 40, total: 120 } }), 0)
    log.record(job({ id: 2, kind: 'train', task: 'expression', title: 'Train expression', status: 'queued' }), 0)
    log.record(job({ id: 3, kind: 'train', task: 'expression', title: 'Train expression' }), 0)
    log.record(job({ id: 4, kind: 'repredict', task: 'expression', version: 3, title: 'Activate' } as Partial<JobInfo>))
    log.record(job({ id: 5, status: 'done', endedAt: 'x' }), 0)
    // Rows 1-4 belong to pid 1234 (dead); row 6 to a live other process (e.g. the app while the CLI runs).
    db.prepare('UPDATE jobs SET pid = 1234 WHERE id <= 4').run()
    db.prepare(
      `INSERT INTO jobs (id, kind, title, status, started_at, pid) VALUES (6, 'import', 'Other', 'running', 'now', 99)`
    ).run()
    expect(markInterruptedJobs(db, (pid) => pid === 99)).toBe(4)
    expect(rows(db).map((r) => r.status)).toEqual([
      'interrupted',
      'interrupted',
      'interrupted',
      'interrupted',
      'done',
      'running'
    ])
    const shown = interruptedJobs(db)
    expect(shown.map((j) => j.id)).toEqual([4, 3, 2, 1])
    const [activate, train, queued, imp] = shown
    expect(imp).toMatchObject({ kind: 'import', started: true, done: 40, total: 120 })
    expect(imp?.note).toMatch(/at least 40 of 120 files.*kept.*import the folder again/)
    expect(train).toMatchObject({ kind: 'train', task: 'expression', started: true })
    expect(train?.note).toMatch(/No version was saved/)
    expect(queued).toMatchObject({ started: false })
    expect(queued?.note).toMatch(/never started/)
    expect(activate?.note).toMatch(/Version 3 was not activated/)
    // Marking again finds nothing new; dismissing hides them.
    expect(markInterruptedJobs(db, () => false)).toBe(1)
    expect(dismissInterrupted(db, [1])).toBe(1)
    expect(interruptedJobs(db).map((j) => j.id)).toEqual([6, 4, 3, 2])
    expect(dismissInterrupted(db)).toBe(4)
    expect(interruptedJobs(db)).toEqual([])
  })

  it('numbers a new session after the stored rows and keeps an import progress current', () => {
    const db = freshDb()
    db.prepare(`INSERT INTO jobs (id, kind, title, status, started_at) VALUES (7, 'import', 'old', 'done', 'x')`).run()
    const log = new JobLog(db)
    const progress = (done: number): JobInfo['progress'] => ({
      done,
      total: 10,
      rate: 1,
      etaSeconds: 1,
      message: `${done} of 10 files`,
      counters: {}
    })
    const imp = {
      id: 1,
      kind: 'import',
      task: null,
      title: 'Import',
      status: 'running',
      error: null,
      startedAt: 'x',
      endedAt: null,
      result: null
    } as const
    log.record({ ...imp, progress: progress(1) }, 0)
    log.record({ ...imp, progress: progress(2) }, 300)
    expect(JSON.parse(rows(db)[1]?.progress ?? '{}')).toMatchObject({ done: 1 })
    log.record({ ...imp, progress: progress(5) }, 800)
    expect(rows(db)[1]).toMatchObject({ id: 8, status: 'running' })
    expect(JSON.parse(rows(db)[1]?.progress ?? '{}')).toMatchObject({ done: 5, total: 10 })
  })
})
