import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCropFaces, tempDir } from '../../test/support'
import { createProject } from '../project/project'
import { annotate } from './annotations'
import { reviewQueue } from './review'

describe('review scope of given faces (a Map selection)', () => {
  it('asks only about the given faces that are still unlabelled, and counts only them as remaining', () => {
    const db = createProject(path.join(tempDir('review-scope'), 'p')).db
    insertCropFaces(db, 30)
    annotate(db, {
      task: 'expression',
      annotator: 'a',
      items: [{ target: 'face', id: 5, value: 'happy', source: 'correct' }]
    })
    const q = reviewQueue(db, {
      task: 'expression',
      order: 'margin',
      groupBy: 'label',
      cards: 10,
      cardSize: 50,
      faceIds: [2, 3, 5, 29]
    })
    const asked = q.cards.flatMap((c) => c.faces.map((f) => f.faceId)).sort((a, b) => a - b)
    expect(asked).toEqual([2, 3, 29])
    expect(q.remaining).toBe(3)
    const all = reviewQueue(db, { task: 'expression', order: 'margin', groupBy: 'label', cards: 10, cardSize: 50 })
    expect(all.remaining).toBe(29)
  })
})
