import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCropFaces, tempDir } from '../../test/support'
import { annotate } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { createProject } from '../project/project'
import { annotatorGroupRates, annotatorProfiles, setAnnotatorAttributes } from './annotator-groups'

describe('annotator × subject-group label rates', () => {
  const db = createProject(path.join(tempDir('ann-groups'), 'p')).db
  insertCropFaces(db, 40)
  createTask(db, { name: 'mood', kind: 'classification', labels: ['angry', 'calm'] })
  createTask(db, { name: 'skin', kind: 'classification', labels: ['dark', 'light'] })
  const put = (who: string, task: string, ids: number[], value: string): void =>
    void annotate(db, {
      task,
      annotator: who,
      items: ids.map((id) => ({ target: 'face' as const, id, value, source: 'correct' as const }))
    })
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)
  put('lead', 'skin', range(1, 20), 'dark')
  put('lead', 'skin', range(21, 40), 'light')
  // Ann: "angry" on 12 of 20 dark faces (60%) and 2 of 20 light faces (10%). Ben: 4/20 and 4/20 (no gap).
  put('Ann', 'mood', [...range(1, 12), ...range(21, 22)], 'angry')
  put('Ann', 'mood', [...range(13, 20), ...range(23, 40)], 'calm')
  put('Ben', 'mood', [...range(1, 4), ...range(21, 24)], 'angry')
  put('Ben', 'mood', [...range(5, 20), ...range(25, 40)], 'calm')

  it('gives each label rate per annotator × subject group, and the largest difference in words', () => {
    const r = annotatorGroupRates(db, { task: 'mood', groupTask: 'skin' })
    expect(r.units).toEqual(['Ann', 'Ben'])
    expect(r.groups).toEqual(['dark', 'light'])
    const cell = (u: string, g: string) => r.cells.find((c) => c.unit === u && c.group === g)
    expect(cell('Ann', 'dark')).toMatchObject({ n: 20, rates: { angry: 0.6, calm: 0.4 } })
    expect(cell('Ann', 'light')?.rates.angry).toBeCloseTo(0.1, 12)
    expect(cell('Ben', 'dark')?.rates.angry).toBeCloseTo(0.2, 12)
    expect(r.largest).toMatchObject({ unit: 'Ann', high: { group: 'dark', n: 20 }, low: { group: 'light', n: 20 } })
    expect(r.largest?.difference).toBeCloseTo(0.5, 12)
    expect(r.sentence).toMatch(/^Ann answered “(angry|calm)” on \d+% of (dark|light) faces .* a 50-point difference/)
    // 'lead' gave no mood answers: not a unit.
    expect(r.units).not.toContain('lead')
  })

  it('groups annotators by an optional attribute; those without it are "(not given)"', () => {
    setAnnotatorAttributes(db, 'Ann', { group: 'north', note: '  ' })
    expect(annotatorProfiles(db).find((p) => p.name === 'Ann')).toMatchObject({ attributes: { group: 'north' } })
    const r = annotatorGroupRates(db, { task: 'mood', groupTask: 'skin', by: 'group' })
    expect(r.units.sort()).toEqual(['(not given)', 'north'])
    expect(r.sentence).toMatch(/^Annotators with group “north” answered/)
    setAnnotatorAttributes(db, 'Ann', {})
    expect(annotatorProfiles(db).find((p) => p.name === 'Ann')?.attributes).toEqual({})
  })

  it('says when there is nothing to compare', () => {
    const r = annotatorGroupRates(db, { task: 'mood', groupTask: 'skin', minAnswers: 21 })
    expect(r.largest).toBeNull()
    expect(r.sentence).toMatch(/Nothing to compare yet/)
  })
})
