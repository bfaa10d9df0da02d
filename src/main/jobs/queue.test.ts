import { describe, expect, it } from 'vitest'
import path from 'node:path'
import fs from 'node:fs'
import type { JobInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { JobQueue } from './queue'
import { WorkerClient, forkNodeWorker } from './worker-client'
import { builtWorker, sharedData, tempDir } from '../../test/support'
import { createProject } from '../project/project'

describe('job queue', () => {
  it('runs jobs in order, reports progress with rate, and cancels', async () => {
    const seen: JobInfo[] = []
    const q = new JobQueue((j) => seen.push(j))
    const a = q.submit('import', 'a', async (ctx) => {
      for (let i = 1; i <= 5; i++) {
        ctx.progress({ done: i, total: 5 })
        await new Promise((r) => setTimeout(r, 5))
      }
      return 'A'
    })
    const b = q.submit('train', 'b', async (ctx) => {
      await new Promise((_r, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new AppError('CANCELLED', 'stop')))
      )
    })
    expect((await a.done).status).toBe('done')
    expect((await a.done).result).toBe('A')
    q.cancel(b.info.id)
    expect((await b.done).status).toBe('cancelled')
    const last = seen.filter((j) => j.id === a.info.id).at(-1)
    expect(last?.progress.done).toBe(5)
    expect(last?.progress.rate).toBeGreaterThan(0)
  })

  it('reports a failing job as failed with its message', async () => {
    const q = new JobQueue(() => undefined)
    const j = q.submit('import', 'x', async () => {
      throw new Error('disk full')
    })
    const done = await j.done
    expect(done.status).toBe('failed')
    expect(done.error).toBe('disk full')
  })
})

describe('worker client', () => {
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
