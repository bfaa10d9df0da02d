/**
 * Per-step group weighting for the training loop: Group DRO and the worst-group loss penalty.
 *
 * Both turn the batch's per-group mean losses (measured by a forward pass before the step) into per-row loss
 * multipliers, so the gradient step is an ordinary weighted mean loss. Holding the group weights constant
 * inside the step is what both methods need (tfjs has no stop-gradient):
 *
 * - Group DRO (Sagawa et al. 2020, "Distributionally robust neural networks for group shifts", Algorithm 1):
 *   group weights q live on the simplex and are updated every step by exponentiated gradient,
 *   q_g ← q_g · exp(η · L_g), then the step minimises Σ_g q_g · L_g. η = 0 keeps q uniform (every group
 *   counts the same, whatever its size); larger η moves the weight to the worst group faster.
 *   Faces without a group keep their plain share of the loss.
 * - Loss penalty λ × (max_g L_g − min_g L_g): its gradient through the best group's loss is held at zero.
 *   The symmetric form (the loop's first version) could lower the penalty by RAISING the best group's loss,
 *   which on held-out UTKFace doubled the race gap it was meant to shrink; this form can only lower the
 *   worst group's loss. The reported objective is still main + λ × range.
 */

export interface GroupDro {
  /** Group of each sample (parallel to the features); null = no group (plain loss share). */
  groups: readonly (string | null)[]
  /** Step size of the exponentiated-gradient update on the group weights, ≥ 0. */
  eta: number
}

export interface GroupStep {
  /** Group id per row, −1 for none (ids index `names`). */
  groupOf: Int32Array
  names: readonly string[]
  /**
   * Loss multipliers for one batch from its per-row losses and base weights, and a constant added to the
   * objective so the reported loss means what the method says (it does not change the gradient).
   */
  reweigh(rows: ArrayLike<number>, loss: ArrayLike<number>, base: Float32Array): { w: Float32Array; offset: number }
  /** Current group weights (DRO), by group name; empty for the penalty. */
  weights(): Record<string, number>
}

function indexGroups(groups: readonly (string | null)[]): { names: string[]; groupOf: Int32Array } {
  const names = [...new Set(groups.filter((g): g is string => g !== null))].sort()
  const id = new Map(names.map((g, i) => [g, i]))
  return { names, groupOf: Int32Array.from(groups, (g) => (g === null ? -1 : (id.get(g) ?? -1))) }
}

/** Weighted mean loss and row count per group in one batch. */
function groupMeans(
  rows: ArrayLike<number>,
  loss: ArrayLike<number>,
  base: Float32Array,
  groupOf: Int32Array,
  groups: number
): { mean: Float64Array; count: Int32Array } {
  const sum = new Float64Array(groups)
  const count = new Int32Array(groups)
  for (let r = 0; r < rows.length; r++) {
    const g = groupOf[rows[r]!]!
    if (g < 0) continue
    sum[g]! += base[r]! * loss[r]!
    count[g]!++
  }
  const mean = new Float64Array(groups)
  for (let g = 0; g < groups; g++) mean[g] = count[g]! > 0 ? sum[g]! / count[g]! : 0
  return { mean, count }
}

export function groupDroStep(p: GroupDro): GroupStep {
  if (!(p.eta >= 0) || !Number.isFinite(p.eta)) throw new RangeError('groupDro.eta must be a finite number ≥ 0')
  const { names, groupOf } = indexGroups(p.groups)
  const G = names.length
  // Log-weights: the update is additive there and cannot underflow over thousands of steps.
  const logq = new Float64Array(G)
  const q = (): Float64Array => {
    const m = Math.max(...logq)
    const e = Float64Array.from(logq, (v) => Math.exp(v - m))
    const s = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / s)
  }
  return {
    groupOf,
    names,
    reweigh(rows, loss, base) {
      const { mean, count } = groupMeans(rows, loss, base, groupOf, G)
      for (let g = 0; g < G; g++) if (count[g]! > 0) logq[g]! += p.eta * mean[g]!
      const qs = q()
      let grouped = 0
      let qPresent = 0
      for (let g = 0; g < G; g++)
        if (count[g]! > 0) {
          grouped += count[g]!
          qPresent += qs[g]!
        }
      const w = Float32Array.from(base)
      if (grouped === 0 || qPresent === 0) return { w, offset: 0 }
      // mean(loss · w) = (ungrouped share) · L_ungrouped + (grouped share) · Σ_present q̃_g L_g.
      for (let r = 0; r < rows.length; r++) {
        const g = groupOf[rows[r]!]!
        if (g >= 0) w[r] = (base[r]! * grouped * (qs[g]! / qPresent)) / count[g]!
      }
      return { w, offset: 0 }
    },
    weights() {
      const qs = q()
      return Object.fromEntries(names.map((n, g) => [n, qs[g]!]))
    }
  }
}

export function worstGroupPenaltyStep(groups: readonly (string | null)[], lambda: number): GroupStep {
  if (!(lambda >= 0)) throw new RangeError('groupPenalty.lambda must be ≥ 0')
  const { names, groupOf } = indexGroups(groups)
  const G = names.length
  return {
    groupOf,
    names,
    reweigh(rows, loss, base) {
      const { mean, count } = groupMeans(rows, loss, base, groupOf, G)
      const w = Float32Array.from(base)
      let hi = -1
      let lo = -1
      for (let g = 0; g < G; g++) {
        if (count[g] === 0) continue
        if (hi < 0 || mean[g]! > mean[hi]!) hi = g
        if (lo < 0 || mean[g]! < mean[lo]!) lo = g
      }
      if (lambda === 0 || hi < 0 || hi === lo) return { w, offset: 0 }
      // (1/n) Σ loss · extra = λ · L_worst; the constant −λ · L_best makes the value main + λ · range.
      const n = rows.length
      for (let r = 0; r < n; r++) if (groupOf[rows[r]!] === hi) w[r] = base[r]! * (1 + (lambda * n) / count[hi]!)
      return { w, offset: -lambda * mean[lo]! }
    },
    weights: () => ({})
  }
}

/** Largest per-group mean of `values` over `rows` (the robust validation objective), or null with no group. */
export function worstGroupMean(
  values: ArrayLike<number>,
  rows: readonly number[],
  groupOf: Int32Array
): { value: number; group: number } | null {
  const sum = new Map<number, number>()
  const count = new Map<number, number>()
  rows.forEach((row, i) => {
    const g = groupOf[row] ?? -1
    if (g < 0) return
    sum.set(g, (sum.get(g) ?? 0) + (values[i] ?? 0))
    count.set(g, (count.get(g) ?? 0) + 1)
  })
  let best: { value: number; group: number } | null = null
  for (const [g, s] of sum) {
    const m = s / (count.get(g) ?? 1)
    if (best === null || m > best.value) best = { value: m, group: g }
  }
  return best
}
