export interface ClassMetrics {
  precision: number
  recall: number
  f1: number
  support: number
}

export interface ConfusionMatrix {
  labels: string[]
  /** matrix[t][p] = count of truth labels[t] predicted as labels[p]. */
  matrix: number[][]
}

export interface ReliabilityBin {
  lo: number
  hi: number
  count: number
  /** Fraction correct in the bin; 0 when the bin is empty. */
  accuracy: number
  /** Mean confidence in the bin; 0 when the bin is empty. */
  confidence: number
}

export interface ClassificationMetrics {
  n: number
  accuracy: number
  macro_f1: number
  per_class: Record<string, ClassMetrics>
  confusion: ConfusionMatrix
  /** Expected calibration error over 10 equal-width bins; null without confidences. */
  ece: number | null
  reliability: { bins: ReliabilityBin[] } | null
}

export interface RegressionMetrics {
  n: number
  mae: number
  rmse: number
  /** Pearson correlation; null when either side is constant or n < 2. */
  pcc: number | null
}

export const CALIBRATION_BINS = 10

/**
 * Accuracy, per-class precision/recall/F1, confusion matrix and (with confidences of the predicted label)
 * calibration. Every label in `labels` gets a per_class row, but macro-F1 averages only labels that occur in
 * the truth or were predicted at least once: a label absent from both has no defined F1, and counting it as 0
 * (or 1) would move the average with the label list rather than the model. A label predicted but never true
 * has F1 0 and does count — those predictions are all wrong. Empty input gives zeros, not NaN, so the result
 * always serialises to JSON.
 */
export function classificationMetrics(
  truth: readonly string[],
  pred: readonly string[],
  labels: readonly string[],
  confidences?: readonly number[]
): ClassificationMetrics {
  if (truth.length !== pred.length) throw new Error(`truth has ${truth.length} rows, pred ${pred.length}`)
  if (confidences && confidences.length !== truth.length)
    throw new Error(`confidences has ${confidences.length} rows, truth ${truth.length}`)
  const index = labelIndex(labels)
  const size = labels.length
  const matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0))
  let correct = 0
  truth.forEach((t, i) => {
    const ti = indexOrThrow(index, t, 'truth', i)
    const pi = indexOrThrow(index, pred[i] as string, 'pred', i)
    const row = matrix[ti] as number[]
    row[pi] = (row[pi] as number) + 1
    if (ti === pi) correct++
  })

  const per_class: Record<string, ClassMetrics> = {}
  let f1Sum = 0
  let f1Count = 0
  labels.forEach((label, c) => {
    const tp = (matrix[c] as number[])[c] as number
    const support = sum(matrix[c] as number[])
    let predicted = 0
    for (const row of matrix) predicted += row[c] as number
    const precision = predicted === 0 ? 0 : tp / predicted
    const recall = support === 0 ? 0 : tp / support
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    per_class[label] = { precision, recall, f1, support }
    if (support > 0 || predicted > 0) {
      f1Sum += f1
      f1Count++
    }
  })

  const n = truth.length
  const calibration = confidences ? reliability(truth, pred, confidences) : null
  return {
    n,
    accuracy: n === 0 ? 0 : correct / n,
    macro_f1: f1Count === 0 ? 0 : f1Sum / f1Count,
    per_class,
    confusion: { labels: [...labels], matrix },
    ece: calibration?.ece ?? null,
    reliability: calibration ? { bins: calibration.bins } : null
  }
}

function reliability(
  truth: readonly string[],
  pred: readonly string[],
  confidences: readonly number[]
): { ece: number; bins: ReliabilityBin[] } {
  const count = new Array<number>(CALIBRATION_BINS).fill(0)
  const hits = new Array<number>(CALIBRATION_BINS).fill(0)
  const confSum = new Array<number>(CALIBRATION_BINS).fill(0)
  confidences.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) throw new Error(`confidence at row ${i} is ${c}, outside [0, 1]`)
    // Bins are [lo, hi) except the last, which also takes confidence 1.
    const b = Math.min(CALIBRATION_BINS - 1, Math.floor(c * CALIBRATION_BINS))
    count[b] = (count[b] as number) + 1
    confSum[b] = (confSum[b] as number) + c
    if (truth[i] === pred[i]) hits[b] = (hits[b] as number) + 1
  })
  const n = confidences.length
  let ece = 0
  const bins = count.map((m, b) => {
    const accuracy = m === 0 ? 0 : (hits[b] as number) / m
    const confidence = m === 0 ? 0 : (confSum[b] as number) / m
    if (n > 0) ece += (m / n) * Math.abs(accuracy - confidence)
    return { lo: b / CALIBRATION_BINS, hi: (b + 1) / CALIBRATION_BINS, count: m, accuracy, confidence }
  })
  return { ece, bins }
}

/** MAE, RMSE and Pearson correlation (e.g. age in years). Empty input gives zeros and a null correlation. */
export function regressionMetrics(truth: readonly number[], pred: readonly number[]): RegressionMetrics {
  if (truth.length !== pred.length) throw new Error(`truth has ${truth.length} rows, pred ${pred.length}`)
  const n = truth.length
  if (n === 0) return { n, mae: 0, rmse: 0, pcc: null }
  let abs = 0
  let sq = 0
  let mt = 0
  let mp = 0
  truth.forEach((t, i) => {
    const p = pred[i] as number
    abs += Math.abs(p - t)
    sq += (p - t) * (p - t)
    mt += t
    mp += p
  })
  mt /= n
  mp /= n
  let cov = 0
  let vt = 0
  let vp = 0
  truth.forEach((t, i) => {
    const dt = t - mt
    const dp = (pred[i] as number) - mp
    cov += dt * dp
    vt += dt * dt
    vp += dp * dp
  })
  const pcc = n < 2 || vt === 0 || vp === 0 ? null : cov / Math.sqrt(vt * vp)
  return { n, mae: abs / n, rmse: Math.sqrt(sq / n), pcc }
}

export function labelIndex(labels: readonly string[]): Map<string, number> {
  const index = new Map<string, number>()
  labels.forEach((l, i) => {
    if (index.has(l)) throw new Error(`label "${l}" listed twice`)
    index.set(l, i)
  })
  return index
}

function indexOrThrow(index: Map<string, number>, label: string, side: string, row: number): number {
  const i = index.get(label)
  if (i === undefined) throw new Error(`${side} at row ${row} is "${label}", not one of the labels`)
  return i
}

function sum(xs: readonly number[]): number {
  let s = 0
  for (const x of xs) s += x
  return s
}
