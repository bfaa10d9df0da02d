/** Folder arguments of the contract must be absolute paths (issue 9 §3). */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { testContext } from '../../test/support'
import { dispatch } from './dispatch'
import { calls } from '../../shared/contract'

describe('absoluteDir', () => {
  it('refuses relative folders in every call that takes one, before anything is created', async () => {
    const ctx = testContext()
    const name = `fs-relative-${process.pid}`
    try {
      for (const [call, args] of [
        ['project.create', { dir: name }],
        ['project.open', { dir: `./${name}` }],
        ['project.forgetRecent', { dir: `../${name}` }],
        ['import.start', { folder: `~/${name}` }],
        ['models.export', { task: 'expression', version: 1, dir: name }]
      ] as const) {
        const r = await dispatch(ctx, {}, call, args)
        expect(r.ok, call).toBe(false)
        if (r.ok) continue
        expect(r.error.code, call).toBe('BAD_ARGS')
        expect(r.error.message, call).toContain('must be absolute')
      }
      expect(fs.existsSync(path.resolve(name))).toBe(false)
    } finally {
      await ctx.dispose()
      // Without the rule the relative project lands in the working directory: do not leave it there.
      fs.rmSync(path.resolve(name), { recursive: true, force: true })
    }
  })

  it('accepts absolute POSIX and Windows folders', () => {
    for (const dir of ['/home/a/photos', 'C:\\Users\\a\\photos', 'd:/photos', '\\\\nas\\share\\photos']) {
      expect(calls['project.open'].args.safeParse({ dir }).success, dir).toBe(true)
    }
    for (const dir of ['photos', 'C:photos', '.', '~', '  ']) {
      expect(calls['project.open'].args.safeParse({ dir }).success, dir).toBe(false)
    }
  })
})
