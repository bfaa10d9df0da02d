/**
 * Current labels of a task, as training and evaluation read them: the labels service's
 * `currentLabels` (person-level labels override face-level ones; undone labels are gone), minus the
 * answers that are not labels.
 */
import { NON_LABELS } from '../../shared/answers'
import type { Db } from '../db/open'
import { currentLabels } from './annotations'

export interface FaceLabel {
  faceId: number
  value: string
}

/** Every face's current label for the task (including non-labels such as "unsure"), by face id. */
export function currentTaskLabels(db: Db, taskId: number): FaceLabel[] {
  return [...currentLabels(db, taskId)]
    .map(([faceId, value]) => ({ faceId, value }))
    .sort((a, b) => a.faceId - b.faceId)
}

/**
 * Labels usable as ground truth: real labels of the task's label set (classification) or finite
 * numbers (score tasks); unsure / not applicable / skipped and stale values are left out.
 */
export function usableLabels(
  labels: readonly FaceLabel[],
  task: { kind: 'classification' | 'score'; labels: readonly string[] }
): FaceLabel[] {
  const known = new Set(task.labels)
  return labels.filter((l) => {
    const v = l.value.trim()
    if (v === '' || NON_LABELS.has(v.toLowerCase())) return false
    if (task.kind === 'score') return Number.isFinite(Number(v))
    return known.has(v)
  })
}
