import { describe, expect, it } from 'vitest'
import { cohensKappa, krippendorffAlpha, type Unit } from './agreement'

const unit = (o: Record<string, string>): Unit => new Map(Object.entries(o))

describe('agreement maths (hand-computed)', () => {
  // f1 {a:x, b:x}, f2 {a:x, b:y}, f3 {a:y, b:y, c:y}, f4 {c:x} (one answer: not pairable).
  // Coincidences: o_xx = 2 (f1), o_xy = o_yx = 1 (f2), o_yy = 6/2 = 3 (f3) → n_x = 3, n_y = 4, n = 7.
  // α = 1 − (n − 1)·Σ_off o / (n² − Σ n_c²) = 1 − 6·2 / (49 − 9 − 16) = 0.5; per class x 2/3, y 3/4.
  // κ(a, b) over f1..f3: p_o = 2/3, p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9 → κ = (2/9) / (5/9) = 0.4.
  const small = [unit({ a: 'x', b: 'x' }), unit({ a: 'x', b: 'y' }), unit({ a: 'y', b: 'y', c: 'y' }), unit({ c: 'x' })]

  it('Cohen κ and Krippendorff α on a small fixed set', () => {
    const k = cohensKappa(small, 'a', 'b')
    expect(k.n).toBe(3)
    expect(k.observed).toBeCloseTo(2 / 3, 12)
    expect(k.kappa).toBeCloseTo(0.4, 12)
    const r = krippendorffAlpha(small, ['x', 'y', 'z'])
    expect(r.units).toBe(3)
    expect(r.values).toBe(7)
    expect(r.alpha).toBeCloseTo(0.5, 12)
    expect(r.perClass).toEqual([
      { label: 'x', n: 3, agreement: expect.closeTo(2 / 3, 12) as number },
      { label: 'y', n: 4, agreement: 0.75 },
      { label: 'z', n: 0, agreement: null }
    ])
  })

  it('Cohen κ on the textbook 2×2 table (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → κ = 0.4)', () => {
    const units: Unit[] = []
    const add = (n: number, a: string, b: string): void => {
      for (let i = 0; i < n; i++) units.push(unit({ A: a, B: b }))
    }
    add(20, 'yes', 'yes')
    add(5, 'yes', 'no')
    add(10, 'no', 'yes')
    add(15, 'no', 'no')
    const k = cohensKappa(units, 'A', 'B')
    expect(k.n).toBe(50)
    expect(k.observed).toBeCloseTo(0.7, 12)
    expect(k.kappa).toBeCloseTo(0.4, 12)
  })

  it("Krippendorff α on Krippendorff's own 4-coder example with missing values (nominal α = 0.743)", () => {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", reliability data matrix, 12 units.
    const rows: Record<string, Array<number | null>> = {
      A: [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      B: [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      C: [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      D: [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null]
    }
    const units: Unit[] = Array.from({ length: 12 }, (_, u) => {
      const m = new Map<string, string>()
      for (const [who, vals] of Object.entries(rows)) if (vals[u] !== null) m.set(who, String(vals[u]))
      return m
    })
    const r = krippendorffAlpha(units)
    expect(r.units).toBe(11)
    expect(r.values).toBe(40)
    expect(r.alpha).toBeCloseTo(0.743, 3)
  })

  it('is undefined rather than a number where chance agreement is total', () => {
    const same = [unit({ a: 'x', b: 'x' }), unit({ a: 'x', b: 'x' })]
    expect(cohensKappa(same, 'a', 'b').kappa).toBeNull()
    expect(krippendorffAlpha(same).alpha).toBeNull()
    expect(cohensKappa(same, 'a', 'nobody')).toMatchObject({ n: 0, kappa: null })
    // Perfect agreement over two labels is 1, total disagreement below 0.
    expect(cohensKappa([unit({ a: 'x', b: 'x' }), unit({ a: 'y', b: 'y' })], 'a', 'b').kappa).toBe(1)
    expect(krippendorffAlpha([unit({ a: 'x', b: 'y' }), unit({ a: 'y', b: 'x' })]).alpha).toBeLessThan(0)
  })
})
