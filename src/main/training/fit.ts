/**
 * How a version's head is made from labelled rows (issue 11): a small seeded capacity search on validation rows
 * only, an ensemble of k heads on k seeded folds, out-of-fold predictions for every labelled row, and a
 * temperature fitted on those out-of-fold rows.
 *
 * 1. Search: every candidate setting (linear / one hidden layer, L2, learning rate; plus "fine-tune the parent"
 *    when the parent is a linear head) trains on folds 1…k−1 and is scored on fold 0 (validation loss). The
 *    evaluation set is never seen: it is not among the rows.
 * 2. Ensemble: the chosen setting trains the other k − 1 fold heads (fold 0's head from the search is kept).
 * 3. Combine: the k heads average their logits, which is itself one dense → dense head (hidden layers side by
 *    side, output kernels stacked and divided by k), so a version stays one model.json + weights.bin.
 * 4. Calibrate: a temperature fitted on the out-of-fold log-probabilities (each row scored by the head that did
 *    not train on it), stored in the version's metadata and applied at prediction.
 */
import type * as tf from '@tensorflow/tfjs'
import { fitTemperature, type TemperatureFit } from '../analysis/calibration'
import { toMatrix } from './features'
import { buildHead, readHeadWeights, type DenseWeights, type HeadInit } from './head'
import { mergeFolds, runEach, trainFoldsSideBySide, type KFoldRunner } from './head-threads'
import { DEFAULT_FOLDS, disposeKFold, trainKFold, type KFoldOptions, type KFoldResult } from './k-fold'
import { TRAIN_DEFAULTS, type EpochLog, type TrainOptions, type TrainResult } from './train'

export interface HeadSettings {
  /** Units of the hidden layer, null = linear head. */
  hidden: number | null
  l2: number
  learningRate: number
  /** Start from the parent's weights (a linear parent only). */
  warmStart: boolean
}

/** Settings the user forces (Train screen, CLI); each one fixes that dimension of the search. */
export interface ForcedSettings {
  hidden?: number | null | undefined
  l2?: number | undefined
  learningRate?: number | undefined
}

/** Learning rates of a fresh head and of fine-tuning a warm-started one (models/defaults.ts mirrors them). */
export const FRESH_LR = 1e-3
export const FINE_TUNE_LR = 1e-4

/**
 * The default search: what worked on frozen face-api features (issue 11: L2 0.01–0.03, one hidden layer of
 * 64–256 units), plus today's behaviour (fine-tune the parent) so the search can only match or beat it on the
 * validation fold.
 */
export function candidateSettings(opts: {
  warmStartable: boolean
  forced?: ForcedSettings | undefined
}): HeadSettings[] {
  const base: HeadSettings[] = [
    ...(opts.warmStartable ? [{ hidden: null, l2: 0, learningRate: FINE_TUNE_LR, warmStart: true }] : []),
    { hidden: null, l2: 0.001, learningRate: FRESH_LR, warmStart: false },
    { hidden: 128, l2: 0.01, learningRate: FRESH_LR, warmStart: false },
    { hidden: 128, l2: 0.03, learningRate: FRESH_LR, warmStart: false },
    { hidden: 256, l2: 0.01, learningRate: FRESH_LR, warmStart: false }
  ]
  const f = opts.forced
  if (!f) return base
  const out: HeadSettings[] = []
  for (const c of base) {
    const hidden = f.hidden !== undefined ? f.hidden : c.hidden
    // A forced hidden layer cannot warm-start from a linear parent.
    const warmStart = c.warmStart && hidden === null
    const s: HeadSettings = {
      hidden,
      l2: f.l2 ?? (warmStart ? 0 : c.l2),
      learningRate: f.learningRate ?? (warmStart ? FINE_TUNE_LR : c.learningRate),
      warmStart
    }
    if (!out.some((o) => sameSettings(o, s))) out.push(s)
  }
  return out
}

function sameSettings(a: HeadSettings, b: HeadSettings): boolean {
  return a.hidden === b.hidden && a.l2 === b.l2 && a.learningRate === b.learningRate && a.warmStart === b.warmStart
}

/** Rows from which the capacity search scores candidates on one fold instead of two. */
export const SEARCH_ONE_FOLD_ROWS = 2000

/** Optimizer steps per epoch that large sets are held to by growing the batch (at most MAX_BATCH rows). */
const STEPS_PER_EPOCH = 16
const MAX_BATCH = 1024
/** Epoch limit and patience of every head once a set has SEARCH_ONE_FOLD_ROWS rows (see trainingSchedule). */
const LARGE_SET_EPOCHS = 25
const LARGE_SET_PATIENCE = 3

/**
 * How each head of a fit trains. Small sets keep the defaults (batch 128, the requested epochs, patience 5).
 * From SEARCH_ONE_FOLD_ROWS rows on, 9 heads over thousands of rows made a 10k fit cost 95 CPU-seconds: the
 * batch doubles until an epoch is about STEPS_PER_EPOCH steps (on wasm a step's fixed cost dominates small
 * batches, and the hidden layer's matmul runs faster on larger ones), and every head (the search's, which are
 * kept as ensemble members, and the rest) stops after LARGE_SET_EPOCHS epochs or 3 without improvement: with
 * that many rows a head's validation loss has flattened long before (early stopping ended most heads there).
 * A grown batch takes fewer steps per epoch, so the learning rates (stated for batches of 128) are scaled by
 * √(batch / 128), the usual rule for Adam, to keep the progress per epoch. Explicit batchSize /
 * earlyStoppingPatience win (and are not rescaled).
 */
export function trainingSchedule(
  rows: number,
  folds: number,
  opts: { epochs?: number | undefined; batchSize?: number | undefined; earlyStoppingPatience?: number | undefined }
): { epochs: number; batchSize: number; earlyStoppingPatience: number; learningRateScale: number } {
  const epochs = opts.epochs ?? TRAIN_DEFAULTS.epochs
  const large = rows >= SEARCH_ONE_FOLD_ROWS
  const trainRows = Math.floor((rows * (folds - 1)) / folds)
  let batchSize = TRAIN_DEFAULTS.batchSize as number
  if (large) while (batchSize < MAX_BATCH && trainRows / batchSize > STEPS_PER_EPOCH) batchSize *= 2
  return {
    epochs: large ? Math.min(epochs, LARGE_SET_EPOCHS) : epochs,
    batchSize: opts.batchSize ?? batchSize,
    learningRateScale: opts.batchSize === undefined ? Math.sqrt(batchSize / TRAIN_DEFAULTS.batchSize) : 1,
    earlyStoppingPatience:
      opts.earlyStoppingPatience ?? (large ? LARGE_SET_PATIENCE : TRAIN_DEFAULTS.earlyStoppingPatience)
  }
}

export interface FitOptions extends Omit<
  KFoldOptions,
  'k' | 'onlyFolds' | 'onFold' | 'onEpoch' | 'hidden' | 'l2' | 'learningRate' | 'init'
> {
  /** Heads of the ensemble = folds (default 5). 1 = a single head validated on one fold of five. */
  k?: number
  /** The parent's weights, for the warm-start candidate. */
  parent?: HeadInit | undefined
  /** True when `parent` is a linear head (only then can a fresh linear head start from it). */
  parentLinear?: boolean
  forced?: ForcedSettings | undefined
  /** Candidates to search instead of candidateSettings (tests, benchmarks). */
  candidates?: HeadSettings[]
  onStage?: (message: string) => void
  /**
   * Every epoch of every head, numbered across the whole run (the live chart), with the most epochs the run
   * can take (every head running to the epoch limit; early stopping ends it sooner).
   */
  onEpoch?: (log: EpochLog, plannedEpochs: number) => void
  /**
   * More places to train a k-fold run besides this thread (head-threads.ts): the search's candidates and the
   * ensemble's folds are independent, so they train side by side. Every run is seeded by its fold, so the
   * result is the same with or without them.
   */
  runners?: readonly KFoldRunner[]
  /** Each epoch trains one view per face instead of every row (train.ts viewKeys); off by default. */
  sampleViews?: boolean
}

export interface SearchPoint {
  settings: HeadSettings
  val_loss: number
  /** Validation NLL after a temperature fitted on the same rows (what the search minimises); null for regression. */
  calibrated_val_loss: number | null
  val_acc: number | null
  epochs_run: number
}

export interface FitResult {
  /** The combined ensemble (uncalibrated logits); the caller disposes it. */
  model: tf.Sequential
  labels: string[]
  chosen: HeadSettings
  search: SearchPoint[]
  k: number
  heads: Array<{
    fold: number
    epochsRun: number
    bestEpoch: number
    stoppedEarly: boolean
    val_loss: number | null
    val_acc: number | null
  }>
  /** Temperature fitted on the out-of-fold rows (classification), else null. */
  calibration: TemperatureFit | null
  /** Fold of every row, and out-of-fold log-probabilities (rows × width; NaN where none). */
  fold: Int32Array
  oof: Float32Array
  width: number
  /** Whether each epoch trained on one view per face (FitOptions.sampleViews) rather than every row. */
  sampledViews: boolean
  /** The first head's result (fold 0: its history and split), for callers that report one run. */
  first: TrainResult
  durationMs: number
}

export async function fitHeads(options: FitOptions): Promise<FitResult> {
  const started = performance.now()
  const k = options.k ?? DEFAULT_FOLDS
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be ≥ 1, got ${k}`)
  const folds = k === 1 ? DEFAULT_FOLDS : k
  const warmStartable = options.parent !== undefined && options.parentLinear === true
  const candidates =
    options.candidates ?? candidateSettings({ warmStartable, ...(options.forced ? { forced: options.forced } : {}) })
  if (candidates.length === 0) throw new RangeError('no candidate settings to train')
  const {
    parent: _p,
    parentLinear: _pl,
    forced: _f,
    candidates: _c,
    onStage,
    onEpoch,
    k: _k,
    runners: helpers = [],
    sampleViews: _sv,
    ...rest
  } = options
  let x = toMatrix(options.features)
  // Helper threads read the one matrix instead of each receiving a copy of it.
  if (helpers.length > 0 && typeof SharedArrayBuffer !== 'undefined') {
    const shared = new Float32Array(new SharedArrayBuffer(x.data.byteLength))
    shared.set(x.data)
    x = { ...x, data: shared }
  }
  let epochNo = 0
  // One view per face per epoch halves an epoch with mirrored copies, but cost 0.7 points of held-out accuracy
  // on FER+ (docs/benchmarks.md), so it is an option (benchmarks), not the default.
  const faces = options.trainOnly ? options.trainOnly.filter((t) => !t).length : x.rows
  const sampleViews = faces < x.rows && options.sampleViews === true
  const { learningRateScale, ...schedule } = trainingSchedule(sampleViews ? faces : x.rows, folds, options)
  const searchHeads = k === 1 || x.rows >= SEARCH_ONE_FOLD_ROWS ? 1 : 2
  const plannedHeads = candidates.length * searchHeads + Math.max(0, k - searchHeads)
  const planned = schedule.epochs * plannedHeads
  const epochHook = (log: EpochLog, head: number): void => onEpoch?.({ ...log, epoch: ++epochNo, head }, planned)
  let runCount = 0

  const settingsOptions = (s: HeadSettings): Partial<TrainOptions> => ({
    ...(s.hidden !== null ? { hidden: s.hidden } : {}),
    l2: s.l2,
    learningRate: s.learningRate * learningRateScale,
    ...(s.warmStart && options.parent ? { init: options.parent } : {})
  })
  const runOptions = (s: HeadSettings, only: number[]): KFoldOptions => {
    const run = runCount++
    return {
      ...rest,
      features: { data: x.data, dim: x.dim },
      ...schedule,
      ...settingsOptions(s),
      k: folds,
      onlyFolds: only,
      ...(sampleViews ? { sampleViews } : {}),
      onEpoch: (fold, log) => epochHook(log, run * folds + fold)
    }
  }
  const runners: KFoldRunner[] = [trainKFold, ...helpers]

  // Candidates are scored on two folds (40 % of the rows with five folds) while one fold is only a few hundred
  // faces (too noisy to choose between settings); from SEARCH_ONE_FOLD_ROWS rows on, one fold is enough and the
  // search costs half. The search's heads are kept as members of the ensemble.
  const searchFolds = k === 1 || x.rows >= SEARCH_ONE_FOLD_ROWS ? [0] : [0, 1].slice(0, Math.min(2, k))
  const search: SearchPoint[] = []
  const tried: Array<{ s: HeadSettings; r: KFoldResult; score: number; rowNll: Float64Array | null }> = []
  let pick: (typeof tried)[number]
  try {
    // Side by side, the costly candidates (hidden layers, widest first) go first and the cheap linear ones fill
    // the gaps at the end; results still come back in candidate order.
    let started = 0
    const order = candidates.map((_, i) => i)
    if (runners.length > 1) order.sort((a, b) => (candidates[b]!.hidden ?? 0) - (candidates[a]!.hidden ?? 0) || a - b)
    const ordered = await runEach(
      runners,
      order.map((i) => () => {
        const s = candidates[i]!
        if (candidates.length > 1)
          onStage?.(`Choosing the head: ${++started}/${candidates.length} (${describeSettings(s)})…`)
        return runOptions(s, searchFolds)
      })
    )
    const byCandidate: KFoldResult[] = new Array(candidates.length)
    order.forEach((i, j) => (byCandidate[i] = ordered[j]!))
    for (const [i, s] of candidates.entries()) {
      const r = byCandidate[i]!
      const val_loss = mean(r.heads.map((h) => h.history[h.bestEpoch - 1]?.val_loss ?? Number.POSITIVE_INFINITY))
      const val_acc = r.heads.every((h) => h.history[h.bestEpoch - 1]?.val_acc !== undefined)
        ? mean(r.heads.map((h) => h.history[h.bestEpoch - 1]!.val_acc!))
        : null
      // Every version is temperature-scaled afterwards, so candidates compete on their validation NLL after
      // scaling: a fine-tuned head that is accurate but over-confident is not ruled out by its raw loss.
      let score = val_loss
      let rowNll: Float64Array | null = null
      if (options.kind === 'classification') {
        const truth = truthIndex(r.oof, r.width, r.labels, options.labels as readonly string[])
        const t = fitTemperature(r.oof, r.width, truth)
        rowNll = rowNlls(r.oof, r.width, truth, t.temperature)
        score = t.nll_after
      }
      search.push({
        settings: s,
        val_loss,
        calibrated_val_loss: options.kind === 'classification' ? score : null,
        val_acc,
        epochs_run: Math.max(...r.heads.map((h) => h.epochsRun))
      })
      tried.push({ s, r, score, rowNll })
    }
    pick = choose(tried)
  } finally {
    for (const t of tried) if (t !== pick!) disposeKFold(t.r)
  }
  const chosen = pick.s
  const first = pick.r
  let all: KFoldResult = first
  try {
    if (k > searchFolds.length) {
      const others: number[] = Array.from({ length: folds - searchFolds.length }, (_, i) => i + searchFolds.length)
      onStage?.(`Training the ensemble: ${k} heads (${describeSettings(chosen)})…`)
      all = mergeFolds(first, await trainFoldsSideBySide(runOptions(chosen, others), helpers))
    }
    const labels = all.labels
    const calibration =
      options.kind === 'classification'
        ? calibrate(all.oof, all.width, labels, options.labels as readonly string[])
        : null
    const model = combine(
      all.heads.map((h) => h.model),
      x.dim,
      options.kind === 'regression' ? 'regression' : labels
    )
    return {
      model,
      labels,
      chosen,
      search,
      k,
      heads: all.heads.map((h, i) => {
        const b = h.history[h.bestEpoch - 1]
        return {
          fold: all.folds[i]!,
          epochsRun: h.epochsRun,
          bestEpoch: h.bestEpoch,
          stoppedEarly: h.stoppedEarly,
          val_loss: b?.val_loss ?? null,
          val_acc: b?.val_acc ?? null
        }
      }),
      calibration,
      fold: all.fold,
      oof: all.oof,
      width: all.width,
      first: first.heads[0]!,
      sampledViews: sampleViews,
      durationMs: performance.now() - started
    }
  } finally {
    // `all` holds fold 0's head too once merged.
    disposeKFold(all)
  }
}

export function describeSettings(s: HeadSettings): string {
  const shape = s.hidden === null ? (s.warmStart ? 'fine-tune parent' : 'linear') : `hidden ${s.hidden}`
  return `${shape}, L2 ${s.l2}, lr ${s.learningRate}`
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
}

/**
 * The lowest calibrated validation NLL wins, with one exception: fine-tuning the (linear) parent must beat the
 * best fresh regularised head by more than one standard error of their paired per-row difference. The k
 * fine-tuned linear heads average into one linear head (the ensemble adds nothing), while k hidden-layer heads
 * gain from averaging that a single head's validation score cannot show; with few labels the parent still
 * wins clearly, because a fresh head is then far worse.
 */
function choose<T extends { s: HeadSettings; score: number; rowNll: Float64Array | null }>(tried: readonly T[]): T {
  const byScore = [...tried].sort((a, b) => a.score - b.score)
  const best = byScore[0]!
  const fresh = byScore.find((t) => !t.s.warmStart)
  if (!best.s.warmStart || !fresh || !best.rowNll || !fresh.rowNll) return best
  const d: number[] = []
  for (let i = 0; i < best.rowNll.length; i++) {
    const a = best.rowNll[i]!
    const b = fresh.rowNll[i]!
    if (Number.isFinite(a) && Number.isFinite(b)) d.push(a - b)
  }
  if (d.length < 2) return best
  const m = mean(d)
  const se = Math.sqrt(d.reduce((acc, x) => acc + (x - m) ** 2, 0) / (d.length - 1) / d.length)
  return m < -se ? best : fresh
}

function truthIndex(
  oof: Float32Array,
  width: number,
  labels: readonly string[],
  truthLabels: readonly string[]
): Int32Array {
  const index = new Map(labels.map((l, i) => [l, i]))
  return Int32Array.from(truthLabels, (l, i) => (Number.isNaN(oof[i * width]!) ? -1 : (index.get(l) ?? -1)))
}

/** Each row's NLL at temperature T (NaN for rows without an out-of-fold prediction). */
function rowNlls(oof: Float32Array, width: number, truth: Int32Array, t: number): Float64Array {
  const out = new Float64Array(truth.length).fill(Number.NaN)
  for (let i = 0; i < truth.length; i++) {
    const c = truth[i]!
    if (c < 0) continue
    let max = -Infinity
    for (let j = 0; j < width; j++) max = Math.max(max, oof[i * width + j]! / t)
    let sum = 0
    for (let j = 0; j < width; j++) sum += Math.exp(oof[i * width + j]! / t - max)
    out[i] = -(oof[i * width + c]! / t - max - Math.log(sum))
  }
  return out
}

function calibrate(
  oof: Float32Array,
  width: number,
  labels: readonly string[],
  truthLabels: readonly string[]
): TemperatureFit {
  return fitTemperature(oof, width, truthIndex(oof, width, labels, truthLabels))
}

/**
 * One head computing the mean of k heads' logits (or outputs, for regression): hidden layers side by side,
 * output kernels stacked and scaled by 1/k, biases averaged. Linear heads collapse to their mean weights.
 */
export function combine(
  models: readonly tf.LayersModel[],
  inputDim: number,
  labels: readonly string[] | 'regression'
): tf.Sequential {
  const weights = models.map((m) => readHeadWeights(m))
  const k = weights.length
  if (k === 0) throw new RangeError('no heads to combine')
  const hiddenUnits = weights[0]!.hidden?.kernelShape[1]
  if (weights.some((w) => w.hidden?.kernelShape[1] !== hiddenUnits)) throw new RangeError('heads differ in shape')
  const out = weights[0]!.output.kernelShape[1]
  const bias = new Float32Array(out)
  for (const w of weights) w.output.bias.forEach((b, j) => (bias[j] = bias[j]! + b / k))
  if (hiddenUnits === undefined) {
    const kernel = new Float32Array(inputDim * out)
    for (const w of weights) w.output.kernel.forEach((v, i) => (kernel[i] = kernel[i]! + v / k))
    return buildHead({ inputDim, labels, seed: 0, init: { output: { kernel, kernelShape: [inputDim, out], bias } } })
  }
  const H = hiddenUnits
  const hk = new Float32Array(inputDim * k * H)
  const hb = new Float32Array(k * H)
  const ok = new Float32Array(k * H * out)
  weights.forEach((w, j) => {
    const hid = w.hidden!
    for (let r = 0; r < inputDim; r++) for (let c = 0; c < H; c++) hk[r * k * H + j * H + c] = hid.kernel[r * H + c]!
    hb.set(hid.bias, j * H)
    for (let r = 0; r < H; r++)
      for (let c = 0; c < out; c++) ok[(j * H + r) * out + c] = w.output.kernel[r * out + c]! / k
  })
  const hidden: DenseWeights = { kernel: hk, kernelShape: [inputDim, k * H], bias: hb }
  const output: DenseWeights = { kernel: ok, kernelShape: [k * H, out], bias }
  return buildHead({ inputDim, labels, hidden: k * H, seed: 0, init: { hidden, output } })
}
