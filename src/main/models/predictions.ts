/**
 * The predictions table: one code path writes it (`writePredictions`), whether the values come from the
 * built-in heads at import, a trained version at activation, or a new version committed by training. The ML
 * worker is its only writer; main reads it.
 */
import type { Db } from '../db/open'
import type { TaskRow } from '../labels/tasks'

/** Predictions for N faces, expressed over the task's current label order. */
export interface TaskPredictions {
  /** The stored value: a label, or a number as text for score tasks (one decimal). */
  values: string[]
  /** Numeric outputs for score tasks. */
  numbers: Float64Array | null
  /** Probability of the predicted label; null for score tasks. */
  confidence: Array<number | null>
  /** Row-major N × task.labels.length probabilities (0 for labels the version does not know); null for score tasks. */
  probs: Float32Array | null
}

/** Writes a version's predictions for these faces (parallel to `p`), replacing earlier ones of the same version. */
export function writePredictions(
  db: Db,
  task: Pick<TaskRow, 'id' | 'labels'>,
  versionId: number,
  faceIds: readonly number[],
  p: TaskPredictions
): void {
  const ins = db.prepare(
    `INSERT INTO predictions (face_id, task_id, version_id, value, confidence, probs) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(face_id, task_id, version_id) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, probs = excluded.probs`
  )
  const w = task.labels.length
  faceIds.forEach((id, i) => {
    const probs = p.probs ? Buffer.from(p.probs.buffer, p.probs.byteOffset + i * w * 4, w * 4) : null
    ins.run(id, task.id, versionId, p.values[i]!, p.confidence[i] ?? null, probs)
  })
}

/** Faces that already have a prediction of this version. */
export function predictedFaces(db: Db, taskId: number, versionId: number): Set<number> {
  return new Set(
    db
      .prepare('SELECT face_id FROM predictions WHERE task_id = ? AND version_id = ?')
      .pluck()
      .all(taskId, versionId) as number[]
  )
}

/** Every predicted value of one version, as [faceId, value]. */
export function predictedValues(db: Db, taskId: number, versionId: number): Array<[number, string]> {
  return db
    .prepare('SELECT face_id, value FROM predictions WHERE task_id = ? AND version_id = ?')
    .raw()
    .all(taskId, versionId) as Array<[number, string]>
}
