export interface PairwisePrecisionRecall {
  precision: number
  recall: number
  f1: number
  /** Same-cluster pairs that share a true label. */
  true_positive_pairs: number
  /** Pairs put in the same cluster. */
  predicted_pairs: number
  /** Pairs that share a true label. */
  truth_pairs: number
}

/**
 * Pairwise precision/recall of a clustering over the ids present in both maps. Counted from the contingency
 * table (Σ C(n,2) per cell / row / column), so it is linear in the number of faces, not quadratic. Give
 * singletons a key of their own (or leave them out of `pred`): two faces left out are not "together".
 * With no predicted pairs precision is 1 (nothing claimed, nothing wrong); with no true pairs recall is 1.
 */
export function pairwisePrecisionRecall<K, L>(pred: Map<number, K>, truth: Map<number, L>): PairwisePrecisionRecall {
  const cells = new Map<K, Map<L, number>>()
  const predSizes = new Map<K, number>()
  const truthSizes = new Map<L, number>()
  for (const [id, key] of pred) {
    if (!truth.has(id)) continue
    const label = truth.get(id) as L
    let row = cells.get(key)
    if (!row) cells.set(key, (row = new Map()))
    row.set(label, (row.get(label) ?? 0) + 1)
    predSizes.set(key, (predSizes.get(key) ?? 0) + 1)
    truthSizes.set(label, (truthSizes.get(label) ?? 0) + 1)
  }
  const pairs = (m: number): number => (m * (m - 1)) / 2
  let tp = 0
  for (const row of cells.values()) for (const c of row.values()) tp += pairs(c)
  let predicted = 0
  for (const c of predSizes.values()) predicted += pairs(c)
  let truthPairs = 0
  for (const c of truthSizes.values()) truthPairs += pairs(c)
  const precision = predicted === 0 ? 1 : tp / predicted
  const recall = truthPairs === 0 ? 1 : tp / truthPairs
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return { precision, recall, f1, true_positive_pairs: tp, predicted_pairs: predicted, truth_pairs: truthPairs }
}
