/**
 * Picking the point of a mitigation sweep (the job itself is app/sweep.ts). A sweep runs one training run per strength value (ω for reweighting, λ for the penalty), run one after
 * another inside ONE job with progress, each saved as a normal (inactive) version fine-tuned from the same
 * parent (the task's active version at the start). Then every version and the parent are scored on the
 * evaluation set, overall and per group, and the least-biased version within an accuracy budget is picked:
 * among the points whose accuracy is at most `accuracyBudget` below the best point's, the smallest TPR gap
 * (MAE gap for score tasks). Any point can be activated afterwards like any other version.
 */
import type { GroupMetricsInfo, SweepPoint, SweepSummary } from '../../shared/domain'

export const DEFAULT_ACCURACY_BUDGET = 0.01
export const DEFAULT_MAE_BUDGET = 1

function toPoint(value: number | null, m: GroupMetricsInfo): SweepPoint {
  const gap = m.kind === 'score' ? (m.max_gap?.value ?? null) : (m.tpr_gap?.value ?? null)
  return {
    value,
    version: m.version,
    overall: m.overall,
    per_group: m.per_group,
    max_gap: m.max_gap,
    tpr_gap: m.tpr_gap,
    dp_diff: m.dp_diff,
    eo_diff: m.eo_diff,
    gap,
    within_budget: false,
    picked: false
  }
}

/**
 * Marks the points within the budget and picks the smallest gap among them and the starting version
 * (ties: the better accuracy, then the earlier candidate, so an equal start is kept).
 */
export function pickSweep(
  baseline: GroupMetricsInfo,
  points: ReadonlyArray<{ value: number; m: GroupMetricsInfo }>,
  budget: number
): Pick<SweepSummary, 'baseline' | 'points' | 'picked' | 'criterion'> {
  const score = baseline.kind === 'score'
  const quality = (p: SweepPoint): number | null => {
    const q = score ? p.overall.mae : p.overall.accuracy
    return q === null || q === undefined ? null : score ? -q : q
  }
  const out = points.map((p) => toPoint(p.value, p.m))
  const base = toPoint(null, baseline)
  // The version the sweep started from competes too: when no mitigated version is less biased within the
  // budget, the honest pick is to keep it.
  const candidates = [base, ...out]
  const qs = candidates.map(quality).filter((q): q is number => q !== null)
  const best = qs.length ? Math.max(...qs) : null
  let picked: SweepPoint | null = null
  for (const p of candidates) {
    const q = quality(p)
    p.within_budget = best !== null && q !== null && q >= best - budget - 1e-12
    if (!p.within_budget || p.gap === null) continue
    if (
      picked === null ||
      p.gap < (picked.gap as number) - 1e-12 ||
      (Math.abs(p.gap - (picked.gap as number)) <= 1e-12 && (quality(p) ?? 0) > (quality(picked) ?? 0))
    )
      picked = p
  }
  if (picked) picked.picked = true
  return {
    baseline: base,
    points: out,
    picked: picked?.version ?? null,
    criterion: score
      ? `smallest MAE gap between groups among versions with MAE ≤ best + ${budget}`
      : `smallest TPR gap between groups among versions with accuracy ≥ best − ${budget}`
  }
}
