import path from 'node:path'
import fs from 'node:fs'
import type { JobInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { AppContext } from '../app/context'
import type { WorkerClient } from '../jobs/worker-client'
import { recordImageError } from './image-rows'
import { walkImages } from './walk'
import { listTasks } from './stats'
import { predictMissing } from '../models/service'
import type { ImportFileParams, ImportFileResult } from './import-file'

export interface ImportOptions {
  folder: string
  crops: boolean
  detector: 'ssd' | 'tiny'
}

export interface ImportSummary {
  images: number
  faces: number
  skipped: number
  ignored: number
  errors: Array<{ path: string; error: string }>
  backend: string
  seconds: number
  cancelled: boolean
}

/** A worker that dies on a file twice in a row means the worker itself is broken, not the file. */
const MAX_CONSECUTIVE_CRASHES = 2

export function startImport(ctx: AppContext, opts: ImportOptions): { info: JobInfo; done: Promise<JobInfo> } {
  const project = ctx.requireProject()
  const root = path.resolve(opts.folder)
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new AppError('NOT_FOUND', `The folder ${root} does not exist or is not a folder.`)
  }
  return ctx.jobs.submit('import', `Import ${path.basename(root)}`, async (job) => {
    const started = Date.now()
    job.progress({ message: 'Listing files…' })
    const walked = await walkImages(root, job.signal)
    for (const e of walked.errors) recordImageError(project.db, root, e.path, e.error)
    const summary: ImportSummary = {
      images: 0,
      faces: 0,
      skipped: 0,
      ignored: walked.ignored,
      errors: [...walked.errors],
      backend: '',
      seconds: 0,
      cancelled: false
    }
    const total = walked.files.length
    let done = 0
    const report = (): void =>
      job.progress({
        done,
        total,
        message: `${done} of ${total} files`,
        counters: {
          faces: summary.faces,
          errors: summary.errors.length,
          skipped: summary.skipped,
          images: summary.images
        }
      })
    report()
    const backend = await ctx.backend()
    summary.backend = backend.label
    if (total > 0) {
      job.progress({ message: 'Loading the face models…' })
      await ctx.workers.warmUp(Math.min(ctx.workers.size, total))
    }
    const queue = await largestFirst(walked.files)
    let consecutiveCrashes = 0
    let fatal: AppError | null = null

    const runLane = async (initial: WorkerClient): Promise<void> => {
      let worker = initial
      while (queue.length > 0 && !job.signal.aborted && !fatal) {
        const file = queue.shift()
        if (file === undefined) break
        const params: ImportFileParams = {
          projectDir: project.dir,
          root,
          file,
          crops: opts.crops,
          detector: opts.detector
        }
        try {
          const r = await worker.request<ImportFileResult>('import.file', params, { signal: job.signal })
          consecutiveCrashes = 0
          if (r.status === 'ok') {
            summary.images++
            summary.faces += r.faces
          } else if (r.status === 'skipped') summary.skipped++
          else if (r.status === 'error') summary.errors.push({ path: file, error: r.error })
        } catch (e) {
          if (e instanceof AppError && e.code === 'CANCELLED') break
          if (e instanceof AppError && e.code === 'WORKER_CRASHED') {
            consecutiveCrashes++
            const message = 'The ML worker crashed while reading this file (it may be malformed or too large).'
            recordImageError(project.db, root, file, message)
            summary.errors.push({ path: file, error: message })
            if (consecutiveCrashes >= MAX_CONSECUTIVE_CRASHES) {
              fatal = e
              break
            }
            // The pool restarts dead workers; take one no other lane is using.
            const fresh = ctx.workers.acquire().find((w) => !inUse.has(w))
            if (!fresh) throw e
            inUse.delete(worker)
            inUse.add(fresh)
            worker = fresh
          } else {
            throw e
          }
        }
        done++
        report()
      }
    }

    const lanes = ctx.workers.acquire(Math.min(ctx.workers.size, Math.max(1, total)))
    const inUse = new Set(lanes)
    await Promise.all(lanes.map((w) => runLane(w)))
    if (!fatal && !job.signal.aborted && summary.images > 0) {
      // Import writes the built-in (v0) predictions; tasks whose active version is a trained one
      // predict the new faces too, so review and metrics never see a face without its prediction.
      job.progress({ message: 'Predicting new faces with the active models…' })
      for (const task of listTasks(project.db)) await predictMissing(ctx, task.name)
    }
    summary.seconds = (Date.now() - started) / 1000
    summary.cancelled = job.signal.aborted
    ctx.emit('data.changed', { what: ['images', 'faces'] })
    if (fatal) throw fatal
    if (job.signal.aborted) throw new AppError('CANCELLED', 'Import cancelled; everything imported so far is kept.')
    return summary
  })
}

/**
 * Big files first: with one worker per core, a large group photo taken last would leave the other workers
 * idle while it finishes (longest-processing-time-first scheduling). Unstattable files keep their place at
 * the end; their worker records the error.
 */
async function largestFirst(files: string[]): Promise<string[]> {
  const sizes = new Map<string, number>()
  const BATCH = 256
  for (let i = 0; i < files.length; i += BATCH) {
    await Promise.all(
      files.slice(i, i + BATCH).map(async (f) => {
        try {
          sizes.set(f, (await fs.promises.stat(f)).size)
        } catch {
          sizes.set(f, -1)
        }
      })
    )
  }
  return [...files].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0))
}
