import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildHead } from './head'
import { trainingSetHash } from './hash'
import { loadVersion, saveVersion, VersionExistsError, type NewVersionMetadata } from './store'
import { cleanupTemp, listVersions, ModelIntegrityError } from './version-files'
import { useBackend } from './testing'

const LABELS = ['neutral', 'happy', 'sad']
const metadata: NewVersionMetadata = {
  kind: 'classification',
  labels: LABELS,
  feature_kind: 'expression',
  input_dim: 8,
  parent_version: 0,
  hyperparameters: { epochs: 50, batchSize: 128, learningRate: 1e-3 },
  seed: 7,
  training_set_hash: trainingSetHash([
    { id: 'b', value: 'sad' },
    { id: 'a', value: 'happy' }
  ]),
  counts: { neutral: 1, happy: 1, sad: 1 },
  duration_ms: 12,
  metrics: { val_acc: 0.9 },
  mitigation: { method: 'group_penalty', params: { lambda: 1, mode: 'positive_rate' } }
}

let root: string
let model: tf.Sequential
beforeAll(() => useBackend('cpu'))
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fs-store-'))
  model = buildHead({ inputDim: 8, labels: LABELS, hidden: 4, seed: 1 })
})
afterEach(async () => {
  model.dispose()
  await rm(root, { recursive: true, force: true })
})

describe('model store', () => {
  it('saves a version atomically and loads the same model back', async () => {
    const saved = await saveVersion(root, { task: 'expression', versionNumber: 1, model, metadata })
    expect(saved.path).toBe(path.join(root, 'expression', 'v1'))
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect((await readdir(saved.path)).sort()).toEqual(['SHA256SUMS', 'metadata.json', 'model.json', 'weights.bin'])
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([])

    const loaded = await loadVersion(saved.path, saved.sha256)
    expect(loaded.metadata).toMatchObject({
      task: 'expression',
      version: 1,
      parent_version: 0,
      backend: 'cpu',
      labels: LABELS
    })
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]])
    const want = (model.predict(x) as tf.Tensor).dataSync()
    const got = (loaded.model.predict(x) as tf.Tensor).dataSync()
    expect(Array.from(got)).toEqual(Array.from(want))
    tf.dispose(x)
    loaded.model.dispose()
  })

  it('refuses to overwrite an existing version', async () => {
    await saveVersion(root, { task: 'expression', versionNumber: 1, model, metadata })
    await expect(saveVersion(root, { task: 'expression', versionNumber: 1, model, metadata })).rejects.toBeInstanceOf(
      VersionExistsError
    )
    await expect(saveVersion(root, { task: '../escape', versionNumber: 1, model, metadata })).rejects.toThrow(
      /task name/
    )
  })

  it.each(['weights.bin', 'model.json', 'metadata.json'])('names a tampered %s and never loads it', async (file) => {
    const saved = await saveVersion(root, { task: 'expression', versionNumber: 1, model, metadata })
    const target = path.join(saved.path, file)
    const bytes = await readFile(target)
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1
    await writeFile(target, bytes)
    const error = await loadVersion(saved.path, saved.sha256).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelIntegrityError)
    expect((error as ModelIntegrityError).file).toBe(file)
    expect((error as Error).message).toContain(file)
  })

  it('reports a missing file, and a tampered SHA256SUMS as unattributable', async () => {
    const saved = await saveVersion(root, { task: 'expression', versionNumber: 1, model, metadata })
    await writeFile(path.join(saved.path, 'SHA256SUMS'), 'forged\n')
    // SHA256SUMS alone changing does not matter: the files still hash to the recorded value.
    const ok = await loadVersion(saved.path, saved.sha256)
    ok.model.dispose()
    await writeFile(path.join(saved.path, 'metadata.json'), '{}')
    const error = await loadVersion(saved.path, saved.sha256).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelIntegrityError)
    expect((error as ModelIntegrityError).file).toBeNull()
    await rm(path.join(saved.path, 'weights.bin'))
    await expect(loadVersion(saved.path, saved.sha256)).rejects.toMatchObject({
      name: 'ModelIntegrityError',
      file: 'weights.bin'
    })
  })

  it('ignores and cleans up the temp folder of a crashed save; lists only complete versions', async () => {
    await saveVersion(root, { task: 'expression', versionNumber: 0, model, metadata })
    await saveVersion(root, { task: 'expression', versionNumber: 2, model, metadata })
    // A crash mid-save leaves a temp folder from a process that no longer exists…
    const crashed = path.join(root, '.expression-v3.tmp-999999999-abcdef')
    await mkdir(crashed)
    await writeFile(path.join(crashed, 'model.json'), '{')
    // …an incomplete folder copied in by hand is not a version either,
    await mkdir(path.join(root, 'expression', 'v4'))
    await writeFile(path.join(root, 'expression', 'v4', 'model.json'), '{}')
    // …and a temp folder of a live writer (this process) must survive cleanup.
    const live = path.join(root, `.expression-v5.tmp-${process.pid}-123abc`)
    await mkdir(live)

    const versions = await listVersions(root, 'expression')
    expect(versions.map((v) => v.version)).toEqual([0, 2])
    expect(await listVersions(root, 'unknown-task')).toEqual([])

    expect(await cleanupTemp(root)).toEqual([crashed])
    const left = await readdir(root)
    expect(left).not.toContain(path.basename(crashed))
    expect(left).toContain(path.basename(live))
    // An hour later the live-pid folder is considered stale (pid reuse after a crash).
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000)
    await utimes(live, old, old)
    expect(await cleanupTemp(root)).toEqual([live])
  })

  it('writes identical weights.bin and model.json for identical models', async () => {
    const twin = buildHead({ inputDim: 8, labels: LABELS, hidden: 4, seed: 1 })
    const a = await saveVersion(root, {
      task: 't',
      versionNumber: 1,
      model,
      metadata: { ...metadata, created_at: 'x' }
    })
    const b = await saveVersion(root, {
      task: 't',
      versionNumber: 2,
      model: twin,
      metadata: { ...metadata, created_at: 'x' }
    })
    twin.dispose()
    for (const f of ['weights.bin', 'model.json']) {
      expect((await readFile(path.join(a.path, f))).equals(await readFile(path.join(b.path, f)))).toBe(true)
    }
  })
})

describe('trainingSetHash', () => {
  it('ignores order and changes with any value', () => {
    const a = trainingSetHash([
      { id: 1, value: 'x' },
      { id: 2, value: 'y' }
    ])
    expect(
      trainingSetHash([
        { id: 2, value: 'y' },
        { id: 1, value: 'x' }
      ])
    ).toBe(a)
    expect(
      trainingSetHash([
        { id: 1, value: 'x' },
        { id: 2, value: 'z' }
      ])
    ).not.toBe(a)
  })
})
