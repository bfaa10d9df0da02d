// The frozen halves of the attribute nets: everything up to (not including) the final dense layer.
// Each function mirrors what face-api's FaceExpressionNet.runNet / AgeGenderNet.runNet do before their
// `fc` layer, on the same NetInput, so heads.ts applied to these vectors equals face-api's output.
import type { NetInput } from '@vladmandic/face-api'
import { faceapi, fromFaceApi, tf, toFaceApi, type Tensor, type Tensor3D } from './tfjs'
import { FEATURE_DIMS } from './heads'

function readVector(t: Tensor, expected: number, what: string): Float32Array {
  return readRows(t, 1, expected, what)[0]!
}

/** n row vectors of `dim` values each, read back outside any tidy (a tidy would walk a returned typed array). */
function readRows(t: Tensor, n: number, dim: number, what: string): Float32Array[] {
  try {
    const values = t.dataSync() as Float32Array
    if (values.length !== n * dim) throw new Error(`${what}: expected ${n}×${dim} values, got ${values.length}`)
    return Array.from({ length: n }, (_, i) => values.slice(i * dim, (i + 1) * dim))
  } finally {
    t.dispose()
  }
}

/**
 * Face crop(s) → face-api's batch input (square-padded and resized by each net itself). Several crops go as a
 * list of 3-D tensors: faceapi.toNetInput rejects a 4-D tensor holding more than one image.
 */
export async function toNetInput(face: Tensor3D | readonly Tensor3D[]): Promise<NetInput> {
  return faceapi.toNetInput(Array.isArray(face) ? face.map((f) => toFaceApi(f)) : toFaceApi(face as Tensor3D))
}

/** 256-d bottleneck of FaceExpressionNet (dense blocks + 7×7 average pool), one vector per face of the batch. */
export function expressionFeatures(input: NetInput): Float32Array[] {
  const extractor = faceapi.nets.faceExpressionNet.faceFeatureExtractor
  const out = tf.tidy(() => fromFaceApi(extractor.forwardInput(input)).reshape([-1]))
  return readRows(out, input.batchSize, FEATURE_DIMS.expression, 'expression features')
}

/**
 * 512-d TinyXception bottleneck of AgeGenderNet after its 7×7 average pool (shared by age and gender), one
 * vector per face of the batch.
 */
export function ageGenderFeatures(input: NetInput): Float32Array[] {
  const extractor = faceapi.nets.ageGenderNet.faceFeatureExtractor
  const out = tf.tidy(() => {
    const bottleneck = fromFaceApi<ReturnType<typeof tf.tensor4d>>(extractor.forwardInput(input))
    return tf.avgPool(bottleneck, [7, 7], [2, 2], 'valid').reshape([-1])
  })
  return readRows(out, input.batchSize, FEATURE_DIMS.ageGender, 'age/gender features')
}

/** 128-d identity descriptor of FaceRecognitionNet (the net's full output; it has no separate head). */
export function identityDescriptor(input: NetInput): Float32Array {
  const net = faceapi.nets.faceRecognitionNet
  const out = tf.tidy(() => fromFaceApi(net.forwardInput(input)).reshape([-1]))
  return readVector(out, FEATURE_DIMS.descriptor, 'identity descriptor')
}

/** identityDescriptor for a batch: one 128-d descriptor per face, in one forward pass. */
export function identityDescriptors(input: NetInput): Float32Array[] {
  const net = faceapi.nets.faceRecognitionNet
  const out = tf.tidy(() => fromFaceApi(net.forwardInput(input)).reshape([-1]))
  return readRows(out, input.batchSize, FEATURE_DIMS.descriptor, 'identity descriptors')
}
