import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/result'
import { penaltyRange, PENALTY_FRACTIONS } from './penalty-range'

describe('λ range from the validation rows', () => {
  it('scales λ by mean loss / group loss range, so λ = scale makes the penalty as large as the loss', () => {
    // Group A: loss 0.2 (20 rows), group B: loss 0.6 (20 rows), 10 ungrouped rows at 0.4.
    const rows = [
      ...Array.from({ length: 20 }, () => ({ loss: 0.2, group: 'A' })),
      ...Array.from({ length: 20 }, () => ({ loss: 0.6, group: 'B' })),
      ...Array.from({ length: 10 }, () => ({ loss: 0.4, group: null }))
    ]
    const r = penaltyRange(rows)
    expect(r.mean_loss).toBeCloseTo(0.4, 12)
    expect(r.loss_gap).toBeCloseTo(0.4, 12)
    expect(r.scale).toBeCloseTo(1, 12)
    expect(r.values).toEqual([0, ...PENALTY_FRACTIONS])
    expect(r.per_group['B']).toEqual({ n: 20, mean_loss: expect.closeTo(0.6, 12) as number })
    // A larger loss scale moves the range with it.
    const r10 = penaltyRange(rows.map((x) => ({ ...x, loss: x.loss * 10 })))
    expect(r10.values).toEqual(r.values)
    const small = penaltyRange(rows.map((x) => ({ ...x, loss: x.group === 'B' ? 0.25 : x.loss })))
    expect(small.scale).toBeGreaterThan(r.scale)
  })

  it('ignores groups too small to estimate and refuses when no gap can be measured', () => {
    const rows = [
      ...Array.from({ length: 30 }, () => ({ loss: 0.3, group: 'A' })),
      ...Array.from({ length: 3 }, () => ({ loss: 5, group: 'tiny' }))
    ]
    expect(() => penaltyRange(rows)).toThrow(AppError)
    const equal = [
      ...Array.from({ length: 30 }, () => ({ loss: 0.3, group: 'A' })),
      ...Array.from({ length: 30 }, () => ({ loss: 0.3, group: 'B' }))
    ]
    expect(() => penaltyRange(equal)).toThrow(/no gap/)
  })
})
