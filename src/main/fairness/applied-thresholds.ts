/**
 * Per-group thresholds applied to a version (table version_group_thresholds, migration 008): the user's decision,
 * written by main (this module is its one writer); read by the worker at every prediction of the version.
 *
 * At prediction a face whose group is known from its labels of the grouping task (annotations, never
 * predictions) is predicted positive when P(positive) ≥ its group's threshold, otherwise the most probable other
 * label; faces without a group, and groups without a threshold, keep the version's own argmax. Probabilities are
 * never changed, only the decision, so calibration and the thresholds preview still read the head's own output.
 */
import type { AppliedThresholdsInfo } from '../../shared/domain'
import type { Db } from '../db/open'
import type { TaskPredictions } from '../models/predictions'
import { getTask } from '../labels/tasks'
import { resolveGrouping } from './groups'

/** What is stored besides the thresholds themselves (the preview's figures at the time of applying). */
export type ThresholdRecord = Omit<AppliedThresholdsInfo, 'task' | 'version' | 'repredicted' | 'created_at'>

interface Row {
  group_task_id: number
  positive: string
  thresholds: string
  record: string
  created_at: string
}

export function saveAppliedThresholds(db: Db, versionId: number, r: ThresholdRecord): void {
  const groupTask = getTask(db, r.group_task)
  db.prepare(
    `INSERT INTO version_group_thresholds (version_id, group_task_id, positive, thresholds, record, created_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (version_id) DO UPDATE SET group_task_id = excluded.group_task_id, positive = excluded.positive,
       thresholds = excluded.thresholds, record = excluded.record, created_at = excluded.created_at`
  ).run(versionId, groupTask.id, r.positive, JSON.stringify(r.thresholds), JSON.stringify(r), new Date().toISOString())
}

export function clearAppliedThresholds(db: Db, versionId: number): boolean {
  return db.prepare('DELETE FROM version_group_thresholds WHERE version_id = ?').run(versionId).changes > 0
}

export function appliedThresholdsOf(db: Db, versionId: number): (ThresholdRecord & { created_at: string }) | null {
  const row = db
    .prepare(
      'SELECT group_task_id, positive, thresholds, record, created_at FROM version_group_thresholds WHERE version_id = ?'
    )
    .get(versionId) as Row | undefined
  if (!row) return null
  const record = JSON.parse(row.record) as ThresholdRecord
  // The grouping task may have been renamed since: its current name, from its id.
  return {
    ...record,
    group_task: getTask(db, row.group_task_id).name,
    positive: row.positive,
    thresholds: JSON.parse(row.thresholds) as Record<string, number>,
    created_at: row.created_at
  }
}

/**
 * Applies a version's thresholds to predictions of `faceIds` (parallel to `pred`), in place. `labels` are the
 * task's labels (the columns of pred.probs). Returns how many decisions changed.
 */
export function applyThresholds(
  pred: TaskPredictions,
  faceIds: readonly number[],
  labels: readonly string[],
  t: { positive: string; thresholds: Readonly<Record<string, number>> },
  groupOf: ReadonlyMap<number, string>
): number {
  const probs = pred.probs
  const k = labels.indexOf(t.positive)
  if (!probs || k < 0) return 0
  const w = labels.length
  let changed = 0
  faceIds.forEach((id, i) => {
    const g = groupOf.get(id)
    const threshold = g === undefined ? undefined : t.thresholds[g]
    if (threshold === undefined) return
    const p = probs[i * w + k] as number
    let value: string
    let confidence: number
    if (p >= threshold) {
      value = t.positive
      confidence = p
    } else {
      let best = -1
      for (let j = 0; j < w; j++)
        if (j !== k && (best < 0 || (probs[i * w + j] as number) > (probs[i * w + best] as number))) best = j
      value = labels[best] as string
      confidence = probs[i * w + best] as number
    }
    if (value !== pred.values[i]) changed++
    pred.values[i] = value
    pred.confidence[i] = confidence
  })
  return changed
}

/** The version's thresholds and the groups they apply to right now (labels as they stand), or null. */
export function thresholdsForPrediction(
  db: Db,
  versionId: number
): { positive: string; thresholds: Record<string, number>; groupOf: Map<number, string> } | null {
  const t = appliedThresholdsOf(db, versionId)
  if (!t) return null
  const grouping = resolveGrouping(db, { task: t.group_task, source: 'annotations' })
  return { positive: t.positive, thresholds: t.thresholds, groupOf: grouping.groupOf }
}
