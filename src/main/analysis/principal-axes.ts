/**
 * Orthonormal principal axes of a sample of row vectors, strongest first, via cyclic Jacobi on the covariance.
 * The kNN search rotates descriptors onto these axes: a rotation keeps every distance, but puts most of the
 * variance in the first coordinates, so a partial distance crosses the threshold early and the pair is dropped
 * after a fraction of the multiply-adds.
 */
export function principalAxes(rows: Float32Array, n: number, dim: number, maxSample = 4096): Float64Array {
  const step = Math.max(1, Math.floor(n / maxSample))
  const mean = new Float64Array(dim)
  let m = 0
  for (let i = 0; i < n; i += step, m++)
    for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) + (rows[i * dim + k] as number)
  for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) / Math.max(1, m)

  const cov = new Float64Array(dim * dim)
  const centred = new Float64Array(dim)
  for (let i = 0; i < n; i += step) {
    for (let k = 0; k < dim; k++) centred[k] = (rows[i * dim + k] as number) - (mean[k] as number)
    for (let a = 0; a < dim; a++) {
      const ca = centred[a] as number
      for (let b = a; b < dim; b++) cov[a * dim + b] = (cov[a * dim + b] as number) + ca * (centred[b] as number)
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a] as number

  const vectors = jacobiEigenvectors(cov, dim)
  return vectors
}

/** Returns eigenvectors as rows (row r = r-th axis), sorted by eigenvalue descending. `a` is overwritten. */
function jacobiEigenvectors(a: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  const at = (i: number, j: number): number => a[i * n + j] as number

  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0
    let diag = 0
    for (let i = 0; i < n; i++) {
      diag += at(i, i) * at(i, i)
      for (let j = i + 1; j < n; j++) off += at(i, j) * at(i, j)
    }
    if (off <= 1e-22 * Math.max(diag, 1e-300)) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q)
        if (Math.abs(apq) < 1e-300) continue
        const theta = (at(q, q) - at(p, p)) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = at(k, p)
          const akq = at(k, q)
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k)
          const aqk = at(q, k)
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number
          const vkq = v[k * n + q] as number
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => at(y, y) - at(x, x))
  const rowsOut = new Float64Array(n * n)
  order.forEach((col, r) => {
    for (let k = 0; k < n; k++) rowsOut[r * n + k] = v[k * n + col] as number
  })
  return rowsOut
}
