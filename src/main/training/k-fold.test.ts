import { beforeAll, describe, expect, it } from 'vitest'
import { stratifiedFolds, trainKFold, disposeKFold } from './k-fold'
import { blobs, useBackend } from './testing'

beforeAll(() => useBackend('cpu'))

describe('stratifiedFolds', () => {
  it('deals every label evenly over the folds and keeps rows of one key together', () => {
    const keys: string[] = []
    const labels: string[] = []
    for (let i = 0; i < 100; i++) {
      const label = i % 4 === 0 ? 'rare' : 'common'
      // Every face twice (original + mirrored copy).
      keys.push(`f${i}`, `f${i}`)
      labels.push(label, label)
    }
    const fold = stratifiedFolds(keys, labels, 5, 3)
    for (let i = 0; i < keys.length; i += 2) expect(fold[i]).toBe(fold[i + 1])
    for (const label of ['rare', 'common']) {
      const per = [0, 0, 0, 0, 0]
      fold.forEach((f, i) => labels[i] === label && per[f]!++)
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(2)
    }
    // Only the set of (key, label) pairs matters, not their order.
    const rev = stratifiedFolds([...keys].reverse(), [...labels].reverse(), 5, 3)
    expect(Array.from(rev).reverse()).toEqual(Array.from(fold))
    expect(Array.from(stratifiedFolds(keys, labels, 5, 4))).not.toEqual(Array.from(fold))
  })
})

describe('trainKFold', () => {
  it('trains k heads and gives every row one out-of-fold prediction from the head that never saw it', async () => {
    const d = blobs({ n: 300, dim: 8, classes: ['a', 'b', 'c'], separation: 0.8, seed: 5 })
    const trainOnly = d.ids.map((_, i) => i % 10 === 0)
    const r = await trainKFold({
      features: d.features,
      labels: d.labels,
      ids: d.ids,
      kind: 'classification',
      seed: 2,
      epochs: 30,
      learningRate: 0.05,
      k: 3,
      trainOnly
    })
    try {
      expect(r.heads).toHaveLength(3)
      expect(r.width).toBe(3)
      for (let f = 0; f < 3; f++) {
        const head = r.heads[f]!
        // The head validated on its own fold and never trained on it.
        expect(head.valIdx.every((i) => r.fold[i] === f)).toBe(true)
        expect(head.trainIdx.every((i) => r.fold[i] !== f)).toBe(true)
      }
      let hits = 0
      let predicted = 0
      d.labels.forEach((label, i) => {
        const row = Array.from(r.oof.subarray(i * 3, i * 3 + 3))
        if (trainOnly[i]) return expect(row.every(Number.isNaN)).toBe(true)
        predicted++
        expect(row.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 4)
        if (r.labels[row.indexOf(Math.max(...row))] === label) hits++
      })
      expect(predicted).toBe(270)
      // Separable blobs: out-of-fold predictions are far better than the 1/3 of chance.
      expect(hits / predicted).toBeGreaterThan(0.7)
    } finally {
      disposeKFold(r)
    }
  })
})
