import { describe, expect, it } from 'vitest'
import { findLabelErrors } from './confident-learning'

describe('findLabelErrors (confident learning)', () => {
  it('flags a row when another class passes that class’s average self-confidence, ranked by margin', () => {
    // Class 0 rows are confident (self-confidence ~0.8); class 1 rows less so (~0.6).
    const rows: Array<[number, number[]]> = [
      [0, [0.9, 0.1]],
      [0, [0.85, 0.15]],
      [0, [0.8, 0.2]],
      [0, [0.35, 0.65]], // labelled 0, p1 0.65 ≥ t1 → suspect, suggested 1, margin 0.30
      [1, [0.3, 0.7]],
      [1, [0.4, 0.6]],
      [1, [0.45, 0.55]],
      [1, [0.95, 0.05]], // labelled 1, p0 0.95 ≥ t0 → suspect, margin 0.90
      [1, [0.55, 0.45]] // p0 0.55 < t0: not counted for 0; p1 0.45 < t1: nothing confident → not a suspect
    ]
    const r = findLabelErrors({
      given: rows.map((x) => x[0]),
      probs: Float64Array.from(rows.flatMap((x) => x[1])),
      k: 2
    })
    expect(r.thresholds[0]).toBeCloseTo((0.9 + 0.85 + 0.8 + 0.35) / 4)
    expect(r.thresholds[1]).toBeCloseTo((0.7 + 0.6 + 0.55 + 0.05 + 0.45) / 5)
    expect(r.suspects.map((s) => [s.row, s.given, s.suggested])).toEqual([
      [7, 1, 0],
      [3, 0, 1]
    ])
    expect(r.suspects[0]!.score).toBeCloseTo(0.9)
    expect(r.suspects[1]!.score).toBeCloseTo(0.3)
  })

  it('takes the most probable of several confident classes, and never a class nobody was given', () => {
    const given = [0, 0, 1, 1, 2, 2, 0]
    // Classes 1 and 2 are given with self-confidence 0.45; the last row (given 0) passes both, 2 more so.
    const probs = Float64Array.from([
      0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.15, 0.45, 0.4, 0.15, 0.45, 0.4, 0.15, 0.4, 0.45, 0.15, 0.4, 0.45, 0, 0.46, 0.54
    ])
    const r = findLabelErrors({ given, probs, k: 3 })
    expect(r.suspects.map((s) => s.suggested)).toEqual([2])
    const unseen = findLabelErrors({
      given: [0, 0, 1],
      probs: Float64Array.from([0.6, 0.1, 0.3, 0.7, 0.1, 0.2, 0.1, 0.1, 0.8]),
      k: 3
    })
    expect(Number.isNaN(unseen.thresholds[2])).toBe(true)
    expect(unseen.suspects.every((s) => s.suggested !== 2)).toBe(true)
  })

  it('rejects mismatched shapes and classes out of range', () => {
    expect(() => findLabelErrors({ given: [0, 1], probs: new Float64Array(3), k: 2 })).toThrow(RangeError)
    expect(() => findLabelErrors({ given: [0, 2], probs: new Float64Array(4), k: 2 })).toThrow(/outside/)
  })
})
