/**
 * A task "head": a small dense model over one kind of stored face features.
 *
 * Shape: [optional dense(hidden, relu)] → dense(outputs, softmax | linear). Version 0 of a
 * built-in task is face-api's own dense head, so the weights we are given must reproduce its
 * predictions exactly; a label added later gets a fresh output unit next to the copied ones.
 *
 * Initial weights come from our own seeded PRNG (not tfjs initialisers) so a seed fixes them
 * bit-for-bit regardless of backend or of how many other models the process has built.
 */
import * as tf from '@tensorflow/tfjs'
import { mulberry32, normal, type Rng } from '../analysis/random'
import { deriveSeed } from './split'

/** A dense layer's weights, row-major kernel [in, out] as tfjs stores it. */
export interface DenseWeights {
  kernel: Float32Array
  kernelShape: [number, number]
  bias: Float32Array
  /**
   * Output labels of these columns, when known. With them, columns are matched to the new head's
   * labels by name (so a reordered or extended label set still warm-starts correctly); without
   * them, column i goes to label i.
   */
  labels?: readonly string[]
}

/** Warm-start weights: just the output layer (face-api heads), or both layers of a previous head. */
export type HeadInit = DenseWeights | { hidden?: DenseWeights; output: DenseWeights }

export interface HeadSpec {
  inputDim: number
  /** Output labels (one softmax unit each), or 'regression' for a single linear output. */
  labels: readonly string[] | 'regression'
  /** Units of an optional relu hidden layer. */
  hidden?: number
  init?: HeadInit
  /**
   * Optional consistency check for callers that track it: how many output units are new
   * (labels.length − init width). The width itself always comes from `labels`.
   */
  extraOutputs?: number
  /** Seeds every freshly initialised weight. */
  seed: number
}

export type HeadActivation = 'relu' | 'softmax' | 'linear'

/** Live handles on a head's dense layers, for the custom training loop. */
export interface DenseVars {
  kernel: tf.Variable
  bias: tf.Variable
  activation: HeadActivation
}

/** Stable layer names so saved model.json files do not depend on tfjs's global name counters. */
const HIDDEN_NAME = 'hidden'
const OUTPUT_NAME = 'output'

/** Standard deviation of a new label's kernel column: small, so existing predictions barely move. */
const NEW_UNIT_STD = 0.01

export function buildHead(spec: HeadSpec): tf.Sequential {
  const { inputDim, hidden } = spec
  if (!Number.isInteger(inputDim) || inputDim <= 0)
    throw new RangeError(`inputDim must be a positive integer, got ${inputDim}`)
  if (hidden !== undefined && (!Number.isInteger(hidden) || hidden <= 0)) {
    throw new RangeError(`hidden must be a positive integer, got ${hidden}`)
  }
  const regression = spec.labels === 'regression'
  const outLabels = spec.labels === 'regression' ? null : spec.labels
  if (outLabels && (outLabels.length < 2 || new Set(outLabels).size !== outLabels.length)) {
    throw new RangeError('classification needs at least two distinct labels')
  }
  const outputs = outLabels ? outLabels.length : 1
  const init = normaliseInit(spec.init)

  const model = tf.sequential({ name: 'head' })
  if (hidden !== undefined) {
    model.add(tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [inputDim], name: HIDDEN_NAME }))
  }
  model.add(
    tf.layers.dense({
      units: outputs,
      activation: regression ? 'linear' : 'softmax',
      ...(hidden === undefined ? { inputShape: [inputDim] } : {}),
      name: OUTPUT_NAME
    })
  )

  const values: DenseWeights[] = []
  const outIn = hidden ?? inputDim
  if (hidden !== undefined) {
    if (init?.hidden) {
      assertShape(init.hidden, inputDim, hidden, 'init.hidden')
      values.push(init.hidden)
    } else {
      values.push(glorotDense(inputDim, hidden, mulberry32(deriveSeed(spec.seed, 'init:hidden'))))
    }
  } else if (init?.hidden) {
    throw new RangeError('init has a hidden layer but the head has none')
  }

  if (init?.output) {
    const src = init.output
    if (src.kernelShape[0] !== outIn) {
      throw new RangeError(`init.output kernel has ${src.kernelShape[0]} inputs, head's output layer has ${outIn}`)
    }
    const { weights, fresh } = warmOutput(src, outLabels, outIn, mulberry32(deriveSeed(spec.seed, 'init:new-units')))
    if (spec.extraOutputs !== undefined && spec.extraOutputs !== fresh) {
      throw new RangeError(`extraOutputs is ${spec.extraOutputs} but ${fresh} output units are new`)
    }
    values.push(weights)
  } else {
    values.push(glorotDense(outIn, outputs, mulberry32(deriveSeed(spec.seed, 'init:output'))))
  }

  setDenseWeights(model, values)
  return model
}

/** Copies a head's current weights out of the backend (for warm starts and best-epoch snapshots). */
export function readHeadWeights(model: tf.LayersModel): { hidden?: DenseWeights; output: DenseWeights } {
  const layers = denseVars(model).map((v) => ({
    kernel: v.kernel.dataSync() as Float32Array,
    kernelShape: [v.kernel.shape[0] ?? 0, v.kernel.shape[1] ?? 0] as [number, number],
    bias: v.bias.dataSync() as Float32Array
  }))
  // dataSync may return the backend's own buffer on cpu; copy so later training cannot mutate it.
  const copy = (d: DenseWeights): DenseWeights => ({ ...d, kernel: d.kernel.slice(), bias: d.bias.slice() })
  const output = layers[layers.length - 1]
  if (!output) throw new Error('head has no layers')
  const hidden = layers.length > 1 ? layers[0] : undefined
  return hidden ? { hidden: copy(hidden), output: copy(output) } : { output: copy(output) }
}

/** Overwrites a head's weights, layer by layer (hidden first). */
export function setDenseWeights(model: tf.LayersModel, layers: readonly DenseWeights[]): void {
  const tensors = layers.flatMap((l) => [tf.tensor2d(l.kernel, l.kernelShape), tf.tensor1d(l.bias)])
  try {
    // setWeights assigns the data to the variables, so our temporaries can be released after.
    model.setWeights(tensors)
  } finally {
    tf.dispose(tensors)
  }
}

/**
 * The head's dense layers as variables + activation. Validates that the model is the shape this
 * module builds (dense → dense or one dense), so the training loop's hand-written forward pass
 * matches `model.predict` exactly.
 */
export function denseVars(model: tf.LayersModel): DenseVars[] {
  const out: DenseVars[] = []
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dense') throw new Error(`unsupported head layer ${layer.getClassName()}`)
    const weights = layer.trainableWeights
    const kernel = weights.find((w) => w.originalName.endsWith('/kernel'))
    const bias = weights.find((w) => w.originalName.endsWith('/bias'))
    if (!kernel || !bias) throw new Error(`dense layer ${layer.name} needs a kernel and a bias`)
    const activation = layer.getConfig()['activation']
    if (activation !== 'relu' && activation !== 'softmax' && activation !== 'linear') {
      throw new Error(`unsupported activation ${String(activation)} in ${layer.name}`)
    }
    out.push({ kernel: kernel.read() as tf.Variable, bias: bias.read() as tf.Variable, activation })
  }
  if (out.length === 0 || out.length > 2) throw new Error(`a head has 1 or 2 dense layers, got ${out.length}`)
  return out
}

/**
 * Forward pass up to the pre-activation of the output layer (logits for softmax heads, the value
 * for regression). Training uses logits with logSoftmax, which is stabler than log(softmax(x)).
 */
export function headLogits(layers: readonly DenseVars[], x: tf.Tensor2D, xT?: tf.Tensor2D): tf.Tensor2D {
  let h = x
  layers.forEach((l, i) => {
    const w = l.kernel as tf.Tensor2D
    // The first layer's input is data: its gradient is never used, so it is not computed.
    const z = tf.add(i === 0 ? inputMatMul(h, w, xT) : denseMatMul(h, w), l.bias) as tf.Tensor2D
    h = i < layers.length - 1 ? tf.relu(z) : z
  })
  return h
}

/**
 * x · W with a gradient that multiplies untransposed operands. tfjs's own matMul gradient asks for
 * xᵀ · dy and dy · Wᵀ through the transpose flags, which the wasm backend runs on a slow path (10× slower
 * than XNNPACK's: 1.8 vs 17–23 GFLOP/s for a 512 × 256 × 128 product here); an explicit transpose first
 * keeps every product on the fast one. Same values, summed in another order.
 */
const denseMatMul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  save([x, w])
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D]
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]
    }
  }
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D

/** The first layer: no gradient for the data; the caller may pass xᵀ ready-made (train.ts builds it per batch). */
function inputMatMul(x: tf.Tensor2D, w: tf.Tensor2D, xT: tf.Tensor2D | undefined): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, ws, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    if (!xT) save([xs])
    return {
      value: tf.matMul(xs, ws),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.zerosLike(xs),
        tf.matMul(xT ?? tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D)
      ]
    }
  }) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D
  return op(x, w)
}

function normaliseInit(init: HeadInit | undefined): { hidden?: DenseWeights; output: DenseWeights } | undefined {
  if (!init) return undefined
  return 'output' in init ? init : { output: init }
}

function assertShape(w: DenseWeights, rows: number, cols: number, what: string): void {
  const [r, c] = w.kernelShape
  if (r !== rows || c !== cols) throw new RangeError(`${what} kernel is [${r}, ${c}], expected [${rows}, ${cols}]`)
  if (w.kernel.length !== r * c)
    throw new RangeError(`${what} kernel has ${w.kernel.length} values for shape [${r}, ${c}]`)
  if (w.bias.length !== c) throw new RangeError(`${what} bias has ${w.bias.length} values, expected ${c}`)
}

/** Glorot-uniform kernel, zero bias: the Keras default for dense layers. */
function glorotDense(fanIn: number, fanOut: number, rng: Rng): DenseWeights {
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  const kernel = new Float32Array(fanIn * fanOut)
  for (let i = 0; i < kernel.length; i++) kernel[i] = (rng() * 2 - 1) * limit
  return { kernel, kernelShape: [fanIn, fanOut], bias: new Float32Array(fanOut) }
}

/**
 * Builds the output layer from warm-start weights: copied columns for known labels, small seeded
 * columns for new ones. A new unit's bias starts at the lowest existing bias so the new class begins
 * unlikely (old predictions keep their ranking) yet receives gradient from its first examples.
 */
function warmOutput(
  src: DenseWeights,
  outLabels: readonly string[] | null,
  rows: number,
  rng: Rng
): { weights: DenseWeights; fresh: number } {
  const srcCols = src.kernelShape[1]
  assertShape(src, rows, srcCols, 'init.output')
  const cols = outLabels ? outLabels.length : 1
  if (!outLabels && srcCols !== 1) throw new RangeError(`a regression head has 1 output, init has ${srcCols}`)
  // For each output column, the source column it copies, or -1 for a fresh unit.
  const sourceOf: number[] = []
  if (outLabels && src.labels) {
    if (src.labels.length !== srcCols) throw new RangeError('init.output.labels does not match its kernel width')
    for (const label of outLabels) sourceOf.push(src.labels.indexOf(label))
  } else {
    if (srcCols > cols) throw new RangeError(`init has ${srcCols} outputs, more than the head's ${cols}`)
    for (let c = 0; c < cols; c++) sourceOf.push(c < srcCols ? c : -1)
  }
  const minBias = src.bias.reduce((m, b) => Math.min(m, b), Infinity)
  const kernel = new Float32Array(rows * cols)
  const bias = new Float32Array(cols)
  let fresh = 0
  sourceOf.forEach((s, c) => {
    if (s < 0) {
      fresh++
      for (let r = 0; r < rows; r++) kernel[r * cols + c] = normal(rng) * NEW_UNIT_STD
      bias[c] = Number.isFinite(minBias) ? minBias : 0
    } else {
      for (let r = 0; r < rows; r++) kernel[r * cols + c] = src.kernel[r * srcCols + s] ?? 0
      bias[c] = src.bias[s] ?? 0
    }
  })
  return { weights: { kernel, kernelShape: [rows, cols], bias }, fresh }
}
