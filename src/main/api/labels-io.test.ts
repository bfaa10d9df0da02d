/**
 * The window's Import labels… and Export… calls through the dispatcher every transport uses: the preview
 * writes nothing and reports what would apply, the import is one undoable step, an export can be limited to
 * a person or to given faces, and bad paths are BAD_ARGS before anything is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../shared/domain'
import type { ExportResult, LabelImportPreview, LabelImportResult } from '../../shared/labels-io'
import type { AppContext } from '../app/context'
import { callOk, tempDir, testContext } from '../../test/support'
import { dispatch } from './dispatch'

let ctx: AppContext
let dir: string

beforeAll(async () => {
  ctx = testContext()
  dir = tempDir('lio-api')
  await callOk(ctx, 'project.create', { dir: path.join(dir, 'proj') })
  const db = ctx.requireProject().db
  const img = db.prepare(
    `INSERT INTO images (path, root, rel_path, width, height, status, imported_at) VALUES (?, ?, ?, 100, 100, 'ok', 'now')`
  )
  const face = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, person_id) VALUES (?, 0, 10, 10, 50, 50, 0.9, 'detected', ?)`
  )
  db.prepare(`INSERT INTO persons (id, name, created_at) VALUES (1, 'Ana', 'now')`).run()
  fs.mkdirSync(path.join(dir, 'photos'))
  for (const [i, n] of ['a.jpg', 'b.jpg', 'c.jpg'].entries()) {
    fs.writeFileSync(path.join(dir, 'photos', n), '')
    face.run(img.run(path.join(dir, 'photos', n), path.join(dir, 'photos'), n).lastInsertRowid, i === 0 ? 1 : null)
  }
  fs.writeFileSync(
    path.join(dir, 'l.csv'),
    'image\tfeeling\nphotos/a.jpg\tJoy\nphotos/b.jpg\tSad\nphotos/zz.jpg\thappy\n'
  )
}, 120_000)

afterAll(async () => {
  await ctx.dispose()
})

/** Starts a job through the dispatcher and waits for it to stop; returns its last snapshot. */
async function runJob(name: string, args: unknown, whileRunning?: (job: JobInfo) => void): Promise<JobInfo> {
  const started = await callOk<JobInfo>(ctx, name, args)
  for (;;) {
    const job = ctx.jobs.get(started.id)
    if (!job) throw new Error('job vanished')
    if (job.status !== 'queued' && job.status !== 'running') return job
    whileRunning?.(job)
    await new Promise((r) => setTimeout(r, 2))
  }
}

async function jobResult<T>(name: string, args: unknown): Promise<T> {
  const job = await runJob(name, args)
  expect(job.status, job.error ?? '').toBe('done')
  return job.result as T
}

const count = (): number => ctx.requireProject().db.prepare('SELECT COUNT(*) FROM annotations').pluck().get() as number

describe('labels.preview / labels.import / export.run', () => {
  it('previews without writing: delimiter, suggested columns, value suggestions, counts', async () => {
    const p = await callOk<LabelImportPreview>(ctx, 'labels.preview', {
      file: path.join(dir, 'l.csv'),
      task: 'expression'
    })
    expect(count()).toBe(0)
    expect(p).toMatchObject({ delimiter: '\t', pathColumn: 'image', labelColumn: 'feeling', rows: 3 })
    expect(p.values).toEqual(
      expect.arrayContaining([
        { from: 'Joy', rows: 1, to: null },
        { from: 'Sad', rows: 1, to: 'sad' }
      ])
    )
    expect([p.applied, p.unmatched, p.invalid]).toEqual([1, 1, 1])
    const mapped = await callOk<LabelImportPreview>(ctx, 'labels.preview', {
      file: path.join(dir, 'l.csv'),
      task: 'expression',
      map: { Joy: 'happy' }
    })
    expect([mapped.applied, mapped.invalid]).toEqual([2, 0])
    expect(count()).toBe(0)
  })

  it('imports as one undoable step under the chosen annotator', async () => {
    const r = await jobResult<LabelImportResult>('labels.import', {
      file: path.join(dir, 'l.csv'),
      task: 'expression',
      map: { Joy: 'happy' },
      annotator: 'Importer'
    })
    expect(r).toMatchObject({ task: 'expression', applied: 2, unmatched: 1, invalid: 0, duplicates: 0 })
    const db = ctx.requireProject().db
    expect(db.prepare('SELECT DISTINCT annotator FROM annotations').pluck().all()).toEqual(['Importer'])
    await callOk(ctx, 'annotations.undo')
    expect(db.prepare('SELECT COUNT(*) FROM current_face_labels WHERE value IS NOT NULL').pluck().get()).toBe(0)
    await callOk(ctx, 'annotations.redo')
    expect(db.prepare('SELECT COUNT(*) FROM current_face_labels WHERE value IS NOT NULL').pluck().get()).toBe(2)
  })

  it('an import cancelled before its transaction writes nothing; an export cancelled leaves no file', async () => {
    // Cancel the moment each job starts running (job.updated), before its worker op answers.
    const asked = new Set<number>()
    const off = ctx.on((event, payload) => {
      const j = payload as JobInfo
      if (event !== 'job.updated' || j.status !== 'running' || asked.has(j.id)) return
      asked.add(j.id)
      ctx.jobs.cancel(j.id)
    })
    try {
      const before = count()
      const imp = await runJob('labels.import', {
        file: path.join(dir, 'l.csv'),
        task: 'expression',
        map: { Joy: 'happy' }
      })
      expect(imp.status).toBe('cancelled')
      expect(count()).toBe(before)
      const exp = await runJob('export.run', { format: 'csv', out: path.join(dir, 'cancelled.csv') })
      expect(exp.status).toBe('cancelled')
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([])
    } finally {
      off()
    }
  })

  it('the worker ops stop at their checkpoint when cancelled: no values handed back, no export file', async () => {
    const { exportOp, resolveOp } = await import('../worker/labels-io')
    const aborted = AbortSignal.abort()
    const progress: string[] = []
    const opCtx = { signal: aborted, progress: (p: { message: string }) => progress.push(p.message) }
    const projectDir = ctx.requireProject().dir
    await expect(
      resolveOp({ projectDir, spec: { file: path.join(dir, 'l.csv'), task: 'expression' } } as never, opCtx)
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    const out = path.join(dir, 'op-cancelled.csv')
    await expect(
      exportOp({ projectDir, appVersion: 't', spec: { format: 'csv', out } } as never, opCtx)
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('op-cancelled'))).toEqual([])
    expect(progress).toEqual(['Reading the labels file…', 'Gathering faces…'])
  })

  it('reports the worker op progress: rows resolved, then faces written', async () => {
    const messages: string[] = []
    const off = ctx.on((event, payload) => {
      if (event === 'job.updated') messages.push((payload as JobInfo).progress.message)
    })
    const out = path.join(dir, 'progress.csv')
    const job = await runJob('export.run', { format: 'csv', out })
    off()
    expect(job.status).toBe('done')
    expect(job.progress).toMatchObject({ done: 3, total: 3 })
    expect(messages.filter((m) => /faces/.test(m)).length).toBeGreaterThan(0)
    expect(fs.existsSync(out)).toBe(true)
    const imp = await runJob('labels.import', {
      file: path.join(dir, 'l.csv'),
      task: 'expression',
      map: { Joy: 'happy' }
    })
    expect(imp.status).toBe('done')
    expect(imp.progress.total).toBeGreaterThan(0)
    await callOk(ctx, 'annotations.undo')
  })

  it('exports all faces, a person, or given faces; paths relative to the file', async () => {
    const out = path.join(dir, 'out')
    fs.mkdirSync(out)
    const all = await jobResult<ExportResult>('export.run', { format: 'csv', out: path.join(out, 'all.csv') })
    expect(all).toMatchObject({ format: 'csv', faces: 3, images: 3, files: [path.join(out, 'all.csv')] })
    expect(fs.readFileSync(path.join(out, 'all.csv'), 'utf8')).toContain('../photos/a.jpg')
    const person = await jobResult<ExportResult>('export.run', {
      format: 'labelstudio',
      out: path.join(out, 'ana.json'),
      personId: 1
    })
    expect(person).toMatchObject({ faces: 1, images: 1 })
    const some = await jobResult<ExportResult>('export.run', {
      format: 'coco',
      out: path.join(out, 'some.json'),
      faceIds: [2, 3],
      tasks: ['expression']
    })
    expect(some).toMatchObject({ faces: 2, images: 2 })
    const coco = JSON.parse(fs.readFileSync(path.join(out, 'some.json'), 'utf8')) as {
      annotations: Array<{ attributes: Record<string, unknown> }>
    }
    expect(Object.keys(coco.annotations[0]?.attributes ?? {}).some((k) => k.startsWith('age'))).toBe(false)
  })

  it('refuses relative paths, folders and unknown tasks with BAD_ARGS / NOT_FOUND, writing nothing', async () => {
    const rel = await dispatch(ctx, {}, 'export.run', { format: 'csv', out: 'faces.csv' })
    expect(rel.ok ? null : rel.error.code).toBe('BAD_ARGS')
    const folder = await dispatch(ctx, {}, 'export.run', { format: 'csv', out: dir })
    expect(folder.ok ? null : folder.error.message).toMatch(/is a folder/)
    const task = await dispatch(ctx, {}, 'export.run', { format: 'csv', out: path.join(dir, 'x.csv'), tasks: ['nope'] })
    expect(task.ok ? null : task.error.code).toBe('NOT_FOUND')
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false)
    const latin = path.join(dir, 'latin.csv')
    fs.writeFileSync(latin, Buffer.from('path,label\ncaf\u00e9.jpg,happy\n', 'latin1'))
    const enc = await dispatch(ctx, {}, 'labels.preview', { file: latin, task: 'expression' })
    expect(enc.ok ? null : enc.error.message).toMatch(/Latin-1/)
  })

  it('review scope: one import folder, a folder inside it, or one person; unlabelled faces only', async () => {
    const db = ctx.requireProject().db
    const other = path.join(dir, 'second-import')
    db.prepare(
      `INSERT INTO images (path, root, rel_path, width, height, status, imported_at) VALUES (?, ?, 'sub/d.jpg', 100, 100, 'ok', 'now')`
    ).run(path.join(other, 'sub', 'd.jpg'), other)
    db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (last_insert_rowid(), 0, 1, 1, 9, 9, 1, 'detected')`
    ).run()
    const folders = await callOk<Array<{ folder: string; images: number; faces: number }>>(ctx, 'library.folders')
    expect(folders).toEqual([
      { folder: path.join(dir, 'photos'), images: 3, faces: 3 },
      { folder: other, images: 1, faces: 1 }
    ])
    type Q = { remaining: number; cards: Array<{ faces: Array<{ faceId: number }> }> }
    const ids = (q: Q): number[] => q.cards.flatMap((c) => c.faces.map((f) => f.faceId)).sort()
    const all = await callOk<Q>(ctx, 'review.queue', { task: 'age' })
    expect(all.remaining).toBe(4)
    const second = await callOk<Q>(ctx, 'review.queue', { task: 'age', folder: other })
    expect([second.remaining, ids(second)]).toEqual([1, [4]])
    const sub = await callOk<Q>(ctx, 'review.queue', { task: 'age', folder: path.join(other, 'sub') })
    expect(sub.remaining).toBe(1)
    const first = await callOk<Q>(ctx, 'review.queue', { task: 'expression', folder: path.join(dir, 'photos') })
    // a.jpg and b.jpg were labelled by the import above: only c.jpg is left in that folder.
    expect(ids(first)).toEqual([3])
    const person = await callOk<Q>(ctx, 'review.queue', { task: 'age', personId: 1 })
    expect(ids(person)).toEqual([1])
  })
  it('export scope: one import folder, the faces without a label for a task, their intersection; none is an error', async () => {
    const out = path.join(dir, 'scoped')
    fs.mkdirSync(out)
    const other = path.join(dir, 'second-import')
    const rowsOf = (file: string): string[] =>
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]!)
    const second = await jobResult<ExportResult>('export.run', {
      format: 'csv',
      out: path.join(out, 'second.csv'),
      folder: other
    })
    expect(second).toMatchObject({ faces: 1, images: 1 })
    expect(rowsOf(path.join(out, 'second.csv'))).toEqual(['4'])
    // a.jpg and b.jpg have expression labels (the import above): faces 3 (c.jpg) and 4 have none.
    const todo = await jobResult<ExportResult>('export.run', {
      format: 'csv',
      out: path.join(out, 'todo.csv'),
      unlabelledFor: 'expression'
    })
    expect(todo.faces).toBe(2)
    expect(rowsOf(path.join(out, 'todo.csv'))).toEqual(['3', '4'])
    const both = await jobResult<ExportResult>('export.run', {
      format: 'json',
      out: path.join(out, 'both.json'),
      unlabelledFor: 'expression',
      folder: path.join(dir, 'photos')
    })
    expect(both.faces).toBe(1)
    const none = await dispatch(ctx, {}, 'export.run', {
      format: 'csv',
      out: path.join(out, 'none.csv'),
      personId: 1,
      folder: other
    })
    expect(none.ok ? null : none.error.message).toMatch(/No faces in this scope/)
    expect(fs.existsSync(path.join(out, 'none.csv'))).toBe(false)
  })

  it("offers a COCO export's label attributes as columns (not ids, annotators, times or predictions)", async () => {
    const out = path.join(dir, 'coco-cols')
    fs.mkdirSync(out)
    const file = path.join(out, 'faces.json')
    await jobResult<ExportResult>('export.run', { format: 'coco', out: file })
    const first = await callOk<LabelImportPreview>(ctx, 'labels.preview', { file, format: 'coco', columns: [] })
    // a.jpg and b.jpg have expression labels (the import above); no face has an age or gender label.
    expect(first.keys).toEqual(['expression'])
    const p = await callOk<LabelImportPreview>(ctx, 'labels.preview', {
      file,
      format: 'coco',
      columns: [{ column: 'expression', task: 'expression' }]
    })
    expect(p.columns.map((c) => [c.column, c.task, c.applied])).toEqual([['expression', 'expression', 2]])
  })
})
