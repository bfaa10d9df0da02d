// The one tfjs instance the ML core uses, shared with face-api.
//
// face-api's ESM build bundles its own tfjs and does not run in plain Node; its CJS node-wasm build
// instead requires the app's `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm`. Loading all three
// through one `require` guarantees the backend we select is the backend face-api's nets run on.
// face-api's .d.ts declares its own copy of the tfjs types, so tensors crossing into face-api are cast
// here (`toFaceApi`) rather than all over the code.
import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'
import type * as FaceApi from '@vladmandic/face-api'
import type * as TFWasm from '@tensorflow/tfjs-backend-wasm'

export const nodeRequire = createRequire(import.meta.url)

export const faceapi = nodeRequire('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi
export const tf = nodeRequire('@tensorflow/tfjs') as typeof TF
export const tfWasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof TFWasm

export type Tensor = TF.Tensor
export type Tensor3D = TF.Tensor3D

/** View an app tensor through face-api's (structurally different) tensor type. */
export function toFaceApi<T extends TF.Tensor>(t: T): FaceApi.tf.Tensor3D {
  return t as unknown as FaceApi.tf.Tensor3D
}

/** View a tensor returned by face-api through the app's tfjs types. */
export function fromFaceApi<T extends TF.Tensor = TF.Tensor>(t: FaceApi.tf.Tensor): T {
  return t as unknown as T
}
