import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../db/migrate'
import {
  evaluationMembers,
  evaluationSetInfo,
  faceHashUnit,
  markEvaluation,
  syncEvaluationSet,
  evaluationSetSize
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

describe('evaluation set size', () => {
  it('is half of a small project, 200 from 400 to 1,000 faces, 20 % above', () => {
    expect(evaluationSetSize(8)).toBe(4)
    expect(evaluationSetSize(51)).toBe(25)
    expect(evaluationSetSize(399)).toBe(199)
    expect(evaluationSetSize(400)).toBe(200)
    expect(evaluationSetSize(1000)).toBe(200)
    expect(evaluationSetSize(1001)).toBe(200)
    expect(evaluationSetSize(1500)).toBe(300)
    expect(evaluationSetSize(10_000)).toBe(2000)
  })
})

describe('evaluation set', () => {
  it('samples once stratified, then grows by hash towards its target without moving earlier faces', () => {
    const db = project(1600)
    const task = getTask(db, 'expression')
    const labels = ['happy', 'sad', 'neutral', 'angry']
    for (let f = 1; f <= 200; f++) label(db, task.id, f, labels[f % 4]!)
    label(db, task.id, 201, 'unsure')
    const first = syncEvaluationSet(db, task)
    expect(first.sampledNow).toBe(true)
    const before = evaluationMembers(db, task.id)
    // Half of each of the four labels (50 each) on a 200-face project, and that share is stored.
    expect(before.length).toBe(100)
    for (const value of labels) {
      expect(before.filter((id) => labels[id % 4] === value)).toHaveLength(25)
    }
    expect(before).not.toContain(201)
    expect(evaluationSetInfo(db, task.id)).toMatchObject({ sampled: true, fraction: 0.5 })
    expect(syncEvaluationSet(db, task).added).toBe(0)

    // Relabelling a training face, and adding more faces: earlier decisions stay; new ones follow the hash.
    label(db, task.id, 3, 'happy')
    for (let f = 202; f <= 600; f++) label(db, task.id, f, labels[f % 4]!)
    syncEvaluationSet(db, task)
    const after = evaluationMembers(db, task.id)
    for (const id of before) expect(after).toContain(id)
    const trainedBefore = Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => !before.includes(id))
    for (const id of trainedBefore) expect(after).not.toContain(id)
    // 599 usable faces want 200 held out: 100 more of the 399 new ones, admitted below 100 / 399 by hash.
    const added = after.filter((id) => id > 201)
    expect(added).toEqual(
      Array.from({ length: 399 }, (_, i) => i + 202).filter((id) => faceHashUnit(task.id, id) < 100 / 399)
    )
    expect(added.length).toBeGreaterThan(70)
    expect(added.length).toBeLessThan(130)

    // Past 1,000 faces the set grows to 20 %; one face at a time it lands on the target exactly.
    for (let f = 601; f <= 1500; f++) label(db, task.id, f, labels[f % 4]!)
    syncEvaluationSet(db, task)
    const grown = evaluationMembers(db, task.id).length
    expect(grown).toBeGreaterThan(evaluationSetSize(1499) - 25)
    expect(grown).toBeLessThan(evaluationSetSize(1499) + 25)
    for (let f = 1501; f <= 1600; f++) {
      label(db, task.id, f, labels[f % 4]!)
      syncEvaluationSet(db, task)
    }
    const members = evaluationMembers(db, task.id).length
    expect(members).toBe(Math.max(grown, evaluationSetSize(1599)))
    expect(evaluationSetInfo(db, task.id)).toMatchObject({ sampled: true, members })
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
