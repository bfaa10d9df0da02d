import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCropFaces, tempDir } from '../../test/support'
import { createProject } from '../project/project'
import { annotate } from './annotations'
import { overlapFaces, setOverlapSetting } from './overlap'
import { reviewQueue } from './review'
import { createTask } from './tasks'

describe('overlap: a second answer on N % of faces', () => {
  const db = createProject(path.join(tempDir('overlap'), 'p')).db
  insertCropFaces(db, 100)
  const task = createTask(db, { name: 'glasses', kind: 'classification', labels: ['x', 'y'] })
  // A version predicting x for faces 1..80 and y for 81..100: two strata of 80 and 20.
  const v = db
    .prepare(
      `INSERT INTO model_versions (task_id, version, path, sha256, metadata, active, created_at) VALUES (?, 1, 'm', 's', '{}', 1, 'now') RETURNING id`
    )
    .pluck()
    .get(task.id) as number
  const pred = db.prepare(
    'INSERT INTO predictions (face_id, task_id, version_id, value, confidence) VALUES (?, ?, ?, ?, 0.5)'
  )
  for (let f = 1; f <= 100; f++) pred.run(f, task.id, v, f <= 80 ? 'x' : 'y')

  it('picks ⌈N %⌉ of each predicted label, the same faces for the same seed, others for another', () => {
    expect(overlapFaces(db, task.id).size).toBe(0)
    setOverlapSetting(db, { percent: 10, seed: 7 })
    const a = overlapFaces(db, task.id)
    expect([...a].filter((f) => f <= 80)).toHaveLength(8)
    expect([...a].filter((f) => f > 80)).toHaveLength(2)
    expect([...overlapFaces(db, task.id)]).toEqual([...a])
    const other = overlapFaces(db, task.id, { percent: 10, seed: 8 })
    expect([...other].sort()).not.toEqual([...a].sort())
  })

  it('asks every annotator about overlap faces they have not answered, blind, and drops them once they have', () => {
    setOverlapSetting(db, { percent: 10, seed: 7 })
    const overlap = [...overlapFaces(db, task.id)]
    const all = Array.from({ length: 100 }, (_, i) => i + 1)
    annotate(db, {
      task: 'glasses',
      annotator: 'ann',
      items: all.map((id) => ({ target: 'face' as const, id, value: 'x', source: 'confirm' as const }))
    })
    const q = { task: 'glasses', order: 'margin' as const, groupBy: 'label' as const, cards: 10, cardSize: 50 }
    const faces = (who: string): Array<{ faceId: number; blind?: boolean }> =>
      reviewQueue(db, { ...q, annotator: who }).cards.flatMap((c) => c.faces)
    expect(faces('ann')).toEqual([])
    const ben = faces('ben')
    expect(ben.map((f) => f.faceId).sort((x, y) => x - y)).toEqual(overlap.sort((x, y) => x - y))
    expect(ben.every((f) => f.blind === true)).toBe(true)
    annotate(db, {
      task: 'glasses',
      annotator: 'ben',
      items: [{ target: 'face', id: overlap[0]!, value: 'y', source: 'correct' }]
    })
    expect(faces('ben').map((f) => f.faceId)).not.toContain(overlap[0])
    expect(faces('ben')).toHaveLength(overlap.length - 1)
    // Without an annotator (or with overlap off) the queue is the plain unlabelled one.
    expect(reviewQueue(db, q).remaining).toBe(0)
    setOverlapSetting(db, { percent: 0, seed: 7 })
    expect(faces('cat')).toEqual([])
  })
})
