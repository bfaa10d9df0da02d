import type { AnnotationChange, AnnotationSource, HistoryEntry, UndoResult } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { getTask, listTasks, normalizeValue } from './tasks'

export interface AnnotationItem {
  target: 'face' | 'person'
  id: number
  /** Raw answer: a label, `unsure`, `not_applicable`, or a number for score tasks. */
  value: string
  source: AnnotationSource
}

export interface AnnotateInput {
  task: number | string
  annotator: string
  items: readonly AnnotationItem[]
  description?: string
}

export interface AnnotateResult {
  actionId: number
  taskId: number
  rows: number
}

type Row = { value: string | null } | undefined

function currentStmts(db: Db): {
  face: (faceId: number, taskId: number) => string | null
  person: (personId: number, taskId: number) => string | null
} {
  const face = db.prepare(
    `SELECT value FROM annotations WHERE face_id = ? AND task_id = ? AND target = 'face' ORDER BY id DESC LIMIT 1`
  )
  const person = db.prepare(
    `SELECT value FROM annotations WHERE person_id = ? AND task_id = ? AND target = 'person' ORDER BY id DESC LIMIT 1`
  )
  return {
    face: (f, t) => (face.get(f, t) as Row)?.value ?? null,
    person: (p, t) => (person.get(p, t) as Row)?.value ?? null
  }
}

/**
 * Existence and current value of targets: per-row indexed queries for a few items, one scan of the task's
 * annotations for a big batch (a CSV of a million rows), so a batch stays linear.
 */
function targetLookup(
  db: Db,
  taskId: number,
  n: number
): {
  exists: (target: 'face' | 'person', id: number) => boolean
  current: (target: 'face' | 'person', id: number) => string | null
  set: (target: 'face' | 'person', id: number, value: string | null) => void
} {
  if (n < 2000) {
    const faceExists = db.prepare('SELECT 1 FROM faces WHERE id = ?').pluck()
    const personExists = db.prepare('SELECT 1 FROM persons WHERE id = ?').pluck()
    const cur = currentStmts(db)
    return {
      exists: (t, id) => (t === 'face' ? faceExists.get(id) : personExists.get(id)) !== undefined,
      current: (t, id) => (t === 'face' ? cur.face(id, taskId) : cur.person(id, taskId)),
      set: () => undefined
    }
  }
  const ids = {
    face: new Set(db.prepare('SELECT id FROM faces').pluck().all() as number[]),
    person: new Set(db.prepare('SELECT id FROM persons').pluck().all() as number[])
  }
  const values = { face: new Map<number, string | null>(), person: new Map<number, string | null>() }
  for (const [target, f, p, v] of db
    .prepare('SELECT target, face_id, person_id, value FROM annotations WHERE task_id = ? ORDER BY id')
    .raw()
    .iterate(taskId) as IterableIterator<['face' | 'person', number | null, number | null, string | null]>) {
    values[target].set((target === 'face' ? f : p) as number, v)
  }
  return {
    exists: (t, id) => ids[t].has(id),
    current: (t, id) => values[t].get(id) ?? null,
    set: (t, id, v) => void values[t].set(id, v)
  }
}

/**
 * The one writer of annotation rows (append-only): answers, CSV imports, undo/redo here, and the person-level
 * labels People edits carry over (merge) or restore (People undo). A row outside a user action has no action id.
 */
export function annotationWriter(
  db: Db
): (r: {
  target: 'face' | 'person'
  id: number
  taskId: number
  value: string | null
  previous: string | null
  annotator: string
  source: string
  actionId: number | null
  at: string
}) => void {
  const ins = db.prepare(
    `INSERT INTO annotations (target, face_id, person_id, task_id, value, previous_value, annotator, source, created_at, action_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  return (r) =>
    void ins.run(
      r.target,
      r.target === 'face' ? r.id : null,
      r.target === 'person' ? r.id : null,
      r.taskId,
      r.value,
      r.previous,
      r.annotator,
      r.source,
      r.at,
      r.actionId
    )
}

function newAction(
  db: Db,
  a: { kind: 'do' | 'undo' | 'redo'; ref: number | null; taskId: number; annotator: string; description: string }
): number {
  const r = db
    .prepare(
      `INSERT INTO annotation_actions (kind, ref_action_id, task_id, annotator, description, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`
    )
    .run(a.kind, a.ref, a.taskId, a.annotator, a.description, a.kind === 'do' ? 'done' : null, new Date().toISOString())
  return Number(r.lastInsertRowid)
}

/**
 * Appends one annotation row per item, all under one user action (one undo step), in one transaction.
 * Every value is checked against the task first; one bad value or unknown face/person rejects the whole call
 * with nothing written. previous_value is the target's own current value (face rows: the face's latest face-level
 * answer; person rows: the person's latest).
 */
export function annotate(db: Db, input: AnnotateInput): AnnotateResult {
  const r = annotateTasks(db, {
    annotator: input.annotator,
    groups: [{ task: input.task, items: input.items }],
    ...(input.description !== undefined ? { description: input.description } : {})
  })
  return { actionId: r.actionId, taskId: r.taskIds[0] as number, rows: r.rows }
}

export interface AnnotateTasksInput {
  annotator: string
  /** One group per task; a task may appear once. */
  groups: ReadonlyArray<{ task: number | string; items: readonly AnnotationItem[] }>
  description?: string
}

/**
 * `annotate` over several tasks at once: every group's rows under one user action, so one undo takes all of
 * them back (an import of several label columns). The action row names the first group's task (its table
 * needs one); undo and redo read each row's own task. Same checks as `annotate`, for every group, before
 * anything is written.
 */
export function annotateTasks(
  db: Db,
  input: AnnotateTasksInput
): { actionId: number; taskIds: number[]; rows: number } {
  if (input.groups.length === 0) throw new AppError('BAD_ARGS', 'Nothing to annotate: no tasks given.', 'groups')
  const annotator = input.annotator.trim()
  if (!annotator) throw new AppError('BAD_ARGS', 'An annotator name is required.', 'annotator')
  const seen = new Set<number>()
  const groups = input.groups.map((g, gi) => {
    const task = getTask(db, g.task)
    if (seen.has(task.id))
      throw new AppError('BAD_ARGS', `The task "${task.name}" is given twice.`, `groups.${gi}.task`)
    seen.add(task.id)
    if (g.items.length === 0) throw new AppError('BAD_ARGS', 'Nothing to annotate: no faces or persons given.', 'items')
    const values = g.items.map((it, i) => {
      const v = normalizeValue(task, it.value)
      if ('error' in v) throw new AppError('BAD_ARGS', `Item ${i}: ${v.error}.`, `items.${i}.value`)
      return v.value
    })
    return { task, items: g.items, values }
  })
  const run = db.transaction(() => {
    const lookups = groups.map((g) => targetLookup(db, g.task.id, g.items.length))
    groups.forEach((g, gi) =>
      g.items.forEach((it, i) => {
        if (!lookups[gi]?.exists(it.target, it.id)) {
          throw new AppError('NOT_FOUND', `There is no ${it.target} ${it.id} in this project.`, `items.${i}.id`)
        }
      })
    )
    db.prepare(`UPDATE annotation_actions SET state = 'dropped' WHERE state = 'undone'`).run()
    const first = groups[0] as (typeof groups)[number]
    const actionId = newAction(db, {
      kind: 'do',
      ref: null,
      taskId: first.task.id,
      annotator,
      description: input.description ?? groups.map((g) => describe(g.task.name, g.items, g.values)).join('; ')
    })
    const at = new Date().toISOString()
    const insert = annotationWriter(db)
    let rows = 0
    groups.forEach((g, gi) => {
      const lookup = lookups[gi] as ReturnType<typeof targetLookup>
      g.items.forEach((it, i) => {
        const value = g.values[i] ?? null
        insert({
          target: it.target,
          id: it.id,
          taskId: g.task.id,
          value,
          previous: lookup.current(it.target, it.id),
          annotator,
          source: it.source,
          actionId,
          at
        })
        lookup.set(it.target, it.id, value)
        rows++
      })
    })
    return { actionId, taskIds: groups.map((g) => g.task.id), rows }
  })
  return run()
}

function describe(task: string, items: readonly AnnotationItem[], values: readonly string[]): string {
  const distinct = [...new Set(values)]
  const what = distinct.length === 1 ? `"${distinct[0] ?? ''}"` : `${distinct.length} labels`
  const faces = items.filter((i) => i.target === 'face').length
  const persons = items.length - faces
  const who = [
    faces ? `${faces} face${faces === 1 ? '' : 's'}` : '',
    persons ? `${persons} person${persons === 1 ? '' : 's'}` : ''
  ]
    .filter(Boolean)
    .join(' and ')
  return `${task}: ${what} on ${who}`
}

interface ActionRow {
  id: number
  task_id: number
  description: string
}

function reverse(db: Db, action: ActionRow, kind: 'undo' | 'redo', annotator: string): UndoResult {
  const rows = db
    .prepare(
      `SELECT target, face_id, person_id, task_id, value, previous_value FROM annotations WHERE action_id = ? ORDER BY id`
    )
    .all(action.id) as Array<{
    target: 'face' | 'person'
    task_id: number
    face_id: number | null
    person_id: number | null
    value: string | null
    previous_value: string | null
  }>
  // Per target and task (an import of several columns is one action over several tasks): undo restores what
  // was there before the action's first row, redo what its last row set.
  const targets = new Map<
    string,
    { target: 'face' | 'person'; id: number; taskId: number; before: string | null; after: string | null }
  >()
  for (const r of rows) {
    const id = (r.target === 'face' ? r.face_id : r.person_id) as number
    const key = `${r.target}:${id}:${r.task_id}`
    const t = targets.get(key)
    if (t) t.after = r.value
    else targets.set(key, { target: r.target, id, taskId: r.task_id, before: r.previous_value, after: r.value })
  }
  const current = currentStmts(db)
  const insert = annotationWriter(db)
  const actionId = newAction(db, {
    kind,
    ref: action.id,
    taskId: action.task_id,
    annotator,
    description: `${kind} ${action.description}`
  })
  const at = new Date().toISOString()
  const changes: AnnotationChange[] = []
  for (const t of targets.values()) {
    const value = kind === 'undo' ? t.before : t.after
    const previous = t.target === 'face' ? current.face(t.id, t.taskId) : current.person(t.id, t.taskId)
    insert({
      target: t.target,
      id: t.id,
      taskId: t.taskId,
      value,
      previous,
      annotator,
      source: kind,
      actionId,
      at
    })
    changes.push({ target: t.target, id: t.id, taskId: t.taskId, value, previous })
  }
  return { actionId: action.id, description: action.description, taskId: action.task_id, changes }
}

/** Undoes the latest user action still done (project-wide, persisted): appends rows restoring earlier values. */
export function undo(db: Db, annotator: string): UndoResult | null {
  return db.transaction((): UndoResult | null => {
    const action = db
      .prepare(`SELECT id, task_id, description FROM annotation_actions WHERE state = 'done' ORDER BY id DESC LIMIT 1`)
      .get() as ActionRow | undefined
    if (!action) return null
    const result = reverse(db, action, 'undo', annotator)
    const seq =
      (db.prepare('SELECT COALESCE(MAX(undo_seq), 0) + 1 FROM annotation_actions').pluck().get() as number) ?? 1
    db.prepare(`UPDATE annotation_actions SET state = 'undone', undo_seq = ? WHERE id = ?`).run(seq, action.id)
    return result
  })()
}

/** Re-applies the most recently undone action, unless a new action came after that undo. */
export function redo(db: Db, annotator: string): UndoResult | null {
  return db.transaction((): UndoResult | null => {
    const action = db
      .prepare(
        `SELECT id, task_id, description FROM annotation_actions WHERE state = 'undone' ORDER BY undo_seq DESC LIMIT 1`
      )
      .get() as ActionRow | undefined
    if (!action) return null
    const result = reverse(db, action, 'redo', annotator)
    db.prepare(`UPDATE annotation_actions SET state = 'done' WHERE id = ?`).run(action.id)
    return result
  })()
}

/** What undo / redo would act on now (for menu labels). */
export function undoState(db: Db): { undo: string | null; redo: string | null } {
  const u = db
    .prepare(`SELECT description FROM annotation_actions WHERE state = 'done' ORDER BY id DESC LIMIT 1`)
    .pluck()
    .get() as string | undefined
  const r = db
    .prepare(`SELECT description FROM annotation_actions WHERE state = 'undone' ORDER BY undo_seq DESC LIMIT 1`)
    .pluck()
    .get() as string | undefined
  return { undo: u ?? null, redo: r ?? null }
}

/**
 * Current label per face for a task: the newest face-level row, overridden by the newest person-level row of
 * the face's current person. A newest value of NULL (an undo back to "nothing") means no label.
 * Linear in the task's annotations plus the labelled persons' faces.
 */
export function currentLabels(db: Db, taskId: number): Map<number, string> {
  const out = new Map<number, string>()
  const faceRows = db
    .prepare(`SELECT face_id, value FROM annotations WHERE task_id = ? AND target = 'face' ORDER BY id`)
    .raw()
    .iterate(taskId) as IterableIterator<[number, string | null]>
  const faceVals = new Map<number, string | null>()
  for (const [f, v] of faceRows) faceVals.set(f, v)
  for (const [f, v] of faceVals) if (v !== null) out.set(f, v)
  const personVals = currentPersonLabels(db, taskId)
  if (personVals.size > 0) {
    const facesOf = db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck()
    for (const [p, v] of personVals) for (const f of facesOf.all(p) as number[]) out.set(f, v)
  }
  return out
}

export interface LabelRecord {
  value: string
  annotator: string
  time: string
}

/**
 * `currentLabels` with who gave each label and when: the same rule (newest face row, overridden by the newest
 * row of the face's person), for exports that carry provenance.
 */
export function currentLabelRecords(db: Db, taskId: number): Map<number, LabelRecord> {
  const out = new Map<number, LabelRecord>()
  const last = (target: 'face' | 'person'): Map<number, LabelRecord | null> => {
    const m = new Map<number, LabelRecord | null>()
    const col = target === 'face' ? 'face_id' : 'person_id'
    for (const [id, value, annotator, time] of db
      .prepare(
        `SELECT ${col}, value, annotator, created_at FROM annotations WHERE task_id = ? AND target = ? ORDER BY id`
      )
      .raw()
      .iterate(taskId, target) as IterableIterator<[number, string | null, string, string]>)
      m.set(id, value === null ? null : { value, annotator, time })
    return m
  }
  for (const [f, r] of last('face')) if (r) out.set(f, r)
  const persons = last('person')
  if (persons.size > 0) {
    const facesOf = db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck()
    for (const [p, r] of persons) if (r) for (const f of facesOf.all(p) as number[]) out.set(f, r)
  }
  return out
}

/** Current person-level label per person for a task (persons whose latest row is NULL are left out). */
export function currentPersonLabels(db: Db, taskId: number): Map<number, string> {
  const rows = db
    .prepare(`SELECT person_id, value FROM annotations WHERE task_id = ? AND target = 'person' ORDER BY id`)
    .raw()
    .iterate(taskId) as IterableIterator<[number, string | null]>
  const vals = new Map<number, string | null>()
  for (const [p, v] of rows) vals.set(p, v)
  const out = new Map<number, string>()
  for (const [p, v] of vals) if (v !== null) out.set(p, v)
  return out
}

/** The current label of one face (person-level label of its person first), or null. */
export function currentLabelOf(db: Db, faceId: number, taskId: number): string | null {
  const person = db.prepare('SELECT person_id FROM faces WHERE id = ?').pluck().get(faceId) as number | null | undefined
  const cur = currentStmts(db)
  if (person !== null && person !== undefined) {
    const pv = cur.person(person, taskId)
    if (pv !== null) return pv
  }
  return cur.face(faceId, taskId)
}

/** Every annotation row about a face, newest first: its own rows and its current person's rows. */
export function faceHistory(db: Db, faceId: number, taskRef?: number | string): HistoryEntry[] {
  const taskId = taskRef === undefined ? null : getTask(db, taskRef).id
  const face = db.prepare('SELECT person_id FROM faces WHERE id = ?').get(faceId) as
    { person_id: number | null } | undefined
  if (!face) throw new AppError('NOT_FOUND', `There is no face ${faceId} in this project.`, 'faceId')
  const rows = db
    .prepare(
      `SELECT a.id, a.task_id, a.target, a.person_id, a.value, a.previous_value, a.annotator, a.source, a.created_at
       FROM annotations a
       WHERE ((a.target = 'face' AND a.face_id = @face) OR (a.target = 'person' AND a.person_id = @person))
         AND (@task IS NULL OR a.task_id = @task)
       ORDER BY a.id DESC LIMIT 1000`
    )
    .all({ face: faceId, person: face.person_id ?? -1, task: taskId }) as Array<{
    id: number
    task_id: number
    target: 'face' | 'person'
    person_id: number | null
    value: string | null
    previous_value: string | null
    annotator: string
    source: HistoryEntry['source']
    created_at: string
  }>
  const taskName = new Map(listTasks(db).map((t) => [t.id, t.name]))
  return rows.map((r) => ({
    id: r.id,
    task: taskName.get(r.task_id) ?? String(r.task_id),
    target: r.target,
    personId: r.person_id,
    value: r.value,
    previousValue: r.previous_value,
    annotator: r.annotator,
    source: r.source,
    createdAt: r.created_at
  }))
}

/** Who answered in this project and how often (undo/redo rows are bookkeeping, not answers). */
export function annotatorCounts(db: Db): Array<{ name: string; annotations: number }> {
  return db
    .prepare(
      `SELECT annotator AS name, COUNT(*) AS annotations FROM annotations WHERE source NOT IN ('undo', 'redo')
       GROUP BY annotator ORDER BY annotations DESC, name LIMIT 100`
    )
    .all() as Array<{ name: string; annotations: number }>
}
