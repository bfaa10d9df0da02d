/** Stored feature vectors (Float32 BLOBs) read straight into one packed matrix for tfjs. */
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'

export interface PackedFeatures {
  faceIds: number[]
  data: Float32Array
  dim: number
}

function pack(rows: Array<{ face_id: number; dim: number; vec: Buffer }>, kind: string): PackedFeatures {
  const dim = rows[0]?.dim ?? 0
  const data = new Float32Array(rows.length * dim)
  const faceIds: number[] = new Array(rows.length)
  rows.forEach((r, i) => {
    if (r.dim !== dim)
      throw new AppError('INTERNAL', `Face ${r.face_id} has ${r.dim}-d ${kind} features, others ${dim}-d.`)
    // Copy (not view): SQLite buffers are not guaranteed 4-byte aligned.
    data.set(new Float32Array(r.vec.buffer.slice(r.vec.byteOffset, r.vec.byteOffset + r.vec.byteLength)), i * dim)
    faceIds[i] = r.face_id
  })
  return { faceIds, data, dim }
}

/** Features of the given faces, in the given order; faces without features of this kind are dropped. */
export function featuresOf(db: Db, kind: string, faceIds: readonly number[]): PackedFeatures {
  const stmt = db.prepare('SELECT face_id, dim, vec FROM face_features WHERE face_id = ? AND kind = ?')
  const rows: Array<{ face_id: number; dim: number; vec: Buffer }> = []
  for (const id of faceIds) {
    const r = stmt.get(id, kind) as { face_id: number; dim: number; vec: Buffer } | undefined
    if (r) rows.push(r)
  }
  return pack(rows, kind)
}

/** Every face's features of this kind, by face id. */
export function allFeatures(db: Db, kind: string): PackedFeatures {
  const rows = db
    .prepare('SELECT face_id, dim, vec FROM face_features WHERE kind = ? ORDER BY face_id')
    .all(kind) as Array<{ face_id: number; dim: number; vec: Buffer }>
  return pack(rows, kind)
}
