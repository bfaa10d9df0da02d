/**
 * Messages between a fit (training/fit.ts, in the ML worker) and its helper threads (head-thread.ts): a k-fold
 * run goes out without its callbacks and signal, its epochs and its heads (as plain weights) come back. Heads
 * cross as weights because a tfjs model belongs to the thread whose backend made it.
 */
import type { ForcedBackend } from '../ml/backend'
import type { DenseWeights } from './head'
import type { KFoldOptions } from './k-fold'
import type { EpochLog, TrainResult } from './train'

/** What of KFoldOptions crosses a thread: everything but the functions and the signal. */
export type ThreadKFoldOptions = Omit<KFoldOptions, 'onEpoch' | 'onFold' | 'signal'>

export type ToHeadThread =
  { type: 'run'; id: number; backend: ForcedBackend; options: ThreadKFoldOptions } | { type: 'cancel'; id: number }

export interface PackedHead extends Omit<TrainResult, 'model'> {
  hidden: number | undefined
  weights: { hidden?: DenseWeights; output: DenseWeights }
}

export interface PackedKFold {
  k: number
  fold: Int32Array
  folds: number[]
  labels: string[]
  oof: Float32Array
  width: number
  heads: PackedHead[]
}

export type FromHeadThread =
  | { type: 'epoch'; id: number; fold: number; log: EpochLog }
  | { type: 'done'; id: number; result: PackedKFold }
  | { type: 'failed'; id: number; message: string; cancelled: boolean }
