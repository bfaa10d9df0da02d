import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCropFaces, tempDir } from '../../test/support'
import { createProject } from '../project/project'
import { annotate } from './annotations'
import { parseLabelTable } from './label-table'
import { softTargetsOf, voteColumns, votesByLine, writeVotes } from './soft-labels'
import { createTask } from './tasks'

describe('soft labels', () => {
  const db = createProject(path.join(tempDir('soft-labels'), 'p')).db
  insertCropFaces(db, 6)
  const task = createTask(db, { name: 'mood', kind: 'classification', labels: ['calm', 'glad', 'cross'] })
  const answer = (annotator: string, face: number, value: string): void => {
    annotate(db, { task: 'mood', annotator, items: [{ target: 'face', id: face, value, source: 'correct' }] })
  }

  it('gives several annotators’ current answers as counts, one answer or unsure-only as one-hot (null)', () => {
    answer('ann', 1, 'calm')
    answer('bob', 1, 'glad')
    answer('cy', 1, 'glad')
    answer('ann', 2, 'calm') // one answer only
    answer('ann', 3, 'glad')
    answer('bob', 3, 'unsure') // unsure does not count: one real answer left
    answer('ann', 4, 'cross')
    answer('ann', 4, 'calm') // ann changed her mind: only her newest answer counts
    answer('bob', 4, 'calm')
    expect(softTargetsOf(db, task, [1, 2, 3, 4, 5])).toEqual([{ calm: 1, glad: 2 }, null, null, { calm: 2 }, null])
  })

  it('reads votes_<label> columns through the value map and prefers stored votes over answers', () => {
    const table = parseLabelTable(
      'path,label,votes_Calm,votes_happy,votes_cross,votes_unknown\na.png,calm,6,3,0,1\nb.png,glad,0,0,0,4\n',
      'x.csv'
    )
    const cols = voteColumns(table, task.labels, new Map([['happy', 'glad']]))
    expect([...cols.values()]).toEqual(['calm', 'glad', 'cross'])
    const byLine = votesByLine(table, cols)
    expect(byLine.get(2)).toEqual({ calm: 6, glad: 3 })
    expect(byLine.has(3)).toBe(false) // only "unknown" votes: no distribution
    writeVotes(db, task.id, [{ faceId: 1, votes: byLine.get(2)! }], 'x.csv')
    writeVotes(db, task.id, [{ faceId: 1, votes: byLine.get(2)! }], 'x.csv') // idempotent
    expect(softTargetsOf(db, task, [1])).toEqual([{ calm: 6, glad: 3 }])
    expect(db.prepare('SELECT COUNT(*) FROM label_votes').pluck().get()).toBe(2)
    // Forgetting a person deletes their faces; the votes go with them (foreign key cascade).
    db.prepare('DELETE FROM annotations WHERE face_id = 1').run()
    db.prepare('DELETE FROM faces WHERE id = 1').run()
    expect(db.prepare('SELECT COUNT(*) FROM label_votes').pluck().get()).toBe(0)
  })
})
