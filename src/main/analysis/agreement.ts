/**
 * Inter-annotator agreement on nominal labels: Cohen's κ for a pair of annotators, Krippendorff's α (nominal)
 * over any number of annotators with missing answers, and per-class (specific) agreement. Pure maths over
 * "unit → the answers it got"; which answers count is decided by the caller (labels/agreement-data.ts).
 */

/** One face's answers: annotator → label. */
export type Unit = ReadonlyMap<string, string>

export interface PairAgreement {
  a: string
  b: string
  /** Units both annotators answered. */
  n: number
  /** Share of those units with the same answer. */
  observed: number
  /** (p_o − p_e) / (1 − p_e); null when p_e = 1 (both gave one and the same label throughout: undefined). */
  kappa: number | null
}

export interface ClassAgreement {
  label: string
  /** Pairable answers with this label (answers on units with ≥ 2 answers). */
  n: number
  /** o_cc / n_c: given one answer c on a face, the chance another answer on that face is c too; null when n = 0. */
  agreement: number | null
}

/** Cohen's κ over the units both annotators answered. */
export function cohensKappa(units: readonly Unit[], a: string, b: string): PairAgreement {
  const pairs: Array<[string, string]> = []
  for (const u of units) {
    const x = u.get(a)
    const y = u.get(b)
    if (x !== undefined && y !== undefined) pairs.push([x, y])
  }
  const n = pairs.length
  if (n === 0) return { a, b, n, observed: 0, kappa: null }
  const ma = new Map<string, number>()
  const mb = new Map<string, number>()
  let same = 0
  for (const [x, y] of pairs) {
    if (x === y) same++
    ma.set(x, (ma.get(x) ?? 0) + 1)
    mb.set(y, (mb.get(y) ?? 0) + 1)
  }
  const po = same / n
  let pe = 0
  for (const [c, k] of ma) pe += (k / n) * ((mb.get(c) ?? 0) / n)
  const kappa = pe >= 1 - 1e-12 ? null : (po - pe) / (1 - pe)
  return { a, b, n, observed: po, kappa }
}

export interface AlphaResult {
  /** Krippendorff's α (nominal); null when expected disagreement is 0 (one label only). */
  alpha: number | null
  /** Units with ≥ 2 answers. */
  units: number
  /** Pairable answers (n of the coincidence matrix). */
  values: number
  perClass: ClassAgreement[]
}

/**
 * Krippendorff's α for nominal data via the coincidence matrix: o_ck = Σ_u (pairs (c,k) within u) / (m_u − 1);
 * α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k. Units with fewer than two answers are not pairable.
 * `labels` fixes the order (and includes classes nobody used, reported with n = 0).
 */
export function krippendorffAlpha(units: readonly Unit[], labels: readonly string[] = []): AlphaResult {
  const order = [...labels]
  const index = new Map(order.map((l, i) => [l, i]))
  const coinc = new Map<string, number>()
  const key = (c: number, k: number): string => `${c},${k}`
  let pairable = 0
  for (const u of units) {
    const m = u.size
    if (m < 2) continue
    pairable++
    const counts = new Map<number, number>()
    for (const v of u.values()) {
      let i = index.get(v)
      if (i === undefined) {
        i = order.length
        order.push(v)
        index.set(v, i)
      }
      counts.set(i, (counts.get(i) ?? 0) + 1)
    }
    for (const [c, nc] of counts)
      for (const [k, nk] of counts) {
        const pairs = c === k ? nc * (nc - 1) : nc * nk
        if (pairs > 0) coinc.set(key(c, k), (coinc.get(key(c, k)) ?? 0) + pairs / (m - 1))
      }
  }
  const marg = order.map(() => 0)
  let diagonal = 0
  for (const [k, v] of coinc) {
    const [c, kk] = k.split(',').map(Number) as [number, number]
    marg[c] = (marg[c] ?? 0) + v
    if (c === kk) diagonal += v
  }
  const n = marg.reduce((s, x) => s + x, 0)
  const observedOff = n - diagonal
  let expectedOff = n * n - marg.reduce((s, x) => s + x * x, 0)
  if (expectedOff < 1e-12) expectedOff = 0
  const alpha = n < 2 || expectedOff === 0 ? null : 1 - ((n - 1) * observedOff) / expectedOff
  const perClass = order.map((label, i) => {
    const nc = marg[i] ?? 0
    const occ = coinc.get(key(i, i)) ?? 0
    return { label, n: Math.round(nc), agreement: nc > 0 ? occ / nc : null }
  })
  return { alpha, units: pairable, values: Math.round(n), perClass }
}
