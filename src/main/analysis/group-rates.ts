import type { GroupClassRates } from '../../shared/domain'
import { classificationMetrics, labelIndex } from './prediction-metrics'

export interface GroupRow {
  truth: string
  pred: string
  group: string
}

/** One-vs-rest counts and rates of one class inside one group: the shape the UI and CLI receive. */
export type OneVsRest = GroupClassRates

export interface GroupStats {
  n: number
  accuracy: number
  /** 95 % Wilson interval of the accuracy. */
  accuracy_ci: [number, number]
  macro_f1: number
  /** Fewer rows than minGroupSize: shown, but left out of the gaps below because its rates are noise. */
  small: boolean
  /** Accuracy interval wider than WIDE_INTERVAL: flagged by its uncertainty, whatever minGroupSize says. */
  wide: boolean
  per_class: Record<string, OneVsRest>
}

export interface MaxGap {
  /** "accuracy" or "tpr:<label>". */
  metric: string
  value: number
  /** [higher, lower]. */
  groups: [string, string]
}

export interface GroupMetrics {
  per_group: Record<string, GroupStats>
  /** Null with fewer than two non-small groups. */
  max_gap: MaxGap | null
  /** Demographic parity difference over non-small groups; null with fewer than two. */
  dp_diff: number | null
  /** Equalised odds difference over non-small groups; null with fewer than two. */
  eo_diff: number | null
}

export const DEFAULT_MIN_GROUP_SIZE = 30
/** A group whose 95 % accuracy interval is wider than this (± 10 points) is flagged as too uncertain to compare. */
export const WIDE_INTERVAL = 0.2
const Z95 = 1.959963984540054

/**
 * 95 % Wilson score interval of k successes in n trials: unlike the normal approximation it stays inside [0, 1]
 * and is honest at 0/n and n/n, which small face groups hit often. Null for n = 0.
 */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null
  const p = k / n
  const z2 = z * z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n)
  return [k <= 0 ? 0 : Math.max(0, centre - half), k >= n ? 1 : Math.min(1, centre + half)]
}

/**
 * Per-group accuracy, macro-F1 and one-vs-rest rates, and the disparities between groups. Gaps, dp_diff and
 * eo_diff use only groups with at least minGroupSize rows, and a rate that is undefined in a group (a class with
 * no positives there) is skipped rather than read as 0, so neither tiny groups nor absent classes fake a gap.
 */
export function groupMetrics(
  rows: readonly GroupRow[],
  labels: readonly string[],
  opts: { minGroupSize?: number } = {}
): GroupMetrics {
  const minGroupSize = opts.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE
  const index = labelIndex(labels)
  const byGroup = new Map<string, GroupRow[]>()
  for (const r of rows) {
    if (!index.has(r.truth) || !index.has(r.pred))
      throw new Error(`row of group "${r.group}" has a label outside labels`)
    const list = byGroup.get(r.group)
    if (list) list.push(r)
    else byGroup.set(r.group, [r])
  }

  const per_group: Record<string, GroupStats> = {}
  const predictedShare: Record<string, Record<string, number>> = {}
  for (const group of [...byGroup.keys()].sort()) {
    const list = byGroup.get(group) as GroupRow[]
    const m = classificationMetrics(
      list.map((r) => r.truth),
      list.map((r) => r.pred),
      labels
    )
    const per_class: Record<string, OneVsRest> = {}
    const share: Record<string, number> = {}
    labels.forEach((label, c) => {
      const tp = (m.confusion.matrix[c] as number[])[c] as number
      const support = (m.per_class[label] as { support: number }).support
      let predicted = 0
      for (const row of m.confusion.matrix) predicted += row[c] as number
      const fn = support - tp
      const fp = predicted - tp
      const tn = list.length - tp - fn - fp
      per_class[label] = {
        tpr: ratio(tp, tp + fn),
        fpr: ratio(fp, fp + tn),
        tnr: ratio(tn, fp + tn),
        fnr: ratio(fn, tp + fn),
        support,
        tp,
        fp,
        tn,
        fn,
        tpr_ci: wilsonInterval(tp, tp + fn),
        fpr_ci: wilsonInterval(fp, fp + tn)
      }
      share[label] = list.length === 0 ? 0 : predicted / list.length
    })
    const accuracy_ci = wilsonInterval(Math.round(m.accuracy * list.length), list.length) ?? [0, 1]
    per_group[group] = {
      n: list.length,
      accuracy: m.accuracy,
      accuracy_ci,
      macro_f1: m.macro_f1,
      small: list.length < minGroupSize,
      wide: accuracy_ci[1] - accuracy_ci[0] > WIDE_INTERVAL,
      per_class
    }
    predictedShare[group] = share
  }

  const large = Object.keys(per_group).filter((g) => !(per_group[g] as GroupStats).small)
  if (large.length < 2) return { per_group, max_gap: null, dp_diff: null, eo_diff: null }
  const stats = (g: string): GroupStats => per_group[g] as GroupStats
  const rate = (g: string, label: string, key: 'tpr' | 'fpr'): number | null =>
    (stats(g).per_class[label] as OneVsRest)[key]

  let max_gap: MaxGap | null = null
  const consider = (metric: string, value: (g: string) => number | null): void => {
    const gap = spread(large, value)
    if (gap && (max_gap === null || gap.value > max_gap.value)) max_gap = { metric, ...gap }
  }
  consider('accuracy', (g) => stats(g).accuracy)
  for (const label of labels) consider(`tpr:${label}`, (g) => rate(g, label, 'tpr'))

  let dp_diff = 0
  let eo_diff = 0
  for (const label of labels) {
    dp_diff = Math.max(
      dp_diff,
      spread(large, (g) => (predictedShare[g] as Record<string, number>)[label] ?? 0)?.value ?? 0
    )
    const tprGap = spread(large, (g) => rate(g, label, 'tpr'))?.value ?? 0
    const fprGap = spread(large, (g) => rate(g, label, 'fpr'))?.value ?? 0
    eo_diff = Math.max(eo_diff, tprGap, fprGap)
  }
  return { per_group, max_gap, dp_diff, eo_diff }
}

function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den
}

/**
 * max − min of a per-group value over the groups where it is defined (null with fewer than two); ties keep
 * the first group in order. Every gap between groups (metrics, probes, thresholds, sweeps) is this one spread.
 */
export function spread(
  groups: readonly string[],
  value: (g: string) => number | null
): { value: number; groups: [string, string] } | null {
  let hi: [string, number] | null = null
  let lo: [string, number] | null = null
  for (const g of groups) {
    const v = value(g)
    if (v === null) continue
    if (hi === null || v > hi[1]) hi = [g, v]
    if (lo === null || v < lo[1]) lo = [g, v]
  }
  if (hi === null || lo === null || hi[0] === lo[0]) return null
  return { value: hi[1] - lo[1], groups: [hi[0], lo[0]] }
}

export const GROUP_JOINER = ' × '

/** Intersectional groups, e.g. "female × Black"; ids missing from either map are left out. */
export function intersectGroups<Id>(a: Map<Id, string>, b: Map<Id, string>): Map<Id, string> {
  const out = new Map<Id, string>()
  for (const [id, ga] of a) {
    const gb = b.get(id)
    if (gb !== undefined) out.set(id, `${ga}${GROUP_JOINER}${gb}`)
  }
  return out
}

export interface BiasProbe {
  /** Predicted classes seen, sorted. */
  classes: string[]
  /** Per attribute value: its row count and P(pred = class | attribute = value) for every class. */
  rows: Record<string, { n: number; p: Record<string, number> }>
}

/**
 * How a model's predictions distribute within each value of an attribute it was not trained on (e.g. predicted
 * expression by annotated gender): large differences in P(pred | attribute) flag a bias worth auditing.
 */
export function biasProbe(rows: ReadonlyArray<{ pred: string; attribute: string }>): BiasProbe {
  const classes = [...new Set(rows.map((r) => r.pred))].sort()
  const counts = new Map<string, Map<string, number>>()
  for (const r of rows) {
    let m = counts.get(r.attribute)
    if (!m) counts.set(r.attribute, (m = new Map()))
    m.set(r.pred, (m.get(r.pred) ?? 0) + 1)
  }
  const out: BiasProbe['rows'] = {}
  for (const attribute of [...counts.keys()].sort()) {
    const m = counts.get(attribute) as Map<string, number>
    let n = 0
    for (const c of m.values()) n += c
    const p: Record<string, number> = {}
    for (const c of classes) p[c] = (m.get(c) ?? 0) / n
    out[attribute] = { n, p }
  }
  return { classes, rows: out }
}
