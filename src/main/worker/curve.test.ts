import { describe, expect, it } from 'vitest'
import { nestedSubsets } from './curve'

describe('nestedSubsets', () => {
  it('gives nested subsets that keep every label in proportion', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ faceId: 1000 - i, value: i % 4 === 0 ? 'rare' : 'common' }))
    const fractions = [0.1, 0.2, 0.4, 0.8, 1]
    const subsets = nestedSubsets(rows, fractions, 5)
    expect(subsets.map((s) => s.length)).toEqual([20, 40, 80, 160, 200])
    for (let i = 1; i < subsets.length; i++) {
      const larger = new Set(subsets[i])
      expect(subsets[i - 1]!.every((r) => larger.has(r))).toBe(true)
    }
    subsets.forEach((s, i) => {
      const rare = s.filter((r) => rows[r]!.value === 'rare').length
      expect(rare).toBe(Math.ceil(fractions[i]! * 50))
    })
    // Seeded: the same seed gives the same subsets, another seed others.
    expect(nestedSubsets(rows, fractions, 5)).toEqual(subsets)
    expect(nestedSubsets(rows, fractions, 6)[0]).not.toEqual(subsets[0])
  })
})
