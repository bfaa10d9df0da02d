// The built-in attribute heads ("version 0" of each task) as plain functions over stored features.
// They are face-api's own final fully-connected layers, copied out of the loaded nets, so running them
// over features saved at import reproduces face-api's predictions without touching the image again,
// and training can warm-start from exactly these weights.
import { faceapi, type Tensor } from './tfjs'

export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number]

/** face-api's gender softmax is ordered [male, female]. */
export const GENDER_LABELS = ['male', 'female'] as const
export type GenderLabel = (typeof GENDER_LABELS)[number]

export type HeadKind = 'expression' | 'age' | 'gender'

export const FEATURE_DIMS = { expression: 256, ageGender: 512, descriptor: 128 } as const

/** A dense layer y = act(x · kernel + bias); kernel is row-major [inputDim, outputDim] as in tfjs. */
export interface HeadWeights {
  kind: HeadKind
  labels: readonly string[]
  activation: 'softmax' | 'linear'
  kernel: Float32Array
  kernelShape: [number, number]
  bias: Float32Array
  biasShape: [number]
}

interface FcParams {
  weights: Tensor
  bias: Tensor
}

const cache = new WeakMap<object, HeadWeights>()

function copyFc(
  kind: HeadKind,
  fc: FcParams,
  labels: readonly string[],
  activation: HeadWeights['activation']
): HeadWeights {
  const [inputDim, outputDim] = fc.weights.shape as [number, number]
  return {
    kind,
    labels,
    activation,
    kernel: Float32Array.from(fc.weights.dataSync()),
    kernelShape: [inputDim, outputDim],
    bias: Float32Array.from(fc.bias.dataSync()),
    biasShape: [outputDim]
  }
}

function fcOf(kind: HeadKind): FcParams {
  if (kind === 'expression') {
    const params = faceapi.nets.faceExpressionNet.params as unknown as { fc: FcParams } | undefined
    if (!params) throw new Error('faceExpressionNet is not loaded: call loadModels first')
    return params.fc
  }
  const params = faceapi.nets.ageGenderNet.params as unknown as { fc: { age: FcParams; gender: FcParams } } | undefined
  if (!params) throw new Error('ageGenderNet is not loaded: call loadModels first')
  return kind === 'age' ? params.fc.age : params.fc.gender
}

// One read-only copy per loaded net (keyed by its params, so reloading the models invalidates it).
function cachedHead(kind: HeadKind): HeadWeights {
  const fc = fcOf(kind)
  let head = cache.get(fc)
  if (!head) {
    if (kind === 'expression') head = copyFc(kind, fc, EXPRESSION_LABELS, 'softmax')
    else if (kind === 'age') head = copyFc(kind, fc, ['age'], 'linear')
    else head = copyFc(kind, fc, GENDER_LABELS, 'softmax')
    cache.set(fc, head)
  }
  return head
}

/** The built-in head's weights (fresh copies, safe to mutate) for warm-starting a fine-tune. Requires loadModels. */
export function builtinHeadWeights(kind: HeadKind): HeadWeights {
  const head = cachedHead(kind)
  return { ...head, kernel: head.kernel.slice(), bias: head.bias.slice() }
}

export function denseLogits(features: ArrayLike<number>, head: HeadWeights): Float64Array {
  const [inputDim, outputDim] = head.kernelShape
  if (features.length !== inputDim)
    throw new Error(`${head.kind} head expects ${inputDim} features, got ${features.length}`)
  const out = new Float64Array(outputDim)
  for (let j = 0; j < outputDim; j++) out[j] = head.bias[j]!
  for (let i = 0; i < inputDim; i++) {
    const x = features[i]!
    const row = i * outputDim
    for (let j = 0; j < outputDim; j++) out[j]! += x * head.kernel[row + j]!
  }
  return out
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

/** Runs any dense head (built-in or fine-tuned) over one feature vector. */
export function applyHead(features: ArrayLike<number>, head: HeadWeights): number[] {
  const logits = denseLogits(features, head)
  return head.activation === 'softmax' ? softmax(logits) : Array.from(logits)
}

/** Probabilities in EXPRESSION_LABELS order (face-api's order). */
export function expressionHeadV0(feat256: ArrayLike<number>): number[] {
  return applyHead(feat256, cachedHead('expression'))
}

/** Estimated age in years. */
export function ageHeadV0(feat512: ArrayLike<number>): number {
  return applyHead(feat512, cachedHead('age'))[0]!
}

export function genderHeadV0(feat512: ArrayLike<number>): { female: number; male: number } {
  const [male, female] = applyHead(feat512, cachedHead('gender')) as [number, number]
  return { female, male }
}

/** The arg-max label of a probability vector, with its probability. */
export function topLabel<L extends string>(
  labels: readonly L[],
  probs: readonly number[]
): { label: L; confidence: number } {
  let best = 0
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i
  return { label: labels[best]!, confidence: probs[best]! }
}
