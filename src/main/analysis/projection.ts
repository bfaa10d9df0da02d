import { principalAxes } from './principal-axes'

/**
 * 2-D projections of one feature kind for the Map screen (issue 13 §2). PCA is the instant method: the two
 * strongest principal axes (the same Jacobi axes the kNN search uses, so there is one eigen-solver in the
 * project), with the mean taken over every row so the map is centred on the data, not on a sample.
 */
export function pcaProject(rows: Float32Array, n: number, dim: number): Float32Array {
  if (n === 0) return new Float32Array(0)
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++)
    for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) + (rows[i * dim + k] as number)
  for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) / n
  const axes = principalAxes(rows, n, dim)
  const out = new Float32Array(n * 2)
  for (let i = 0; i < n; i++) {
    let x = 0
    let y = 0
    for (let k = 0; k < dim; k++) {
      const c = (rows[i * dim + k] as number) - (mean[k] as number)
      x += c * (axes[k] as number)
      y += c * (dim > 1 ? (axes[dim + k] as number) : 0)
    }
    out[i * 2] = x
    out[i * 2 + 1] = y
  }
  return out
}

/**
 * The cache key of a stored projection: it is stale as soon as faces are added or removed, which changes the
 * count or the largest id (ids are never reused), so the two together are enough without hashing every vector.
 */
export function projectionKey(kind: string, method: string, faceCount: number, maxFaceId: number): string {
  return `${kind}-${method}-${faceCount}-${maxFaceId}`
}

/** Coordinates travel as base64 of little-endian Float32 pairs: 100k faces are 1.1 MB, not 100k JSON objects. */
export function encodeCoords(coords: Float32Array): string {
  return Buffer.from(coords.buffer, coords.byteOffset, coords.byteLength).toString('base64')
}

export function decodeCoords(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64')
  const out = new Float32Array(buf.byteLength / 4)
  new Uint8Array(out.buffer).set(buf)
  return out
}

/** Mean 2-D distance of same-group pairs over different-group pairs: below 1 means groups stay together. */
export function groupDistanceRatio(coords: Float32Array, groups: readonly number[]): number {
  let same = 0
  let nSame = 0
  let diff = 0
  let nDiff = 0
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++) {
      const d = Math.hypot(
        (coords[i * 2] as number) - (coords[j * 2] as number),
        (coords[i * 2 + 1] as number) - (coords[j * 2 + 1] as number)
      )
      if (groups[i] === groups[j]) {
        same += d
        nSame++
      } else {
        diff += d
        nDiff++
      }
    }
  return same / Math.max(1, nSame) / (diff / Math.max(1, nDiff))
}
