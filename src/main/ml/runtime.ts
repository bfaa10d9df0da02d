import { initBackend } from './backend'
import { loadModels } from './models'
import { modelsDir } from '../paths'

let ready: Promise<void> | null = null

/** Backend and weights, once per worker process; a failure is retried on the next call. */
export function ensureMlReady(): Promise<void> {
  ready ??= (async () => {
    await initBackend()
    await loadModels(modelsDir())
  })().catch((e: unknown) => {
    ready = null
    throw e
  })
  return ready
}
