/**
 * The worker side of protocol.ts. Runs inside a Node child process (web mode, CLI, tests) or an Electron
 * utilityProcess (desktop); both deliver messages, through different ports. Every request is checked against
 * its op's schema here, at the boundary, so an op only ever sees parsed params.
 */
import { AppError, type AppErrorShape } from '../../shared/result'
import {
  isOpName,
  workerOps,
  type FromWorker,
  type OpName,
  type OpParsed,
  type OpProgress,
  type OpResult,
  type ToWorker
} from './protocol'

export interface OpContext<P> {
  signal: AbortSignal
  progress(data: P): void
}

/** One implementation per op of the protocol, each typed by it. */
export type OpHandlers = {
  [K in OpName]: (params: OpParsed<K>, ctx: OpContext<OpProgress<K>>) => Promise<OpResult<K>>
}

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

function errorShape(e: unknown): AppErrorShape {
  return e instanceof AppError
    ? e.toJSON()
    : { code: 'INTERNAL' as const, message: e instanceof Error ? e.message : String(e) }
}

export function serveWorker(handlers: OpHandlers): void {
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
    const name: string = msg.op
    if (!isOpName(name)) {
      send({ type: 'error', seq: msg.seq, error: { code: 'UNKNOWN_CALL', message: `Unknown worker op ${name}` } })
      return
    }
    const parsed = workerOps[name].params.safeParse(msg.params)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue ? issue.path.map(String).join('.') : ''
      const message = `Invalid parameter${path ? ` "${path}"` : ''} for worker op ${name}: ${issue?.message ?? 'invalid input'}.`
      send({ type: 'error', seq: msg.seq, error: { code: 'BAD_ARGS', message, path } })
      return
    }
    const controller = new AbortController()
    running.set(msg.seq, controller)
    // The map pairs each op with its own params; TypeScript cannot follow that through a union key.
    const handler = handlers[name] as (params: unknown, ctx: OpContext<unknown>) => Promise<unknown>
    handler(parsed.data, {
      signal: controller.signal,
      progress: (data) => send({ type: 'progress', seq: msg.seq, data })
    })
      .then(
        (value) => send({ type: 'result', seq: msg.seq, value }),
        (e: unknown) => send({ type: 'error', seq: msg.seq, error: errorShape(e) })
      )
      .finally(() => running.delete(msg.seq))
  })
  send({ type: 'ready', pid: process.pid })
}
