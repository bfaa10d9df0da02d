/**
 * Out-of-fold predictions of a trained version (migration 007): each labelled training face's probabilities
 * from the ensemble head that did not train on it. Written by the worker in the training commit
 * (version-commits.ts), read by the label-error finder and the learning curve.
 */
import type { Db } from '../db/open'

export interface OutOfFold {
  faceIds: readonly number[]
  folds: readonly number[]
  /** Row-major faces × task labels, calibrated. */
  probs: Float32Array
}

export function writeOutOfFold(db: Db, versionId: number, width: number, oof: OutOfFold): void {
  const ins = db.prepare('INSERT INTO out_of_fold (version_id, face_id, fold, probs) VALUES (?, ?, ?, ?)')
  oof.faceIds.forEach((faceId, i) => {
    const probs = Buffer.from(oof.probs.buffer, oof.probs.byteOffset + i * width * 4, width * 4)
    ins.run(versionId, faceId, oof.folds[i]!, probs)
  })
}

/** A version's out-of-fold rows (empty for v0 and versions trained before they were kept). */
export function readOutOfFold(db: Db, versionId: number): Array<{ faceId: number; fold: number; probs: Float32Array }> {
  const rows = db
    .prepare('SELECT face_id, fold, probs FROM out_of_fold WHERE version_id = ? ORDER BY face_id')
    .all(versionId) as Array<{ face_id: number; fold: number; probs: Buffer }>
  return rows.map((r) => ({
    faceId: r.face_id,
    fold: r.fold,
    probs: new Float32Array(r.probs.buffer.slice(r.probs.byteOffset, r.probs.byteOffset + r.probs.byteLength))
  }))
}
