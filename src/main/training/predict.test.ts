import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead, readHeadWeights } from './head'
import { predictBatch, predictRaw } from './predict'
import { blobs, denseSoftmax, useBackend } from './testing'

beforeAll(() => useBackend('cpu'))

describe('predictBatch', () => {
  const data = blobs({ n: 300, dim: 32, classes: ['a', 'b', 'c'], separation: 1, seed: 1 })

  it('gives the same answers from a model and from its raw weights, across chunk sizes', async () => {
    const model = buildHead({ inputDim: 32, labels: ['a', 'b', 'c'], hidden: 8, seed: 3 })
    const before = tf.memory().numTensors
    const fromModel = await predictBatch(model, data.features, 'classification', ['a', 'b', 'c'], 64)
    const fromWeights = await predictBatch(readHeadWeights(model), data.features, 'classification', ['a', 'b', 'c'])
    expect(tf.memory().numTensors).toBe(before)
    expect(fromModel).toHaveLength(300)
    fromModel.forEach((p, i) => {
      const q = fromWeights[i]!
      expect(q.label).toBe(p.label)
      expect(q.confidence).toBeCloseTo(p.confidence, 5)
      expect(p.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
      expect(p.confidence).toBe(Math.max(...p.probs))
    })
    model.dispose()
  })

  it('accepts one packed buffer and matches a plain-JS dense softmax', async () => {
    const w = {
      kernel: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)),
      kernelShape: [32, 2] as [number, number],
      bias: Float32Array.of(0.1, -0.2)
    }
    const packed = new Float32Array(300 * 32)
    data.features.forEach((f, i) => packed.set(f, i * 32))
    const out = await predictRaw(w, { data: packed, dim: 32 }, 'classification', 100)
    expect(out.rows).toBe(300)
    data.features.slice(0, 10).forEach((f, i) => {
      const want = denseSoftmax(f, w.kernel, w.bias, 2)
      expect(out.values[i * 2]).toBeCloseTo(want[0]!, 5)
    })
  })

  it('returns values for a regression head', async () => {
    const w = {
      kernel: new Float32Array(32).fill(1),
      kernelShape: [32, 1] as [number, number],
      bias: Float32Array.of(30)
    }
    const out = await predictBatch(w, data.features.slice(0, 3), 'regression')
    out.forEach((p, i) => expect(p.value).toBeCloseTo(30 + data.features[i]!.reduce((a, b) => a + b, 0), 3))
  })
})

describe('predictBatch on wasm', () => {
  it('agrees with cpu', async () => {
    const data = blobs({ n: 500, dim: 256, classes: ['a', 'b'], separation: 0.2, seed: 2 })
    const model = buildHead({ inputDim: 256, labels: ['a', 'b'], hidden: 16, seed: 3 })
    const weights = readHeadWeights(model)
    model.dispose()
    const onCpu = await predictRaw(weights, data.features, 'classification')
    await useBackend('wasm')
    try {
      const onWasm = await predictRaw(weights, data.features, 'classification')
      onCpu.values.forEach((v, i) => expect(Math.abs(v - onWasm.values[i]!)).toBeLessThan(1e-5))
    } finally {
      await useBackend('cpu')
    }
  })
})
