import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../analysis/random'
import { deriveSeed, sampleEvaluationSet, stratifiedSplit } from './split'

const items = Array.from({ length: 1000 }, (_, i) => ({
  id: `a${i}`,
  label: i % 10 < 7 ? 'happy' : i % 10 < 9 ? 'sad' : 'angry'
}))

describe('mulberry32', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(mulberry32(43)()).not.toBe(xs[0])
  })

  it('derives distinct streams from one seed', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'))
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'))
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'))
  })
})

describe('stratifiedSplit', () => {
  it('keeps each label share and partitions the items', () => {
    const { train, validation } = stratifiedSplit(items, 0.2, 7)
    expect(train.length + validation.length).toBe(items.length)
    expect(new Set([...train, ...validation].map((i) => i.id)).size).toBe(items.length)
    const count = (xs: typeof items, l: string): number => xs.filter((i) => i.label === l).length
    expect(count(validation, 'happy')).toBe(140)
    expect(count(validation, 'sad')).toBe(40)
    expect(count(validation, 'angry')).toBe(20)
  })

  it('depends on the seed and the item set, not on input order', () => {
    const a = stratifiedSplit(items, 0.2, 7)
    const b = stratifiedSplit([...items].reverse(), 0.2, 7)
    const ids = (xs: { id: string }[]): string[] => xs.map((x) => x.id).sort()
    expect(ids(b.validation)).toEqual(ids(a.validation))
    expect(ids(stratifiedSplit(items, 0.2, 8).validation)).not.toEqual(ids(a.validation))
  })

  it('keeps a singleton label in training', () => {
    const { train, validation } = stratifiedSplit([...items, { id: 'x', label: 'rare' }], 0.5, 1)
    expect(train.some((i) => i.label === 'rare')).toBe(true)
    expect(validation.some((i) => i.label === 'rare')).toBe(false)
  })
})

describe('sampleEvaluationSet', () => {
  it('is stratified and reproducible', () => {
    const a = sampleEvaluationSet(items, 0.1, 3)
    expect(a.length).toBe(100)
    expect(a.filter((i) => i.label === 'angry').length).toBe(10)
    expect(sampleEvaluationSet(items, 0.1, 3)).toEqual(a)
  })
})
