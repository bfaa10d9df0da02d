/**
 * Confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels",
 * JAIR 2021), the rule Cleanlab uses to find label errors from out-of-fold probabilities:
 *
 * - per class j, the threshold t_j is the average out-of-fold probability of j over the rows labelled j (the
 *   class's average self-confidence);
 * - a row labelled i is counted for class j when p_j ≥ t_j; among several such classes, the one with the largest
 *   p_j (the confident joint's argmax rule);
 * - the row is a suspected label error when that class is not i. Suspects are ranked by the margin
 *   p_suggested − p_given (largest first), Cleanlab's "normalized margin" order.
 */

export interface LabelErrorInput {
  /** Class index given for each row (0..k-1). */
  given: ArrayLike<number>
  /** Out-of-fold probabilities, rows × k row-major. */
  probs: Float32Array | Float64Array
  k: number
}

export interface LabelSuspect {
  row: number
  given: number
  suggested: number
  /** p_suggested − p_given, in (0, 1]. */
  score: number
  /** Out-of-fold probability of the suggested class. */
  probability: number
}

export interface LabelErrorResult {
  /** Per class: average self-confidence (NaN for a class nobody was given). */
  thresholds: number[]
  /** Suspects, largest margin first (ties: lower row first). */
  suspects: LabelSuspect[]
}

export function findLabelErrors({ given, probs, k }: LabelErrorInput): LabelErrorResult {
  const n = given.length
  if (probs.length !== n * k) throw new RangeError(`probs has ${probs.length} values for ${n} rows × ${k} classes`)
  const sum = new Float64Array(k)
  const count = new Int32Array(k)
  for (let r = 0; r < n; r++) {
    const g = given[r] as number
    if (!Number.isInteger(g) || g < 0 || g >= k) throw new RangeError(`row ${r}: class ${g} outside 0..${k - 1}`)
    sum[g] = (sum[g] as number) + (probs[r * k + g] as number)
    count[g] = (count[g] as number) + 1
  }
  const thresholds = Array.from({ length: k }, (_, j) =>
    (count[j] as number) > 0 ? (sum[j] as number) / (count[j] as number) : NaN
  )
  const suspects: LabelSuspect[] = []
  for (let r = 0; r < n; r++) {
    let best = -1
    let bestP = -Infinity
    for (let j = 0; j < k; j++) {
      const p = probs[r * k + j] as number
      const t = thresholds[j] as number
      // A class nobody was given has no self-confidence to compare with: it cannot be confidently counted.
      if (Number.isNaN(t) || p < t) continue
      if (p > bestP) {
        best = j
        bestP = p
      }
    }
    const g = given[r] as number
    if (best < 0 || best === g) continue
    suspects.push({
      row: r,
      given: g,
      suggested: best,
      score: bestP - (probs[r * k + g] as number),
      probability: bestP
    })
  }
  suspects.sort((a, b) => b.score - a.score || a.row - b.row)
  return { thresholds, suspects }
}
