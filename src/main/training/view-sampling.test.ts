/**
 * One view per face per epoch (train.ts `viewKeys`, fit.ts's `sampleViews` option, off by default): an epoch trains on one of
 * each face's rows, so it costs what one view does, and over the epochs every view is used.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { readHeadWeights } from './head'
import { blobs, useBackend } from './testing'
import { trainHead, type TrainOptions } from './train'

beforeAll(() => useBackend('cpu'))

const d = blobs({ n: 240, dim: 8, classes: ['a', 'b', 'c'], separation: 0.7, seed: 9 })
const n = d.features.length
const train = Array.from({ length: 180 }, (_, i) => i)
const validation = Array.from({ length: n - 180 }, (_, i) => 180 + i)
const base: Omit<TrainOptions, 'features' | 'labels' | 'rows'> = {
  kind: 'classification',
  seed: 4,
  epochs: 6,
  batchSize: 32,
  classWeights: 'balanced',
  earlyStoppingPatience: 100
}

async function weights(options: TrainOptions): Promise<number[]> {
  const r = await trainHead(options)
  const w = readHeadWeights(r.model)
  r.model.dispose()
  return [...w.output.kernel, ...w.output.bias]
}

/** Every face twice: rows 0…n−1 as given, rows n…2n−1 its second view (train-only, keyed by the face). */
function twoViews(second: (f: Float32Array) => Float32Array): TrainOptions {
  return {
    ...base,
    features: [...d.features, ...d.features.map(second)],
    labels: [...d.labels, ...d.labels],
    rows: { train: [...train, ...train.map((i) => i + n)], validation },
    viewKeys: [...d.ids, ...d.ids]
  }
}

describe('one view per face per epoch', () => {
  it('with two identical views, trains exactly the head one view trains (an epoch is one row per face)', async () => {
    const single = await weights({ ...base, features: d.features, labels: d.labels, rows: { train, validation } })
    const sampled = await weights(twoViews((f) => Float32Array.from(f)))
    expect(sampled).toEqual(single)
    // Without viewKeys the same rows make twice the steps per epoch: another head.
    const { viewKeys: _v, ...allRows } = twoViews((f) => Float32Array.from(f))
    expect(await weights(allRows)).not.toEqual(single)
  })

  it('uses the second views too: a different second view gives a different head, the same seed the same one', async () => {
    const single = await weights({ ...base, features: d.features, labels: d.labels, rows: { train, validation } })
    const shifted = twoViews((f) => f.map((v) => v + 0.5))
    const a = await weights(shifted)
    expect(a).not.toEqual(single)
    expect(await weights(shifted)).toEqual(a)
  })

  it('refuses keys that do not cover the rows', async () => {
    await expect(trainHead({ ...twoViews((f) => f), viewKeys: d.ids })).rejects.toThrow(/viewKeys has no key/)
  })
})
