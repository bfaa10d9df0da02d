/**
 * Picking the point of a mitigation sweep (the job itself is app/sweep.ts). A sweep runs one training run per strength value (ω for reweighting, λ for the penalty), run one after
 * another inside ONE job with progress, each saved as a normal (inactive) version fine-tuned from the same
 * parent (the task's active version at the start). Then every version and the parent are scored on the
 * evaluation set, overall and per group, and the least-biased version within an accuracy budget is picked:
 * among the points whose accuracy is at most `accuracyBudget` below the best point's, the smallest gap — the
 * TPR gap (default) or the accuracy gap between groups (MAE gap for score tasks). A mitigated point whose gap
 * is larger than the starting version's is never picked, whatever its accuracy: a mitigation that widens the
 * gap it was run to shrink is kept out, and the starting version is kept instead. Any point can be activated
 * afterwards like any other version.
 */
import type {
  GroupClassStats,
  GroupGap,
  GroupMetricsInfo,
  SweepGapMetric,
  SweepPoint,
  SweepSummary
} from '../../shared/domain'
import { spread } from '../analysis/group-rates'

export const DEFAULT_ACCURACY_BUDGET = 0.01
export const DEFAULT_MAE_BUDGET = 1

/** Spread of per-group accuracy over the ranked (not small) groups. */
export function accuracyGap(m: GroupMetricsInfo): GroupGap | null {
  if (m.kind === 'score') return null
  const groups = Object.entries(m.per_group) as Array<[string, GroupClassStats]>
  const ranked = groups.filter(([, g]) => !g.small).map(([name]) => name)
  const gap = spread(ranked, (g) => (m.per_group[g] as GroupClassStats).accuracy)
  return gap ? { metric: 'accuracy', ...gap } : null
}

function toPoint(value: number | null, m: GroupMetricsInfo, metric: SweepGapMetric): SweepPoint {
  const accuracy_gap = accuracyGap(m)
  const gap =
    m.kind === 'score'
      ? (m.max_gap?.value ?? null)
      : metric === 'accuracy'
        ? (accuracy_gap?.value ?? null)
        : (m.tpr_gap?.value ?? null)
  return {
    value,
    version: m.version,
    overall: m.overall,
    per_group: m.per_group,
    max_gap: m.max_gap,
    tpr_gap: m.tpr_gap,
    dp_diff: m.dp_diff,
    eo_diff: m.eo_diff,
    accuracy_gap,
    gap,
    within_budget: false,
    picked: false
  }
}

/**
 * Marks the points within the budget and picks the smallest gap among them and the starting version
 * (ties: the better accuracy, then the earlier candidate, so an equal start is kept). A point with a larger gap
 * than the starting version is never picked; the starting version is always eligible, within the budget or not.
 */
export function pickSweep(
  baseline: GroupMetricsInfo,
  points: ReadonlyArray<{ value: number; m: GroupMetricsInfo }>,
  budget: number,
  metric: SweepGapMetric = 'tpr'
): Pick<SweepSummary, 'baseline' | 'points' | 'picked' | 'criterion' | 'gap_metric'> {
  const score = baseline.kind === 'score'
  const quality = (p: SweepPoint): number | null => {
    const q = score ? p.overall.mae : p.overall.accuracy
    return q === null || q === undefined ? null : score ? -q : q
  }
  const out = points.map((p) => toPoint(p.value, p.m, metric))
  const base = toPoint(null, baseline, metric)
  // The version the sweep started from competes too: when no mitigated version is less biased within the
  // budget, the honest pick is to keep it.
  const candidates = [base, ...out]
  const qs = candidates.map(quality).filter((q): q is number => q !== null)
  const best = qs.length ? Math.max(...qs) : null
  let picked: SweepPoint | null = null
  for (const p of candidates) {
    const q = quality(p)
    p.within_budget = best !== null && q !== null && q >= best - budget - 1e-12
    if (p.gap === null) continue
    if (p !== base && (!p.within_budget || (base.gap !== null && p.gap > base.gap + 1e-12))) continue
    if (
      picked === null ||
      p.gap < (picked.gap as number) - 1e-12 ||
      (Math.abs(p.gap - (picked.gap as number)) <= 1e-12 && (quality(p) ?? 0) > (quality(picked) ?? 0))
    )
      picked = p
  }
  if (picked) picked.picked = true
  const gapName = score ? 'MAE gap' : metric === 'accuracy' ? 'accuracy gap' : 'TPR gap'
  return {
    baseline: base,
    points: out,
    picked: picked?.version ?? null,
    gap_metric: score ? 'mae' : metric,
    criterion: score
      ? `smallest MAE gap between groups among versions with MAE ≤ best + ${budget}, never larger than the starting version's`
      : `smallest ${gapName} between groups among versions with accuracy ≥ best − ${budget}, never larger than the starting version's`
  }
}
