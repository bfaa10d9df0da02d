/** Content hashes that identify what a model was trained on and what is on disk. */
import { createHash } from 'node:crypto'

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Identifies a training set independently of query order: sha256 over "id<TAB>value<LF>" lines
 * sorted by id (then value). Two versions with the same hash were trained on the same annotations.
 */
export function trainingSetHash(annotations: readonly { id: string | number; value: string | number }[]): string {
  const lines = annotations.map((a) => `${String(a.id)}\t${String(a.value)}\n`)
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const hash = createHash('sha256')
  for (const line of lines) hash.update(line)
  return hash.digest('hex')
}
