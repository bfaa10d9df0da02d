/**
 * What a training run learns from and is scored on, resolved in main before the worker starts: the task's
 * usable labels (unsure / not applicable / skipped left out), split into training faces and the evaluation set
 * (faces labelled since the last run are assigned first, so every version is scored on the same faces).
 */
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { currentTaskLabels, usableLabels, type FaceLabel } from '../labels/ground-truth'
import type { TaskRow } from '../labels/tasks'
import type { GroupDro, GroupPenalty } from '../training/train'
import { MIN_TRAIN_ROWS } from './defaults'
import { evaluationMembers, syncEvaluationSet } from './eval-set'

export interface TrainingSet {
  task: TaskRow
  train: FaceLabel[]
  evaluation: FaceLabel[]
}

/** Bias mitigation as training takes it: per-row values parallel to `train`, and the record the version keeps. */
export interface ReadyMitigation {
  sampleWeights?: number[]
  groupPenalty?: GroupPenalty
  groupDro?: GroupDro
  /** Saved as metadata.mitigation: method, params and the grouping task. */
  record: { method: string; params: Record<string, unknown> } | null
}

export function trainingSet(db: Db, task: TaskRow): TrainingSet {
  const labels = currentTaskLabels(db, task.id)
  syncEvaluationSet(db, task, labels)
  const held = new Set(evaluationMembers(db, task.id))
  const usable = usableLabels(labels, task)
  return {
    task,
    train: usable.filter((l) => !held.has(l.faceId)),
    evaluation: usable.filter((l) => held.has(l.faceId))
  }
}

/** Too few rows, or a classification task whose rows carry one label, cannot be trained on. */
export function checkTrainable(task: TaskRow, rows: readonly FaceLabel[]): void {
  if (rows.length < MIN_TRAIN_ROWS) {
    throw new AppError(
      'UNSUPPORTED',
      `Task "${task.name}" has ${rows.length} labelled faces to train on (evaluation-set faces are held out); label at least ${MIN_TRAIN_ROWS}.`
    )
  }
  if (task.kind === 'classification' && new Set(rows.map((r) => r.value)).size < 2) {
    throw new AppError(
      'UNSUPPORTED',
      `Task "${task.name}": the training faces carry only one label; label faces of at least two.`
    )
  }
}
