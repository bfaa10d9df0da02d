/**
 * Test-only helpers: seeded synthetic feature sets with known structure, and backend selection.
 * Real stored features are not available to unit tests here, so data is generated with a
 * controllable class separation and group bias instead.
 */
import * as tf from '@tensorflow/tfjs'
import { mulberry32, normal } from '../analysis/random'

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
  await tf.setBackend(name)
  await tf.ready()
}

export interface Synthetic {
  features: Float32Array[]
  labels: string[]
  ids: string[]
}

/** Gaussian blobs: class c has mean `separation × m_c` (m_c random unit-variance) plus unit noise. */
export function blobs(options: {
  n: number
  dim: number
  classes: readonly string[]
  separation: number
  seed: number
  weights?: readonly number[]
}): Synthetic {
  const rng = mulberry32(options.seed)
  const means = options.classes.map(() =>
    Float32Array.from({ length: options.dim }, () => normal(rng) * options.separation)
  )
  const weights = options.weights ?? options.classes.map(() => 1)
  const total = weights.reduce((a, b) => a + b, 0)
  const features: Float32Array[] = []
  const labels: string[] = []
  const ids: string[] = []
  for (let i = 0; i < options.n; i++) {
    let u = rng() * total
    let c = 0
    while (c < weights.length - 1 && u >= weights[c]!) u -= weights[c++]!
    const mean = means[c]!
    features.push(Float32Array.from(mean, (m) => m + normal(rng)))
    labels.push(options.classes[c]!)
    ids.push(`f${i}`)
  }
  return { features, labels, ids }
}

/** Dense softmax in plain JS, the reference the tfjs heads must match. */
export function denseSoftmax(x: Float32Array, kernel: Float32Array, bias: Float32Array, out: number): number[] {
  const z = Array.from({ length: out }, (_, j) => {
    let s = bias[j]!
    for (let i = 0; i < x.length; i++) s += x[i]! * kernel[i * out + j]!
    return s
  })
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const sum = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / sum)
}
