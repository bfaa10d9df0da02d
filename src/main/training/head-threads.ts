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
import type { KFoldOptions, KFoldResult } from './k-fold'
import { CancelledError } from './train'

export type KFoldRunner = (options: KFoldOptions) => Promise<KFoldResult>

/** How many helper threads a fit on this backend gets: one per spare core, at most `max`. */
export function helperCount(backend: BackendName | undefined, max = 1): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 0
  return Math.max(0, Math.min(max, availableParallelism() - 1))
}

function unpack(r: PackedKFold, dim: number, kind: KFoldOptions['kind']): KFoldResult {
  return {
    k: r.k,
    fold: r.fold,
    folds: r.folds,
    labels: r.labels,
    oof: r.oof,
    width: r.width,
    heads: r.heads.map(({ weights, hidden, ...h }) => ({
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
    // An idle helper must not keep the worker process alive.
    for (const w of workers) w.unref()
    return new HeadThreads(workers, backend as ForcedBackend)
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
      const onAbort = (): void => worker.postMessage({ type: 'cancel', id } satisfies ToHeadThread)
      const cleanup = (): void => {
        worker.unref()
        worker.off('message', onMessage)
        worker.off('error', onError)
        signal?.removeEventListener('abort', onAbort)
      }
      const onError = (e: Error): void => {
        cleanup()
        reject(e)
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
