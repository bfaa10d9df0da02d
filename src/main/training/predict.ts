/**
 * Batch prediction of a head over stored features (re-predicting every face after a new version).
 *
 * Rows go through the backend in chunks inside tf.tidy so peak memory stays bounded for 100k+
 * faces; results are read back per chunk, which also lets the event loop breathe between chunks.
 */
import * as tf from '@tensorflow/tfjs'
import type { DenseWeights, HeadInit } from './head'
import { toMatrix, type FeatureInput } from './features'

export interface ClassPrediction {
  label: string
  /** Probability of `label` (the argmax). */
  confidence: number
  /** All class probabilities, in label order (a view into one shared buffer). */
  probs: Float32Array
}

export interface RegressionPrediction {
  value: number
}

/** A loaded model, or raw dense weights (e.g. face-api's built-in head) applied without building one. */
export type Predictor = tf.LayersModel | HeadInit

export const PREDICT_CHUNK = 8192

export function predictBatch(
  predictor: Predictor,
  features: FeatureInput,
  kind: 'classification',
  labels: readonly string[],
  chunkSize?: number
): Promise<ClassPrediction[]>
export function predictBatch(
  predictor: Predictor,
  features: FeatureInput,
  kind: 'regression',
  labels?: readonly string[],
  chunkSize?: number
): Promise<RegressionPrediction[]>
export async function predictBatch(
  predictor: Predictor,
  features: FeatureInput,
  kind: 'classification' | 'regression',
  labels: readonly string[] = [],
  chunkSize = PREDICT_CHUNK
): Promise<ClassPrediction[] | RegressionPrediction[]> {
  const out = await predictRaw(predictor, features, kind, chunkSize)
  if (kind === 'regression') {
    if (out.width !== 1) throw new RangeError(`a regression head has 1 output, this one has ${out.width}`)
    return Array.from(out.values, (value) => ({ value }))
  }
  if (labels.length !== out.width) throw new RangeError(`${labels.length} labels for ${out.width} outputs`)
  const rows: ClassPrediction[] = new Array(out.rows)
  for (let r = 0; r < out.rows; r++) {
    const probs = out.values.subarray(r * out.width, (r + 1) * out.width)
    let best = 0
    for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k
    rows[r] = { label: labels[best]!, confidence: probs[best]!, probs }
  }
  return rows
}

/**
 * The head's outputs as one row-major N×width buffer (probabilities for classification, values for
 * regression), for callers that want to store them without building per-row objects.
 */
export async function predictRaw(
  predictor: Predictor,
  features: FeatureInput,
  kind: 'classification' | 'regression',
  chunkSize = PREDICT_CHUNK
): Promise<{ values: Float32Array; rows: number; width: number }> {
  const x = toMatrix(features)
  // model.predict would otherwise re-split each chunk into batches of 32, ~40× slower on wasm.
  const dense = isLayersModel(predictor) ? null : denseForward(predictor, kind)
  const forward =
    dense ?? ((t: tf.Tensor2D) => (predictor as tf.LayersModel).predict(t, { batchSize: t.shape[0] }) as tf.Tensor2D)
  try {
    let values = new Float32Array(0)
    let width = 0
    for (let start = 0; start < x.rows; start += chunkSize) {
      const size = Math.min(chunkSize, x.rows - start)
      const y = tf.tidy(() =>
        forward(tf.tensor2d(x.data.subarray(start * x.dim, (start + size) * x.dim), [size, x.dim]))
      )
      try {
        if (start === 0) {
          width = y.shape[1] ?? 0
          values = new Float32Array(x.rows * width)
        }
        values.set(await y.data(), start * width)
      } finally {
        y.dispose()
      }
    }
    return { values, rows: x.rows, width }
  } finally {
    dense?.dispose()
  }
}

/** Features with, optionally, a second (mirrored) view of some rows: `has[i]` = 1 where row i has one. */
export type ViewedFeatures = {
  data: Float32Array
  dim: number
  mirror?: { data: Float32Array; has: Uint8Array } | undefined
}

/**
 * predictRaw over both views of each face (issue 11 §2): where a row has a mirrored view, its output is the mean
 * of the two views' outputs (probabilities for classification, values for regression); other rows keep their
 * single view. Training (validation, calibration), evaluation and every stored prediction go through this, so
 * the metrics are those of the averaged prediction the app shows.
 */
export async function predictViews(
  predictor: Predictor,
  features: ViewedFeatures,
  kind: 'classification' | 'regression',
  chunkSize = PREDICT_CHUNK
): Promise<{ values: Float32Array; rows: number; width: number }> {
  const out = await predictRaw(predictor, features, kind, chunkSize)
  const m = features.mirror
  if (!m || out.rows === 0) return out
  const rows: number[] = []
  for (let i = 0; i < out.rows; i++) if (m.has[i]) rows.push(i)
  if (rows.length === 0) return out
  const { dim } = features
  const packed = new Float32Array(rows.length * dim)
  rows.forEach((r, j) => packed.set(m.data.subarray(r * dim, (r + 1) * dim), j * dim))
  const other = await predictRaw(predictor, { data: packed, dim }, kind, chunkSize)
  averageRows(out.values, other.values, rows, out.width)
  return out
}

/** values[rows[j]] ← (values[rows[j]] + other[j]) / 2, row by row (width values each). */
export function averageRows(values: Float32Array, other: Float32Array, rows: readonly number[], width: number): void {
  rows.forEach((r, j) => {
    for (let c = 0; c < width; c++) values[r * width + c] = (values[r * width + c]! + other[j * width + c]!) / 2
  })
}

function isLayersModel(p: Predictor): p is tf.LayersModel {
  return p instanceof tf.LayersModel
}

/** Forward pass over raw weights; the weight tensors live until `dispose` is called. */
function denseForward(
  init: HeadInit,
  kind: 'classification' | 'regression'
): ((x: tf.Tensor2D) => tf.Tensor2D) & { dispose(): void } {
  const layers: DenseWeights[] = 'output' in init ? [...(init.hidden ? [init.hidden] : []), init.output] : [init]
  const tensors = layers.map((l) => ({ k: tf.tensor2d(l.kernel, l.kernelShape), b: tf.tensor1d(l.bias) }))
  const fn = (x: tf.Tensor2D): tf.Tensor2D => {
    let h = x
    tensors.forEach(({ k, b }, i) => {
      const z = tf.add(tf.matMul(h, k), b) as tf.Tensor2D
      h = i < tensors.length - 1 ? tf.relu(z) : kind === 'classification' ? tf.softmax(z) : z
    })
    return h
  }
  return Object.assign(fn, { dispose: () => tensors.forEach(({ k, b }) => tf.dispose([k, b])) })
}
