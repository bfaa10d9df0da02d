/**
 * k-fold training: k heads, each trained on k − 1 seeded, stratified folds and validated (early stopping) on
 * the fold it never saw. The same run gives
 * - the ensemble (the k heads, averaged at prediction: ensemble.ts), and
 * - an out-of-fold prediction for every row: the log-probabilities of the one head that did not train on it.
 *   Calibration is fitted on them, the label-error finder and the learning curve reuse them.
 *
 * Rows that belong together (a face and its mirrored copy) carry the same `groupKey` and always land in the
 * same fold, so no face is ever on both sides of a split.
 */
import { mulberry32 } from '../analysis/random'
import { toMatrix } from './features'
import { predictRaw } from './predict'
import { deriveSeed, shuffleInPlace } from './split'
import { trainHead, type TrainOptions, type TrainResult } from './train'

export const DEFAULT_FOLDS = 5

/**
 * Assigns each item to one of k folds: per label, items (ordered by key, then shuffled with the seed) are dealt
 * round-robin, so every fold holds about 1/k of every label. Items sharing a key share a fold (the first
 * item's label decides its stratum). The result depends only on the set of (key, label) pairs and the seed.
 */
export function stratifiedFolds(
  keys: readonly (string | number)[],
  labels: readonly (string | number)[],
  k: number,
  seed: number
): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`)
  if (keys.length !== labels.length) throw new RangeError('keys and labels differ in length')
  const labelOfKey = new Map<string | number, string | number>()
  keys.forEach((key, i) => {
    if (!labelOfKey.has(key)) labelOfKey.set(key, labels[i]!)
  })
  const byLabel = new Map<string, (string | number)[]>()
  for (const [key, label] of labelOfKey) {
    const l = String(label)
    const group = byLabel.get(l)
    if (group) group.push(key)
    else byLabel.set(l, [key])
  }
  const foldOfKey = new Map<string | number, number>()
  // A running offset keeps small labels from all starting in fold 0 (which would make it the largest fold).
  let offset = 0
  for (const label of [...byLabel.keys()].sort()) {
    const group = byLabel.get(label)!.sort(compareKeys)
    shuffleInPlace(group, mulberry32(deriveSeed(seed, `fold:${label}`)))
    group.forEach((key, i) => foldOfKey.set(key, (offset + i) % k))
    offset = (offset + group.length) % k
  }
  return Int32Array.from(keys, (key) => foldOfKey.get(key)!)
}

export interface KFoldOptions extends Omit<TrainOptions, 'rows' | 'validationFraction' | 'onEpoch'> {
  k?: number
  /** Rows with the same key stay in one fold (default: each row its own key, from `ids` or its index). */
  groupKeys?: readonly (string | number)[]
  /**
   * Rows that may train but are never a validation/out-of-fold row (e.g. mirrored copies); their outputs are
   * averaged into the out-of-fold prediction of the validation row sharing their key.
   */
  trainOnly?: readonly boolean[]
  /** Each epoch trains on one of the rows sharing a group key (a face's views) instead of all (train.ts viewKeys). */
  sampleViews?: boolean
  /** Folds to train, default all; the capacity search trains fold 0 alone. */
  onlyFolds?: readonly number[]
  onEpoch?: (fold: number, log: Parameters<NonNullable<TrainOptions['onEpoch']>>[0]) => void
  /** Called after each fold's head is trained (for progress). */
  onFold?: (fold: number, result: TrainResult) => void
}

export interface KFoldResult {
  k: number
  /** Fold of every row. */
  fold: Int32Array
  /** One trained head per fold trained (index = position in `folds`); the caller disposes the models. */
  heads: TrainResult[]
  folds: number[]
  labels: string[]
  /**
   * Out-of-fold log-probabilities, rows × labels row-major (classification; NaN for rows not predicted: train-only
   * rows, or folds not trained). For regression, the predicted value (width 1).
   */
  oof: Float32Array
  width: number
}

export async function trainKFold(options: KFoldOptions): Promise<KFoldResult> {
  const k = options.k ?? DEFAULT_FOLDS
  const x = toMatrix(options.features)
  const n = x.rows
  const keys = options.groupKeys ?? options.ids ?? Array.from({ length: n }, (_, i) => i)
  if (keys.length !== n) throw new RangeError(`groupKeys has ${keys.length} entries for ${n} rows`)
  const strata =
    options.kind === 'regression' ? quantileStrata(options.labels as readonly number[]) : (options.labels as string[])
  const fold = stratifiedFolds(keys, strata, k, deriveSeed(options.seed, 'k-fold'))
  const folds = options.onlyFolds ? [...options.onlyFolds] : Array.from({ length: k }, (_, f) => f)
  const heads: TrainResult[] = []
  let oof = new Float32Array(0)
  let width = 0
  const { k: _k, groupKeys: _g, trainOnly, onlyFolds: _o, onEpoch, onFold, sampleViews, ...train } = options
  const partners = new Map<string | number, number[]>()
  if (trainOnly)
    keys.forEach((key, i) => {
      if (!trainOnly[i]) return
      const list = partners.get(key)
      if (list) list.push(i)
      else partners.set(key, [i])
    })
  try {
    for (const f of folds) {
      const trainRows: number[] = []
      const validation: number[] = []
      for (let i = 0; i < n; i++) {
        if (fold[i] !== f) trainRows.push(i)
        else if (!trainOnly?.[i]) validation.push(i)
      }
      const r = await trainHead({
        ...train,
        features: x,
        seed: deriveSeed(options.seed, `fold-head:${f}`),
        rows: { train: trainRows, validation },
        ...(sampleViews ? { viewKeys: keys } : {}),
        ...(onEpoch ? { onEpoch: (log) => onEpoch(f, log) } : {})
      })
      heads.push(r)
      // A validation row's train-only partners (its face's mirrored copy) are predicted with it and averaged in,
      // as every prediction averages a face's views: calibration and the search then see what the app shows.
      const extra: number[] = []
      const extraOf: number[][] = validation.map((row) => {
        const list = partners.get(keys[row]!) ?? []
        return list.map((p) => {
          extra.push(p)
          return validation.length + extra.length - 1
        })
      })
      const held = predictRows(x, [...validation, ...extra])
      const out = await predictRaw(r.model, held, options.kind)
      if (width === 0) {
        width = out.width
        oof = new Float32Array(n * width).fill(Number.NaN)
      }
      validation.forEach((row, j) => {
        const views = [j, ...extraOf[j]!]
        for (let c = 0; c < width; c++) {
          let v = 0
          for (const w of views) v += out.values[w * width + c]!
          v /= views.length
          // Log-probabilities: what calibration fits on (a softmax of them gives the probabilities back).
          oof[row * width + c] = options.kind === 'classification' ? Math.log(Math.max(v, 1e-12)) : v
        }
      })
      onFold?.(f, r)
    }
  } catch (e) {
    for (const h of heads) h.model.dispose()
    throw e
  }
  return { k, fold, heads, folds, labels: heads[0]?.labels ?? [], oof, width }
}

function predictRows(
  x: { data: Float32Array; dim: number },
  rows: readonly number[]
): { data: Float32Array; dim: number } {
  const data = new Float32Array(rows.length * x.dim)
  rows.forEach((r, j) => data.set(x.data.subarray(r * x.dim, (r + 1) * x.dim), j * x.dim))
  return { data, dim: x.dim }
}

function quantileStrata(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b)
  const cuts = [1, 2, 3, 4].map((b) => sorted[Math.floor((b * sorted.length) / 5)] ?? 0)
  return values.map((v) => cuts.filter((c) => v >= c).length)
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/** Disposes every head of a k-fold run (models are tfjs objects). */
export function disposeKFold(r: KFoldResult): void {
  for (const h of r.heads) h.model.dispose()
}
