import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** out/main, where the built entries (index, web, cli, worker) sit side by side. */
export function builtMainDir(): string {
  return path.dirname(fileURLToPath(import.meta.url))
}

/** The ML worker's entry, built from src/main/worker/main.ts. */
export function workerScript(): string {
  return path.join(builtMainDir(), 'worker.js')
}

/** The ML worker's helper thread for training heads side by side (training/head-thread.ts). */
export function headThreadScript(): string {
  return path.join(builtMainDir(), 'head-thread.js')
}

/** The repository (or packaged app) root: out/main/../.. */
export function appRoot(): string {
  return path.resolve(builtMainDir(), '..', '..')
}

export function rendererDir(): string {
  return path.join(appRoot(), 'out', 'renderer')
}

export function modelsDir(): string {
  return process.env.FACE_STUDIO_MODELS ?? path.join(appRoot(), 'resources', 'models')
}
