/**
 * The worker side of protocol.ts. Runs inside a Node child process (web mode, CLI, tests) or an Electron
 * utilityProcess (desktop); both deliver messages, through different ports.
 */
import { AppError } from '../../shared/result'
import type { FromWorker, ToWorker } from './protocol'

export interface OpContext {
  signal: AbortSignal
  progress(data: unknown): void
}

export type Op = (params: unknown, ctx: OpContext) => Promise<unknown>

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(msg: unknown): void
}

function transport(): { send: (m: FromWorker) => void; listen: (l: (m: ToWorker) => void) => void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      listen: (l) => parentPort.on('message', (e) => l(e.data as ToWorker))
    }
  }
  if (!process.send) throw new Error('worker started without an IPC channel')
  // A parent killed with SIGKILL cannot shut its workers down; losing the channel is the signal to go.
  process.on('disconnect', () => process.exit(0))
  return {
    // A parent that went away mid-send surfaces as EPIPE; with a callback it is an ignorable failed send
    // (the disconnect handler above ends the worker) instead of an unhandled 'error' that kills it.
    send: (m) => {
      if (process.connected) process.send?.(m, undefined, undefined, () => undefined)
    },
    listen: (l) => process.on('message', (m) => l(m as ToWorker))
  }
}

export function serveWorker(ops: Record<string, Op>): void {
  const { send, listen } = transport()
  const running = new Map<number, AbortController>()
  listen((msg) => {
    if (msg.type === 'shutdown') {
      for (const c of running.values()) c.abort()
      setImmediate(() => process.exit(0))
      return
    }
    if (msg.type === 'cancel') {
      running.get(msg.seq)?.abort()
      return
    }
    const op = ops[msg.op]
    if (!op) {
      send({ type: 'error', seq: msg.seq, error: { code: 'UNKNOWN_CALL', message: `Unknown worker op ${msg.op}` } })
      return
    }
    const controller = new AbortController()
    running.set(msg.seq, controller)
    op(msg.params, { signal: controller.signal, progress: (data) => send({ type: 'progress', seq: msg.seq, data }) })
      .then(
        (value) => send({ type: 'result', seq: msg.seq, value }),
        (e: unknown) => {
          const error =
            e instanceof AppError
              ? e.toJSON()
              : { code: 'INTERNAL' as const, message: e instanceof Error ? e.message : String(e) }
          send({ type: 'error', seq: msg.seq, error })
        }
      )
      .finally(() => running.delete(msg.seq))
  })
  send({ type: 'ready', pid: process.pid })
}
