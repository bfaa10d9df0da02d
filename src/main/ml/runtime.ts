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

let warmed: Promise<void> | null = null

/**
 * One pass of every net on a blank image: the first inference of each net allocates and compiles far more
 * than later ones, so a worker warmed here starts an import at its steady speed.
 */
export function warmNets(): Promise<void> {
  warmed ??= (async () => {
    const { analyzeImage } = await import('./analyze')
    const side = 128
    await analyzeImage(
      { data: new Uint8Array(side * side * 3).fill(128), width: side, height: side },
      {
        detector: 'ssd',
        crops: true
      }
    )
  })().catch((e: unknown) => {
    warmed = null
    throw e
  })
  return warmed
}
