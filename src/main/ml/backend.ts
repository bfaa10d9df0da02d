// Picks the fastest tfjs backend this machine can run, in the order DESIGN.md fixes:
// tfjs-node-gpu (CUDA) → tfjs-node (libtensorflow) → wasm → cpu.
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { nodeRequire, tf, tfWasm } from './tfjs'

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'
export type ForcedBackend = 'tensorflow' | 'wasm' | 'cpu'

export interface BackendInfo {
  name: BackendName
  simd: boolean
  threads: number
  detail: string
}

export const BACKEND_ENV_VAR = 'FACE_STUDIO_BACKEND'

export class BackendUnavailableError extends Error {
  constructor(
    readonly requested: ForcedBackend,
    readonly reason: string
  ) {
    super(`ML backend "${requested}" was forced but is unavailable: ${reason}`)
    this.name = 'BackendUnavailableError'
  }
}

interface Attempt {
  ok: boolean
  info?: BackendInfo
  reason: string
}

let current: BackendInfo | undefined

/** Registering a backend is not enough: setBackend resolves false (or silently keeps the old one) when init fails. */
async function activate(name: string): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name)
    await tf.ready()
    if (!ok || tf.getBackend() !== name) return `setBackend('${name}') returned ${ok}, active is ${tf.getBackend()}`
    return undefined
  } catch (err) {
    return `setBackend('${name}') threw: ${errorText(err)}`
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err)
}

// Both tfjs-node packages register a backend called 'tensorflow'; they are optional dependencies and
// their native binaries fail at require time on machines without them, so every require is guarded.
async function tryTensorflow(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  try {
    nodeRequire(pkg)
  } catch (err) {
    return { ok: false, reason: `${pkg} not loadable (${errorText(err)})` }
  }
  const failure = await activate('tensorflow')
  if (failure) return { ok: false, reason: `${pkg}: ${failure}` }
  const gpu = pkg === '@tensorflow/tfjs-node-gpu'
  return {
    ok: true,
    reason: '',
    info: {
      name: gpu ? 'tensorflow-gpu' : 'tensorflow',
      simd: true,
      threads: availableParallelism(),
      detail: `${pkg} (libtensorflow${gpu ? ', CUDA' : ''})`
    }
  }
}

async function tryWasm(): Promise<Attempt> {
  // Node has no fetch-from-URL for the .wasm binaries, so point tfjs at the package's dist folder on disk.
  const distDir = join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')
  tfWasm.setWasmPaths(`${distDir}/`)
  const failure = await activate('wasm')
  if (failure) return { ok: false, reason: `wasm: ${failure}` }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))
  const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))
  const threads = multithread ? tfWasm.getThreadsCount() : 1
  return {
    ok: true,
    reason: '',
    info: { name: 'wasm', simd, threads, detail: `@tensorflow/tfjs-backend-wasm from ${distDir}` }
  }
}

async function tryCpu(): Promise<Attempt> {
  const failure = await activate('cpu')
  if (failure) return { ok: false, reason: `cpu: ${failure}` }
  return { ok: true, reason: '', info: { name: 'cpu', simd: false, threads: 1, detail: 'tfjs pure-JS cpu backend' } }
}

function attemptsFor(choice: ForcedBackend | undefined): Array<() => Promise<Attempt>> {
  const tensorflow = [() => tryTensorflow('@tensorflow/tfjs-node-gpu'), () => tryTensorflow('@tensorflow/tfjs-node')]
  switch (choice) {
    case 'tensorflow':
      return tensorflow
    case 'wasm':
      return [tryWasm]
    case 'cpu':
      return [tryCpu]
    case undefined:
      return [...tensorflow, tryWasm, tryCpu]
  }
}

function forcedFromEnv(): ForcedBackend | undefined {
  const raw = process.env[BACKEND_ENV_VAR]?.trim().toLowerCase()
  if (!raw) return undefined
  if (raw === 'tensorflow' || raw === 'wasm' || raw === 'cpu') return raw
  throw new Error(`${BACKEND_ENV_VAR}="${raw}" is not one of tensorflow, wasm, cpu`)
}

/**
 * Selects and activates a tfjs backend. `opts.force` wins over the FACE_STUDIO_BACKEND env var;
 * a forced backend that cannot start throws BackendUnavailableError instead of falling back.
 */
export async function initBackend(opts: { force?: ForcedBackend } = {}): Promise<BackendInfo> {
  const forced = opts.force ?? forcedFromEnv()
  const reasons: string[] = []
  for (const attempt of attemptsFor(forced)) {
    const result = await attempt()
    if (result.ok && result.info) {
      current = result.info
      return result.info
    }
    reasons.push(result.reason)
  }
  if (forced) throw new BackendUnavailableError(forced, reasons.join('; '))
  throw new Error(`no tfjs backend could start: ${reasons.join('; ')}`)
}

/** The backend chosen by the last initBackend call, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current
}

/** Status-bar / benchmark form, e.g. "wasm · SIMD · 1 thread". */
export function describeBackend(info: BackendInfo | undefined = current): string {
  if (!info) return 'no backend'
  const parts: string[] = [info.name]
  if (info.name === 'wasm') parts.push(info.simd ? 'SIMD' : 'no SIMD')
  if (info.name === 'tensorflow-gpu') parts.push('CUDA')
  parts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`)
  return parts.join(' · ')
}
