/**
 * Sample weights for bias mitigation. The fully balanced weight of a row in group g with label c is
 * N / (G · C_g · n_gc) — every group carries the same total weight and, inside a group, every label present
 * does too. ω blends from no reweighting (ω = 0, all 1) to full balance (ω = 1) as w = balanced^ω; the result
 * is rescaled to mean 1 so the learning rate means the same at every ω.
 */
export function reweightSampleWeights(rows: ReadonlyArray<{ label: string; group: string }>, omega: number): number[] {
  if (!(omega >= 0 && omega <= 1)) throw new Error(`omega must be in [0, 1], got ${omega}`)
  const n = rows.length
  if (n === 0) return []
  const cell = new Map<string, Map<string, number>>()
  for (const r of rows) {
    let m = cell.get(r.group)
    if (!m) cell.set(r.group, (m = new Map()))
    m.set(r.label, (m.get(r.label) ?? 0) + 1)
  }
  const groups = cell.size
  const raw = rows.map((r) => {
    const m = cell.get(r.group) as Map<string, number>
    const balanced = n / (groups * m.size * (m.get(r.label) as number))
    return Math.pow(balanced, omega)
  })
  let mean = 0
  for (const w of raw) mean += w
  mean /= n
  return raw.map((w) => w / mean)
}
