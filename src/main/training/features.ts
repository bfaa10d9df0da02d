/**
 * Feature matrices: the stored per-face vectors as one contiguous row-major Float32Array, which is
 * what tfjs wants (one upload instead of one per face).
 */

/** Either one vector per face, or an already packed N×dim buffer (e.g. straight from SQLite blobs). */
export type FeatureInput = readonly Float32Array[] | { data: Float32Array; dim: number }

export interface FeatureMatrix {
  data: Float32Array
  rows: number
  dim: number
}

export function toMatrix(input: FeatureInput, expectedDim?: number): FeatureMatrix {
  if (!Array.isArray(input)) {
    const { data, dim } = input as { data: Float32Array; dim: number }
    if (!Number.isInteger(dim) || dim <= 0 || data.length % dim !== 0) {
      throw new RangeError(`packed features of length ${data.length} do not divide into rows of ${dim}`)
    }
    checkDim(dim, expectedDim)
    return { data, rows: data.length / dim, dim }
  }
  const rows = input as readonly Float32Array[]
  const first = rows[0]
  const dim = first ? first.length : (expectedDim ?? 0)
  checkDim(dim, expectedDim)
  const data = new Float32Array(rows.length * dim)
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new RangeError(`feature row ${i} has ${row.length} values, expected ${dim}`)
    data.set(row, i * dim)
  })
  return { data, rows: rows.length, dim }
}

function checkDim(dim: number, expected: number | undefined): void {
  if (expected !== undefined && dim !== expected)
    throw new RangeError(`features are ${dim}-d, the head expects ${expected}-d`)
}
