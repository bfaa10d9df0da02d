/**
 * Fine-tunes a head on annotated features (the "train" step of prepare → train → evaluate → save).
 *
 * A custom loop rather than model.fit because the group-gap penalty is a loss over a whole batch
 * (spread of per-group means), which Keras-style per-sample losses cannot express. The loop is
 * deterministic: seeded split, seeded per-epoch shuffles, seeded initial weights, no Math.random;
 * on the same backend the same inputs give byte-identical weights.
 */
import * as tf from '@tensorflow/tfjs'
import {
  buildHead,
  denseVars,
  headLogits,
  readHeadWeights,
  setDenseWeights,
  type DenseVars,
  type DenseWeights,
  type HeadInit
} from './head'
import { toMatrix, type FeatureInput, type FeatureMatrix } from './features'
import { mulberry32 } from '../analysis/random'
import { deriveSeed, shuffleInPlace, stratifiedSplit, VALIDATION_FRACTION } from './split'
import { groupDroStep, worstGroupMean, worstGroupPenaltyStep, type GroupDro, type GroupStep } from './group-step'

export type { GroupDro } from './group-step'

export type TaskKind = 'classification' | 'regression'

/**
 * Penalises unequal treatment of groups: λ × spread over the groups present in a batch of either
 * each group's mean loss ('loss') or each group's mean predicted probability of the positive class
 * ('positive_rate', a demographic-parity style gap).
 */
export interface GroupPenalty {
  /** Group of each sample (parallel to features); null = unknown, left out of the penalty. */
  groups: readonly (string | null)[]
  lambda: number
  mode: 'loss' | 'positive_rate'
  /** Output unit counted as "positive" for 'positive_rate'; defaults to 1 for two-label tasks. */
  positiveIndex?: number
  /** max − min of the group means (default), or their variance (smoother gradient). */
  spread?: 'range' | 'variance'
}

export interface EpochLog {
  epoch: number
  /** Set by fitHeads: which of its heads this epoch trained (their epochs interleave when side by side). */
  head?: number
  /** Mean training objective over the epoch's batches (including the penalty term). */
  loss: number
  /** Same objective on the validation rows; absent when validationFraction is 0. */
  val_loss?: number
  acc?: number
  val_acc?: number
  /** Group spread (as configured) measured on the whole validation set, when a penalty is set. */
  val_group_gap?: number
  /** Group DRO: the largest per-group mean loss on the validation rows (also its val_loss, used for early stopping). */
  val_worst_group_loss?: number
}

export interface TrainOptions {
  features: FeatureInput
  labels: readonly string[] | readonly number[]
  /** Output label order; defaults to the sorted distinct labels. Needed to add labels the data lacks. */
  labelSet?: readonly string[]
  kind: TaskKind
  /** Stable ids of the rows, so the split depends on the annotation set, not on query order. */
  ids?: readonly (string | number)[]
  init?: HeadInit
  hidden?: number
  epochs?: number
  batchSize?: number
  learningRate?: number
  seed: number
  validationFraction?: number
  classWeights?: 'balanced' | 'none'
  sampleWeights?: readonly number[]
  /**
   * Soft targets (issue 11 §2, issue 14 §1): per row, a probability distribution over the labels (label →
   * weight, normalised here) used as the cross-entropy target instead of the row's one-hot label; null or absent
   * for a row keeps its one-hot target. `labels` stays the hard label (split strata, class weights, accuracy).
   */
  softTargets?: readonly (Readonly<Record<string, number>> | null)[]
  groupPenalty?: GroupPenalty
  /** Group DRO (group-step.ts); not combined with groupPenalty. */
  groupDro?: GroupDro
  onEpoch?: (log: EpochLog) => void
  signal?: AbortSignal
  earlyStoppingPatience?: number
  /**
   * L2 penalty on the kernels (Keras convention: l2 × Σ w² added to the batch loss); 0 or absent = none.
   * The bias is not penalised.
   */
  l2?: number
  /**
   * Explicit row split (indices into the inputs), instead of the seeded stratified split by
   * validationFraction: k-fold training and the capacity search pass their own folds, so rows that belong
   * together (a face and its mirrored copy) never straddle training and validation. Rows in neither list are
   * left out of this run.
   */
  rows?: { train: readonly number[]; validation: readonly number[] }
  /**
   * Rows sharing a key are views of one face (the original and its mirrored copy). When given, each epoch trains
   * on one view per face, picked with the epoch's seed, so an epoch costs what one view does while every view
   * is seen over the epochs (random-flip augmentation); fitHeads turns it on for large sets only.
   */
  viewKeys?: readonly (string | number)[]
}

export interface TrainResult {
  model: tf.Sequential
  /** Output labels in unit order (classification), empty for regression. */
  labels: string[]
  history: EpochLog[]
  epochsRun: number
  /** 1-based epoch whose weights the model holds (the best validation loss, or the last epoch). */
  bestEpoch: number
  stoppedEarly: boolean
  /** Row indices (into the inputs) used for training and for validation. */
  trainIdx: number[]
  valIdx: number[]
  /** Per-label weight applied to the loss (all 1 with classWeights 'none'). */
  classWeights: Record<string, number>
  /** Training rows per label. */
  counts: Record<string, number>
  /** Group DRO: the group weights q at the end of training, by group. */
  groupWeights?: Record<string, number>
  durationMs: number
}

/** Thrown when the AbortSignal fires; the partially trained model is disposed. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError'
  constructor(message = 'training cancelled') {
    super(message)
  }
}

export const TRAIN_DEFAULTS = {
  epochs: 50,
  // 128 rather than Keras's 32: on wasm the per-step overhead dominates, and 32 misses the 5 s budget for 10k rows.
  batchSize: 128,
  learningRate: 1e-3,
  validationFraction: VALIDATION_FRACTION,
  earlyStoppingPatience: 5
} as const

/** Regression targets are split stratified by quantile bin so both parts cover the whole range. */
const REGRESSION_STRATA = 5
/** Yield to the event loop this often so an abort message can arrive while training runs. */
const YIELD_EVERY_MS = 25
/** Rows per tile of the batch transpose in batchTensors. */
const TILE = 16
/** Rows per validation chunk (bounds peak memory for large annotation sets). */
const EVAL_CHUNK = 8192

export async function trainHead(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now()
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs
  const batchSize = options.batchSize ?? TRAIN_DEFAULTS.batchSize
  const learningRate = options.learningRate ?? TRAIN_DEFAULTS.learningRate
  const validationFraction = options.validationFraction ?? TRAIN_DEFAULTS.validationFraction
  const patience = options.earlyStoppingPatience ?? TRAIN_DEFAULTS.earlyStoppingPatience
  const { kind, seed, signal } = options
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be ≥ 1, got ${epochs}`)
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${batchSize}`)

  const x = toMatrix(options.features)
  const n = x.rows
  if (n === 0) throw new RangeError('no training rows')
  checkParallel('labels', options.labels.length, n)
  if (options.ids) checkParallel('ids', options.ids.length, n)
  if (options.sampleWeights) checkParallel('sampleWeights', options.sampleWeights.length, n)
  if (options.softTargets) checkParallel('softTargets', options.softTargets.length, n)
  if (options.groupPenalty) checkParallel('groupPenalty.groups', options.groupPenalty.groups.length, n)
  if (options.groupDro) checkParallel('groupDro.groups', options.groupDro.groups.length, n)
  if (options.groupDro && options.groupPenalty) throw new RangeError('groupDro and groupPenalty do not combine')

  const target = encodeTargets(options)
  const { trainIdx, valIdx } = options.rows ? checkedRows(options.rows, n) : split(options, target, validationFraction)
  if (trainIdx.length === 0) throw new RangeError('the split left no training rows')

  const { classWeights, counts, rowWeights } = weightsFor(options, target, trainIdx)
  const prepared = options.groupPenalty ? preparePenalty(options.groupPenalty, kind, target.labels.length) : null
  // The loss-range penalty and Group DRO act as per-step row weights (group-step.ts); the rest stays in the loss.
  const worstLoss = prepared?.mode === 'loss' && prepared.spread === 'range'
  const step: GroupStep | null = options.groupDro
    ? groupDroStep(options.groupDro)
    : worstLoss && options.groupPenalty
      ? worstGroupPenaltyStep(options.groupPenalty.groups, prepared.lambda)
      : null
  const penalty = prepared && !worstLoss ? prepared : null
  const l2 = options.l2 ?? 0
  if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, got ${l2}`)

  throwIfAborted(signal)
  const model = buildHead({
    inputDim: x.dim,
    labels: kind === 'regression' ? 'regression' : target.labels,
    seed,
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.init !== undefined ? { init: options.init } : {})
  })
  const vars = denseVars(model)
  const varList = vars.flatMap((v) => [v.kernel, v.bias])
  const optimizer = tf.train.adam(learningRate)

  // Batches are assembled in JS and uploaded per step: on wasm, tf.gather from a resident dataset
  // costs more than the copy, and the validation rows are uploaded once.
  const valChunks: BatchTensors[] = []
  for (let s = 0; s < valIdx.length; s += EVAL_CHUNK)
    valChunks.push(batchTensors(valIdx.slice(s, s + EVAL_CHUNK), x, target, kind, rowWeights, false))

  const history: EpochLog[] = []
  let best = Infinity
  let bestEpoch = 0
  let bestWeights: DenseWeights[] | null = null
  let sinceBest = 0
  let stoppedEarly = false
  let lastYield = performance.now()
  const views = options.viewKeys ? viewGroups(trainIdx, options.viewKeys) : null
  // With views the shuffle permutes faces (as it permutes rows without them), and each face then brings one view.
  const order = views ? Int32Array.from(views, (_, g) => g) : Int32Array.from(trainIdx)
  const epochRows = views ? new Int32Array(views.length) : order
  // Running sums stay on the backend so the loop never waits on a read-back per batch.
  const lossSum = new RunningSum()
  const hitSum = new RunningSum()

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      shuffleInPlace(order, mulberry32(deriveSeed(seed, `epoch:${epoch}`)))
      if (views) {
        const pickRng = mulberry32(deriveSeed(seed, `views:${epoch}`))
        const pick = Int32Array.from(views, (g) => g[Math.floor(pickRng() * g.length)]!)
        for (let i = 0; i < order.length; i++) epochRows[i] = pick[order[i]!]!
      }
      for (let start = 0; start < epochRows.length; start += batchSize) {
        throwIfAborted(signal)
        const rows = epochRows.subarray(start, Math.min(start + batchSize, epochRows.length))
        const b = batchTensors(rows, x, target, kind, rowWeights, true)
        let offset = 0
        if (step) {
          const l = tf.tidy(() => perRow(vars, kind, b.x, b.y).loss)
          const losses = l.dataSync()
          l.dispose()
          const r = step.reweigh(rows, losses, b.ws)
          b.w.dispose()
          b.w = tf.tensor1d(r.w)
          offset = r.offset
        }
        const groupMatrix = penalty ? penalty.matrixFor(rows) : null
        // Set inside minimize's closure; tf.keep lets the accuracy count outlive its tidy scope.
        const kept: { hits: tf.Scalar | null } = { hits: null }
        const cost = optimizer.minimize(
          () => {
            const o = objective(
              vars,
              kind,
              b,
              penalty && groupMatrix ? { ...penalty, matrix: groupMatrix } : null,
              offset
            )
            kept.hits = o.hits ? tf.keep(o.hits) : null
            return l2 > 0 ? tf.add(o.total, tf.mul(kernelSquares(vars), l2)) : o.total
          },
          true,
          varList
        )
        if (!cost) throw new Error('optimizer returned no cost')
        lossSum.add(cost, rows.length)
        if (kept.hits) hitSum.add(kept.hits)
        tf.dispose([
          b.x,
          ...(b.xT ? [b.xT] : []),
          b.y,
          b.w,
          cost,
          ...(kept.hits ? [kept.hits] : []),
          ...(groupMatrix ? [groupMatrix] : [])
        ])
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve))
          lastYield = performance.now()
        }
      }
      const loss = (await lossSum.take()) / order.length
      const acc = (await hitSum.take()) / order.length
      if (!Number.isFinite(loss))
        throw new Error(`training diverged at epoch ${epoch} (loss ${loss}); try a lower learning rate`)

      // acc is the running accuracy over the epoch's batches (Keras semantics), val_* are end-of-epoch.
      const log: EpochLog = { epoch, loss, ...(kind === 'classification' ? { acc } : {}) }
      if (valChunks.length > 0) {
        const v = evaluate(
          vars,
          kind,
          valChunks,
          penalty ? { ...penalty, rows: valIdx } : null,
          step ? { step, rows: valIdx, lambda: worstLoss ? (prepared?.lambda ?? 0) : null } : null
        )
        log.val_loss = v.loss
        if (v.acc !== undefined) log.val_acc = v.acc
        if (v.gap !== undefined) log.val_group_gap = v.gap
        if (v.worst !== undefined) log.val_worst_group_loss = v.worst
      }
      history.push(log)
      options.onEpoch?.(log)

      if (log.val_loss === undefined) continue
      if (log.val_loss < best) {
        best = log.val_loss
        bestEpoch = epoch
        sinceBest = 0
        const snapshot = readHeadWeights(model)
        bestWeights = snapshot.hidden ? [snapshot.hidden, snapshot.output] : [snapshot.output]
      } else if (++sinceBest >= patience) {
        stoppedEarly = true
        break
      }
    }
    const epochsRun = history.length
    if (bestWeights && bestEpoch !== epochsRun) setDenseWeights(model, bestWeights)
    else bestEpoch = epochsRun
    return {
      model,
      labels: [...target.labels],
      history,
      epochsRun,
      bestEpoch,
      stoppedEarly,
      trainIdx,
      valIdx,
      classWeights,
      counts,
      ...(options.groupDro && step ? { groupWeights: step.weights() } : {}),
      durationMs: performance.now() - started
    }
  } catch (error) {
    model.dispose()
    throw error
  } finally {
    tf.dispose(valChunks.flatMap((c) => [c.x, c.y, c.w]))
    lossSum.dispose()
    hitSum.dispose()
    optimizer.dispose()
  }
}

/** Σ w² over the kernels (the L2 term; biases are not penalised). */
function kernelSquares(vars: readonly DenseVars[]): tf.Scalar {
  return tf.addN(vars.map((v) => tf.sum(tf.square(v.kernel)))) as tf.Scalar
}

function checkedRows(
  rows: { train: readonly number[]; validation: readonly number[] },
  n: number
): { trainIdx: number[]; valIdx: number[] } {
  const seen = new Uint8Array(n)
  for (const list of [rows.train, rows.validation])
    for (const r of list) {
      if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`row ${r} is outside 0…${n - 1}`)
      if (seen[r]) throw new RangeError(`row ${r} is listed twice in the split`)
      seen[r] = 1
    }
  const byRow = (a: number, b: number): number => a - b
  return { trainIdx: [...rows.train].sort(byRow), valIdx: [...rows.validation].sort(byRow) }
}

/** A scalar sum kept on the backend; take() reads it and resets it to zero. */
class RunningSum {
  private total: tf.Scalar = tf.scalar(0)

  add(x: tf.Scalar, scale = 1): void {
    const next = tf.tidy(() => tf.add(this.total, scale === 1 ? x : tf.mul(x, scale)) as tf.Scalar)
    this.total.dispose()
    this.total = next
  }

  async take(): Promise<number> {
    const value = (await this.total.data())[0] ?? 0
    this.total.dispose()
    this.total = tf.scalar(0)
    return value
  }

  dispose(): void {
    this.total.dispose()
  }
}

interface Targets {
  labels: readonly string[]
  /** Class index per row (classification). */
  index: Int32Array
  /** Target value per row (regression). */
  value: Float32Array
  /** Stratum per row for the split. */
  stratum: (string | number)[]
  /** Soft target distributions, rows × labels row-major (NaN in a row's first cell = one-hot), or null. */
  soft: Float32Array | null
}

function encodeTargets(options: TrainOptions): Targets {
  const n = options.labels.length
  if (options.kind === 'regression') {
    const value = new Float32Array(n)
    options.labels.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new TypeError(`regression label ${i} is not a finite number`)
      value[i] = v
    })
    if (options.softTargets) throw new RangeError('softTargets need a classification task')
    return {
      labels: [],
      index: new Int32Array(n),
      value,
      stratum: quantileBins(value, REGRESSION_STRATA),
      soft: null
    }
  }
  const raw = options.labels.map((l, i) => {
    if (typeof l !== 'string') throw new TypeError(`classification label ${i} is not a string`)
    return l
  })
  const labels = options.labelSet ? [...options.labelSet] : [...new Set(raw)].sort()
  if (labels.length < 2) throw new RangeError('classification needs at least two labels')
  const lookup = new Map(labels.map((l, i) => [l, i]))
  const index = new Int32Array(n)
  raw.forEach((l, i) => {
    const k = lookup.get(l)
    if (k === undefined) throw new RangeError(`label "${l}" (row ${i}) is not in labelSet`)
    index[i] = k
  })
  return { labels, index, value: new Float32Array(n), stratum: raw, soft: softMatrix(options.softTargets, labels) }
}

/** Normalised distributions over `labels` (row-major); a row without one is marked NaN and stays one-hot. */
function softMatrix(
  rows: readonly (Readonly<Record<string, number>> | null)[] | undefined,
  labels: readonly string[]
): Float32Array | null {
  if (!rows) return null
  const w = labels.length
  const lookup = new Map(labels.map((l, i) => [l, i]))
  const out = new Float32Array(rows.length * w)
  rows.forEach((dist, i) => {
    let total = 0
    if (dist) {
      for (const [label, v] of Object.entries(dist)) {
        const k = lookup.get(label)
        if (k === undefined) throw new RangeError(`soft target label "${label}" (row ${i}) is not in labelSet`)
        if (!(v >= 0) || !Number.isFinite(v))
          throw new RangeError(`soft target ${i} has a negative or non-finite weight`)
        out[i * w + k] = v
        total += v
      }
    }
    if (total > 0) for (let k = 0; k < w; k++) out[i * w + k] = out[i * w + k]! / total
    else out[i * w] = Number.NaN
  })
  return out
}

function quantileBins(values: Float32Array, bins: number): number[] {
  const sorted = Float32Array.from(values).sort()
  const cuts: number[] = []
  for (let b = 1; b < bins; b++) cuts.push(sorted[Math.floor((b * sorted.length) / bins)] ?? 0)
  return Array.from(values, (v) => cuts.filter((c) => v >= c).length)
}

/** The training rows grouped by view key, in row order (a face's views together, the faces in order). */
function viewGroups(trainIdx: readonly number[], keys: readonly (string | number)[]): number[][] {
  if (keys.length === 0) throw new RangeError('viewKeys is empty')
  const groups = new Map<string | number, number[]>()
  for (const row of trainIdx) {
    const key = keys[row]
    if (key === undefined) throw new RangeError(`viewKeys has no key for row ${row}`)
    const g = groups.get(key)
    if (g) g.push(row)
    else groups.set(key, [row])
  }
  return [...groups.values()]
}

function split(options: TrainOptions, target: Targets, fraction: number): { trainIdx: number[]; valIdx: number[] } {
  const items = target.stratum.map((label, i) => ({ id: options.ids?.[i] ?? i, label, row: i }))
  const ids = new Set(items.map((it) => it.id))
  if (ids.size !== items.length) throw new RangeError('ids must be unique')
  const { train, validation } = stratifiedSplit(items, fraction, deriveSeed(options.seed, 'validation-split'))
  const byRow = (a: number, b: number): number => a - b
  return { trainIdx: train.map((it) => it.row).sort(byRow), valIdx: validation.map((it) => it.row).sort(byRow) }
}

/**
 * Per-row loss weight = class weight × sample weight. 'balanced' is n / (k × n_c) over the training
 * rows (as in scikit-learn), so the average weight stays 1 and the learning rate keeps its meaning.
 */
function weightsFor(
  options: TrainOptions,
  target: Targets,
  trainIdx: readonly number[]
): { classWeights: Record<string, number>; counts: Record<string, number>; rowWeights: Float32Array } {
  const n = options.labels.length
  const rowWeights = new Float32Array(n).fill(1)
  const classWeights: Record<string, number> = {}
  const counts: Record<string, number> = {}
  if (options.kind === 'classification') {
    const perClass = new Array<number>(target.labels.length).fill(0)
    for (const i of trainIdx) perClass[target.index[i]!]!++
    const present = perClass.filter((c) => c > 0).length
    target.labels.forEach((label, k) => {
      const c = perClass[k] ?? 0
      counts[label] = c
      classWeights[label] = options.classWeights === 'balanced' ? (c > 0 ? trainIdx.length / (present * c) : 0) : 1
    })
    for (let i = 0; i < n; i++) rowWeights[i] = classWeights[target.labels[target.index[i]!]!] ?? 1
  } else {
    counts['rows'] = trainIdx.length
  }
  options.sampleWeights?.forEach((w, i) => {
    if (!(w >= 0)) throw new RangeError(`sample weight ${i} must be ≥ 0`)
    rowWeights[i] = (rowWeights[i] ?? 1) * w
  })
  return { classWeights, counts, rowWeights }
}

interface PreparedPenalty {
  lambda: number
  mode: GroupPenalty['mode']
  positiveIndex: number
  spread: 'range' | 'variance'
  /** Group id per row, −1 for none. */
  groupOf: Int32Array
  /** Row→group one-hot over the groups present in these rows, or null when fewer than two are. */
  matrixFor(rows: ArrayLike<number>): tf.Tensor2D | null
}

function preparePenalty(p: GroupPenalty, kind: TaskKind, classes: number): PreparedPenalty {
  if (!(p.lambda >= 0)) throw new RangeError('groupPenalty.lambda must be ≥ 0')
  if (p.mode === 'positive_rate' && kind !== 'classification')
    throw new RangeError("'positive_rate' needs a classification task")
  const positiveIndex = p.positiveIndex ?? (classes === 2 ? 1 : -1)
  if (
    p.mode === 'positive_rate' &&
    !(Number.isInteger(positiveIndex) && positiveIndex >= 0 && positiveIndex < classes)
  ) {
    throw new RangeError('groupPenalty.positiveIndex is required (0…classes−1) for tasks with more than two labels')
  }
  const names = [...new Set(p.groups.filter((g): g is string => g !== null))].sort()
  const id = new Map(names.map((g, i) => [g, i]))
  const groupOf = Int32Array.from(p.groups, (g) => (g === null ? -1 : (id.get(g) ?? -1)))
  return {
    lambda: p.lambda,
    mode: p.mode,
    positiveIndex,
    spread: p.spread ?? 'range',
    groupOf,
    matrixFor(rows) {
      const present: number[] = []
      const column = new Int32Array(names.length).fill(-1)
      for (let r = 0; r < rows.length; r++) {
        const g = groupOf[rows[r]!]!
        if (g >= 0 && column[g] === -1) {
          column[g] = present.length
          present.push(g)
        }
      }
      if (present.length < 2) return null
      const m = new Float32Array(rows.length * present.length)
      for (let r = 0; r < rows.length; r++) {
        const g = groupOf[rows[r]!]!
        if (g >= 0) m[r * present.length + column[g]!] = 1
      }
      return tf.tensor2d(m, [rows.length, present.length])
    }
  }
}

/** Per-row loss (unweighted) and, for classification, log-probabilities. */
function perRow(
  vars: readonly DenseVars[],
  kind: TaskKind,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  xT?: tf.Tensor2D | null
): { loss: tf.Tensor1D; logp: tf.Tensor2D | null; out: tf.Tensor2D } {
  const out = headLogits(vars, x, xT ?? undefined)
  if (kind === 'classification') {
    const logp = tf.logSoftmax(out)
    return { loss: tf.neg(tf.sum(tf.mul(y, logp), 1)) as tf.Tensor1D, logp, out }
  }
  return { loss: tf.squeeze(tf.squaredDifference(out, y), [1]), logp: null, out }
}

/** Spread of per-group means of `v` (rows × 1 one-hot `matrix` picks the groups). */
function groupSpread(v: tf.Tensor1D, matrix: tf.Tensor2D, spread: 'range' | 'variance'): tf.Scalar {
  const sums = tf.matMul(matrix, tf.expandDims(v, 1), true, false).reshape([-1])
  const means = tf.div(sums, tf.sum(matrix, 0))
  return spread === 'range' ? tf.sub(tf.max(means), tf.min(means)) : tf.moments(means).variance.asScalar()
}

function objective(
  vars: readonly DenseVars[],
  kind: TaskKind,
  b: BatchTensors,
  penalty: (PreparedPenalty & { matrix: tf.Tensor2D }) | null,
  offset = 0
): { total: tf.Scalar; hits: tf.Scalar | null } {
  const { loss, logp } = perRow(vars, kind, b.x, b.y, b.xT)
  const hits = logp ? countHits(logp, b.y) : null
  // Keras convention: weighted sum over the batch size, so weights scale the loss, not renormalise it.
  const weighted = tf.mean(tf.mul(loss, b.w)) as tf.Scalar
  const main = offset === 0 ? weighted : (tf.add(weighted, offset) as tf.Scalar)
  if (!penalty || penalty.lambda === 0) return { total: main, hits }
  const v = penalty.mode === 'loss' ? loss : positiveProb(logp!, penalty.positiveIndex)
  return { total: tf.add(main, tf.mul(groupSpread(v, penalty.matrix, penalty.spread), penalty.lambda)), hits }
}

function countHits(logp: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logp, 1), tf.argMax(y, 1)), 'float32'))
}

function positiveProb(logp: tf.Tensor2D, positiveIndex: number): tf.Tensor1D {
  return tf.exp(tf.squeeze(tf.slice(logp, [0, positiveIndex], [-1, 1]), [1])) as tf.Tensor1D
}

interface BatchTensors {
  x: tf.Tensor2D
  /** xᵀ, for the first layer's kernel gradient (head.ts headLogits); training batches only. */
  xT: tf.Tensor2D | null
  /** One-hot or soft targets (classification) or values as n×1 (regression). */
  y: tf.Tensor2D
  /** Per-row loss weights. */
  w: tf.Tensor1D
  /** The same weights in JS (group steps derive a batch's weights from them). */
  ws: Float32Array
}

/**
 * Uploads the given rows. Buffers are fresh each call because the cpu backend keeps a reference to
 * the array it is given rather than copying it.
 */
function batchTensors(
  rows: ArrayLike<number>,
  x: FeatureMatrix,
  target: Targets,
  kind: TaskKind,
  rowWeights: Float32Array,
  transposed: boolean
): BatchTensors {
  const n = rows.length
  const dim = x.dim
  const width = kind === 'classification' ? target.labels.length : 1
  const xs = new Float32Array(n * dim)
  // Written here, the transpose costs a pass over the batch in JS; on wasm a tf.transpose per step costs more.
  const xsT = transposed ? new Float32Array(n * dim) : null
  const ys = new Float32Array(n * width)
  const ws = new Float32Array(n)
  for (let r = 0; r < n; r++) {
    const row = rows[r]!
    xs.set(x.data.subarray(row * dim, (row + 1) * dim), r * dim)
    if (kind === 'classification') {
      const soft = target.soft
      if (soft && !Number.isNaN(soft[row * width]!)) ys.set(soft.subarray(row * width, (row + 1) * width), r * width)
      else ys[r * width + target.index[row]!] = 1
    } else ys[r] = target.value[row]!
    ws[r] = rowWeights[row]!
  }
  // Transposed in tiles of TILE rows: each pass writes TILE neighbouring floats of a column instead of one float
  // every n, which kept the cache missing (a seventh of a training step's time).
  if (xsT)
    for (let r0 = 0; r0 < n; r0 += TILE) {
      const r1 = Math.min(n, r0 + TILE)
      for (let d = 0; d < dim; d++) {
        const out = d * n
        for (let r = r0; r < r1; r++) xsT[out + r] = xs[r * dim + d]!
      }
    }
  return {
    x: tf.tensor2d(xs, [n, dim]),
    xT: xsT ? tf.tensor2d(xsT, [dim, n]) : null,
    y: tf.tensor2d(ys, [n, width]),
    w: tf.tensor1d(ws),
    ws
  }
}

/** Loss (same objective as training), accuracy and group gap over pre-uploaded chunks of rows. */
function evaluate(
  vars: readonly DenseVars[],
  kind: TaskKind,
  chunks: readonly BatchTensors[],
  penalty: (PreparedPenalty & { rows: readonly number[] }) | null,
  group: { step: GroupStep; rows: readonly number[]; lambda: number | null } | null = null
): { loss: number; acc?: number; gap?: number; worst?: number } {
  let weighted = 0
  let correct = 0
  let n = 0
  const penaltyValues = penalty ? new Float32Array(penalty.rows.length) : null
  const groupLosses = group ? new Float32Array(group.rows.length) : null
  for (const chunk of chunks) {
    const [l, c, v, g] = tf.tidy(() => {
      const { loss, logp } = perRow(vars, kind, chunk.x, chunk.y)
      const wl = tf.sum(tf.mul(loss, chunk.w))
      const hits = logp ? countHits(logp, chunk.y) : tf.scalar(0)
      const pv = !penalty ? tf.zeros([0]) : penalty.mode === 'loss' ? loss : positiveProb(logp!, penalty.positiveIndex)
      const gl = group ? tf.mul(loss, chunk.w) : tf.zeros([0])
      return [wl, hits, pv, gl]
    })
    weighted += l.dataSync()[0]!
    correct += c.dataSync()[0]!
    if (penaltyValues) penaltyValues.set(v.dataSync(), n)
    if (groupLosses) groupLosses.set(g.dataSync(), n)
    n += chunk.x.shape[0]
    tf.dispose([l, c, v, g])
  }
  let loss = weighted / n
  let gap: number | undefined
  let worst: number | undefined
  if (group && groupLosses) {
    if (group.lambda === null) {
      // Group DRO selects epochs by the worst group's validation loss, the quantity it minimises.
      const w = worstGroupMean(groupLosses, group.rows, group.step.groupOf)
      if (w) loss = worst = w.value
    } else {
      gap = groupGap(groupLosses, group.rows, group.step.groupOf, 'range')
      loss += group.lambda * gap
    }
  }
  if (penalty && penaltyValues) {
    gap = groupGap(penaltyValues, penalty.rows, penalty.groupOf, penalty.spread)
    loss += penalty.lambda * gap
  }
  return {
    loss,
    ...(kind === 'classification' ? { acc: correct / n } : {}),
    ...(gap !== undefined ? { gap } : {}),
    ...(worst !== undefined ? { worst } : {})
  }
}

/** Plain-JS group spread for reporting (mirrors groupSpread). */
export function groupGap(
  values: ArrayLike<number>,
  rows: readonly number[],
  groupOf: Int32Array,
  spread: 'range' | 'variance'
): number {
  const sum = new Map<number, number>()
  const count = new Map<number, number>()
  rows.forEach((row, i) => {
    const g = groupOf[row] ?? -1
    if (g < 0) return
    sum.set(g, (sum.get(g) ?? 0) + (values[i] ?? 0))
    count.set(g, (count.get(g) ?? 0) + 1)
  })
  const means = [...sum.entries()].map(([g, s]) => s / (count.get(g) ?? 1))
  if (means.length < 2) return 0
  if (spread === 'range') return Math.max(...means) - Math.min(...means)
  const mu = means.reduce((a, b) => a + b, 0) / means.length
  return means.reduce((a, b) => a + (b - mu) ** 2, 0) / means.length
}

function checkParallel(what: string, length: number, rows: number): void {
  if (length !== rows) throw new RangeError(`${what} has ${length} entries for ${rows} feature rows`)
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError()
}
