/**
 * Overlap (issue 14): "ask for a second answer on N % of faces". A project setting (project_meta 'overlap':
 * percent and seed); per task, the overlap faces are picked stratified by the active version's predicted label
 * (each predicted class gives the same share, so rare classes get second answers too), in a seeded order that
 * does not depend on query order. Review keeps showing an overlap face to every annotator who has not answered it
 * yet, and hides the other answers from them until they have (labels/review.ts, the history panel).
 */
import { mulberry32 } from '../analysis/random'
import type { Db } from '../db/open'

export interface OverlapSetting {
  /** 0 (off) … 100. */
  percent: number
  seed: number
}

const KEY = 'overlap'

export function overlapSetting(db: Db): OverlapSetting {
  const raw = db.prepare('SELECT value FROM project_meta WHERE key = ?').pluck().get(KEY) as string | undefined
  if (!raw) return { percent: 0, seed: 1 }
  try {
    const v = JSON.parse(raw) as Partial<OverlapSetting>
    return { percent: Number(v.percent) || 0, seed: Number.isInteger(v.seed) ? (v.seed as number) : 1 }
  } catch {
    return { percent: 0, seed: 1 }
  }
}

export function setOverlapSetting(db: Db, s: OverlapSetting): OverlapSetting {
  const v = { percent: Math.max(0, Math.min(100, s.percent)), seed: Math.trunc(s.seed) }
  db.prepare('INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)').run(KEY, JSON.stringify(v))
  return v
}

/** A face's place in the seeded order: a hash of (seed, task, face), so it never moves when faces are added. */
function rank(seed: number, taskId: number, faceId: number): number {
  return mulberry32((seed * 0x9e3779b1) ^ (taskId * 0x85ebca77) ^ (faceId * 0xc2b2ae3d))()
}

/** The task's overlap faces: per predicted label (faces without a prediction form one stratum), the first ⌈N %⌉ by rank. */
export function overlapFaces(db: Db, taskId: number, s: OverlapSetting = overlapSetting(db)): Set<number> {
  const out = new Set<number>()
  if (s.percent <= 0) return out
  const rows = db
    .prepare(
      `SELECT f.id, p.value FROM faces f
       LEFT JOIN model_versions v ON v.task_id = ? AND v.active = 1
       LEFT JOIN predictions p ON p.face_id = f.id AND p.task_id = ? AND p.version_id = v.id`
    )
    .raw()
    .all(taskId, taskId) as Array<[number, string | null]>
  const strata = new Map<string, Array<{ id: number; r: number }>>()
  for (const [id, value] of rows) {
    const key = value ?? '\u0000none'
    let list = strata.get(key)
    if (!list) strata.set(key, (list = []))
    list.push({ id, r: rank(s.seed, taskId, id) })
  }
  for (const list of strata.values()) {
    list.sort((a, b) => a.r - b.r || a.id - b.id)
    const take = Math.ceil((list.length * s.percent) / 100)
    for (const f of list.slice(0, take)) out.add(f.id)
  }
  return out
}

/** Faces this annotator gave a face-level answer to for the task (undone actions do not count). */
export function answeredBy(db: Db, taskId: number, annotator: string): Set<number> {
  return new Set(
    db
      .prepare(
        `SELECT DISTINCT a.face_id FROM annotations a LEFT JOIN annotation_actions x ON x.id = a.action_id
         WHERE a.task_id = ? AND a.target = 'face' AND a.annotator = ? AND a.source NOT IN ('undo', 'redo')
           AND (x.state IS NULL OR x.state NOT IN ('undone', 'dropped'))`
      )
      .pluck()
      .all(taskId, annotator) as number[]
  )
}
