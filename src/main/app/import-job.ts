import path from 'node:path'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import type { ImportStages, ImportSummary, WorkerStageMs } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { SubmittedJob } from '../jobs/queue'
import type { WorkerClient } from '../jobs/worker-client'
import { listTasks } from '../labels/tasks'
import { inShard, type Shard } from '../library/shard'
import { walkImages } from '../library/walk'
import type { OpName, OpParams, OpResult } from '../worker/protocol'
import { predictMissing } from './activation'
import type { AppContext } from './context'

export interface ImportOptions {
  folder: string
  crops: boolean
  detector: 'ssd' | 'tiny'
  /** Spread a many-face photo's faces over all workers (default true; false for comparisons). */
  splitFaces?: boolean
  /** Only this stable 1/N of the files (library/shard.ts), for imports split over machines. */
  shard?: Shard | undefined
}

export type { ImportSummary }

/** A worker that dies on a file twice in a row means the worker itself is broken, not the file. */
const MAX_CONSECUTIVE_CRASHES = 2
const CRASH_MESSAGE = 'The ML worker crashed while reading this file (it may be malformed or too large).'
/**
 * A photo with this many faces has them analysed by all workers, a few faces each: one worker alone would
 * otherwise keep a group photo to itself while the others sit idle at the end of an import.
 */
const SPLIT_AT_FACES = 6
const FACES_PER_CHUNK = 3

type LocatedFaces = OpParams<'import.faces'>['located']

/** A photo whose faces are being analysed in chunks by several workers; its owner writes it. */
class SplitPhoto {
  readonly results: OpResult<'import.faces'>['faces'] = []
  readonly chunks: FaceChunk[] = []
  /** Chunks not analysed yet; the owner writes the photo at 0. */
  remaining: number
  failed: string | null = null

  constructor(
    readonly file: string,
    readonly hash: string,
    readonly located: LocatedFaces,
    /** The worker holding the decoded photo, which writes it. */
    readonly owner: WorkerClient
  ) {
    for (let i = 0; i < located.faces.length; i += FACES_PER_CHUNK) {
      const indices = located.faces.slice(i, i + FACES_PER_CHUNK).map((_, k) => i + k)
      this.chunks.push({ photo: this, indices })
    }
    this.remaining = this.chunks.length
  }
}

interface Lane {
  worker: WorkerClient
  clock: LaneClock
}

interface FaceChunk {
  photo: SplitPhoto
  indices: number[]
}

/** Wakes lanes waiting for work: a new chunk, a finished chunk or file, a cancel. */
class Signal {
  private waiters: Array<() => void> = []
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve))
  }
  notify(): void {
    const waiting = this.waiters
    this.waiters = []
    for (const w of waiting) w()
  }
}

/** A lane's stage times (issue 13 §4): what its workers reported, plus round trips and idle waits seen from main. */
class LaneClock {
  readonly stages: ImportStages = {
    read: 0,
    decode: 0,
    detect: 0,
    landmarks: 0,
    descriptor: 0,
    expression: 0,
    ageGender: 0,
    thumbs: 0,
    preview: 0,
    predict: 0,
    sqlite: 0,
    busy: 0,
    faces: 0,
    requests: 0,
    ipc: 0,
    waiting: 0,
    wall: 0
  }
  private roundTrips = 0
  private readonly started = performance.now()

  request(roundTripMs: number, ms: WorkerStageMs | undefined): void {
    this.stages.requests++
    this.roundTrips += roundTripMs
    if (!ms) return
    for (const k of Object.keys(ms) as Array<keyof WorkerStageMs>) this.stages[k] += ms[k]
  }

  finish(): ImportStages {
    const s = this.stages
    s.wall = performance.now() - this.started
    // A request without stage times (import.errors, a crash) counts wholly as ipc; those are rare and short.
    s.ipc = Math.max(0, this.roundTrips - s.busy)
    return s
  }
}

export function startImport(ctx: AppContext, opts: ImportOptions): SubmittedJob<'import'> {
  const project = ctx.requireProject()
  const root = path.resolve(opts.folder)
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new AppError('NOT_FOUND', `The folder ${root} does not exist or is not a folder.`)
  }
  return ctx.jobs.submit({ kind: 'import', task: null, title: `Import ${path.basename(root)}` }, async (job) => {
    const started = Date.now()
    // Stamped on every photo this run commits, so Review and Export can be limited to this one import.
    const importId = randomUUID()
    job.progress({ message: 'Listing files…' })
    const all = await walkImages(root, job.signal)
    const walked = opts.shard
      ? {
          ...all,
          files: all.files.filter((f) => inShard(root, f, opts.shard)),
          errors: all.errors.filter((e) => inShard(root, e.path, opts.shard))
        }
      : all
    // A walk cut short by a cancel lists only some files: finishing those would still not be the whole folder.
    const walkCut = job.signal.aborted
    // Image rows are the worker's to write (see docs/architecture.md); main hands it what it found.
    // A worker lost while recording loses only the row: the summary keeps the error and the next import retries.
    const recordErrors = async (errors: Array<{ path: string; error: string }>): Promise<void> => {
      if (errors.length === 0) return
      await ctx
        .worker()
        .request('import.errors', { projectDir: project.dir, root, errors })
        .catch((e: unknown) => {
          if (!(e instanceof AppError && e.code === 'WORKER_CRASHED')) throw e
        })
    }
    await recordErrors(walked.errors)
    const summary: ImportSummary = {
      images: 0,
      faces: 0,
      skipped: 0,
      ignored: walked.ignored,
      errors: [...walked.errors],
      backend: '',
      seconds: 0,
      cancelled: false,
      splitPhotos: 0,
      stages: [],
      importId
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
    // Every worker gets a lane, even with fewer files than workers: a lone group photo's faces still spread.
    const lanes = ctx.workers.acquire(ctx.workers.size)
    const inUse = new Set(lanes)
    // The faces of a many-face photo are spread over all workers when there is more than one.
    const splitAt = lanes.length > 1 && opts.splitFaces !== false ? SPLIT_AT_FACES : undefined
    const chunks: FaceChunk[] = []
    let filesInFlight = 0
    const signal = new Signal()
    job.signal.addEventListener('abort', () => signal.notify(), { once: true })

    const fileFailed = async (file: string, error: string): Promise<void> => {
      summary.errors.push({ path: file, error })
      await recordErrors([{ path: file, error }])
    }
    const fileDone = (): void => {
      done++
      report()
    }

    /** One request on the lane's worker; a crashed worker is replaced and reported as the crash message. */
    const onWorker = async <K extends OpName>(
      lane: Lane,
      op: K,
      params: OpParams<K>
    ): Promise<{ ok: true; value: OpResult<K> } | { ok: false; crash: string }> => {
      const sent = performance.now()
      try {
        const value = await lane.worker.request(op, params, { signal: job.signal })
        consecutiveCrashes = 0
        const ms = value && typeof value === 'object' && 'ms' in value ? (value.ms as WorkerStageMs) : undefined
        lane.clock.request(performance.now() - sent, ms)
        return { ok: true, value }
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'WORKER_CRASHED') throw e
        consecutiveCrashes++
        if (consecutiveCrashes >= MAX_CONSECUTIVE_CRASHES) {
          fatal = e
          signal.notify()
        } else {
          // The pool restarts dead workers; take one no other lane is using.
          const fresh = ctx.workers.acquire().find((w) => !inUse.has(w))
          if (!fresh) throw e
          inUse.delete(lane.worker)
          inUse.add(fresh)
          lane.worker = fresh
        }
        return { ok: false, crash: CRASH_MESSAGE }
      }
    }

    const runFile = async (lane: Lane, file: string, owned: SplitPhoto[]): Promise<void> => {
      const params: OpParams<'import.file'> = {
        projectDir: project.dir,
        root,
        file,
        crops: opts.crops,
        detector: opts.detector,
        importId,
        ...(splitAt !== undefined ? { splitAt } : {})
      }
      filesInFlight++
      try {
        const r = await onWorker(lane, 'import.file', params)
        if (!r.ok) {
          await fileFailed(file, r.crash)
          fileDone()
          return
        }
        const v = r.value
        if (v.status === 'split') {
          summary.splitPhotos++
          const photo = new SplitPhoto(file, v.hash, v.located, lane.worker)
          owned.push(photo)
          chunks.push(...photo.chunks)
          signal.notify()
          return
        }
        if (v.status === 'ok') {
          summary.images++
          summary.faces += v.faces
        } else if (v.status === 'skipped') summary.skipped++
        else summary.errors.push({ path: file, error: v.error })
        fileDone()
      } finally {
        filesInFlight--
        signal.notify()
      }
    }

    const runChunk = async (lane: Lane, chunk: FaceChunk): Promise<void> => {
      const { photo } = chunk
      try {
        const params: OpParams<'import.faces'> = {
          file: photo.file,
          hash: photo.hash,
          located: photo.located,
          indices: chunk.indices
        }
        const r = await onWorker(lane, 'import.faces', params)
        if (r.ok) photo.results.push(...r.value.faces)
        else photo.failed ??= r.crash
      } catch (e) {
        if (e instanceof AppError && e.code === 'CANCELLED') throw e
        photo.failed ??= e instanceof Error ? e.message : String(e)
      } finally {
        photo.remaining--
        signal.notify()
      }
    }

    const commitPhoto = async (lane: Lane, photo: SplitPhoto): Promise<void> => {
      // A lane's worker replaced after a crash took the decoded photo with it: the next import redoes it.
      const failed = photo.failed ?? (lane.worker !== photo.owner ? CRASH_MESSAGE : null)
      if (failed) {
        await fileFailed(photo.file, failed)
        fileDone()
        return
      }
      try {
        const r = await onWorker(lane, 'import.commit', { file: photo.file, faces: photo.results })
        if (!r.ok) await fileFailed(photo.file, r.crash)
        else if (r.value.status === 'ok') {
          summary.images++
          summary.faces += r.value.faces
        }
      } catch (e) {
        if (e instanceof AppError && e.code === 'CANCELLED') throw e
        await fileFailed(photo.file, e instanceof Error ? e.message : String(e))
      }
      fileDone()
    }

    const runLane = async (initial: WorkerClient, index: number): Promise<void> => {
      const lane: Lane = { worker: initial, clock: new LaneClock() }
      const owned: SplitPhoto[] = []
      try {
        while (!job.signal.aborted && !fatal) {
          const complete = owned.find((p) => p.remaining === 0)
          if (complete) {
            owned.splice(owned.indexOf(complete), 1)
            await commitPhoto(lane, complete)
            continue
          }
          const chunk = chunks.shift()
          if (chunk) {
            await runChunk(lane, chunk)
            continue
          }
          const file = queue.shift()
          if (file !== undefined) {
            await runFile(lane, file, owned)
            continue
          }
          // Nothing to take now; more can only come from photos still being read (splits) or faces of
          // this lane's photos still being analysed elsewhere.
          if (owned.length === 0 && filesInFlight === 0) break
          const idle = performance.now()
          await signal.next()
          lane.clock.stages.waiting += performance.now() - idle
        }
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'CANCELLED')) throw e
      } finally {
        summary.stages[index] = lane.clock.finish()
      }
    }

    await Promise.all(lanes.map((w, i) => runLane(w, i)))
    // A cancel that came after the last file was written stopped nothing: the import is complete.
    const stoppedEarly = job.signal.aborted && (walkCut || done < total)
    if (!fatal && summary.images > 0) {
      // Import writes the built-in (v0) predictions; tasks whose active version is a trained one
      // predict the new faces too, so review and metrics never see a face without its prediction.
      // Also after a cancel: the photos committed before it are kept, so they get theirs (stored features
      // only, no image work; quick).
      job.progress({ message: 'Predicting new faces with the active models…' })
      for (const task of listTasks(project.db)) await predictMissing(ctx, task.name)
    }
    summary.seconds = (Date.now() - started) / 1000
    summary.cancelled = stoppedEarly
    ctx.emit('data.changed', { what: ['images', 'faces'] })
    if (fatal) throw fatal
    if (stoppedEarly) {
      throw new AppError(
        'CANCELLED',
        walkCut
          ? 'Import cancelled while listing the folder; nothing was imported.'
          : `Import cancelled after ${done} of ${total} files; the ${summary.images} photos imported before the cancel are kept (import the folder again to add the rest).`
      )
    }
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
