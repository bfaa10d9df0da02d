/**
 * Import labels… with several label columns (issue 12): UTKFace's own labels.csv (real file, read in place)
 * carries `gender` and `race`; gender goes to the built-in gender_presentation task through a value map, race
 * to a task the import creates from the column's values. Per-column counts before anything is written, one
 * transaction and one undo step for both columns, the errors of a bad choice, and a cancel inside a big file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../shared/domain'
import type { LabelImportPreview, LabelImportResult } from '../../shared/labels-io'
import type { AppContext } from '../app/context'
import { callOk, readCsv, sharedData, tempDir, testContext } from '../../test/support'
import { dispatch } from './dispatch'

const utk = path.join(sharedData, 'demographics_utkface')
const labelsCsv = path.join(utk, 'labels.csv')
const rows = readCsv(labelsCsv)
/** Photos imported into the project: all but the last 100 rows of the file, which stay unmatched. */
const IMPORTED = rows.length - 100
const GENDER_MAP = { female: 'feminine', male: 'masculine' }

let ctx: AppContext
let dir: string
/** Face id of each imported photo's path (as labels.csv writes it). */
const faceOf = new Map<string, number>()

beforeAll(async () => {
  ctx = testContext()
  dir = tempDir('lio-cols')
  await callOk(ctx, 'project.create', { dir: path.join(dir, 'proj') })
  const db = ctx.requireProject().db
  const img = db.prepare(
    `INSERT INTO images (path, root, rel_path, width, height, status, imported_at) VALUES (?, ?, ?, 200, 200, 'ok', 'now')`
  )
  const face = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, 0, 0, 0, 200, 200, 1, 'crop')`
  )
  for (const r of rows.slice(0, IMPORTED)) {
    const file = path.join(utk, r.path as string)
    const imageId = img.run(file, path.join(utk, 'images'), path.basename(file)).lastInsertRowid
    faceOf.set(r.path as string, Number(face.run(imageId).lastInsertRowid))
  }
}, 120_000)

afterAll(async () => {
  await ctx.dispose()
})

async function runJob(name: string, args: unknown): Promise<JobInfo> {
  const started = await callOk<JobInfo>(ctx, name, args)
  for (;;) {
    const job = ctx.jobs.get(started.id)
    if (!job) throw new Error('job vanished')
    if (job.status !== 'queued' && job.status !== 'running') return job
    await new Promise((r) => setTimeout(r, 2))
  }
}

const db = (): ReturnType<AppContext['requireProject']>['db'] => ctx.requireProject().db
const annotationCount = (): number => db().prepare('SELECT COUNT(*) FROM annotations').pluck().get() as number
const taskNames = (): string[] => db().prepare('SELECT name FROM tasks ORDER BY name').pluck().all() as string[]

/** Current labels of a task: face id → value. */
function current(task: string): Map<number, string> {
  const r = db()
    .prepare(
      `SELECT l.face_id, l.value FROM current_face_labels l JOIN tasks t ON t.id = l.task_id
       WHERE t.name = ? AND l.value IS NOT NULL`
    )
    .raw()
    .all(task) as Array<[number, string]>
  return new Map(r)
}

/** What the CSV says for the imported photos, after `map`. */
function expected(column: string, map: Record<string, string> = {}): Map<number, string> {
  const out = new Map<number, string>()
  for (const r of rows.slice(0, IMPORTED)) {
    const v = r[column] as string
    out.set(faceOf.get(r.path as string) as number, map[v] ?? v)
  }
  return out
}

const twoColumns = {
  file: labelsCsv,
  columns: [
    { column: 'gender', task: 'gender_presentation', map: GENDER_MAP },
    { column: 'race', newTask: { name: 'race' } }
  ]
}

describe('labels.preview / labels.import with several label columns', () => {
  it('previews each column (an existing task, a new task from its values) and writes nothing', async () => {
    const before = annotationCount()
    const p = await callOk<LabelImportPreview>(ctx, 'labels.preview', twoColumns)
    expect(annotationCount()).toBe(before)
    expect(taskNames()).not.toContain('race')
    expect(p).toMatchObject({ pathColumn: 'path', labelColumn: null, rows: rows.length, delimiter: ',' })
    const [gender, race] = p.columns
    expect(gender).toMatchObject({
      column: 'gender',
      task: 'gender_presentation',
      newTask: false,
      applied: IMPORTED,
      unmatched: 100,
      invalid: 0,
      duplicates: 0
    })
    expect(gender?.values.map((v) => [v.from, v.to]).sort()).toEqual([
      ['female', 'feminine'],
      ['male', 'masculine']
    ])
    const races = [...new Set(rows.map((r) => r.race as string))].sort()
    expect(race).toMatchObject({ column: 'race', task: 'race', newTask: true, labels: races, applied: IMPORTED })
    expect(race?.values.reduce((n, v) => n + v.rows, 0)).toBe(rows.length)
    // Top-level counts sum the columns (labels, not faces).
    expect([p.applied, p.unmatched]).toEqual([2 * IMPORTED, 200])
  })

  it('without a map the gender column is invalid for gender_presentation, and the preview says so per column', async () => {
    const p = await callOk<LabelImportPreview>(ctx, 'labels.preview', {
      file: labelsCsv,
      columns: [{ column: 'gender', task: 'gender_presentation' }]
    })
    expect(p.columns[0]).toMatchObject({ applied: 0, invalid: IMPORTED })
    expect(p.columns[0]?.invalidExamples[0]?.reason).toMatch(/not a label of gender_presentation/)
  })

  it('applies both columns in one transaction as one undo step; undo keeps earlier labels and the new task', async () => {
    const first = rows[0]?.path as string
    const firstFace = faceOf.get(first) as number
    // Earlier answers the undo must leave alone: another task's label, and this task's label on a face.
    await callOk(ctx, 'annotations.add', {
      task: 'expression',
      annotator: 'Ana',
      entries: [{ target: 'face', ids: [firstFace], value: 'happy', source: 'confirm' }]
    })
    await callOk(ctx, 'annotations.add', {
      task: 'gender_presentation',
      annotator: 'Ana',
      entries: [{ target: 'face', ids: [firstFace], value: 'androgynous', source: 'confirm' }]
    })
    const job = await runJob('labels.import', { ...twoColumns, annotator: 'Importer' })
    expect(job.status, job.error ?? '').toBe('done')
    const r = job.result as LabelImportResult
    expect(r.columns).toEqual([
      {
        column: 'gender',
        task: 'gender_presentation',
        created: false,
        applied: IMPORTED,
        unmatched: 100,
        invalid: 0,
        duplicates: 0
      },
      { column: 'race', task: 'race', created: true, applied: IMPORTED, unmatched: 100, invalid: 0, duplicates: 0 }
    ])
    expect(r.actionId).not.toBeNull()
    const race = db().prepare(`SELECT labels FROM tasks WHERE name = 'race'`).pluck().get() as string
    expect(JSON.parse(race)).toEqual([...new Set(rows.map((x) => x.race as string))].sort())
    expect(current('gender_presentation')).toEqual(expected('gender', GENDER_MAP))
    expect(current('race')).toEqual(expected('race'))
    const actions = db()
      .prepare(`SELECT COUNT(DISTINCT action_id) FROM annotations WHERE annotator = 'Importer'`)
      .pluck()
      .get()
    expect(actions).toBe(1)

    const undone = await callOk<{ changes: unknown[] }>(ctx, 'annotations.undo')
    expect(undone.changes).toHaveLength(2 * IMPORTED)
    expect(current('race').size).toBe(0)
    expect([...current('gender_presentation')]).toEqual([[firstFace, 'androgynous']])
    expect([...current('expression')]).toEqual([[firstFace, 'happy']])
    expect(taskNames()).toContain('race')

    await callOk(ctx, 'annotations.redo')
    expect(current('race')).toEqual(expected('race'))
    expect(current('gender_presentation')).toEqual(expected('gender', GENDER_MAP))
    // The race column now goes to the existing task (a new task of that name is refused below).
    await callOk(ctx, 'annotations.undo')
  })

  it('refuses a bad choice of columns before anything is written, naming the failing field', async () => {
    const before = annotationCount()
    const tasksBefore = taskNames()
    /** The preview's error; the import call is refused too, or its job fails with the same message. */
    const fail = async (args: object): Promise<{ code: string; message: string; path?: string }> => {
      const r = await dispatch(ctx, {}, 'labels.preview', { file: labelsCsv, ...args })
      if (r.ok) throw new Error('expected an error')
      const imp = await dispatch(ctx, {}, 'labels.import', { file: labelsCsv, ...args })
      if (imp.ok) {
        const job = await runJob('labels.import', { file: labelsCsv, ...args })
        expect([job.status, job.error]).toEqual(['failed', r.error.message])
      }
      return r.error
    }
    const unknown = await fail({
      columns: [
        { column: 'gender', task: 'gender_presentation' },
        { column: 'mood', newTask: { name: 'mood' } }
      ]
    })
    expect(unknown).toMatchObject({ code: 'BAD_ARGS', path: 'columns.1.column' })
    expect(unknown.message).toMatch(/no column "mood".*race/)
    const twice = await fail({
      columns: [
        { column: 'gender', task: 'gender_presentation', map: GENDER_MAP },
        { column: 'race', task: 'gender_presentation' }
      ]
    })
    expect(twice).toMatchObject({ code: 'BAD_ARGS', path: 'columns.1.task' })
    expect(twice.message).toMatch(/both go to the task "gender_presentation"/)
    const twoNew = await fail({
      columns: [
        { column: 'gender', newTask: { name: 'who' } },
        { column: 'race', newTask: { name: 'WHO' } }
      ]
    })
    expect(twoNew).toMatchObject({ code: 'BAD_ARGS', path: 'columns.1.newTask.name' })
    const emptyName = await fail({ columns: [{ column: 'race', newTask: { name: '  ' } }] })
    expect(emptyName).toMatchObject({ code: 'BAD_ARGS', path: 'columns.0.newTask.name' })
    const badName = await fail({ columns: [{ column: 'race', newTask: { name: 'skin tone' } }] })
    expect(badName).toMatchObject({ code: 'BAD_ARGS', path: 'columns.0.newTask.name' })
    const exists = await fail({ columns: [{ column: 'race', newTask: { name: 'Race' } }] })
    expect(exists).toMatchObject({ code: 'CONFLICT', path: 'columns.0.newTask.name' })
    const idColumn = await fail({ columns: [{ column: 'path', newTask: { name: 'photo' } }], pathColumn: 'path' })
    expect(idColumn.message).toMatch(/distinct values; a new task takes at most 50 labels/)
    const neither = await fail({ columns: [{ column: 'race' }] })
    expect(neither).toMatchObject({ code: 'BAD_ARGS', path: 'columns.0' })
    const both = await fail({ task: 'expression', columns: [{ column: 'race', task: 'race' }] })
    expect(both).toMatchObject({ code: 'BAD_ARGS', path: 'task' })
    const none = await fail({})
    expect(none).toMatchObject({ code: 'BAD_ARGS', path: 'task' })
    const unknownTask = await fail({ columns: [{ column: 'race', task: 'nope' }] })
    expect(unknownTask).toMatchObject({ code: 'NOT_FOUND' })
    expect(annotationCount()).toBe(before)
    expect(taskNames()).toEqual(tasksBefore)
  })

  it('columns: [] previews the file only; importing it is refused', async () => {
    const p = await callOk<LabelImportPreview>(ctx, 'labels.preview', { file: labelsCsv, columns: [] })
    expect(p).toMatchObject({ columns: [], applied: 0, header: expect.arrayContaining(['gender', 'race']) })
    expect(p.sample.length).toBeGreaterThan(0)
    const r = await dispatch(ctx, {}, 'labels.import', { file: labelsCsv, columns: [] })
    expect(r.ok ? null : r.error).toMatchObject({ code: 'BAD_ARGS', path: 'columns' })
  })

  it('a cancel inside a big file stops the row loop at its next checkpoint, with nothing handed back', async () => {
    const { resolveOp } = await import('../worker/labels-io')
    const { ROWS_PER_STEP } = await import('../labels/label-columns')
    // Ten copies of the file's rows: 2 × 8,000 rows to resolve, several checkpoints per column.
    const big = path.join(utk, 'labels.csv')
    const copy = path.join(dir, 'big.csv')
    const text = fs.readFileSync(big, 'utf8').trim().split(/\r?\n/)
    const body = text.slice(1).map((l) => l.replace(/^images\//, `${path.join(utk, 'images')}/`))
    fs.writeFileSync(copy, [text[0], ...Array.from({ length: 10 }, () => body).flat()].join('\n'))
    const ac = new AbortController()
    const seen: Array<{ done: number; total: number }> = []
    const opCtx = {
      signal: ac.signal,
      progress: (m: { done: number; total: number; message: string }) => {
        if (!/^Resolving/.test(m.message)) return
        seen.push({ done: m.done, total: m.total })
        if (m.done >= ROWS_PER_STEP) ac.abort()
      }
    }
    await expect(
      resolveOp(
        {
          projectDir: ctx.requireProject().dir,
          spec: {
            file: copy,
            format: 'csv',
            columns: [
              { column: 'gender', task: 'gender_presentation', map: GENDER_MAP },
              { column: 'race', task: 'race' }
            ]
          }
        } as never,
        opCtx
      )
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    const last = seen[seen.length - 1]
    expect(last).toEqual({ done: ROWS_PER_STEP, total: 2 * 10 * rows.length })
  })
})
