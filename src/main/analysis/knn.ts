import { principalAxes } from './principal-axes'

/**
 * Sparse k-nearest-neighbour graph keeping only neighbours closer than a threshold. Row i of `neighbours`
 * and `distances` holds up to k entries (indices into the input, Euclidean distances), nearest first;
 * unused slots are -1 / Infinity.
 */
export interface KnnGraph {
  n: number
  k: number
  neighbours: Int32Array
  distances: Float32Array
}

const BLOCK = 16
const PREFIX = 32
const TILE = 64

/**
 * Exact brute-force threshold kNN. Every pair is visited once (the result is symmetric in what it finds),
 * vectors are rotated onto their principal axes (distances unchanged, variance front-loaded) and zero-padded to
 * a multiple of 16, so the loop gives up on a pair once the first 16 coordinates already pass threshold²; on
 * face descriptors almost every pair is far apart and costs 16 multiply-adds.
 */
export function thresholdKnn(vectors: readonly Float32Array[], k: number, threshold: number): KnnGraph {
  const n = vectors.length
  const kk = Math.max(1, Math.floor(k))
  const neighbours = new Int32Array(n * kk).fill(-1)
  const distances = new Float32Array(n * kk).fill(Infinity)
  const counts = new Int32Array(n)
  if (n === 0) return { n, k: kk, neighbours, distances }

  const data = rotatedAndPadded(vectors)
  const dim = data.length / n
  const pre = Math.min(PREFIX, dim)
  const prefix = new Float32Array(n * pre)
  for (let i = 0; i < n; i++) prefix.set(data.subarray(i * dim, i * dim + pre), i * pre)
  const t2 = threshold * threshold

  // Tiles of rows: one row j is compared with TILE rows i while both sit in L1, and the hot loop reads only the
  // compact prefix array, so a 100k×128 set is not streamed from memory once per row.
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE)
    for (let j = i0 + 1; j < n; j++) {
      const pj = j * pre
      const iEnd = Math.min(i1, j)
      for (let i = i0; i < iEnd; i++) {
        const pi = i * pre
        const a0 = (prefix[pi + 0] as number) - (prefix[pj + 0] as number)
        const a1 = (prefix[pi + 1] as number) - (prefix[pj + 1] as number)
        const a2 = (prefix[pi + 2] as number) - (prefix[pj + 2] as number)
        const a3 = (prefix[pi + 3] as number) - (prefix[pj + 3] as number)
        const a4 = (prefix[pi + 4] as number) - (prefix[pj + 4] as number)
        const a5 = (prefix[pi + 5] as number) - (prefix[pj + 5] as number)
        const a6 = (prefix[pi + 6] as number) - (prefix[pj + 6] as number)
        const a7 = (prefix[pi + 7] as number) - (prefix[pj + 7] as number)
        const a8 = (prefix[pi + 8] as number) - (prefix[pj + 8] as number)
        const a9 = (prefix[pi + 9] as number) - (prefix[pj + 9] as number)
        const a10 = (prefix[pi + 10] as number) - (prefix[pj + 10] as number)
        const a11 = (prefix[pi + 11] as number) - (prefix[pj + 11] as number)
        const a12 = (prefix[pi + 12] as number) - (prefix[pj + 12] as number)
        const a13 = (prefix[pi + 13] as number) - (prefix[pj + 13] as number)
        const a14 = (prefix[pi + 14] as number) - (prefix[pj + 14] as number)
        const a15 = (prefix[pi + 15] as number) - (prefix[pj + 15] as number)
        let s =
          a0 * a0 +
          a1 * a1 +
          a2 * a2 +
          a3 * a3 +
          a4 * a4 +
          a5 * a5 +
          a6 * a6 +
          a7 * a7 +
          a8 * a8 +
          a9 * a9 +
          a10 * a10 +
          a11 * a11 +
          a12 * a12 +
          a13 * a13 +
          a14 * a14 +
          a15 * a15
        if (s >= t2) continue
        for (let kd = BLOCK; kd < pre; kd++) {
          const diff = (prefix[pi + kd] as number) - (prefix[pj + kd] as number)
          s += diff * diff
        }
        if (s >= t2) continue
        const bi = i * dim
        const bj = j * dim
        for (let kd = pre; kd < dim && s < t2; kd++) {
          const diff = (data[bi + kd] as number) - (data[bj + kd] as number)
          s += diff * diff
        }
        if (s < t2) {
          const d = Math.sqrt(s)
          pushNeighbour(neighbours, distances, counts, kk, i, j, d)
          pushNeighbour(neighbours, distances, counts, kk, j, i, d)
        }
      }
    }
  }
  sortRows(neighbours, distances, counts, kk)
  return { n, k: kk, neighbours, distances }
}

function rotatedAndPadded(vectors: readonly Float32Array[]): Float32Array {
  const n = vectors.length
  const rawDim = (vectors[0] as Float32Array).length
  for (const v of vectors) if (v.length !== rawDim) throw new Error(`descriptor length ${v.length}, expected ${rawDim}`)
  const raw = new Float32Array(n * rawDim)
  vectors.forEach((v, i) => raw.set(v, i * rawDim))
  const axes = principalAxes(raw, n, rawDim)
  const dim = Math.ceil(rawDim / BLOCK) * BLOCK
  const out = new Float32Array(n * dim)
  for (let i = 0; i < n; i++) {
    const src = i * rawDim
    for (let r = 0; r < rawDim; r++) {
      let s = 0
      const ar = r * rawDim
      for (let c = 0; c < rawDim; c++) s += (axes[ar + c] as number) * (raw[src + c] as number)
      out[i * dim + r] = s
    }
  }
  return out
}

/** Keeps row `row` as a max-heap of its k nearest so far (root = farthest kept), so a full row rejects in O(1). */
function pushNeighbour(
  neighbours: Int32Array,
  distances: Float32Array,
  counts: Int32Array,
  k: number,
  row: number,
  other: number,
  d: number
): void {
  const base = row * k
  const count = counts[row] as number
  let pos: number
  if (count < k) {
    pos = count
    counts[row] = count + 1
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      if ((distances[base + parent] as number) >= d) break
      distances[base + pos] = distances[base + parent] as number
      neighbours[base + pos] = neighbours[base + parent] as number
      pos = parent
    }
  } else {
    if (d >= (distances[base] as number)) return
    pos = 0
    for (;;) {
      const left = 2 * pos + 1
      if (left >= k) break
      const right = left + 1
      const child = right < k && (distances[base + right] as number) > (distances[base + left] as number) ? right : left
      if ((distances[base + child] as number) <= d) break
      distances[base + pos] = distances[base + child] as number
      neighbours[base + pos] = neighbours[base + child] as number
      pos = child
    }
  }
  distances[base + pos] = d
  neighbours[base + pos] = other
}

function sortRows(neighbours: Int32Array, distances: Float32Array, counts: Int32Array, k: number): void {
  for (let row = 0; row < counts.length; row++) {
    const base = row * k
    const count = counts[row] as number
    const entries: Array<[number, number]> = []
    for (let s = 0; s < count; s++) entries.push([distances[base + s] as number, neighbours[base + s] as number])
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    entries.forEach(([d, j], s) => {
      distances[base + s] = d
      neighbours[base + s] = j
    })
  }
}
