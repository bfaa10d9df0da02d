import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from './backend'
import { builtinHeadWeights, FEATURE_DIMS } from './heads'
import { ModelIntegrityError, loadModels, verifyModelFiles } from './models'
import { MODEL_DIR } from './test-support'

async function rejection(promise: Promise<unknown>): Promise<ModelIntegrityError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ModelIntegrityError)
  return err as ModelIntegrityError
}

describe('loadModels', () => {
  const tempDirs: string[] = []

  /** A private copy of the verified model folder that a test may damage. */
  async function modelCopy(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'face-studio-models-'))
    tempDirs.push(dir)
    await cp(MODEL_DIR, dir, { recursive: true })
    return dir
  }

  beforeAll(async () => {
    await initBackend()
  })

  afterAll(async () => {
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  it('loads verified weights and exposes the built-in heads', async () => {
    const loaded = await loadModels(MODEL_DIR)
    expect(loaded.source.package).toBe('@vladmandic/face-api')
    expect(loaded.nets).toHaveLength(6)
    const expression = builtinHeadWeights('expression')
    expect(expression.kernelShape).toEqual([FEATURE_DIMS.expression, 7])
    expect(expression.kernel).toHaveLength(FEATURE_DIMS.expression * 7)
    expect(builtinHeadWeights('age').kernelShape).toEqual([FEATURE_DIMS.ageGender, 1])
    expect(builtinHeadWeights('gender').bias).toHaveLength(2)
    // Copies: a trainer mutating them must not change the built-in predictions.
    builtinHeadWeights('gender').bias.fill(99)
    expect(builtinHeadWeights('gender').bias[0]).not.toBe(99)
  })

  it('refuses a weight file with one flipped byte, naming the file', async () => {
    const dir = await modelCopy()
    const file = 'age_gender_model.bin'
    const bytes = await readFile(join(dir, file))
    bytes[1000] = bytes[1000]! ^ 0xff
    await writeFile(join(dir, file), bytes)
    const err = await rejection(loadModels(dir))
    expect(err.file).toBe(file)
    expect(err.problem).toBe('tampered')
    expect(err.message).toContain(file)
  })

  it('refuses a missing weight file', async () => {
    const dir = await modelCopy()
    await unlink(join(dir, 'face_expression_model.bin'))
    const err = await rejection(verifyModelFiles(dir))
    expect(err.file).toBe('face_expression_model.bin')
    expect(err.problem).toBe('missing')
  })
})
