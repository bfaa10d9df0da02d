import { createHash } from 'node:crypto'
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
 * The cache key of a stored projection, over one string per face that names its content (e.g. face id, the photo's
 * content hash and the face's index). Count and largest id are not enough: `faces.id` is a plain INTEGER PRIMARY
 * KEY, so SQLite reuses the largest id after the newest photo is removed and another is imported.
 */
export function projectionKey(kind: string, method: string, faceKeys: readonly string[]): string {
  const h = createHash('sha256').update(`${kind}\n${method}\n`)
  for (const k of faceKeys) h.update(`${k}\n`)
  return `${kind}-${method}-${faceKeys.length}-${h.digest('hex').slice(0, 16)}`
}

/**
 * Coordinates travel as base64 of little-endian Float32 pairs (face ids and colour codes as Int32 the same way):
 * 100k faces are 1.1 MB, not 100k JSON objects.
 */
export function encodeCoords(coords: Float32Array | Int32Array): string {
  return Buffer.from(coords.buffer, coords.byteOffset, coords.byteLength).toString('base64')
}

export function decodeCoords(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64')
  const out = new Float32Array(buf.byteLength / 4)
  new Uint8Array(out.buffer).set(buf)
  return out
}
