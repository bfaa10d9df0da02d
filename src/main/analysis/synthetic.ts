import { mulberry32, normal } from './random'

export interface SyntheticFace {
  id: number
  person: number
  descriptor: Float32Array
}

export const DESCRIPTOR_DIM = 128

/**
 * Gaussian blobs on the unit sphere standing in for face-api descriptors: random unit centres (pairwise
 * ~1.41 apart in 128-d) and per-face noise of `spread` per axis, so with the default spread same-person
 * distances sit near 0.32 and different-person near 1.4 — the same side of a 0.5 threshold as real
 * descriptors. Person sizes vary (1 to 2× the mean) so the benchmark sees uneven clusters.
 */
export function makeSyntheticDescriptors(n: number, people: number, seed: number, spread = 0.02): SyntheticFace[] {
  const rand = mulberry32(seed)
  const centres: Float32Array[] = []
  for (let p = 0; p < people; p++) centres.push(unitRandom(rand))
  const weights = centres.map(() => 1 + rand())
  const total = weights.reduce((s, w) => s + w, 0)
  const cumulative: number[] = []
  let acc = 0
  for (const w of weights) cumulative.push((acc += w / total))

  const faces: SyntheticFace[] = []
  for (let i = 0; i < n; i++) {
    // The first `people` faces cover every person once, so each blob exists whatever n is.
    const person = i < people ? i : pickIndex(cumulative, rand())
    const centre = centres[person] as Float32Array
    const d = new Float32Array(DESCRIPTOR_DIM)
    let norm = 0
    for (let k = 0; k < DESCRIPTOR_DIM; k++) {
      const v = (centre[k] as number) + spread * normal(rand)
      d[k] = v
      norm += v * v
    }
    norm = Math.sqrt(norm)
    for (let k = 0; k < DESCRIPTOR_DIM; k++) d[k] = (d[k] as number) / norm
    faces.push({ id: i, person, descriptor: d })
  }
  return faces
}

function unitRandom(rand: () => number): Float32Array {
  const v = new Float32Array(DESCRIPTOR_DIM)
  let norm = 0
  for (let k = 0; k < DESCRIPTOR_DIM; k++) {
    const g = normal(rand)
    v[k] = g
    norm += g * g
  }
  norm = Math.sqrt(norm)
  for (let k = 0; k < DESCRIPTOR_DIM; k++) v[k] = (v[k] as number) / norm
  return v
}

function pickIndex(cumulative: number[], u: number): number {
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((cumulative[mid] as number) < u) lo = mid + 1
    else hi = mid
  }
  return lo
}
