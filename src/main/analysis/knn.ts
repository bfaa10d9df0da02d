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

/**
 * Exact brute-force threshold kNN. Every pair is visited once (the result is symmetric in what it finds),
 * vectors are rotated onto their principal axes and zero-padded to a multiple of 16 so the inner loop can give
 * up on a pair as soon as a 16-wide partial sum passes threshold²; on face descriptors almost all pairs are far
 * apart and are dropped after the first block or two.
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
  const t2 = threshold * threshold

  for (let i = 0; i < n; i++) {
    const bi = i * dim
    for (let j = i + 1; j < n; j++) {
      const bj = j * dim
      let s = 0
      let kd = 0
      while (kd < dim) {
        const end = kd + BLOCK
        for (; kd < end; kd++) {
          const diff = (data[bi + kd] as number) - (data[bj + kd] as number)
          s += diff * diff
        }
        if (s >= t2) break
      }
      if (s < t2) {
        const d = Math.sqrt(s)
        pushNeighbour(neighbours, distances, counts, kk, i, j, d)
        pushNeighbour(neighbours, distances, counts, kk, j, i, d)
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
