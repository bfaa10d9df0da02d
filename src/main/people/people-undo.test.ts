import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../api/dispatch'
import type { AppContext } from '../app/context'
import type { PeopleUndoResult, PeopleUndoState, PersonSummary } from '../../shared/domain'
import { currentPersonLabels } from '../labels/annotations'
import { clearPeopleUndo } from './people-undo'
import { callOk, insertCropFaces, tempDir, testContext } from '../../test/support'

const contexts: AppContext[] = []
afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

/** Everything a People operation may change, in a comparable form. */
function state(ctx: AppContext, taskId: number): unknown {
  const db = ctx.requireProject().db
  return {
    faces: db.prepare('SELECT id, person_id, person_confirmed FROM faces ORDER BY id').all(),
    persons: db.prepare('SELECT id, name, merged_into FROM persons ORDER BY id').all(),
    links: db.prepare('SELECT face_id, person_id FROM cannot_links ORDER BY face_id, person_id').all(),
    labels: [...currentPersonLabels(db, taskId).entries()].sort()
  }
}

/** Persons 1 (faces 1–3), 2 (faces 4–5, labelled "b-label"), 3 "Cara" (faces 6–7); face 1 is "not Cara". */
function seed(ctx: AppContext): number {
  const db = ctx.requireProject().db
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
  ).run()
  const person = db.prepare(`INSERT INTO persons (id, name, created_at) VALUES (?, ?, 'now')`)
  person.run(1, null)
  person.run(2, null)
  person.run(3, 'Cara')
  const face = db.prepare(
    `INSERT INTO faces (id, image_id, idx, x, y, w, h, score, source, person_id) VALUES (?, 1, ?, 0, 0, 1, 1, 1, 'crop', ?)`
  )
  for (const [id, p] of [
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 2],
    [5, 2],
    [6, 3],
    [7, 3]
  ] as const)
    face.run(id, id, p)
  db.prepare(`INSERT INTO cannot_links (face_id, person_id, created_at) VALUES (1, 3, 'now')`).run()
  const taskId = db
    .prepare(
      `INSERT INTO tasks (name, kind, level, labels, feature_kind, builtin, created_at) VALUES ('self_described', 'classification', 'person', '["b-label","other"]', 'identity', 0, 'now') RETURNING id`
    )
    .pluck()
    .get() as number
  db.prepare(
    `INSERT INTO annotations (target, person_id, task_id, value, annotator, source, created_at) VALUES ('person', 2, ?, 'b-label', 'me', 'person', 'now')`
  ).run(taskId)
  return taskId
}

describe('people undo', () => {
  it('undoes and redoes merge, split, move, rename and "not this person" exactly, newest first', async () => {
    const ctx = testContext()
    contexts.push(ctx)
    ctx.createProject(path.join(tempDir('pundo'), 'p'))
    const task = seed(ctx)
    const s0 = state(ctx, task)
    const answersBefore = await callOk(ctx, 'annotations.undoState')

    await callOk<PersonSummary>(ctx, 'people.merge', { into: 1, from: 2 })
    const s1 = state(ctx, task)
    expect(s1).not.toEqual(s0)
    // The merge carried person 2's label over to person 1.
    expect(currentPersonLabels(ctx.requireProject().db, task).get(1)).toBe('b-label')
    const split = await callOk<PersonSummary>(ctx, 'people.split', { id: 1, faceIds: [4, 5] })
    const s2 = state(ctx, task)
    await callOk(ctx, 'people.moveFaces', { faceIds: [6], personId: split.id })
    const s3 = state(ctx, task)
    await callOk(ctx, 'people.rename', { id: split.id, name: 'Bo' })
    const s4 = state(ctx, task)
    await callOk(ctx, 'people.notThisPerson', { personId: 3, faceIds: [7] })
    const s5 = state(ctx, task)

    const undoState = await callOk<PeopleUndoState>(ctx, 'people.undoState')
    expect(undoState.undo).toBe('Not Cara: 1 face')
    expect(undoState.redo).toBeNull()

    const expected = [s4, s3, s2, s1, s0]
    for (const want of expected) {
      expect(await callOk<PeopleUndoResult | null>(ctx, 'people.undo')).not.toBeNull()
      expect(state(ctx, task)).toEqual(want)
    }
    expect(await callOk(ctx, 'people.undo')).toBeNull()
    // Redo walks forward again to the latest state.
    for (const want of [s1, s2, s3, s4, s5]) {
      expect(await callOk<PeopleUndoResult | null>(ctx, 'people.redo')).not.toBeNull()
      expect(state(ctx, task)).toEqual(want)
    }
    expect(await callOk(ctx, 'people.redo')).toBeNull()

    // People undo never touches the answers' undo stack.
    expect(await callOk(ctx, 'annotations.undoState')).toEqual(answersBefore)

    // A new operation after an undo drops the redo branch.
    await callOk(ctx, 'people.undo')
    await callOk(ctx, 'people.rename', { id: 3, name: 'Carla' })
    expect((await callOk<PeopleUndoState>(ctx, 'people.undoState')).redo).toBeNull()

    // Re-clustering clears the stack (its snapshots would undo the clustering's work).
    clearPeopleUndo(ctx.requireProject())
    expect(await callOk<PeopleUndoState>(ctx, 'people.undoState')).toEqual({ undo: null, redo: null, undoAt: null })
  })

  it('records nothing for an operation that fails', async () => {
    const ctx = testContext()
    contexts.push(ctx)
    ctx.createProject(path.join(tempDir('pundo'), 'p'))
    seed(ctx)
    const r = await dispatch(ctx, {}, 'people.split', { id: 1, faceIds: [6] })
    expect(r.ok).toBe(false)
    expect((await callOk<PeopleUndoState>(ctx, 'people.undoState')).undo).toBeNull()
  })

  it('splits, moves and un-assigns 100,000 faces in one call, and undoes it (no "too many SQL variables")', async () => {
    const ctx = testContext()
    contexts.push(ctx)
    ctx.createProject(path.join(tempDir('pundo-big'), 'p'))
    const db = ctx.requireProject().db
    const N = 100_000
    // Faces 1..N+1 all in person 1 (the contract allows 100,000 ids per call; SQLite's variable limit is 32,766).
    db.transaction(() => insertCropFaces(db, N + 1))()
    db.prepare(`INSERT INTO persons (id, name, created_at) VALUES (1, NULL, 'now'), (2, 'Ann', 'now')`).run()
    db.prepare('UPDATE faces SET person_id = 1').run()
    const ids = Array.from({ length: N }, (_, i) => i + 2)
    const inPerson = (p: number): number =>
      db.prepare('SELECT COUNT(*) FROM faces WHERE person_id = ?').pluck().get(p) as number

    const split = await callOk<PersonSummary>(ctx, 'people.split', { id: 1, faceIds: ids })
    expect([inPerson(1), inPerson(split.id)]).toEqual([1, N])
    await callOk(ctx, 'people.undo')
    expect(inPerson(1)).toBe(N + 1)
    await callOk(ctx, 'people.redo')
    expect(inPerson(split.id)).toBe(N)

    await callOk<PersonSummary>(ctx, 'people.moveFaces', { faceIds: ids, personId: 2 })
    expect([inPerson(split.id), inPerson(2)]).toEqual([0, N])

    expect(await callOk(ctx, 'people.notThisPerson', { personId: 2, faceIds: ids })).toEqual({ removed: N })
    expect(inPerson(2)).toBe(0)
    expect(db.prepare('SELECT COUNT(*) FROM cannot_links WHERE person_id = 2').pluck().get()).toBe(N)
    await callOk(ctx, 'people.undo')
    expect(inPerson(2)).toBe(N)
    const links = db.prepare('SELECT person_id, COUNT(*) AS n FROM cannot_links GROUP BY person_id').all()
    // What is left are the split's links ("not person 1"), not this call's.
    expect(links).toEqual([{ person_id: 1, n: N }])
  })
})
