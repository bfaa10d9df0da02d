import { afterEach, describe, expect, it } from 'vitest'
import { BACKEND_ENV_VAR, BackendUnavailableError, describeBackend, initBackend } from './backend'
import { nodeRequire, tf } from './tfjs'

function installed(pkg: string): boolean {
  try {
    nodeRequire.resolve(pkg)
    return true
  } catch {
    return false
  }
}

const hasTensorflow = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')

describe('initBackend', () => {
  afterEach(() => {
    delete process.env[BACKEND_ENV_VAR]
  })

  it.skipIf(hasTensorflow)('defaults to wasm with SIMD when tfjs-node is not installed', async () => {
    const info = await initBackend()
    expect(info.name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(info.simd).toBe(true)
    expect(info.threads).toBeGreaterThanOrEqual(1)
    expect(describeBackend(info)).toMatch(/^wasm · SIMD · \d+ threads?$/)
    console.log(`default backend: ${describeBackend()} (${info.detail})`)
  })

  it(`${BACKEND_ENV_VAR}=cpu selects cpu`, async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu'
    const info = await initBackend()
    expect(info.name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(describeBackend()).toBe('cpu · 1 thread')
  })

  it('opts.force wins over the env var', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu'
    expect((await initBackend({ force: 'wasm' })).name).toBe('wasm')
  })

  it.skipIf(hasTensorflow)('a forced backend that is not installed throws instead of falling back', async () => {
    process.env[BACKEND_ENV_VAR] = 'tensorflow'
    await expect(initBackend()).rejects.toBeInstanceOf(BackendUnavailableError)
  })

  it('rejects an unknown env value', async () => {
    process.env[BACKEND_ENV_VAR] = 'webgl'
    await expect(initBackend()).rejects.toThrow(/not one of/)
  })
})
