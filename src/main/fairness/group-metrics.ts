/**
 * Per-group metrics of one version's predictions (pure: no database, no worker). Classification tasks use
 * analysis/fairness.groupMetrics (per group and class TPR/FPR/TNR/FNR with counts, accuracy, macro-F1, the
 * largest gap, dp_diff, eo_diff over non-small groups); score tasks get MAE/RMSE/PCC per group and the largest
 * MAE gap. Small groups are flagged and never ranked.
 */
import type { GroupClassStats, GroupGap, GroupMetricsInfo, GroupScoreStats } from '../../shared/domain'
import { groupMetrics, spread } from '../analysis/group-rates'
import { regressionMetrics } from '../analysis/prediction-metrics'

export interface ScoredFace {
  faceId: number
  truth: string
  pred: string
}

export type GroupMetricsCore = Pick<
  GroupMetricsInfo,
  'per_group' | 'max_gap' | 'tpr_gap' | 'dp_diff' | 'eo_diff' | 'small_groups' | 'ungrouped' | 'min_group_size'
>

/** The task's labels plus any value seen in truth or predictions (a dropped label scores as wrong, not as an error). */
export function labelUniverse(taskLabels: readonly string[], faces: readonly ScoredFace[]): string[] {
  const labels = [...taskLabels]
  const seen = new Set(labels)
  for (const f of faces) {
    for (const v of [f.truth, f.pred]) {
      if (!seen.has(v)) {
        seen.add(v)
        labels.push(v)
      }
    }
  }
  return labels
}

export function computeGroupMetrics(
  kind: 'classification' | 'score',
  taskLabels: readonly string[],
  faces: readonly ScoredFace[],
  groupOf: ReadonlyMap<number, string>,
  minGroupSize: number
): GroupMetricsCore {
  const rows: Array<ScoredFace & { group: string }> = []
  for (const f of faces) {
    const g = groupOf.get(f.faceId)
    if (g !== undefined) rows.push({ ...f, group: g })
  }
  const ungrouped = faces.length - rows.length
  if (kind === 'score') return scoreGroupMetrics(rows, ungrouped, minGroupSize)

  const labels = labelUniverse(taskLabels, faces)
  const m = groupMetrics(rows, labels, { minGroupSize })
  const per_group: Record<string, GroupClassStats> = m.per_group
  const ranked = Object.keys(per_group).filter((g) => !(per_group[g] as GroupClassStats).small)
  let tpr_gap: GroupGap | null = null
  for (const label of labels) {
    const gap = spread(ranked, (g) => (per_group[g] as GroupClassStats).per_class[label]?.tpr ?? null)
    if (gap && (tpr_gap === null || gap.value > tpr_gap.value)) tpr_gap = { metric: `tpr:${label}`, ...gap }
  }
  return {
    per_group,
    max_gap: m.max_gap,
    tpr_gap,
    dp_diff: m.dp_diff,
    eo_diff: m.eo_diff,
    small_groups: Object.keys(per_group).filter((g) => (per_group[g] as GroupClassStats).small),
    ungrouped,
    min_group_size: minGroupSize
  }
}

function scoreGroupMetrics(
  rows: ReadonlyArray<ScoredFace & { group: string }>,
  ungrouped: number,
  minGroupSize: number
): GroupMetricsCore {
  const byGroup = new Map<string, Array<ScoredFace & { group: string }>>()
  for (const r of rows) {
    const list = byGroup.get(r.group)
    if (list) list.push(r)
    else byGroup.set(r.group, [r])
  }
  const per_group: Record<string, GroupScoreStats> = {}
  for (const g of [...byGroup.keys()].sort()) {
    const list = byGroup.get(g) as Array<ScoredFace & { group: string }>
    const m = regressionMetrics(
      list.map((r) => Number(r.truth)),
      list.map((r) => Number(r.pred))
    )
    per_group[g] = { n: m.n, mae: m.mae, rmse: m.rmse, pcc: m.pcc, small: m.n < minGroupSize }
  }
  const ranked = Object.keys(per_group).filter((g) => !(per_group[g] as GroupScoreStats).small)
  const gap = spread(ranked, (g) => (per_group[g] as GroupScoreStats).mae)
  return {
    per_group,
    max_gap: gap ? { metric: 'mae', ...gap } : null,
    tpr_gap: null,
    dp_diff: null,
    eo_diff: null,
    small_groups: Object.keys(per_group).filter((g) => (per_group[g] as GroupScoreStats).small),
    ungrouped,
    min_group_size: minGroupSize
  }
}

/** b − a per group present on both sides, and of the summary numbers. */
export function groupDeltas(
  a: GroupMetricsInfo,
  b: GroupMetricsInfo
): { deltas: Record<string, Record<string, number | null>>; summary_deltas: Record<string, number | null> } {
  const d = (x: number | null | undefined, y: number | null | undefined): number | null =>
    x === null || x === undefined || y === null || y === undefined ? null : y - x
  const deltas: Record<string, Record<string, number | null>> = {}
  for (const g of Object.keys(a.per_group)) {
    const ga = a.per_group[g]
    const gb = b.per_group[g]
    if (!ga || !gb) continue
    const row: Record<string, number | null> = {}
    if ('accuracy' in ga && 'accuracy' in gb) {
      row.accuracy = d(ga.accuracy, gb.accuracy)
      row.macro_f1 = d(ga.macro_f1, gb.macro_f1)
      for (const [label, ra] of Object.entries(ga.per_class)) {
        const rb = gb.per_class[label]
        row[`tpr:${label}`] = d(ra.tpr, rb?.tpr)
        row[`fpr:${label}`] = d(ra.fpr, rb?.fpr)
      }
    } else if ('mae' in ga && 'mae' in gb) {
      row.mae = d(ga.mae, gb.mae)
      row.rmse = d(ga.rmse, gb.rmse)
      row.pcc = d(ga.pcc, gb.pcc)
    }
    deltas[g] = row
  }
  const summary_deltas: Record<string, number | null> = {
    max_gap: d(a.max_gap?.value, b.max_gap?.value),
    tpr_gap: d(a.tpr_gap?.value, b.tpr_gap?.value),
    dp_diff: d(a.dp_diff, b.dp_diff),
    eo_diff: d(a.eo_diff, b.eo_diff)
  }
  for (const k of Object.keys(a.overall)) {
    if (k !== 'n') summary_deltas[k] = d(a.overall[k], b.overall[k])
  }
  return { deltas, summary_deltas }
}
