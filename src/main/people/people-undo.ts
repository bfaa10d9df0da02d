/**
 * Undo and redo for People operations (rename, merge, split, move, "not this person", suggestions).
 *
 * Each operation records the state it touches before and after — the persons involved, their faces and the
 * given faces, the "not this person" links among them, and the person-level labels — and undo/redo put one
 * of the two back. The stack lives with the open project for the session: a re-clustering rewrites who is
 * who, so it clears the stack rather than let an old snapshot undo its work.
 */
import { annotationWriter } from '../labels/annotations'
import { IN_IDS, idList } from '../db/id-list'
import type { Db } from '../db/open'
import type { Project } from '../project/project'
import type { PeopleUndoResult, PeopleUndoState } from '../../shared/domain'

interface Scope {
  persons: number[]
  faces: number[]
}

interface Snapshot {
  persons: Array<{
    id: number
    name: string | null
    merged_into: number | null
    cover_face_id: number | null
    created_at: string
  }>
  faces: Array<{ id: number; person_id: number | null; person_confirmed: number }>
  links: Array<{ face_id: number; person_id: number; created_at: string }>
  /** Person-level label per task and person (null: none). */
  labels: Array<{ task_id: number; person_id: number; value: string | null }>
}

interface Entry {
  description: string
  scope: Scope
  before: Snapshot
  after: Snapshot
  at: string
}

class PeopleJournal {
  done: Entry[] = []
  undone: Entry[] = []
}

const MAX_ENTRIES = 200
const journals = new WeakMap<Project, PeopleJournal>()

function journal(project: Project): PeopleJournal {
  let j = journals.get(project)
  if (!j) {
    j = new PeopleJournal()
    journals.set(project, j)
  }
  return j
}

function facesOf(db: Db, persons: readonly number[]): number[] {
  if (persons.length === 0) return []
  return db.prepare(`SELECT id FROM faces WHERE person_id ${IN_IDS}`).pluck().all(idList(persons)) as number[]
}

/** How undo descriptions name a person: its name, or "Unnamed #id". */
export function personLabel(db: Db, id: number): string {
  const name = db.prepare('SELECT name FROM persons WHERE id = ?').pluck().get(id) as string | null | undefined
  return name ?? `Unnamed #${id}`
}

/** The persons the given faces belong to now. */
export function personsOfFaces(db: Db, faces: readonly number[]): number[] {
  if (faces.length === 0) return []
  return db
    .prepare(`SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL AND id ${IN_IDS}`)
    .pluck()
    .all(idList(faces)) as number[]
}

/**
 * The current person-level label of each (task, person) among `persons` that has any label row: the newest
 * row wins, null when that row cleared it. Reads only these persons' rows.
 */
function personLabelsOf(db: Db, persons: readonly number[]): Map<string, Snapshot['labels'][number]> {
  const rows = db
    .prepare(
      `SELECT task_id, person_id, value FROM annotations WHERE target = 'person' AND person_id ${IN_IDS} ORDER BY id`
    )
    .all(idList(persons)) as Snapshot['labels']
  return new Map(rows.map((r) => [`${r.task_id}:${r.person_id}`, r]))
}

function capture(db: Db, scope: Scope): Snapshot {
  const p = idList(scope.persons)
  const f = idList(scope.faces)
  const persons = db
    .prepare(`SELECT id, name, merged_into, cover_face_id, created_at FROM persons WHERE id ${IN_IDS}`)
    .all(p) as Snapshot['persons']
  const faces = db
    .prepare(`SELECT id, person_id, person_confirmed FROM faces WHERE id ${IN_IDS}`)
    .all(f) as Snapshot['faces']
  const links = db
    .prepare(`SELECT face_id, person_id, created_at FROM cannot_links WHERE person_id ${IN_IDS} OR face_id ${IN_IDS}`)
    .all(p, f) as Snapshot['links']
  return { persons, faces, links, labels: [...personLabelsOf(db, scope.persons).values()] }
}

function restore(db: Db, scope: Scope, snap: Snapshot, annotator: string, source: 'undo' | 'redo'): void {
  // A person the operation created (a split's) comes back on redo with the same id, and goes on undo.
  const addPerson = db.prepare('INSERT OR IGNORE INTO persons (id, name, created_at) VALUES (?, ?, ?)')
  for (const r of snap.persons) addPerson.run(r.id, r.name, r.created_at)
  const setPerson = db.prepare('UPDATE persons SET name = ?, merged_into = ?, cover_face_id = ? WHERE id = ?')
  for (const r of snap.persons) setPerson.run(r.name, r.merged_into, r.cover_face_id, r.id)
  const setFace = db.prepare('UPDATE faces SET person_id = ?, person_confirmed = ? WHERE id = ?')
  for (const r of snap.faces) setFace.run(r.person_id, r.person_confirmed, r.id)
  const kept = new Set(snap.persons.map((r) => r.id))
  const dropEmpty = db.prepare(
    `DELETE FROM persons WHERE id = ? AND NOT EXISTS (SELECT 1 FROM faces WHERE person_id = persons.id)
       AND NOT EXISTS (SELECT 1 FROM annotations WHERE person_id = persons.id)`
  )
  for (const id of scope.persons) if (!kept.has(id)) dropEmpty.run(id)
  db.prepare(`DELETE FROM cannot_links WHERE person_id ${IN_IDS} OR face_id ${IN_IDS}`).run(
    idList(scope.persons),
    idList(scope.faces)
  )
  const link = db.prepare('INSERT OR IGNORE INTO cannot_links (face_id, person_id, created_at) VALUES (?, ?, ?)')
  for (const r of snap.links) link.run(r.face_id, r.person_id, r.created_at)
  // Labels are append-only: a person label that differs from the snapshot (or is new since) is set back by a
  // new row, as answer undo does.
  const at = new Date().toISOString()
  const append = annotationWriter(db)
  const want = new Map(snap.labels.map((r) => [`${r.task_id}:${r.person_id}`, r]))
  const now = personLabelsOf(db, scope.persons)
  for (const key of new Set([...want.keys(), ...now.keys()])) {
    const target = want.get(key) ?? now.get(key)!
    const from = now.get(key)?.value ?? null
    const to = want.get(key)?.value ?? null
    if (from !== to) {
      append({
        target: 'person',
        id: target.person_id,
        taskId: target.task_id,
        value: to,
        previous: from,
        annotator,
        source,
        actionId: null,
        at
      })
    }
  }
}

/**
 * Runs a People operation on `persons` (and `faces`) and records it for undo. `created` returns persons the
 * operation made (a split's new person), so its state after is recorded too.
 */
export function recordPeopleOp<T>(
  project: Project,
  description: string,
  involved: { persons: number[]; faces?: number[] },
  op: () => T,
  created: (result: T) => number[] = () => []
): T {
  const db = project.db
  return db.transaction(() => {
    const faces = [...new Set([...(involved.faces ?? []), ...facesOf(db, involved.persons)])]
    const before = capture(db, { persons: involved.persons, faces })
    const result = op()
    const scope = { persons: [...new Set([...involved.persons, ...created(result)])], faces }
    const after = capture(db, scope)
    const j = journal(project)
    j.done.push({ description, scope, before, after, at: new Date().toISOString() })
    if (j.done.length > MAX_ENTRIES) j.done.shift()
    j.undone = []
    return result
  })()
}

function step(project: Project, annotator: string, redo: boolean): PeopleUndoResult | null {
  const j = journal(project)
  const entry = redo ? j.undone.pop() : j.done.pop()
  if (!entry) return null
  project.db.transaction(() =>
    restore(project.db, entry.scope, redo ? entry.after : entry.before, annotator, redo ? 'redo' : 'undo')
  )()
  ;(redo ? j.done : j.undone).push(entry)
  return { description: entry.description, persons: entry.scope.persons, faces: entry.scope.faces.length }
}

export function undoPeopleOp(project: Project, annotator: string): PeopleUndoResult | null {
  return step(project, annotator, false)
}

export function redoPeopleOp(project: Project, annotator: string): PeopleUndoResult | null {
  return step(project, annotator, true)
}

export function peopleUndoState(project: Project): PeopleUndoState {
  const j = journal(project)
  const u = j.done[j.done.length - 1]
  const r = j.undone[j.undone.length - 1]
  return { undo: u?.description ?? null, redo: r?.description ?? null, undoAt: u?.at ?? null }
}

/** After a re-clustering the recorded states no longer describe the people: nothing to undo across it. */
export function clearPeopleUndo(project: Project): void {
  journals.delete(project)
}
