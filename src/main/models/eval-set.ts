/**
 * A task's evaluation set: labelled faces that are never trained on, so every version is scored on the
 * same faces.
 *
 * - Its target size follows the number of usable labels (evaluationSetSize): half of a small project, so
 *   a score means something from the first run, a floor of 200 faces from 400 to 1,000, and 20 % above.
 * - The first sync with at least MIN_LABELLED_TO_SAMPLE usable labels samples once, stratified by label
 *   and seeded (target / labelled of each label; that fraction is stored), and records every labelled
 *   face's decision.
 * - Faces labelled after that are admitted by a hash of (task, face id) against the share of the pending
 *   faces still needed to reach the target, so the set tracks its target as the project grows, and the
 *   choice does not depend on the order annotations arrive within one sync.
 * - A decided face never changes sides on a later sync; only an explicit user mark moves it.
 */
import { createHash } from 'node:crypto'
import type { EvaluationSetSummary } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import { IN_IDS, idList } from '../db/id-list'
import type { Db } from '../db/open'
import { sampleEvaluationSet } from '../training/split'
import { currentTaskLabels, usableLabels, type FaceLabel } from '../labels/ground-truth'
import { getTask, type TaskRow } from '../labels/tasks'

export const EVAL_SEED = 20240601
/** Share of the labelled faces held out once a project has more than 1,000 of them. */
export const EVAL_FRACTION = 0.2
/** Held-out faces from 400 to 1,000 labelled ones: enough for a ± 3–7 point interval on accuracy. */
export const EVAL_FLOOR = 200
/** Below this, a stratified sample is mostly rounding; faces wait (as training data) until there are enough. */
export const MIN_LABELLED_TO_SAMPLE = 8

/**
 * How many of `n` usable labelled faces the evaluation set should hold: max(20 %, min(200, half)).
 * Half on a small project (fewer faces train, but a score on 24 faces says nothing), never more than half
 * so training keeps the majority.
 */
export function evaluationSetSize(n: number): number {
  return Math.max(Math.round(EVAL_FRACTION * n), Math.min(EVAL_FLOOR, Math.floor(n / 2)))
}

/** Deterministic uniform value in [0, 1) for a face of a task. */
export function faceHashUnit(taskId: number, faceId: number): number {
  const h = createHash('sha256').update(`eval:${taskId}:${faceId}`).digest()
  return h.readUInt32BE(0) / 4294967296
}

export interface EvalSyncResult {
  sampledNow: boolean
  added: number
  members: number
}

/** Assigns every not-yet-decided labelled face of the task; idempotent. */
export function syncEvaluationSet(db: Db, task: TaskRow, labels?: readonly FaceLabel[]): EvalSyncResult {
  const usable = usableLabels(labels ?? currentTaskLabels(db, task.id), task)
  const run = db.transaction((): EvalSyncResult => {
    const sampling = db.prepare('SELECT seed, fraction FROM evaluation_sampling WHERE task_id = ?').get(task.id) as
      { seed: number; fraction: number } | undefined
    const decided = new Set(
      db.prepare('SELECT face_id FROM evaluation_set WHERE task_id = ?').pluck().all(task.id) as number[]
    )
    const now = new Date().toISOString()
    const ins = db.prepare(
      'INSERT INTO evaluation_set (task_id, face_id, member, source, assigned_at) VALUES (?, ?, ?, ?, ?)'
    )
    const pending = usable.filter((l) => !decided.has(l.faceId))
    let added = 0
    let sampledNow = false
    if (!sampling) {
      if (usable.length >= MIN_LABELLED_TO_SAMPLE) {
        // Face ids follow the order parallel import workers finished in, so the sample is drawn over a
        // key that does not change between imports of the same photos: content hash + face index.
        const ordered = stablyOrdered(db, usable)
        const items = ordered.map((l, rank) => ({ id: rank, label: stratum(task, l.value) }))
        const fraction = evaluationSetSize(usable.length) / usable.length
        const ranks = new Set(sampleEvaluationSet(items, fraction, EVAL_SEED).map((i) => i.id))
        const chosen = new Set(ordered.filter((_, rank) => ranks.has(rank)).map((l) => l.faceId))
        for (const l of pending) {
          const member = chosen.has(l.faceId) ? 1 : 0
          ins.run(task.id, l.faceId, member, 'sampled', now)
          added += member
        }
        db.prepare('INSERT INTO evaluation_sampling (task_id, seed, fraction, sampled_at) VALUES (?, ?, ?, ?)').run(
          task.id,
          EVAL_SEED,
          fraction,
          now
        )
        sampledNow = true
      }
    } else if (pending.length) {
      // Members still among the usable faces: a held-out face relabelled 'unsure' no longer scores anything.
      const held = new Set(evaluationMembers(db, task.id))
      const members = usable.filter((l) => held.has(l.faceId)).length
      const admit = Math.min(1, Math.max(0, (evaluationSetSize(usable.length) - members) / pending.length))
      for (const l of pending) {
        const member = faceHashUnit(task.id, l.faceId) < admit ? 1 : 0
        ins.run(task.id, l.faceId, member, 'hashed', now)
        added += member
      }
    }
    return { sampledNow, added, members: evaluationMembers(db, task.id).length }
  })
  return run()
}

function stablyOrdered(db: Db, labels: readonly FaceLabel[]): FaceLabel[] {
  const keyOf = new Map(
    (
      db
        .prepare(
          `SELECT f.id, COALESCE(i.content_hash, i.path) || ':' || f.idx AS k FROM faces f JOIN images i ON i.id = f.image_id
           WHERE f.id ${IN_IDS}`
        )
        .all(idList(labels.map((l) => l.faceId))) as Array<{ id: number; k: string }>
    ).map((r) => [r.id, r.k])
  )
  const key = (l: FaceLabel): string => keyOf.get(l.faceId) ?? `~${l.faceId}`
  return [...labels].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** Score tasks are stratified by decade so young and old faces are both held out. */
function stratum(task: TaskRow, value: string): string {
  if (task.kind === 'classification') return value
  return String(Math.min(9, Math.max(0, Math.floor(Number(value) / 10))))
}

export function evaluationMembers(db: Db, taskId: number): number[] {
  return db
    .prepare('SELECT face_id FROM evaluation_set WHERE task_id = ? AND member = 1 ORDER BY face_id')
    .pluck()
    .all(taskId) as number[]
}

/** The user's own choice: put faces into (or take them out of) the evaluation set. */
export function markEvaluation(db: Db, taskId: number, faceIds: readonly number[], member: boolean): number {
  const up = db.prepare(
    `INSERT INTO evaluation_set (task_id, face_id, member, source, assigned_at) VALUES (?, ?, ?, 'user', ?)
     ON CONFLICT(task_id, face_id) DO UPDATE SET member = excluded.member, source = 'user', assigned_at = excluded.assigned_at`
  )
  const run = db.transaction(() => {
    const now = new Date().toISOString()
    let n = 0
    for (const id of faceIds) n += up.run(taskId, id, member ? 1 : 0, now).changes
    return n
  })
  return run()
}

export interface EvaluationSetInfo {
  members: number
  sampled: boolean
  /** The first sample's share of the labelled faces; later faces follow evaluationSetSize. */
  fraction: number
  bySource: Record<'sampled' | 'hashed' | 'user', number>
}

export function evaluationSetInfo(db: Db, taskId: number): EvaluationSetInfo {
  const sampling = db.prepare('SELECT fraction FROM evaluation_sampling WHERE task_id = ?').pluck().get(taskId) as
    number | undefined
  const rows = db
    .prepare('SELECT source, COUNT(*) AS n FROM evaluation_set WHERE task_id = ? AND member = 1 GROUP BY source')
    .all(taskId) as Array<{ source: 'sampled' | 'hashed' | 'user'; n: number }>
  const bySource = { sampled: 0, hashed: 0, user: 0 }
  for (const r of rows) bySource[r.source] = r.n
  return {
    members: bySource.sampled + bySource.hashed + bySource.user,
    sampled: sampling !== undefined,
    fraction: sampling ?? EVAL_FRACTION,
    bySource
  }
}

/** The Models screen's view of a task's evaluation set: members with thumbs, and labelled faces per class and side. */
export function evaluationSetSummary(db: Db, taskName: string | number): EvaluationSetSummary {
  const task = getTask(db, taskName)
  const info = evaluationSetInfo(db, task.id)
  const current = currentTaskLabels(db, task.id)
  const labelOf = new Map(current.map((l) => [l.faceId, l.value]))
  const members = evaluationMembers(db, task.id)
  const held = new Set(members)
  // Score tasks have no classes: one row for all their values.
  const perClass = new Map<string, { label: string; train: number; eval: number }>(
    (task.kind === 'classification' ? task.labels : ['all values']).map((l) => [l, { label: l, train: 0, eval: 0 }])
  )
  for (const l of usableLabels(current, task)) {
    const row = perClass.get(task.kind === 'classification' ? l.value : 'all values')
    if (row) row[held.has(l.faceId) ? 'eval' : 'train']++
  }
  const answered = (v: string): number => current.filter((l) => l.value === v).length
  return {
    task: task.name,
    ...info,
    faces: members.map((id) => ({
      faceId: id,
      thumb: thumbRef(id),
      label: labelOf.get(id) ?? null
    })),
    labelled: {
      perClass: [...perClass.values()],
      unsure: answered('unsure'),
      notApplicable: answered('not_applicable')
    }
  }
}

export function setEvaluationMembership(
  db: Db,
  taskName: string | number,
  faceIds: readonly number[],
  member: boolean
): number {
  const task = getTask(db, taskName)
  const known = new Set(db.prepare(`SELECT id FROM faces WHERE id ${IN_IDS}`).pluck().all(idList(faceIds)) as number[])
  const missing = faceIds.filter((id) => !known.has(id))
  if (missing.length) throw new AppError('NOT_FOUND', `No face with id ${missing.slice(0, 5).join(', ')}.`, 'faceIds')
  return markEvaluation(db, task.id, faceIds, member)
}
