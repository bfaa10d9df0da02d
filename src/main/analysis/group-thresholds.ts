export type ThresholdTarget = 'tpr' | 'fpr'

export interface GroupThresholdRow {
  n: number
  threshold: number
  /** The group's TPR (or FPR) at the shared 0.5 threshold and at its own; null without positives (negatives). */
  rate_before: number | null
  rate_after: number | null
  within_tolerance: boolean
}

export interface GroupThresholdResult {
  target: ThresholdTarget
  /** The pooled rate at 0.5 that every group is moved towards. */
  target_rate: number | null
  tolerance: number
  per_group: Record<string, GroupThresholdRow>
  accuracy_before: number
  accuracy_after: number
}

export const BASE_THRESHOLD = 0.5

/**
 * Post-processing mitigation for a binary score: a threshold per group so each group's TPR (equal opportunity)
 * or FPR lands within `tolerance` of the pooled rate at 0.5. Among thresholds within tolerance the one with the
 * best accuracy in that group wins (accuracy is the price being paid, so pay as little as possible); when none is
 * within tolerance the closest rate wins. A row is positive when score ≥ threshold.
 */
export function perGroupThresholds(
  scores: ReadonlyArray<{ score: number; truth: boolean; group: string }>,
  opts: { target: ThresholdTarget; tolerance: number }
): GroupThresholdResult {
  const { target, tolerance } = opts
  const rateOf = (tp: number, fp: number, pos: number, neg: number): number | null =>
    target === 'tpr' ? (pos === 0 ? null : tp / pos) : neg === 0 ? null : fp / neg

  const pooled = countAt(scores, BASE_THRESHOLD)
  const targetRate = rateOf(pooled.tp, pooled.fp, pooled.pos, pooled.neg)

  const byGroup = new Map<string, Array<{ score: number; truth: boolean }>>()
  for (const s of scores) {
    const list = byGroup.get(s.group)
    if (list) list.push(s)
    else byGroup.set(s.group, [s])
  }

  const per_group: Record<string, GroupThresholdRow> = {}
  let correctAfter = 0
  for (const group of [...byGroup.keys()].sort()) {
    const list = byGroup.get(group) as Array<{ score: number; truth: boolean }>
    const before = countAt(list, BASE_THRESHOLD)
    const pos = before.pos
    const neg = before.neg
    const rateBefore = rateOf(before.tp, before.fp, pos, neg)

    // Sweep thresholds from high to low; at each distinct score every row scoring at least that is positive.
    const sorted = [...list].sort((a, b) => b.score - a.score)
    const maxScore = sorted[0]?.score ?? BASE_THRESHOLD
    let best = { threshold: BASE_THRESHOLD, rate: rateBefore, correct: before.correct, inTol: false, dist: Infinity }
    const offer = (threshold: number, tp: number, fp: number): void => {
      const rate = rateOf(tp, fp, pos, neg)
      const correct = tp + (neg - fp)
      const dist = rate === null || targetRate === null ? 0 : Math.abs(rate - targetRate)
      const inTol = dist <= tolerance + 1e-12
      const better =
        inTol !== best.inTol
          ? inTol
          : inTol
            ? correct > best.correct ||
              (correct === best.correct &&
                Math.abs(threshold - BASE_THRESHOLD) < Math.abs(best.threshold - BASE_THRESHOLD))
            : dist < best.dist
      if (better) best = { threshold, rate, correct, inTol, dist }
    }
    // Offer 0.5 first so it is kept whenever it is as good as anything else.
    offer(BASE_THRESHOLD, before.tp, before.fp)
    offer(maxScore + 1e-9, 0, 0)
    let tp = 0
    let fp = 0
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i] as { score: number; truth: boolean }
      if (s.truth) tp++
      else fp++
      const next = sorted[i + 1]
      if (next === undefined || next.score < s.score) offer(s.score, tp, fp)
    }
    correctAfter += best.correct
    per_group[group] = {
      n: list.length,
      threshold: best.threshold,
      rate_before: rateBefore,
      rate_after: best.rate,
      within_tolerance: best.inTol
    }
  }
  const n = scores.length
  return {
    target,
    target_rate: targetRate,
    tolerance,
    per_group,
    accuracy_before: n === 0 ? 0 : pooled.correct / n,
    accuracy_after: n === 0 ? 0 : correctAfter / n
  }
}

function countAt(
  rows: ReadonlyArray<{ score: number; truth: boolean }>,
  threshold: number
): { tp: number; fp: number; pos: number; neg: number; correct: number } {
  let tp = 0
  let fp = 0
  let pos = 0
  let correct = 0
  for (const r of rows) {
    const p = r.score >= threshold
    if (r.truth) pos++
    if (p && r.truth) tp++
    if (p && !r.truth) fp++
    if (p === r.truth) correct++
  }
  return { tp, fp, pos, neg: rows.length - pos, correct }
}
