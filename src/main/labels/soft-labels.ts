/**
 * Soft labels (issue 11 §2, issue 14 §1): the target distribution training may use instead of a face's one label.
 *
 * - Vote columns: a labels CSV with `votes_<label>` columns (FER+: ten crowd votes per image) stores each face's
 *   votes in `label_votes` (migration 009); they become that face's distribution.
 * - Several annotators: otherwise a face answered by ≥ 2 annotators gets the normalised counts of their current
 *   answers (each annotator's newest face-level answer; unsure / not applicable / labels outside the task left
 *   out).
 * - Anything else (one answer, a person-level label, which overrides face answers) keeps a one-hot target (null).
 */
import { NON_LABELS } from '../../shared/answers'
import type { Db } from '../db/open'
import { currentPersonLabels } from './annotations'
import { mapValue, type ValueMap } from './label-rows'
import type { LabelTable } from './label-table'

export type Distribution = Record<string, number>

export const VOTE_PREFIX = 'votes_'

/**
 * The vote columns of a table that stand for the task's labels (through the value map, case-insensitively):
 * column index → task label. Columns for other labels (FER+ `unknown`, `NF`, or a class the task lacks) are left
 * out, as unsure answers are.
 */
export function voteColumns(table: LabelTable, taskLabels: readonly string[], map?: ValueMap): Map<number, string> {
  const byLower = new Map(taskLabels.map((l) => [l.toLowerCase(), l]))
  const out = new Map<number, string>()
  table.header.forEach((h, i) => {
    if (!h.toLowerCase().startsWith(VOTE_PREFIX)) return
    const label = byLower.get(mapValue(h.slice(VOTE_PREFIX.length).trim(), map).toLowerCase())
    if (label !== undefined) out.set(i, label)
  })
  return out
}

/** Each table line's votes over the task's labels (lines whose votes are all zero or unreadable are left out). */
export function votesByLine(table: LabelTable, columns: ReadonlyMap<number, string>): Map<number, Distribution> {
  const out = new Map<number, Distribution>()
  if (columns.size === 0) return out
  for (const r of table.rows) {
    const d: Distribution = {}
    let total = 0
    let ok = true
    for (const [i, label] of columns) {
      const cell = (r.cells[i] ?? '').trim()
      const v = cell === '' ? 0 : Number(cell)
      if (!Number.isFinite(v) || v < 0) ok = false
      else if (v > 0) {
        d[label] = (d[label] ?? 0) + v
        total += v
      }
    }
    if (ok && total > 0) out.set(r.line, d)
  }
  return out
}

/** Replaces the stored votes of these faces for a task (re-importing a file is idempotent). Returns faces written. */
export function writeVotes(
  db: Db,
  taskId: number,
  rows: ReadonlyArray<{ faceId: number; votes: Distribution }>,
  source: string
): number {
  if (rows.length === 0) return 0
  const del = db.prepare('DELETE FROM label_votes WHERE face_id = ? AND task_id = ?')
  const ins = db.prepare(
    'INSERT INTO label_votes (face_id, task_id, label, votes, source, created_at) VALUES (?, ?, ?, ?, ?, ?)'
  )
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const r of rows) {
      del.run(r.faceId, taskId)
      for (const [label, v] of Object.entries(r.votes)) ins.run(r.faceId, taskId, label, v, source, now)
    }
  })()
  return rows.length
}

/**
 * Soft targets of a task's faces, parallel to `faceIds`: stored votes, else the spread of several annotators'
 * current answers, else null (one-hot). Only labels of `labels` count.
 */
export function softTargetsOf(
  db: Db,
  task: { id: number; labels: readonly string[] },
  faceIds: readonly number[]
): (Distribution | null)[] {
  const known = new Set(task.labels)
  const votes = new Map<number, Distribution>()
  for (const [f, label, v] of db
    .prepare('SELECT face_id, label, votes FROM label_votes WHERE task_id = ?')
    .raw()
    .iterate(task.id) as IterableIterator<[number, string, number]>) {
    if (!known.has(label) || !(v > 0)) continue
    const d = votes.get(f) ?? {}
    d[label] = (d[label] ?? 0) + v
    votes.set(f, d)
  }
  // Each annotator's newest face-level answer (a NULL newest = withdrawn).
  const answers = new Map<number, Map<string, string | null>>()
  for (const [f, annotator, value] of db
    .prepare(`SELECT face_id, annotator, value FROM annotations WHERE task_id = ? AND target = 'face' ORDER BY id`)
    .raw()
    .iterate(task.id) as IterableIterator<[number, string, string | null]>) {
    let m = answers.get(f)
    if (!m) answers.set(f, (m = new Map()))
    m.set(annotator, value)
  }
  const personLabelled = new Set<number>()
  const persons = currentPersonLabels(db, task.id)
  if (persons.size > 0) {
    const facesOf = db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck()
    for (const p of persons.keys()) for (const f of facesOf.all(p) as number[]) personLabelled.add(f)
  }
  return faceIds.map((f) => {
    const v = votes.get(f)
    if (v) return v
    if (personLabelled.has(f)) return null
    const m = answers.get(f)
    if (!m || m.size < 2) return null
    const d: Distribution = {}
    let n = 0
    for (const value of m.values()) {
      if (value === null || NON_LABELS.has(value.toLowerCase()) || !known.has(value)) continue
      d[value] = (d[value] ?? 0) + 1
      n++
    }
    return n >= 2 ? d : null
  })
}
