import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { trainingSetHash } from './hash'
import { describeTraining } from './metadata'
import { loadVersion, saveVersion } from './store'
import { trainHead, type TrainOptions } from './train'
import { blobs, useBackend } from './testing'

beforeAll(() => useBackend('cpu'))

describe('describeTraining', () => {
  it('records a trained head so that it saves, verifies and loads with its provenance', async () => {
    const data = blobs({ n: 200, dim: 8, classes: ['f', 'm'], separation: 1, seed: 2 })
    const options: TrainOptions = {
      features: data.features,
      labels: data.labels,
      ids: data.ids,
      kind: 'classification',
      seed: 4,
      epochs: 3,
      classWeights: 'balanced',
      groupPenalty: { groups: data.ids.map((_, i) => (i % 2 ? 'g1' : 'g2')), lambda: 0.5, mode: 'positive_rate' }
    }
    const result = await trainHead(options)
    const hash = trainingSetHash(data.ids.map((id, i) => ({ id, value: data.labels[i]! })))
    const metadata = describeTraining({
      options,
      result,
      featureKind: 'age_gender',
      parentVersion: 0,
      trainingSetHash: hash
    })
    const root = await mkdtemp(path.join(os.tmpdir(), 'fs-meta-'))
    try {
      const saved = await saveVersion(root, { task: 'gender', versionNumber: 1, model: result.model, metadata })
      const loaded = await loadVersion(saved.path, saved.sha256)
      expect(loaded.metadata).toMatchObject({
        task: 'gender',
        version: 1,
        labels: ['f', 'm'],
        input_dim: 8,
        seed: 4,
        training_set_hash: hash,
        counts: result.counts,
        mitigation: { method: 'group_penalty', params: { lambda: 0.5, mode: 'positive_rate' } }
      })
      expect(loaded.metadata.hyperparameters).toMatchObject({ epochs: 3, batchSize: 128, classWeights: 'balanced' })
      expect(loaded.metadata.metrics).toHaveProperty('val_loss')
      loaded.model.dispose()
    } finally {
      result.model.dispose()
      await rm(root, { recursive: true, force: true })
    }
  })
})
