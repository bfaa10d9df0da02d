import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dispatch } from '../api/dispatch'
import type { AppContext } from './context'
import type { AnnotatorProfiles } from '../../shared/domain'
import { AppContext as Context } from './context'
import { forkNodeWorker } from '../jobs/worker-client'
import { builtWorker, tempDir, testContext } from '../../test/support'

const contexts: AppContext[] = []
afterEach(async () => {
  while (contexts.length) await contexts.pop()?.dispose()
})

function track(ctx: AppContext): AppContext {
  contexts.push(ctx)
  return ctx
}

/** A second launch of the app on the same machine (same settings folder), as after a restart. */
function relaunch(): AppContext {
  return track(
    new Context({
      mode: 'cli',
      version: 'test',
      versions: {},
      workerScript: builtWorker,
      workerFactory: forkNodeWorker,
      reopenLast: true
    })
  )
}

async function ok<T>(ctx: AppContext, name: string, args: unknown = {}): Promise<T> {
  const r = await dispatch(ctx, {}, name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`)
  return r.value as T
}

function seedFaces(ctx: AppContext, n: number): void {
  const db = ctx.requireProject().db
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
  ).run()
  const ins = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, ?, 0, 0, 1, 1, 1, 'crop')`
  )
  for (let i = 0; i < n; i++) ins.run(i)
}

function annotatorsOf(ctx: AppContext): string[] {
  const rows = ctx.requireProject().db.prepare(`SELECT annotator FROM annotations ORDER BY id`).all() as Array<{
    annotator: string
  }>
  return rows.map((r) => r.annotator)
}

describe('annotator profile', () => {
  it('defaults to the OS user, switches, is stored on every answer, and survives a restart', async () => {
    const ctx = track(testContext())
    ctx.createProject(path.join(tempDir('prof'), 'p'))
    seedFaces(ctx, 3)

    const start = await ok<AnnotatorProfiles>(ctx, 'app.profiles')
    expect(start.current).toBe(os.userInfo().username)
    expect(start.osUser).toBe(os.userInfo().username)
    expect(start.inProject).toEqual([])

    const answer = (faceId: number, value: string): Promise<unknown> =>
      ok(ctx, 'annotations.add', {
        task: 'expression',
        entries: [{ target: 'face', ids: [faceId], value, source: 'correct' }]
      })

    await answer(1, 'happy')
    const switched = await ok<AnnotatorProfiles>(ctx, 'app.setAnnotator', { name: '  Ana Lima ' })
    expect(switched.current).toBe('Ana Lima')
    expect(switched.recent[0]).toBe('Ana Lima')
    await answer(2, 'sad')
    await answer(3, 'neutral')
    await ok(ctx, 'annotations.undo')
    expect(annotatorsOf(ctx).slice(0, 3)).toEqual([os.userInfo().username, 'Ana Lima', 'Ana Lima'])

    const counted = await ok<AnnotatorProfiles>(ctx, 'app.profiles')
    // The undo is bookkeeping, not an answer: Ana gave two answers, the OS user one.
    expect(counted.inProject).toEqual([
      { name: 'Ana Lima', annotations: 2 },
      { name: os.userInfo().username, annotations: 1 }
    ])

    // Switching back and forth keeps one entry per name, most recent first.
    await ok(ctx, 'app.setAnnotator', { name: 'Bo' })
    const back = await ok<AnnotatorProfiles>(ctx, 'app.setAnnotator', { name: 'Ana Lima' })
    expect(back.recent).toEqual(['Ana Lima', 'Bo', os.userInfo().username])

    const dir = ctx.requireProject().dir
    await ctx.dispose()
    contexts.splice(contexts.indexOf(ctx), 1)
    const again = relaunch()
    expect(again.project?.dir).toBe(dir)
    const restored = await ok<AnnotatorProfiles>(again, 'app.profiles')
    expect(restored.current).toBe('Ana Lima')
    expect(restored.recent).toEqual(['Ana Lima', 'Bo', os.userInfo().username])
    expect(restored.inProject.map((p) => p.name)).toEqual(['Ana Lima', os.userInfo().username])
  })

  it('refuses names a lab could not tell apart or print', async () => {
    const ctx = track(testContext())
    for (const name of ['', '   ', 'two\nlines', 'tab\there', 'x'.repeat(101)]) {
      const r = await dispatch(ctx, {}, 'app.setAnnotator', { name })
      expect(r.ok, JSON.stringify(name)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('BAD_ARGS')
    }
    expect((await ok<AnnotatorProfiles>(ctx, 'app.profiles')).current).toBe(os.userInfo().username)
  })
})
