import { describe, expect, it } from 'vitest'
import path from 'node:path'
import fs from 'node:fs'
import type { ClusterSummary, ImportSummary, JobInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { JobQueue, LATE_CANCEL_MESSAGE, resultOf } from './queue'
import { WorkerClient, forkNodeWorker } from './worker-client'
import { builtWorker, sharedData, tempDir } from '../../test/support'
import { createProject } from '../project/project'

const noImport: ImportSummary = {
  images: 0,
  faces: 0,
  skipped: 0,
  ignored: 0,
  errors: [],
  backend: 'cpu',
  seconds: 0,
  cancelled: false,
  splitPhotos: 0,
  stages: [],
  importId: 'none'
}

describe('job queue', () => {
  it('runs jobs in order, reports progress with rate, and cancels', async () => {
    const seen: JobInfo[] = []
    const q = new JobQueue((j) => seen.push(j))
    const A: ImportSummary = { ...noImport, images: 5 }
    const a = q.submit({ kind: 'import', task: null, title: 'a' }, async (ctx) => {
      for (let i = 1; i <= 5; i++) {
        ctx.progress({ done: i, total: 5 })
        await new Promise((r) => setTimeout(r, 5))
      }
      return A
    })
    const b = q.submit({ kind: 'train', task: 'expression', title: 'b' }, async (ctx) => {
      return new Promise<never>((_r, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new AppError('CANCELLED', 'stop')))
      )
    })
    expect((await a.done).status).toBe('done')
    expect((await a.done).result).toBe(A)
    q.cancel(b.info.id)
    expect((await b.done).status).toBe('cancelled')
    const last = seen.filter((j) => j.id === a.info.id).at(-1)
    expect(last?.progress.done).toBe(5)
    expect(last?.progress.rate).toBeGreaterThan(0)
  })

  it('reports a job that committed before a late cancel as done, says so, and keeps its result', async () => {
    const q = new JobQueue(() => undefined)
    const A: ImportSummary = { ...noImport, images: 3 }
    let id = 0
    const j = q.submit({ kind: 'import', task: null, title: 'late' }, async () => {
      // The work is committed; the cancel arrives before the runner hands its result back.
      expect(q.cancel(id)).toBe(true)
      return A
    })
    id = j.info.id
    const done = await j.done
    expect(done.status).toBe('done')
    expect(done.progress.message).toBe(LATE_CANCEL_MESSAGE)
    expect(resultOf(done)).toBe(A)
  })

  it("shows what a cancelled runner says it kept as the job's message", async () => {
    const q = new JobQueue(() => undefined)
    const j = q.submit({ kind: 'train', task: 'expression', title: 't' }, async () => {
      throw new AppError('CANCELLED', 'Training cancelled; no version was saved.')
    })
    const done = await j.done
    expect(done).toMatchObject({ status: 'cancelled', error: null, result: null })
    expect(done.progress.message).toBe('Training cancelled; no version was saved.')
  })

  it('reports a failing job as failed with its message', async () => {
    const q = new JobQueue(() => undefined)
    const j = q.submit({ kind: 'import', task: null, title: 'x' }, async () => {
      throw new Error('disk full')
    })
    const done = await j.done
    expect(done.status).toBe('failed')
    expect(done.error).toBe('disk full')
    expect(() => resultOf(done)).toThrow(/has no result: it ended failed/)
  })
})

describe('job kinds', () => {
  it('keeps what a job works on, and lets a job finish only with its own kind of result', async () => {
    const q = new JobQueue(() => undefined)
    const cluster: ClusterSummary = {
      clusters: 2,
      singletons: 1,
      seconds: 0,
      mode: 'full',
      threshold: 0.5,
      assigned: 0
    }
    const job = q.submit(
      { kind: 'repredict', task: 'expression', version: 3, title: 'Activate expression v3' },
      async () => ({
        task: 'expression',
        version: 3,
        faces: 10,
        seconds: 0.1,
        predictSeconds: 0.1,
        backend: 'cpu'
      })
    )
    const done = await job.done
    expect(done).toMatchObject({ kind: 'repredict', task: 'expression', version: 3, status: 'done' })
    expect(resultOf(done).faces).toBe(10)
    expect(q.list()[0]).toMatchObject({ kind: 'repredict', task: 'expression', version: 3 })
    // @ts-expect-error a training job cannot finish with a clustering summary
    q.submit({ kind: 'train', task: 'expression', title: 'Train expression' }, async () => cluster)
    // @ts-expect-error a training job names its task
    q.submit({ kind: 'train', task: null, title: 'Train' }, async () => cluster)
    await q.drain()
  })
})

describe('worker client', () => {
  it('refuses a request whose signal is already aborted instead of running it to the end', async () => {
    const w = new WorkerClient(forkNodeWorker, builtWorker)
    try {
      await w.ready
      const aborted = AbortSignal.abort()
      await expect(w.request('backend.info', {}, { signal: aborted })).rejects.toMatchObject({ code: 'CANCELLED' })
    } finally {
      await w.shutdown()
    }
  })

  it('surfaces a crashed worker as WORKER_CRASHED instead of hanging', async () => {
    expect(fs.existsSync(builtWorker)).toBe(true)
    const w = new WorkerClient(forkNodeWorker, builtWorker)
    await w.ready
    const project = createProject(path.join(tempDir('crash'), 'p'))
    const root = path.join(sharedData, 'group_photos', 'images')
    // A real import request: loading models and analysing a group photo takes well over the 300 ms below.
    const pending = w.request('import.file', {
      projectDir: project.dir,
      root,
      file: path.join(root, 'group-1.jpg'),
      crops: false,
      detector: 'ssd'
    })
    await new Promise((r) => setTimeout(r, 300))
    process.kill(w.pid as number, 'SIGKILL')
    await expect(pending).rejects.toMatchObject({ code: 'WORKER_CRASHED' })
    expect(w.alive).toBe(false)
    expect(project.db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(0)
  })
})
