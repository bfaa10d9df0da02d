import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { insertCropFaces, tempDir } from '../../test/support'
import { annotate } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { closeProject, createProject, type Project } from '../project/project'
import { reweightPreview } from './mitigation'

let project: Project | null = null
afterEach(() => {
  if (project) closeProject(project)
  project = null
})

/** 80 faces labelled smile yes/no and with a group: `balanced` puts the same label mix in both groups. */
function setUp(balanced: boolean | 'nearly'): { rows: Array<{ faceId: number; value: string }> } {
  project = createProject(path.join(tempDir('rw-preview'), 'p'))
  const db = project.db
  insertCropFaces(db, 80)
  createTask(db, { name: 'smile', kind: 'classification', labels: ['no', 'yes'] })
  createTask(db, { name: 'grp', kind: 'classification', labels: ['A', 'B'] })
  const rows = Array.from({ length: 80 }, (_, i) => {
    const group = i < 40 ? 'A' : 'B'
    // Balanced: half of each group smiles. Unbalanced: group A 30 of 40, group B 10 of 40.
    // Nearly: B has 22 yes / 18 no (sampling noise of a balanced design), A 20 / 20.
    const yes =
      balanced === 'nearly'
        ? group === 'A'
          ? i % 2 === 0
          : i < 62
        : balanced
          ? i % 2 === 0
          : group === 'A'
            ? i % 4 !== 0
            : i % 4 === 0
    return { faceId: i + 1, value: yes ? 'yes' : 'no', group }
  })
  annotate(db, {
    task: 'grp',
    annotator: 't',
    items: rows.map((r) => ({ target: 'face' as const, id: r.faceId, value: r.group, source: 'import' as const }))
  })
  return { rows: rows.map(({ faceId, value }) => ({ faceId, value })) }
}

describe('reweighting preview (before a sweep runs)', () => {
  it('says the weights are all ≈ 1 for a grouping balanced by group and label', () => {
    const { rows } = setUp(true)
    const p = reweightPreview(project!.db, 'smile', 'grp', rows)
    expect(p.near_one).toBe(true)
    expect(p.min_weight).toBeCloseTo(1, 9)
    expect(p.max_weight).toBeCloseTo(1, 9)
    expect(p.grouped_faces).toBe(80)
    expect(p.per_group['A']?.n).toBe(40)
  })

  it('counts sampling noise of a balanced design (weights 0.91–1.11) as ≈ 1', () => {
    const { rows } = setUp('nearly')
    const p = reweightPreview(project!.db, 'smile', 'grp', rows)
    expect(p.min_weight).toBeCloseTo(80 / 88, 9)
    expect(p.max_weight).toBeCloseTo(80 / 72, 9)
    expect(p.near_one).toBe(true)
  })

  it('shows the spread when a group’s labels are skewed', () => {
    const { rows } = setUp(false)
    const p = reweightPreview(project!.db, 'smile', 'grp', rows)
    expect(p.near_one).toBe(false)
    // Balanced weight N / (G · C · n_gc): 80 / (2 · 2 · 30) for the common cells, 80 / (2 · 2 · 10) for the rare.
    expect(p.min_weight).toBeCloseTo(80 / 120, 9)
    expect(p.max_weight).toBeCloseTo(2, 9)
  })

  it('counts faces without a group as ungrouped and reports nothing to reweight when none has one', () => {
    const { rows } = setUp(true)
    const p = reweightPreview(project!.db, 'smile', 'grp', [...rows, { faceId: 999, value: 'yes' }])
    expect(p.training_faces).toBe(81)
    expect(p.grouped_faces).toBe(80)
    const none = reweightPreview(project!.db, 'smile', 'smile', [])
    expect(none.grouped_faces).toBe(0)
    expect(none.near_one).toBe(false)
  })
})
