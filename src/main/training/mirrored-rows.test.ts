import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../analysis/random'
import { fitHeads } from './fit'
import { buildHead } from './head'
import { disposeKFold, trainKFold } from './k-fold'
import { expandRows, withMirroredRows } from './mirrored-rows'
import { predictRaw, predictViews } from './predict'
import { blobs, useBackend } from './testing'

beforeAll(() => useBackend('cpu'))

/** Synthetic faces with a second, noisier view of most of them (every third face has none). */
function viewed(n: number, seed: number) {
  const d = blobs({ n, dim: 6, classes: ['a', 'b', 'c'], separation: 0.9, seed })
  const dim = 6
  const data = new Float32Array(n * dim)
  d.features.forEach((f, i) => data.set(f, i * dim))
  const rng = mulberry32(seed + 1)
  const mirror = { data: new Float32Array(n * dim), has: new Uint8Array(n) }
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) continue
    mirror.has[i] = 1
    for (let c = 0; c < dim; c++) mirror.data[i * dim + c] = data[i * dim + c]! + 0.3 * normal(rng)
  }
  const faceIds = d.ids.map((_, i) => 1000 + i)
  return { features: { data, dim, mirror }, labels: d.labels, faceIds }
}

describe('mirrored rows', () => {
  it('adds one train-only row per face with a mirrored view, after the originals', () => {
    const v = viewed(30, 1)
    const m = withMirroredRows(v.features)
    expect(m.added).toBe(20)
    expect(m.source).toHaveLength(50)
    expect(Array.from(m.source.subarray(0, 30))).toEqual(Array.from({ length: 30 }, (_, i) => i))
    for (let j = 30; j < 50; j++) {
      const r = m.source[j]!
      expect(v.features.mirror.has[r]).toBe(1)
      expect(m.trainOnly[j]).toBe(true)
      expect(Array.from(m.features.data.subarray(j * 6, (j + 1) * 6))).toEqual(
        Array.from(v.features.mirror.data.subarray(r * 6, (r + 1) * 6))
      )
    }
    expect(m.trainOnly.slice(0, 30).every((t) => !t)).toBe(true)
    expect(expandRows(v.faceIds, m.source).slice(30)).toEqual(Array.from(m.source.subarray(30), (r) => 1000 + r))
    expect(withMirroredRows({ data: v.features.data, dim: 6 }).added).toBe(0)
  })

  it('never puts a face on both sides of a split, and averages its views into its out-of-fold prediction', async () => {
    const v = viewed(240, 4)
    const m = withMirroredRows(v.features)
    const keys = expandRows(v.faceIds, m.source)
    const r = await trainKFold({
      features: m.features,
      labels: expandRows(v.labels, m.source),
      ids: keys,
      groupKeys: keys,
      trainOnly: m.trainOnly,
      kind: 'classification',
      seed: 3,
      epochs: 15,
      learningRate: 0.05,
      k: 4
    })
    try {
      for (let j = 0; j < m.source.length; j++) expect(r.fold[j]).toBe(r.fold[m.source[j]!])
      for (const [f, head] of r.heads.entries()) {
        const trained = new Set(head.trainIdx.map((i) => keys[i]))
        // No face id is both trained on and validated; mirrored copies never validate.
        expect(head.valIdx.some((i) => trained.has(keys[i]))).toBe(false)
        expect(head.valIdx.every((i) => !m.trainOnly[i])).toBe(true)
        expect(head.valIdx.every((i) => r.fold[i] === r.folds[f])).toBe(true)
        // The out-of-fold prediction of a validated face is the mean of its two views' probabilities.
        const face = head.valIdx.find((i) => v.features.mirror.has[i])!
        const copy = m.source.findIndex((s, j) => j >= 240 && s === face)
        const both = await predictRaw(
          head.model,
          {
            data: Float32Array.from([
              ...m.features.data.subarray(face * 6, face * 6 + 6),
              ...m.features.data.subarray(copy * 6, copy * 6 + 6)
            ]),
            dim: 6
          },
          'classification'
        )
        for (let c = 0; c < 3; c++)
          expect(Math.exp(r.oof[face * 3 + c]!)).toBeCloseTo((both.values[c]! + both.values[3 + c]!) / 2, 5)
      }
      for (let j = 240; j < m.source.length; j++) expect(Number.isNaN(r.oof[j * 3]!)).toBe(true)
    } finally {
      disposeKFold(r)
    }
  })

  it('fitHeads keeps mirrored rows out of every validation fold and scores faces on the averaged views', async () => {
    const v = viewed(300, 9)
    const m = withMirroredRows(v.features)
    const keys = expandRows(v.faceIds, m.source)
    const r = await fitHeads({
      features: m.features,
      labels: expandRows(v.labels, m.source),
      ids: keys,
      groupKeys: keys,
      trainOnly: m.trainOnly,
      kind: 'classification',
      labelSet: ['a', 'b', 'c'],
      seed: 5,
      epochs: 10,
      k: 3,
      candidates: [{ hidden: null, l2: 0.001, learningRate: 0.05, warmStart: false }]
    })
    try {
      const trained = new Set(r.first.trainIdx.map((i) => keys[i]))
      expect(r.first.valIdx.some((i) => trained.has(keys[i]))).toBe(false)
      for (let j = 0; j < m.source.length; j++) expect(r.fold[j]).toBe(r.fold[m.source[j]!])
      // Every original face has an out-of-fold prediction, no mirrored copy has one of its own.
      for (let i = 0; i < 300; i++) expect(Number.isNaN(r.oof[i * r.width]!)).toBe(false)
      for (let j = 300; j < m.source.length; j++) expect(Number.isNaN(r.oof[j * r.width]!)).toBe(true)
    } finally {
      r.model.dispose()
    }
  })
})

describe('predictViews', () => {
  it("equals the mean of the two views' probabilities where a row has both, the original elsewhere", async () => {
    const v = viewed(40, 2)
    const model = buildHead({ inputDim: 6, labels: ['a', 'b', 'c'], hidden: 4, seed: 1 })
    try {
      const one = await predictRaw(model, v.features, 'classification')
      const other = await predictRaw(model, { data: v.features.mirror.data, dim: 6 }, 'classification')
      const avg = await predictViews(model, v.features, 'classification')
      let averaged = 0
      for (let i = 0; i < 40; i++)
        for (let c = 0; c < 3; c++) {
          const want = v.features.mirror.has[i]
            ? (one.values[i * 3 + c]! + other.values[i * 3 + c]!) / 2
            : one.values[i * 3 + c]!
          expect(avg.values[i * 3 + c]).toBeCloseTo(want, 6)
          if (v.features.mirror.has[i] && Math.abs(want - one.values[i * 3 + c]!) > 1e-4) averaged++
        }
      expect(averaged).toBeGreaterThan(0)
      const reg = buildHead({ inputDim: 6, labels: 'regression', seed: 2 })
      try {
        const a = await predictRaw(reg, v.features, 'regression')
        const b = await predictRaw(reg, { data: v.features.mirror.data, dim: 6 }, 'regression')
        const r = await predictViews(reg, v.features, 'regression')
        expect(r.values[0]).toBeCloseTo((a.values[0]! + b.values[0]!) / 2, 5)
        expect(r.values[2]).toBeCloseTo(a.values[2]!, 6)
      } finally {
        reg.dispose()
      }
    } finally {
      model.dispose()
    }
  })
})
