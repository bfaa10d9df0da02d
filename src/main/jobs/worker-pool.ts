import type { BackendInfo } from '../../shared/domain'
import { WorkerClient, type WorkerFactory } from './worker-client'

function backendLabel(b: Omit<BackendInfo, 'label'>): string {
  const parts: string[] = [b.name === 'tensorflow-gpu' ? 'CUDA' : b.name]
  if (b.name === 'wasm') parts.push(b.simd ? 'SIMD' : 'no SIMD')
  parts.push(`${b.workers} worker${b.workers === 1 ? '' : 's'}`)
  return parts.join(' · ')
}

/**
 * N ML workers (N = cores): tfjs-wasm has no threads under Node, so parallelism is processes.
 * Workers start lazily and are replaced after a crash.
 */
export class WorkerPool {
  private workers: WorkerClient[] = []

  constructor(
    private readonly factory: WorkerFactory,
    private readonly script: string,
    readonly size: number
  ) {}

  /** Live workers, (re)started as needed. */
  acquire(n = this.size): WorkerClient[] {
    this.workers = this.workers.filter((w) => w.alive)
    while (this.workers.length < Math.min(n, this.size)) {
      this.workers.push(new WorkerClient(this.factory, this.script))
    }
    return this.workers.slice(0, n)
  }

  async probeBackend(): Promise<BackendInfo> {
    const [w] = this.acquire(1)
    if (!w) throw new Error('no worker')
    const b = await w.request('backend.info', {})
    const info = { name: b.name, simd: b.simd, threads: b.threads, workers: this.size }
    return { ...info, label: backendLabel(info) }
  }

  /** Loads backend and models in `n` workers at once, so the first files of a job do not wait in turn. */
  async warmUp(n = this.size): Promise<void> {
    await Promise.all(this.acquire(n).map((w) => w.request('ml.warmup', {})))
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.shutdown()))
    this.workers = []
  }
}
