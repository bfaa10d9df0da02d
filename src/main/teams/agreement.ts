/**
 * Which answers agreement is computed on, and the disagreement queue. An annotator's answer on a face is their
 * newest face-level row for the task that is a real answer: undo/redo rows are bookkeeping (they carry the
 * undoer's name over somebody else's value), rows of an action that was undone do not count, adjudications are
 * resolutions rather than independent answers, and unsure / not applicable / skipped are no label. Person-level
 * labels are one decision about many faces, so they are left out too.
 */
import { NON_LABELS } from '../../shared/answers'
import { AppError } from '../../shared/result'
import type { AgreementReport, DisagreementQueue } from '../../shared/teams'
import { thumbRef } from '../../shared/media'
import { cohensKappa, krippendorffAlpha, type Unit } from '../analysis/agreement'
import type { Db } from '../db/open'
import { annotate } from '../labels/annotations'
import { getTask, type TaskRow } from '../labels/tasks'

interface Answer {
  value: string
  at: string
  id: number
}

/** face → annotator → their current answer (real labels only). */
export function answersByFace(db: Db, taskId: number): Map<number, Map<string, Answer>> {
  const rows = db
    .prepare(
      `SELECT a.id, a.face_id, a.annotator, a.value, a.created_at FROM annotations a
       LEFT JOIN annotation_actions x ON x.id = a.action_id
       WHERE a.task_id = ? AND a.target = 'face' AND a.source NOT IN ('undo', 'redo', 'adjudicate')
         AND (x.state IS NULL OR x.state NOT IN ('undone', 'dropped'))
       ORDER BY a.id`
    )
    .raw()
    .iterate(taskId) as IterableIterator<[number, number, string, string | null, string]>
  const out = new Map<number, Map<string, Answer | null>>()
  for (const [id, face, annotator, value, at] of rows) {
    let m = out.get(face)
    if (!m) out.set(face, (m = new Map()))
    m.set(annotator, value === null || NON_LABELS.has(value.toLowerCase()) ? null : { value, at, id })
  }
  const clean = new Map<number, Map<string, Answer>>()
  for (const [face, m] of out) {
    const kept = new Map<string, Answer>()
    for (const [who, a] of m) if (a) kept.set(who, a)
    if (kept.size > 0) clean.set(face, kept)
  }
  return clean
}

function classificationTask(db: Db, ref: number | string): TaskRow {
  const task = getTask(db, ref)
  if (task.kind !== 'classification')
    throw new AppError('UNSUPPORTED', `Agreement is computed on classification tasks; "${task.name}" is a score task.`)
  return task
}

/** Newest adjudication row id per face (rows with source 'adjudicate'). */
function adjudications(db: Db, taskId: number): Map<number, number> {
  const rows = db
    .prepare(
      `SELECT a.face_id, MAX(a.id) FROM annotations a LEFT JOIN annotation_actions x ON x.id = a.action_id
       WHERE a.task_id = ? AND a.target = 'face' AND a.source = 'adjudicate'
         AND (x.state IS NULL OR x.state NOT IN ('undone', 'dropped'))
       GROUP BY a.face_id`
    )
    .raw()
    .all(taskId) as Array<[number, number]>
  return new Map(rows)
}

/** Faces whose current answers differ and have no adjudication newer than their newest answer. */
function openDisagreements(db: Db, taskId: number, byFace: Map<number, Map<string, Answer>>): number[] {
  const settled = adjudications(db, taskId)
  const out: number[] = []
  for (const [face, m] of byFace) {
    if (m.size < 2) continue
    const values = new Set([...m.values()].map((a) => a.value))
    if (values.size < 2) continue
    const newest = Math.max(...[...m.values()].map((a) => a.id))
    if ((settled.get(face) ?? -1) > newest) continue
    out.push(face)
  }
  return out.sort((a, b) => a - b)
}

export function agreementReport(db: Db, ref: number | string): AgreementReport {
  const task = classificationTask(db, ref)
  const byFace = answersByFace(db, task.id)
  const units: Unit[] = []
  const answers = new Map<string, number>()
  for (const m of byFace.values()) {
    if (m.size < 2) continue
    units.push(new Map([...m].map(([who, a]) => [who, a.value])))
    for (const who of m.keys()) answers.set(who, (answers.get(who) ?? 0) + 1)
  }
  const names = [...answers.keys()].sort()
  const pairs = []
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const p = cohensKappa(units, names[i] as string, names[j] as string)
      if (p.n > 0) pairs.push(p)
    }
  const alpha = krippendorffAlpha(units, task.labels)
  return {
    task: task.name,
    n_faces: units.length,
    n_answers: alpha.values,
    annotators: names.map((name) => ({ name, answers: answers.get(name) ?? 0 })),
    pairs,
    alpha: alpha.alpha,
    per_class: alpha.perClass,
    disagreements: openDisagreements(db, task.id, byFace).length
  }
}

export function disagreementQueue(
  db: Db,
  ref: number | string,
  page: { offset: number; limit: number }
): DisagreementQueue {
  const task = classificationTask(db, ref)
  const byFace = answersByFace(db, task.id)
  const open = openDisagreements(db, task.id, byFace)
  return {
    task: task.name,
    total: open.length,
    faces: open.slice(page.offset, page.offset + page.limit).map((faceId) => ({
      faceId,
      thumb: thumbRef(faceId),
      answers: [...(byFace.get(faceId) ?? new Map<string, Answer>())]
        .map(([annotator, a]) => ({ annotator, value: a.value, at: a.at }))
        .sort((x, y) => x.annotator.localeCompare(y.annotator))
    }))
  }
}

/**
 * Settles a disagreement: the reviewer's label is recorded as its own answer (source 'adjudicate', one undo
 * step) and becomes the face's current label; the annotators' answers stay as they were.
 */
export function adjudicate(
  db: Db,
  input: { task: number | string; faceId: number; value: string; annotator: string }
): { actionId: number } {
  const task = classificationTask(db, input.task)
  const r = annotate(db, {
    task: task.id,
    annotator: input.annotator,
    items: [{ target: 'face', id: input.faceId, value: input.value, source: 'adjudicate' }],
    description: `${task.name}: adjudicated face ${input.faceId} as "${input.value}"`
  })
  return { actionId: r.actionId }
}
