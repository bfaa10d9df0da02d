import { describe, expect, it } from 'vitest'
import { normal, mulberry32 } from './random'
import { decodeCoords, encodeCoords, pcaProject, projectionKey } from './projection'
import { groupDistanceRatio } from '../../test/group-distance'

describe('pcaProject', () => {
  it('recovers a known plane embedded in 8-D and keeps the strongest spread on the first axis', () => {
    // Points on a plane spanned by two orthogonal 8-D directions, spread 10 along u and 3 along v, plus tiny noise.
    const rng = mulberry32(7)
    const dim = 8
    const n = 500
    const u = [1, 1, 0, 0, 0, 0, 0, 0].map((x) => x / Math.SQRT2)
    const v = [0, 0, 1, -1, 0, 0, 0, 0].map((x) => x / Math.SQRT2)
    const rows = new Float32Array(n * dim)
    const truth: [number, number][] = []
    for (let i = 0; i < n; i++) {
      const a = 10 * normal(rng)
      const b = 3 * normal(rng)
      truth.push([a, b])
      for (let k = 0; k < dim; k++) rows[i * dim + k] = 5 + a * u[k]! + b * v[k]! + 0.01 * normal(rng)
    }
    const xy = pcaProject(rows, n, dim)
    // Each projected axis equals the true coordinate up to sign (and the mean offset 5 is removed).
    const corr = (axis: number, t: number): number => {
      let sxy = 0
      let sxx = 0
      let syy = 0
      for (let i = 0; i < n; i++) {
        const p = xy[i * 2 + axis]!
        const q = truth[i]![t]!
        sxy += p * q
        sxx += p * p
        syy += q * q
      }
      return Math.abs(sxy) / Math.sqrt(sxx * syy)
    }
    expect(corr(0, 0)).toBeGreaterThan(0.999)
    // Looser on the weaker axis: the sampled a and b are not exactly uncorrelated, which tilts the axes slightly.
    expect(corr(1, 1)).toBeGreaterThan(0.995)
  })

  it('keeps two separated clusters apart (same-group pairs much closer than different-group pairs)', () => {
    const rng = mulberry32(3)
    const dim = 16
    const groups: number[] = []
    const rows = new Float32Array(200 * dim)
    for (let i = 0; i < 200; i++) {
      const g = i % 2
      groups.push(g)
      for (let k = 0; k < dim; k++) rows[i * dim + k] = (g === 1 && k < 4 ? 4 : 0) + normal(rng)
    }
    expect(groupDistanceRatio(pcaProject(rows, 200, dim), groups)).toBeLessThan(0.6)
  })

  it('returns an empty projection for no faces', () => {
    expect(pcaProject(new Float32Array(0), 0, 128)).toHaveLength(0)
  })
})

describe('projection coordinates and cache key', () => {
  it('round-trips Float32 coordinates through base64', () => {
    const c = new Float32Array([1.5, -2.25, 3e6, 0])
    expect(Array.from(decodeCoords(encodeCoords(c)))).toEqual(Array.from(c))
  })

  it('changes when a face is added or removed', () => {
    const faces = Array.from({ length: 10 }, (_, i) => `${33 + i}:photo${i}:0`)
    const k = projectionKey('identity', 'pca', faces)
    expect(projectionKey('identity', 'pca', [...faces, '43:photo10:0'])).not.toBe(k)
    expect(projectionKey('identity', 'pca', faces.slice(1))).not.toBe(k)
    expect(projectionKey('identity', 'umap', faces)).not.toBe(k)
    expect(projectionKey('identity', 'pca', [...faces])).toBe(k)
  })

  it('changes when the newest face is removed and its id reused by another photo (same count, same largest id)', () => {
    const faces = ['1:photoA:0', '2:photoB:0']
    expect(projectionKey('identity', 'pca', ['1:photoA:0', '2:photoC:0'])).not.toBe(
      projectionKey('identity', 'pca', faces)
    )
  })
})
