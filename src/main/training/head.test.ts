import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead, readHeadWeights, type DenseWeights } from './head'
import { mulberry32, normal } from '../analysis/random'
import { denseSoftmax, useBackend } from './testing'

/** Stand-in for face-api's expression head: dense 256→7 with non-trivial weights. */
function fakeBuiltin(inDim: number, out: number, seed: number): DenseWeights {
  const rng = mulberry32(seed)
  return {
    kernel: Float32Array.from({ length: inDim * out }, () => normal(rng) * 0.1),
    kernelShape: [inDim, out],
    bias: Float32Array.from({ length: out }, () => normal(rng) * 0.5)
  }
}
const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

beforeAll(() => useBackend('cpu'))

describe('buildHead', () => {
  it('gives identical weights for the same seed, different for another', () => {
    const weights = (seed: number): Float32Array => {
      const m = buildHead({ inputDim: 16, labels: ['a', 'b', 'c'], hidden: 8, seed })
      const w = readHeadWeights(m)
      m.dispose()
      return Float32Array.from([...w.hidden!.kernel, ...w.output.kernel])
    }
    expect(weights(5)).toEqual(weights(5))
    expect(weights(5)).not.toEqual(weights(6))
  })

  it('warm-started from built-in weights reproduces their predictions exactly', () => {
    const init = fakeBuiltin(256, 7, 1)
    const model = buildHead({ inputDim: 256, labels: EXPRESSIONS, init, seed: 0 })
    const rng = mulberry32(2)
    const xs = Array.from({ length: 20 }, () => Float32Array.from({ length: 256 }, () => normal(rng)))
    const got = tf.tidy(
      () => (model.predict(tf.tensor2d(xs.map((x) => Array.from(x)))) as tf.Tensor).arraySync() as number[][]
    )
    xs.forEach((x, i) => {
      const want = denseSoftmax(x, init.kernel, init.bias, 7)
      want.forEach((p, k) => expect(got[i]![k]).toBeCloseTo(p, 5))
    })
    const w = readHeadWeights(model)
    expect(w.output.kernel).toEqual(init.kernel)
    expect(w.output.bias).toEqual(init.bias)
    model.dispose()
  })

  it('adds a fresh, small, seeded unit for a new label and keeps the copied columns', () => {
    const init = fakeBuiltin(256, 7, 1)
    const labels = [...EXPRESSIONS, 'contempt']
    const model = buildHead({ inputDim: 256, labels, init, seed: 9, extraOutputs: 1 })
    const w = readHeadWeights(model)
    expect(w.output.kernelShape).toEqual([256, 8])
    for (let r = 0; r < 256; r++) {
      for (let c = 0; c < 7; c++) expect(w.output.kernel[r * 8 + c]).toBe(init.kernel[r * 7 + c])
      expect(Math.abs(w.output.kernel[r * 8 + 7]!)).toBeLessThan(0.06)
    }
    expect(w.output.bias[7]).toBe(Math.min(...init.bias))
    const again = buildHead({ inputDim: 256, labels, init, seed: 9 })
    expect(readHeadWeights(again).output.kernel).toEqual(w.output.kernel)
    expect(() => buildHead({ inputDim: 256, labels, init, seed: 9, extraOutputs: 2 })).toThrow(/extraOutputs/)
    model.dispose()
    again.dispose()
  })

  it('maps warm-start columns by label name when the init knows its labels', () => {
    const init = { ...fakeBuiltin(4, 2, 3), labels: ['male', 'female'] }
    const model = buildHead({ inputDim: 4, labels: ['female', 'male', 'other'], init, seed: 1 })
    const w = readHeadWeights(model).output
    for (let r = 0; r < 4; r++) {
      expect(w.kernel[r * 3]).toBe(init.kernel[r * 2 + 1])
      expect(w.kernel[r * 3 + 1]).toBe(init.kernel[r * 2])
    }
    model.dispose()
  })

  it('builds a linear regression head (age) and rejects mismatched warm starts', () => {
    const init = fakeBuiltin(512, 1, 4)
    const model = buildHead({ inputDim: 512, labels: 'regression', init, seed: 0 })
    expect(model.outputs[0]!.shape).toEqual([null, 1])
    model.dispose()
    expect(() => buildHead({ inputDim: 256, labels: 'regression', init, seed: 0 })).toThrow(/inputs/)
    expect(() => buildHead({ inputDim: 512, labels: ['a', 'b'], hidden: 4, init, seed: 0 })).toThrow()
  })
})
