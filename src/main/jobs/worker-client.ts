import { fork } from 'node:child_process'
import { AppError, isAppErrorShape } from '../../shared/result'
import type { FromWorker, OpName, OpParams, OpProgress, OpResult, ToWorker } from '../worker/protocol'

/** The transport a worker runs on: a Node child process, or an Electron utilityProcess. */
export interface WorkerChannel {
  readonly pid: number | undefined
  send(msg: ToWorker): void
  onMessage(listener: (msg: FromWorker) => void): void
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
}

export type WorkerFactory = (script: string, env: Record<string, string>) => WorkerChannel

export const forkNodeWorker: WorkerFactory = (script, env) => {
  const child = fork(script, [], {
    serialization: 'advanced',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  return {
    pid: child.pid,
    send: (msg) => {
      if (child.connected) child.send(msg)
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    kill: () => {
      child.kill('SIGKILL')
    }
  }
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  onProgress?: (data: unknown) => void
}

const SHUTDOWN_GRACE_MS = 3000

/**
 * One worker process. A crash rejects every request in flight with WORKER_CRASHED (the UI shows it)
 * instead of leaving callers waiting forever.
 */
export class WorkerClient {
  private readonly pending = new Map<number, Pending>()
  private seq = 0
  private exited = false
  private readonly channel: WorkerChannel
  readonly ready: Promise<void>

  constructor(factory: WorkerFactory, script: string, env: Record<string, string> = {}) {
    this.channel = factory(script, env)
    let markReady!: () => void
    let failReady!: (e: Error) => void
    this.ready = new Promise<void>((res, rej) => {
      markReady = res
      failReady = rej
    })
    this.ready.catch(() => undefined)
    this.channel.onMessage((msg) => {
      if (msg.type === 'ready') {
        markReady()
        return
      }
      const p = this.pending.get(msg.seq)
      if (!p) return
      if (msg.type === 'progress') p.onProgress?.(msg.data)
      else if (msg.type === 'result') {
        this.pending.delete(msg.seq)
        p.resolve(msg.value)
      } else if (msg.type === 'error') {
        this.pending.delete(msg.seq)
        const e = isAppErrorShape(msg.error) ? msg.error : { code: 'INTERNAL' as const, message: String(msg.error) }
        // The path survives the hop, so a call answered by the worker still names its failing field.
        p.reject(new AppError(e.code, e.message, 'path' in e ? e.path : undefined))
      }
    })
    this.channel.onExit((code, signal) => {
      this.exited = true
      const why = signal ? `signal ${signal}` : `exit code ${code ?? '?'}`
      const err = new AppError(
        'WORKER_CRASHED',
        `The ML worker stopped unexpectedly (${why}). The job was stopped; everything finished before it is saved, and running it again resumes.`
      )
      failReady(err)
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    })
  }

  get pid(): number | undefined {
    return this.channel.pid
  }

  get alive(): boolean {
    return !this.exited
  }

  /**
   * Runs one op of the protocol: params, result and progress are typed by the op's entry in worker/protocol.ts
   * (the worker validates the params; its replies are trusted as the types the protocol declares).
   */
  async request<K extends OpName>(
    op: K,
    params: OpParams<K>,
    opts: { onProgress?: (data: OpProgress<K>) => void; signal?: AbortSignal } = {}
  ): Promise<OpResult<K>> {
    await this.ready
    if (this.exited) throw new AppError('WORKER_CRASHED', 'The ML worker is not running.')
    // An abort listener never fires for a signal that is already aborted: such a request would run to the end.
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled before it started; nothing was changed.')
    const seq = ++this.seq
    return new Promise<OpResult<K>>((resolve, reject) => {
      const entry: Pending = { resolve: (v) => resolve(v as OpResult<K>), reject }
      const onProgress = opts.onProgress
      if (onProgress) entry.onProgress = (data) => onProgress(data as OpProgress<K>)
      this.pending.set(seq, entry)
      const onAbort = (): void => this.channel.send({ type: 'cancel', seq })
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      this.channel.send({ type: 'run', seq, op, params })
    })
  }

  /** Asks the worker to exit, and kills it if it has not within a grace period. */
  async shutdown(): Promise<void> {
    if (this.exited) return
    const exited = new Promise<void>((res) => this.channel.onExit(() => res()))
    this.channel.send({ type: 'shutdown' })
    const timer = setTimeout(() => this.channel.kill(), SHUTDOWN_GRACE_MS)
    await exited
    clearTimeout(timer)
  }

  kill(): void {
    this.channel.kill()
  }
}
