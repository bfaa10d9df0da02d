/**
 * A helper thread of the ML worker that trains k-fold heads (head-threads.ts sends the runs). On wasm and cpu
 * tfjs computes on one core per thread, so a fit's independent heads (the search's candidates, the ensemble's
 * folds) train two at a time on a 2-core machine instead of one after the other. Built as out/main/head-thread.js.
 */
import { parentPort } from 'node:worker_threads'
import { initBackend } from '../ml/backend'
import type { FromHeadThread, PackedKFold, ToHeadThread } from './head-thread-protocol'
import { readHeadWeights } from './head'
import { trainKFold, type KFoldResult } from './k-fold'
import { CancelledError } from './train'

const port = parentPort
if (!port) throw new Error('head-thread.js runs only as a worker thread')

let ready: Promise<unknown> | null = null
const running = new Map<number, AbortController>()

function pack({ heads, ...run }: KFoldResult): PackedKFold {
  return {
    ...run,
    heads: heads.map(({ model, ...h }) => {
      const weights = readHeadWeights(model)
      model.dispose()
      return { ...h, hidden: weights.hidden?.kernelShape[1], weights }
    })
  }
}

const send = (m: FromHeadThread): void => port.postMessage(m)

port.on('message', (m: ToHeadThread) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort()
    return
  }
  const abort = new AbortController()
  running.set(m.id, abort)
  ready ??= initBackend({ force: m.backend })
  void ready
    .then(() =>
      trainKFold({
        ...m.options,
        signal: abort.signal,
        onEpoch: (fold, log) => send({ type: 'epoch', id: m.id, fold, log })
      })
    )
    .then((r) => send({ type: 'done', id: m.id, result: pack(r) }))
    .catch((e: unknown) =>
      send({
        type: 'failed',
        id: m.id,
        message: e instanceof Error ? e.message : String(e),
        cancelled: e instanceof CancelledError
      })
    )
    .finally(() => running.delete(m.id))
})
