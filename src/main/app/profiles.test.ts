import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dispatch } from '../api/dispatch'
import type { AppContext } from './context'
import type { AnnotatorProfiles } from '../../shared/domain'
import { callOk, insertCropFaces, tempDir, testContext } from '../../test/support'

const contexts: AppContext[] = []
afterEach(async () => {
  while (contexts.length) await contexts.pop()?.dispose()
})

function track(ctx: AppContext): AppContext {
  contexts.push(ctx)
  return ctx
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
    insertCropFaces(ctx.requireProject().db, 3)

    const start = await callOk<AnnotatorProfiles>(ctx, 'app.profiles')
    expect(start.current).toBe(os.userInfo().username)
    expect(start.osUser).toBe(os.userInfo().username)
    expect(start.inProject).toEqual([])

    const answer = (faceId: number, value: string): Promise<unknown> =>
      callOk(ctx, 'annotations.add', {
        task: 'expression',
        entries: [{ target: 'face', ids: [faceId], value, source: 'correct' }]
      })

    await answer(1, 'happy')
    const switched = await callOk<AnnotatorProfiles>(ctx, 'app.setAnnotator', { name: '  Ana Lima ' })
    expect(switched.current).toBe('Ana Lima')
    expect(switched.recent[0]).toBe('Ana Lima')
    await answer(2, 'sad')
    await answer(3, 'neutral')
    await callOk(ctx, 'annotations.undo')
    expect(annotatorsOf(ctx).slice(0, 3)).toEqual([os.userInfo().username, 'Ana Lima', 'Ana Lima'])

    const counted = await callOk<AnnotatorProfiles>(ctx, 'app.profiles')
    // The undo is bookkeeping, not an answer: Ana gave two answers, the OS user one.
    expect(counted.inProject).toEqual([
      { name: 'Ana Lima', annotations: 2 },
      { name: os.userInfo().username, annotations: 1 }
    ])

    // Switching back and forth keeps one entry per name, most recent first.
    await callOk(ctx, 'app.setAnnotator', { name: 'Bo' })
    const back = await callOk<AnnotatorProfiles>(ctx, 'app.setAnnotator', { name: 'Ana Lima' })
    expect(back.recent).toEqual(['Ana Lima', 'Bo', os.userInfo().username])

    const dir = ctx.requireProject().dir
    await ctx.dispose()
    contexts.splice(contexts.indexOf(ctx), 1)
    const again = track(testContext({ relaunch: true }))
    expect(again.project?.dir).toBe(dir)
    const restored = await callOk<AnnotatorProfiles>(again, 'app.profiles')
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
    expect((await callOk<AnnotatorProfiles>(ctx, 'app.profiles')).current).toBe(os.userInfo().username)
  })
})
