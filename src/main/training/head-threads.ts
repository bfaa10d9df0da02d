/**
 * Helper threads for a fit (fit.ts `runners`): each trains one k-fold run at a time in its own tfjs, so on the
 * single-threaded backends (wasm, cpu) a fit uses a second core. libtensorflow (tfjs-node, CUDA) already uses
 * every core and cannot be loaded twice in a process, so there is no helper there.
 */
import fs from 'node:fs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendName, ForcedBackend } from '../ml/backend'
import type { FromHeadThread, PackedKFold, ThreadKFoldOptions, ToHeadThread } from './head-thread-protocol'
import { buildHead } from './head'
import { toMatrix } from './features'
import { DEFAULT_FOLDS, disposeKFold, trainKFold, type KFoldOptions, type KFoldResult } from './k-fold'
import { CancelledError } from './train'

export type KFoldRunner = (options: KFoldOptions) => Promise<KFoldResult>

/** How many helper threads a fit on this backend gets: one per spare core, at most `max`. */
export function helperCount(backend: BackendName | undefined, max = 1): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 0
  return Math.max(0, Math.min(max, availableParallelism() - 1))
}

function unpack({ heads, ...run }: PackedKFold, dim: number, kind: KFoldOptions['kind']): KFoldResult {
  return {
    ...run,
    heads: heads.map(({ weights, hidden, ...h }) => ({
      ...h,
      model: buildHead({
        inputDim: dim,
        labels: kind === 'regression' ? 'regression' : h.labels,
        ...(hidden !== undefined ? { hidden } : {}),
        seed: 0,
        init: weights
      })
    }))
  }
}

export class HeadThreads {
  private nextId = 1
  /** Threads that exited (crashed, killed for memory): a run on one fails at once instead of waiting forever. */
  private readonly stopped = new Set<Worker>()

  private constructor(
    private readonly workers: Worker[],
    private readonly backend: ForcedBackend
  ) {}

  /** Null when there is nothing to gain (no spare core, a multi-threaded backend) or no built thread script. */
  static open(script: string, backend: BackendName | undefined, max = 1): HeadThreads | null {
    const n = helperCount(backend, max)
    if (n === 0 || !fs.existsSync(script)) return null
    let workers: Worker[]
    try {
      workers = Array.from({ length: n }, () => new Worker(script))
    } catch {
      // A runtime that cannot start threads (or read the script) trains the same heads one after the other.
      return null
    }
    const threads = new HeadThreads(workers, backend as ForcedBackend)
    for (const w of workers) {
      // An idle helper must not keep the worker process alive.
      w.unref()
      w.once('exit', () => threads.stopped.add(w))
    }
    return threads
  }

  /** One runner per thread; a runner must not be called again before its last run settled. */
  runners(): KFoldRunner[] {
    return this.workers.map((w) => (options) => this.run(w, options))
  }

  private run(worker: Worker, options: KFoldOptions): Promise<KFoldResult> {
    const id = this.nextId++
    const { onEpoch, onFold, signal, ...rest } = options
    const dim = toMatrix(options.features).dim
    return new Promise<KFoldResult>((resolve, reject) => {
      if (this.stopped.has(worker)) {
        reject(new Error('the training helper thread has stopped'))
        return
      }
      const onAbort = (): void => worker.postMessage({ type: 'cancel', id } satisfies ToHeadThread)
      const cleanup = (): void => {
        worker.unref()
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        signal?.removeEventListener('abort', onAbort)
      }
      const onError = (e: Error): void => {
        cleanup()
        reject(e)
      }
      const onExit = (code: number): void => {
        cleanup()
        reject(new Error(`the training helper thread stopped (exit code ${code})`))
      }
      const onMessage = (m: FromHeadThread): void => {
        if (m.id !== id) return
        if (m.type === 'epoch') {
          onEpoch?.(m.fold, m.log)
          return
        }
        cleanup()
        if (m.type === 'failed') reject(m.cancelled ? new CancelledError() : new Error(m.message))
        else {
          const r = unpack(m.result, dim, options.kind)
          r.heads.forEach((h, i) => onFold?.(r.folds[i]!, h))
          resolve(r)
        }
      }
      worker.ref()
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      signal?.addEventListener('abort', onAbort, { once: true })
      const message: ToHeadThread = { type: 'run', id, backend: this.backend, options: rest as ThreadKFoldOptions }
      worker.postMessage(message)
      if (signal?.aborted) onAbort()
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

/** Runs `fn` with the helper threads this backend gets (none: an empty list), closing them afterwards. */
export async function withHeadThreads<T>(
  script: string,
  backend: BackendName | undefined,
  fn: (runners: KFoldRunner[]) => Promise<T>
): Promise<T> {
  const threads = HeadThreads.open(script, backend)
  try {
    return await fn(threads?.runners() ?? [])
  } finally {
    await threads?.close()
  }
}

/**
 * Runs every job, each runner taking the next job as soon as its last one settled; results in job order. When
 * one fails, the others still settle (their heads are disposed) before the first error is thrown.
 */
export async function runEach(
  runners: readonly KFoldRunner[],
  jobs: ReadonlyArray<() => KFoldOptions>
): Promise<KFoldResult[]> {
  const results: Array<KFoldResult | undefined> = new Array(jobs.length)
  let next = 0
  let failure: { error: unknown } | null = null
  const loop = async (runner: KFoldRunner): Promise<void> => {
    while (failure === null && next < jobs.length) {
      const i = next++
      try {
        results[i] = await runner(jobs[i]!())
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(runners.slice(0, Math.max(1, jobs.length)).map(loop))
  if (failure !== null) {
    for (const r of results) if (r) disposeKFold(r)
    throw (failure as { error: unknown }).error
  }
  return results as KFoldResult[]
}

/** Two runs of one k-fold split as one: heads in order a then b, each row's out-of-fold prediction from whichever has it. */
export function mergeFolds(a: KFoldResult, b: KFoldResult): KFoldResult {
  const oof = Float32Array.from(a.oof)
  for (let i = 0; i < oof.length; i++) if (Number.isNaN(oof[i]!)) oof[i] = b.oof[i]!
  return { ...a, heads: [...a.heads, ...b.heads], folds: [...a.folds, ...b.folds], oof }
}

/**
 * trainKFold with its folds spread over this thread and the helpers: one run per fold, merged in fold order,
 * so the result is the one trainKFold gives alone.
 */
export async function trainFoldsSideBySide(
  options: KFoldOptions,
  helpers: readonly KFoldRunner[]
): Promise<KFoldResult> {
  const k = options.k ?? DEFAULT_FOLDS
  const folds = options.onlyFolds ? [...options.onlyFolds] : Array.from({ length: k }, (_, f) => f)
  if (helpers.length === 0 || folds.length < 2) return trainKFold(options)
  const runs = await runEach(
    [trainKFold, ...helpers],
    folds.map((f) => () => ({ ...options, onlyFolds: [f] }))
  )
  return runs.slice(1).reduce(mergeFolds, runs[0]!)
}
