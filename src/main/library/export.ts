import type { Db } from '../db/open'
import { csvCell } from '../labels/csv'
import { listTasks } from '../labels/tasks'

export type ExportRow = Record<string, string | number | null>

/**
 * One row per face: where it is, its box, its person, and per task the current label and the active
 * version's prediction with its confidence.
 */
export function exportRows(db: Db): { columns: string[]; rows: ExportRow[] } {
  const tasks = listTasks(db)
  const columns = ['path', 'root', 'face_id', 'x', 'y', 'w', 'h', 'score', 'source', 'person_id']
  for (const t of tasks) columns.push(`${t.name}_label`, `${t.name}_pred`, `${t.name}_conf`)
  const faces = db
    .prepare(
      `SELECT f.id, i.rel_path, i.root, f.x, f.y, f.w, f.h, f.score, f.source, f.person_id
       FROM faces f JOIN images i ON i.id = f.image_id ORDER BY i.root, i.rel_path, f.idx`
    )
    .all() as Array<{
    id: number
    rel_path: string
    root: string
    x: number
    y: number
    w: number
    h: number
    score: number
    source: string
    person_id: number | null
  }>
  const labelStmt = db.prepare('SELECT value FROM current_face_labels WHERE face_id = ? AND task_id = ?').pluck()
  const personLabelStmt = db
    .prepare(
      `SELECT value FROM annotations WHERE target = 'person' AND person_id = ? AND task_id = ? ORDER BY id DESC LIMIT 1`
    )
    .pluck()
  const predStmt = db.prepare(
    `SELECT p.value, p.confidence FROM predictions p JOIN model_versions v ON v.id = p.version_id AND v.active = 1
     WHERE p.face_id = ? AND p.task_id = ?`
  )
  const rows = faces.map((f) => {
    const row: ExportRow = {
      path: f.rel_path,
      root: f.root,
      face_id: f.id,
      x: round(f.x),
      y: round(f.y),
      w: round(f.w),
      h: round(f.h),
      score: round(f.score, 4),
      source: f.source,
      person_id: f.person_id
    }
    for (const t of tasks) {
      const id = t.id
      const personLabel =
        f.person_id !== null ? (personLabelStmt.get(f.person_id, id) as string | undefined) : undefined
      const faceLabel = labelStmt.get(f.id, id) as string | null | undefined
      const pred = predStmt.get(f.id, id) as { value: string; confidence: number | null } | undefined
      row[`${t.name}_label`] = personLabel ?? faceLabel ?? null
      row[`${t.name}_pred`] = pred?.value ?? null
      row[`${t.name}_conf`] = pred?.confidence === null || pred === undefined ? null : round(pred.confidence, 4)
    }
    return row
  })
  return { columns, rows }
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

export function toCsv(columns: string[], rows: ExportRow[]): string {
  const lines = [columns.map(csvCell).join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','))
  return `${lines.join('\n')}\n`
}
