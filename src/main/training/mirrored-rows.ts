/**
 * Mirrored features as extra training rows of the same face (issue 11 §2). Each face with a stored mirrored
 * view gets a second row; both rows carry the face's id as their group key, so k-fold training puts them in one
 * fold (k-fold.ts), and the mirrored row is train-only: it is never a validation row or an out-of-fold row on
 * its own, only averaged into its face's out-of-fold prediction, as every prediction averages the two views.
 */
import type { ViewedFeatures } from './predict'

export interface MirroredRows {
  /** The original rows first (same order), then one row per face with a mirrored view. */
  features: { data: Float32Array; dim: number }
  /** Row → the original row it belongs to (itself for the originals). */
  source: Int32Array
  /** Row → true for the mirrored copies. */
  trainOnly: boolean[]
  /** How many mirrored rows were added. */
  added: number
}

export function withMirroredRows(f: ViewedFeatures): MirroredRows {
  const { dim } = f
  const n = dim > 0 ? f.data.length / dim : 0
  const extra: number[] = []
  if (f.mirror) for (let i = 0; i < n; i++) if (f.mirror.has[i]) extra.push(i)
  const data = new Float32Array((n + extra.length) * dim)
  data.set(f.data.subarray(0, n * dim))
  extra.forEach((r, j) => data.set(f.mirror!.data.subarray(r * dim, (r + 1) * dim), (n + j) * dim))
  const source = new Int32Array(n + extra.length)
  for (let i = 0; i < n; i++) source[i] = i
  extra.forEach((r, j) => (source[n + j] = r))
  const trainOnly = Array.from({ length: n + extra.length }, (_, i) => i >= n)
  return { features: { data, dim }, source, trainOnly, added: extra.length }
}

/** A per-row array of the originals, spread over the expanded rows (each copy takes its face's value). */
export function expandRows<T>(values: readonly T[], source: Int32Array): T[] {
  return Array.from(source, (r) => values[r]!)
}
