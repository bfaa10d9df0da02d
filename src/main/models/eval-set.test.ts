import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../db/migrate'
import {
  evaluationMembers,
  evaluationSetInfo,
  faceHashUnit,
  markEvaluation,
  syncEvaluationSet,
  EVAL_FRACTION
} from './eval-set'
import { getTask } from '../labels/tasks'
import { insertCropFaces } from '../../test/support'

function project(faces: number): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db)
  insertCropFaces(db, faces)
  return db
}

function label(db: Database.Database, taskId: number, faceId: number, value: string): void {
  db.prepare(
    `INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at) VALUES ('face', ?, ?, ?, 'me', 'correct', 'now')`
  ).run(faceId, taskId, value)
}

describe('evaluation set', () => {
  it('samples once stratified, then grows by hash without moving earlier faces', () => {
    const db = project(400)
    const task = getTask(db, 'expression')
    const labels = ['happy', 'sad', 'neutral', 'angry']
    for (let f = 1; f <= 200; f++) label(db, task.id, f, labels[f % 4]!)
    label(db, task.id, 201, 'unsure')
    const first = syncEvaluationSet(db, task)
    expect(first.sampledNow).toBe(true)
    const before = evaluationMembers(db, task.id)
    // 25% of each of the four labels (50 each).
    expect(before.length).toBe(4 * Math.round(50 * EVAL_FRACTION))
    expect(before).not.toContain(201)
    expect(syncEvaluationSet(db, task).added).toBe(0)

    // Relabelling a training face, and adding more faces: earlier decisions stay; new ones follow the hash.
    label(db, task.id, 3, 'happy')
    for (let f = 202; f <= 400; f++) label(db, task.id, f, labels[f % 4]!)
    syncEvaluationSet(db, task)
    const after = evaluationMembers(db, task.id)
    for (const id of before) expect(after).toContain(id)
    const trainedBefore = Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => !before.includes(id))
    for (const id of trainedBefore) expect(after).not.toContain(id)
    const added = after.filter((id) => id > 201)
    expect(added).toEqual(
      Array.from({ length: 199 }, (_, i) => i + 202).filter((id) => faceHashUnit(task.id, id) < EVAL_FRACTION)
    )
    expect(added.length).toBeGreaterThan(25)
    expect(added.length).toBeLessThan(80)
    expect(evaluationSetInfo(db, task.id)).toMatchObject({ sampled: true, members: after.length })
  })

  it('waits for enough labels before sampling, and honours user marks', () => {
    const db = project(20)
    const task = getTask(db, 'expression')
    for (let f = 1; f <= 5; f++) label(db, task.id, f, f % 2 ? 'happy' : 'sad')
    expect(syncEvaluationSet(db, task)).toMatchObject({ sampledNow: false, members: 0 })
    markEvaluation(db, task.id, [2], true)
    expect(evaluationMembers(db, task.id)).toEqual([2])
    for (let f = 6; f <= 12; f++) label(db, task.id, f, f % 2 ? 'happy' : 'sad')
    syncEvaluationSet(db, task)
    expect(evaluationMembers(db, task.id)).toContain(2)
    markEvaluation(db, task.id, [2], false)
    expect(evaluationMembers(db, task.id)).not.toContain(2)
  })
})
