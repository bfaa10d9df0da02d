import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { answerName, NON_LABELS, NOT_APPLICABLE, RESERVED_ANSWERS, UNSURE } from '../../shared/answers'
import type { TaskInfo } from '../../shared/domain'
import { usableLabels } from './ground-truth'
import { createProject } from '../project/project'
import { tempDir } from '../../test/support'
import { createTask, normalizeValue } from './tasks'

const glasses: TaskInfo = {
  id: 1,
  name: 'glasses',
  kind: 'classification',
  level: 'face',
  labels: ['none', 'reading', 'sun'],
  scoreMin: null,
  scoreMax: null,
  featureKind: 'identity',
  builtin: false,
  note: null,
  createdAt: ''
}

describe('reserved answers (one definition for storing, training and the screens)', () => {
  it('stores every spelling of a reserved answer as its one stored form', () => {
    expect(normalizeValue(glasses, ' unsure ')).toEqual({ value: UNSURE })
    for (const typed of ['not_applicable', 'not applicable', 'n/a'])
      expect(normalizeValue(glasses, typed)).toEqual({ value: NOT_APPLICABLE })
    // A label is not taken for an answer, and a wrong one names what the task accepts.
    expect(normalizeValue(glasses, 'sun')).toEqual({ value: 'sun' })
    expect(normalizeValue(glasses, 'goggles')).toEqual({
      error: '"goggles" is not a label of glasses (none, reading, sun, unsure, not_applicable)'
    })
  })

  it('refuses a label that could never be learnt: a reserved answer in any spelling, or a skip', () => {
    const db = createProject(path.join(tempDir('answers'), 'p')).db
    for (const label of ['unsure', 'Unsure', 'not_applicable', 'Not applicable', 'n/a'])
      expect(() => createTask(db, { name: 'x', kind: 'classification', labels: ['a', label] })).toThrow(
        /already accepts/
      )
    expect(() => createTask(db, { name: 'x', kind: 'classification', labels: ['Skip'] })).toThrow(/skipped face/)
    expect(createTask(db, { name: 'y', kind: 'classification', labels: ['sure', 'n/a-ish'] }).labels).toEqual([
      'sure',
      'n/a-ish'
    ])
  })

  it('never trains on a reserved answer or a skip, in any case', () => {
    const labels = [UNSURE, NOT_APPLICABLE, 'Not Applicable', 'N/A', 'skip', 'SKIPPED', 'sun', ''].map((value, i) => ({
      faceId: i + 1,
      value
    }))
    expect(usableLabels(labels, glasses)).toEqual([{ faceId: 7, value: 'sun' }])
    for (const a of RESERVED_ANSWERS) expect(NON_LABELS.has(a)).toBe(true)
  })

  it('shows not_applicable as words and labels as they are', () => {
    expect(answerName(NOT_APPLICABLE)).toBe('not applicable')
    expect(answerName(UNSURE)).toBe('unsure')
    expect(answerName('sun')).toBe('sun')
  })
})
