/**
 * The owner-module half of a several-column import: `annotateTasks` (one action over several tasks, checked
 * whole before anything is written; undo and redo per row's task), a new task's labels from its column, and
 * the columns form over a Label Studio file (the "column" is the choice's name). Photos are real files of
 * ../shared/data (expression_faceapi_examples), read in place.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { sharedData, tempDir } from '../../test/support'
import type { Db } from '../db/open'
import { createProject } from '../project/project'
import { annotate, annotateTasks, currentLabels, redo, undo } from './annotations'
import { labelsFromValues, resolveColumnsNow, writeColumns } from './label-columns'
import { createTask, getTask } from './tasks'

const images = path.join(sharedData, 'expression_faceapi_examples', 'images')
const names = fs.readdirSync(images).sort()

let db: Db
let dir: string
/** Face id per photo name. */
const face = new Map<string, number>()

beforeEach(() => {
  dir = tempDir('lcols')
  db = createProject(path.join(dir, 'p')).db
  face.clear()
  const img = db.prepare(
    `INSERT INTO images (path, root, rel_path, width, height, status, imported_at) VALUES (?, ?, ?, 100, 100, 'ok', 'now')`
  )
  const f = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, 0, 10, 10, 50, 50, 1, 'detected')`
  )
  for (const n of names)
    face.set(n, Number(f.run(img.run(path.join(images, n), images, n).lastInsertRowid).lastInsertRowid))
})

const id = (n: string): number => face.get(n) as number
const labels = (task: string): Record<number, string> => Object.fromEntries(currentLabels(db, getTask(db, task).id))

describe('annotateTasks', () => {
  it('writes several tasks as one action; one undo takes back all of them and nothing else', () => {
    annotate(db, {
      task: 'expression',
      annotator: 'Ana',
      items: [{ target: 'face', id: id('sad.jpg'), value: 'neutral', source: 'confirm' }]
    })
    createTask(db, { name: 'mood', kind: 'classification', labels: ['calm', 'tense'] })
    const r = annotateTasks(db, {
      annotator: 'Importer',
      groups: [
        {
          task: 'expression',
          items: [
            { target: 'face', id: id('happy.jpg'), value: 'happy', source: 'import' },
            { target: 'face', id: id('sad.jpg'), value: 'sad', source: 'import' }
          ]
        },
        { task: 'mood', items: [{ target: 'face', id: id('sad.jpg'), value: 'tense', source: 'import' }] }
      ]
    })
    expect(r.rows).toBe(3)
    expect(
      db.prepare('SELECT COUNT(DISTINCT action_id) FROM annotations WHERE annotator = ?').pluck().get('Importer')
    ).toBe(1)
    expect(labels('expression')).toEqual({ [id('happy.jpg')]: 'happy', [id('sad.jpg')]: 'sad' })
    expect(labels('mood')).toEqual({ [id('sad.jpg')]: 'tense' })

    const u = undo(db, 'Ana')
    expect(u?.changes.map((c) => [c.taskId, c.id, c.value]).sort()).toEqual(
      [
        [getTask(db, 'expression').id, id('happy.jpg'), null],
        [getTask(db, 'expression').id, id('sad.jpg'), 'neutral'],
        [getTask(db, 'mood').id, id('sad.jpg'), null]
      ].sort()
    )
    expect(labels('expression')).toEqual({ [id('sad.jpg')]: 'neutral' })
    expect(labels('mood')).toEqual({})
    redo(db, 'Ana')
    expect(labels('mood')).toEqual({ [id('sad.jpg')]: 'tense' })
    expect(labels('expression')[id('sad.jpg')]).toBe('sad')
  })

  it('checks every group before writing: a bad value in the second task writes nothing of the first', () => {
    const before = db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()
    expect(() =>
      annotateTasks(db, {
        annotator: 'I',
        groups: [
          { task: 'expression', items: [{ target: 'face', id: id('happy.jpg'), value: 'happy', source: 'import' }] },
          {
            task: 'gender_presentation',
            items: [{ target: 'face', id: id('happy.jpg'), value: 'male', source: 'import' }]
          }
        ]
      })
    ).toThrow(/not a label of gender_presentation/)
    expect(() =>
      annotateTasks(db, {
        annotator: 'I',
        groups: [
          { task: 'expression', items: [{ target: 'face', id: id('happy.jpg'), value: 'happy', source: 'import' }] },
          { task: 'expression', items: [{ target: 'face', id: id('sad.jpg'), value: 'sad', source: 'import' }] }
        ]
      })
    ).toThrow(/given twice/)
    expect(() =>
      annotateTasks(db, {
        annotator: 'I',
        groups: [
          { task: 'expression', items: [{ target: 'face', id: id('happy.jpg'), value: 'happy', source: 'import' }] },
          { task: 'age', items: [{ target: 'face', id: 99_999, value: '30', source: 'import' }] }
        ]
      })
    ).toThrow(/no face 99999/)
    expect(db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBe(before)
    expect(db.prepare('SELECT COUNT(*) FROM annotation_actions').pluck().get()).toBe(0)
  })
})

describe('new tasks from a column', () => {
  it('takes the distinct values once each (any case), after the map, leaving answers and skips out', () => {
    const rows = ['Calm', 'calm', ' tense ', 'unsure', 'N/A', 'skip', '', 'CALM', 'x'.repeat(65), 'c'].map(
      (value, i) => ({ line: i + 2, path: 'a.jpg', value })
    )
    expect(labelsFromValues(rows)).toEqual(['c', 'Calm', 'tense'])
    expect(labelsFromValues(rows, new Map([['c', 'calm']]))).toEqual(['Calm', 'tense'])
  })

  it('a Label Studio file: each choice name is a column; the new task is created with the labels in one transaction', () => {
    const file = path.join(dir, 'ls.json')
    const task = (n: string, expression: string, mood: string): object => ({
      data: { image: path.join(images, n) },
      annotations: [
        {
          result: [
            { type: 'choices', from_name: 'expression', value: { choices: [expression] } },
            { type: 'choices', from_name: 'mood', value: { choices: [mood] } }
          ]
        }
      ]
    })
    fs.writeFileSync(file, JSON.stringify([task('happy.jpg', 'Happy', 'calm'), task('angry.jpg', 'angry', 'tense')]))
    const r = resolveColumnsNow(db, {
      file,
      format: 'labelstudio',
      pathColumn: 'path',
      columns: [
        { column: 'expression', task: 'expression' },
        { column: 'mood', newTask: { name: 'mood' } }
      ]
    })
    expect(r.columns.map((c) => [c.task, c.create, c.applied])).toEqual([
      ['expression', null, 2],
      ['mood', { name: 'mood', labels: ['calm', 'tense'] }, 2]
    ])
    expect(() => getTask(db, 'mood')).toThrow(/no task "mood"/)
    const w = writeColumns(db, r, 'Importer')
    expect(w.created).toEqual(['mood'])
    expect(getTask(db, 'mood').labels).toEqual(['calm', 'tense'])
    expect(labels('mood')).toEqual({ [id('happy.jpg')]: 'calm', [id('angry.jpg')]: 'tense' })
    expect(labels('expression')).toEqual({ [id('happy.jpg')]: 'happy', [id('angry.jpg')]: 'angry' })
    // Undo keeps the task it created, empty.
    undo(db, 'Importer')
    expect([getTask(db, 'mood').name, labels('mood')]).toEqual(['mood', {}])
  })

  it('a failure while writing (the name taken meanwhile) rolls back the new task and every label', () => {
    const file = path.join(dir, 'two.csv')
    fs.writeFileSync(file, `path,expression,mood\n${path.join(images, 'happy.jpg')},happy,calm\n`)
    const r = resolveColumnsNow(db, {
      file,
      format: 'csv',
      pathColumn: 'path',
      columns: [
        { column: 'mood', newTask: { name: 'mood' } },
        { column: 'expression', newTask: { name: 'feeling' } }
      ]
    })
    createTask(db, { name: 'FEELING', kind: 'classification', labels: ['x'] })
    expect(() => writeColumns(db, r, 'I')).toThrow(/already exists/)
    expect(() => getTask(db, 'mood')).toThrow(/no task/)
    expect(db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBe(0)
  })
})
