/**
 * Identity-consistency checks: for every person (identity cluster) with at least two faces, per task,
 * - a person with a person-level label: the faces whose ACTIVE prediction contradicts that label;
 * - a person without one: the faces whose active prediction differs from the person's majority prediction
 *   (the task's predictions disagree across the same person's photos).
 * The list ("Conflicts" queue) is ordered contradictions first, then by the share of the person's faces
 * involved, and carries thumb refs so review can show the faces.
 */
import type { ConflictFace, ConflictItem, ConflictList } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { currentPersonLabels } from '../labels/annotations'
import { NON_LABELS } from '../../shared/answers'
import { activeVersion } from '../models/registry'
import { getTask, listTasks, type TaskRow } from '../labels/tasks'

export interface ConflictQuery {
  /** Tasks to check; default every person-level classification task. */
  tasks?: Array<string | number> | undefined
  offset?: number | undefined
  limit?: number | undefined
}

function defaultTasks(db: Db): TaskRow[] {
  return listTasks(db)
    .filter((t) => t.level === 'person' && t.kind === 'classification')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function findConflicts(db: Db, q: ConflictQuery = {}): ConflictList {
  const tasks = q.tasks && q.tasks.length ? q.tasks.map((t) => getTask(db, t)) : defaultTasks(db)
  for (const t of tasks)
    if (t.kind !== 'classification')
      throw new AppError('UNSUPPORTED', `Consistency checks compare labels; "${t.name}" is a score task.`, 'tasks')
  const persons = db
    .prepare(
      `SELECT f.person_id AS id, p.name AS name FROM faces f JOIN persons p ON p.id = f.person_id
       GROUP BY f.person_id HAVING COUNT(*) >= 2 ORDER BY f.person_id`
    )
    .all() as Array<{ id: number; name: string | null }>
  const nameOf = new Map(persons.map((p) => [p.id, p.name]))
  const items: ConflictItem[] = []
  for (const task of tasks) {
    const v = activeVersion(db, task.id)
    if (!v) continue
    const rows = db
      .prepare(
        `SELECT f.person_id, f.id, pr.value, pr.confidence FROM faces f
         JOIN predictions pr ON pr.face_id = f.id AND pr.task_id = ? AND pr.version_id = ?
         WHERE f.person_id IS NOT NULL ORDER BY f.person_id, f.id`
      )
      .raw()
      .all(task.id, v.id) as Array<[number, number, string, number | null]>
    const byPerson = new Map<number, ConflictFace[]>()
    for (const [personId, faceId, predicted, confidence] of rows) {
      if (!nameOf.has(personId)) continue
      let list = byPerson.get(personId)
      if (!list) byPerson.set(personId, (list = []))
      list.push({ faceId, thumb: thumbRef(faceId), predicted, confidence })
    }
    const personLabels = currentPersonLabels(db, task.id)
    for (const [personId, faces] of byPerson) {
      if (faces.length < 2) continue
      const counts = new Map<string, number>()
      for (const f of faces) counts.set(f.predicted, (counts.get(f.predicted) ?? 0) + 1)
      const majority = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]
      const raw = personLabels.get(personId)
      const personLabel = raw !== undefined && !NON_LABELS.has(raw.trim().toLowerCase()) ? raw : null
      const base = {
        task: task.name,
        personId,
        personName: nameOf.get(personId) ?? null,
        personLabel,
        majority,
        personFaces: faces.length
      }
      if (personLabel !== null) {
        const off = faces.filter((f) => f.predicted !== personLabel)
        if (off.length)
          items.push({ kind: 'contradicts_person_label', ...base, faces: off, severity: off.length / faces.length })
      } else if (counts.size > 1) {
        const off = faces.filter((f) => f.predicted !== majority)
        items.push({ kind: 'prediction_disagreement', ...base, faces: off, severity: off.length / faces.length })
      }
    }
  }
  items.sort(
    (a, b) =>
      (a.kind === b.kind ? 0 : a.kind === 'contradicts_person_label' ? -1 : 1) ||
      b.severity - a.severity ||
      a.personId - b.personId ||
      a.task.localeCompare(b.task)
  )
  const offset = q.offset ?? 0
  const limit = q.limit ?? 200
  return {
    tasks: tasks.map((t) => t.name),
    persons_checked: persons.length,
    total: items.length,
    items: items.slice(offset, offset + limit)
  }
}
