import { describe, expect, it } from 'vitest'
import { classificationMetrics, regressionMetrics } from './prediction-metrics'

describe('classificationMetrics', () => {
  it('computes a hand-checked 3-class example', () => {
    const truth = ['a', 'a', 'a', 'b', 'b', 'c']
    const pred = ['a', 'a', 'b', 'b', 'c', 'c']
    const m = classificationMetrics(truth, pred, ['a', 'b', 'c'])
    expect(m.n).toBe(6)
    expect(m.accuracy).toBeCloseTo(4 / 6)
    expect(m.confusion).toEqual({
      labels: ['a', 'b', 'c'],
      matrix: [
        [2, 1, 0],
        [0, 1, 1],
        [0, 0, 1]
      ]
    })
    expect(m.per_class.a).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 })
    expect(m.per_class.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })
    expect(m.per_class.c!.f1).toBeCloseTo(2 / 3)
    expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3)
    expect(m.ece).toBeNull()
    expect(m.reliability).toBeNull()
  })

  it('leaves a label absent from truth and predictions out of macro-F1, but counts one only predicted', () => {
    const unused = classificationMetrics(['a', 'b'], ['a', 'b'], ['a', 'b', 'z'])
    expect(unused.macro_f1).toBe(1)
    expect(unused.per_class.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 })
    const wrong = classificationMetrics(['a', 'a'], ['a', 'z'], ['a', 'z'])
    expect(wrong.macro_f1).toBeCloseTo((2 / 3 + 0) / 2)
  })

  it('computes ECE over 10 equal-width bins', () => {
    // bin 9: confidences 0.95, 0.95 one right → acc 0.5 conf 0.95; bin 6: 0.6 right → acc 1 conf 0.6
    const m = classificationMetrics(['a', 'a', 'b'], ['a', 'b', 'b'], ['a', 'b'], [0.95, 0.95, 0.6])
    expect(m.reliability!.bins).toHaveLength(10)
    expect(m.reliability!.bins[9]).toMatchObject({ lo: 0.9, hi: 1, count: 2, accuracy: 0.5 })
    expect(m.reliability!.bins[6]).toMatchObject({ count: 1, accuracy: 1, confidence: 0.6 })
    expect(m.ece).toBeCloseTo((2 / 3) * 0.45 + (1 / 3) * 0.4)
    expect(classificationMetrics(['a'], ['a'], ['a'], [1]).reliability!.bins[9]!.count).toBe(1)
  })

  it('is all ones when everything is right and zeros on empty input', () => {
    const m = classificationMetrics(['x', 'y'], ['x', 'y'], ['x', 'y'], [1, 1])
    expect([m.accuracy, m.macro_f1, m.ece]).toEqual([1, 1, 0])
    expect(classificationMetrics([], [], ['x'])).toMatchObject({ n: 0, accuracy: 0, macro_f1: 0 })
  })

  it('rejects labels outside the list and length mismatches', () => {
    expect(() => classificationMetrics(['a'], ['q'], ['a'])).toThrow(/pred at row 0/)
    expect(() => classificationMetrics(['a'], [], ['a'])).toThrow()
  })
})

describe('regressionMetrics', () => {
  it('computes MAE, RMSE and Pearson correlation', () => {
    const m = regressionMetrics([1, 2, 3, 4], [2, 2, 4, 6])
    expect(m.n).toBe(4)
    expect(m.mae).toBe(1)
    expect(m.rmse).toBeCloseTo(Math.sqrt(6 / 4))
    // truth centred [-1.5,-.5,.5,1.5], pred centred [-1.5,-1.5,.5,2.5]: cov 7, var 5 and 11
    expect(m.pcc).toBeCloseTo(7 / Math.sqrt(5 * 11))
  })

  it('gives a null correlation for constant input', () => {
    expect(regressionMetrics([3, 3], [1, 2]).pcc).toBeNull()
    expect(regressionMetrics([], [])).toEqual({ n: 0, mae: 0, rmse: 0, pcc: null })
  })
})
