/**
 * The commit points of training and activation: each is ONE transaction, so the active flag, a version's row
 * and its predictions never disagree, and a crash (kill -9 included) leaves either all of it or none. The
 * worker calls these after its long work is done; nothing before them is visible to main.
 */
import type { Db } from '../db/open'
import type { TaskRow } from '../labels/tasks'
import { writeOutOfFold, type OutOfFold } from './out-of-fold'
import { writePredictions, type TaskPredictions } from './predictions'
import { insertVersion, recordTrainingFaces, setActiveVersion, type NewVersion } from './registry'

export interface FacePredictions {
  faceIds: readonly number[]
  predictions: TaskPredictions
}

/**
 * Training: the new version's row, its out-of-fold predictions, the faces it learnt from (so forgetting a person
 * finds it), and, when activating, the active switch and every face's predictions.
 */
export function commitTrainedVersion(
  db: Db,
  task: TaskRow,
  v: NewVersion,
  activation: FacePredictions | null,
  outOfFold: OutOfFold | null = null,
  trainedOn: readonly number[] = []
): number {
  return db.transaction(() => {
    const id = insertVersion(db, v)
    if (outOfFold) writeOutOfFold(db, id, task.labels.length, outOfFold)
    recordTrainingFaces(db, id, trainedOn)
    if (activation) {
      setActiveVersion(db, task.id, id)
      writePredictions(db, task, id, activation.faceIds, activation.predictions)
    }
    return id
  })()
}

/** Activation (and filling in after an import): a version's predictions, and optionally the active switch. */
export function commitPredictions(
  db: Db,
  task: TaskRow,
  versionId: number,
  p: FacePredictions,
  opts: { activate: boolean },
  /** More writes of the same commit (v0's new calibration record). */
  also?: () => void
): void {
  db.transaction(() => {
    also?.()
    writePredictions(db, task, versionId, p.faceIds, p.predictions)
    if (opts.activate) setActiveVersion(db, task.id, versionId)
  })()
}
