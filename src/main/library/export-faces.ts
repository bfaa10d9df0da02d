/**
 * What every export format writes, gathered once: each face in scope with its photo (path, size), its box,
 * its person, and per chosen task the current label (with annotator and time) and the active version's
 * prediction (with confidence). Formats (export-*.ts) only shape these records.
 */
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { currentLabelRecords, type LabelRecord } from '../labels/annotations'
import { listTasks, type TaskRow } from '../labels/tasks'

export interface ExportPrediction {
  value: string
  confidence: number | null
  version: number
}

export interface ExportFace {
  faceId: number
  imageId: number
  /** Absolute path of the photo. */
  file: string
  width: number | null
  height: number | null
  box: [number, number, number, number]
  score: number
  source: string
  personId: number | null
  labels: Record<string, LabelRecord | null>
  predictions: Record<string, ExportPrediction | null>
}

export interface ExportScope {
  /** Task names to include (default: every task). */
  tasks?: readonly string[] | undefined
  /** Only these faces (a person, a filter, a selection); default: every face. */
  faceIds?: readonly number[] | undefined
}

export interface ExportData {
  tasks: TaskRow[]
  faces: ExportFace[]
  /** Active model version per task name. */
  versions: Record<string, number>
}

export function chooseTasks(db: Db, names: readonly string[] | undefined): TaskRow[] {
  const all = listTasks(db)
  if (names === undefined || names.length === 0) return all
  return names.map((n) => {
    const t = all.find((x) => x.name.toLowerCase() === n.trim().toLowerCase())
    if (!t) throw new AppError('NOT_FOUND', `No task "${n}" (tasks: ${all.map((x) => x.name).join(', ')}).`, 'tasks')
    return t
  })
}

export function gatherExport(db: Db, scope: ExportScope): ExportData {
  const tasks = chooseTasks(db, scope.tasks)
  const only = scope.faceIds ? new Set(scope.faceIds) : null
  const rows = db
    .prepare(
      `SELECT f.id, f.image_id, i.path, i.width, i.height, f.x, f.y, f.w, f.h, f.score, f.source, f.person_id
       FROM faces f JOIN images i ON i.id = f.image_id ORDER BY i.root, i.rel_path, f.idx`
    )
    .raw()
    .all() as Array<
    [
      number,
      number,
      string,
      number | null,
      number | null,
      number,
      number,
      number,
      number,
      number,
      string,
      number | null
    ]
  >
  const labels = new Map(tasks.map((t) => [t.name, currentLabelRecords(db, t.id)]))
  const versions: Record<string, number> = {}
  const preds = new Map<string, Map<number, ExportPrediction>>()
  const predStmt = db.prepare(
    `SELECT p.face_id, p.value, p.confidence FROM predictions p WHERE p.version_id = ? AND p.task_id = ?`
  )
  for (const t of tasks) {
    const v = db.prepare('SELECT id, version FROM model_versions WHERE task_id = ? AND active = 1').get(t.id) as
      { id: number; version: number } | undefined
    const m = new Map<number, ExportPrediction>()
    if (v) {
      versions[t.name] = v.version
      for (const [f, value, confidence] of predStmt.raw().iterate(v.id, t.id) as IterableIterator<
        [number, string, number | null]
      >)
        m.set(f, { value, confidence, version: v.version })
    }
    preds.set(t.name, m)
  }
  const faces: ExportFace[] = []
  for (const [id, imageId, file, width, height, x, y, w, h, score, source, personId] of rows) {
    if (only && !only.has(id)) continue
    const face: ExportFace = {
      faceId: id,
      imageId,
      file,
      width,
      height,
      box: [round(x), round(y), round(w), round(h)],
      score: round(score, 4),
      source,
      personId,
      labels: {},
      predictions: {}
    }
    for (const t of tasks) {
      face.labels[t.name] = labels.get(t.name)?.get(id) ?? null
      const p = preds.get(t.name)?.get(id)
      face.predictions[t.name] = p ? { ...p, confidence: p.confidence === null ? null : round(p.confidence, 4) } : null
    }
    faces.push(face)
  }
  return { tasks, faces, versions }
}

/** A photo's path as an export writes it: relative to the export file's folder (forward slashes), or absolute. */
export function exportPath(file: string, out: string, absolute: boolean): string {
  if (absolute) return file
  return path.relative(path.dirname(out), file).split(path.sep).join('/')
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

/** Faces grouped by photo, photos in export order. */
export function byImage(faces: readonly ExportFace[]): ExportFace[][] {
  const m = new Map<number, ExportFace[]>()
  for (const f of faces) {
    const list = m.get(f.imageId)
    if (list) list.push(f)
    else m.set(f.imageId, [f])
  }
  return [...m.values()]
}
