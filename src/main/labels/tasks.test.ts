/** Task names follow one rule (src/shared/task-name.ts) at creation and in the model store (issue 9 §3). */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isTaskName, taskNameProblem } from '../../shared/task-name'
import { AppError } from '../../shared/result'
import { tempDir, testContext } from '../../test/support'
import { dispatch } from '../api/dispatch'
import type { AppContext } from '../app/context'
import { versionPath } from '../training/version-files'
import { createTask } from './tasks'

describe('task names', () => {
  let ctx: AppContext
  beforeAll(() => {
    ctx = testContext()
    ctx.createProject(path.join(tempDir('tasknames'), 'p'))
  })
  afterAll(() => ctx.dispose())

  it('refuses "my.task" at creation through the contract, with a message saying why', async () => {
    const r = await dispatch(ctx, {}, 'tasks.create', { name: 'my.task', kind: 'classification', labels: ['a', 'b'] })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('BAD_ARGS')
    expect(r.error.path).toBe('name')
    expect(r.error.message).toContain('"my.task" cannot be a task name (it contains ".")')
    expect(r.error.message).toContain('letters, digits, "_" or "-"')
    const list = await dispatch(ctx, {}, 'tasks.list', {})
    expect(list.ok && (list.value as Array<{ name: string }>).map((t) => t.name)).not.toContain('my.task')
  })

  it('refuses it in the task table too (the CLI creates tasks there), and accepts what the store accepts', () => {
    const db = ctx.requireProject().db
    let err: unknown
    try {
      createTask(db, { name: 'my.task', kind: 'classification', labels: ['a', 'b'] })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_ARGS')
    const t = createTask(db, { name: 'my_task-2', kind: 'classification', labels: ['a', 'b'] })
    expect(() => versionPath('/models', t.name, 1)).not.toThrow()
  })

  it('is the same rule the model store applies', () => {
    for (const name of [
      'my.task',
      '.hidden',
      '-x',
      'a/b',
      'a b',
      '',
      'x'.repeat(65),
      'ü',
      'ok',
      'A1_b-c',
      'x'.repeat(64)
    ]) {
      const storeAccepts = (() => {
        try {
          versionPath('/models', name, 1)
          return true
        } catch {
          return false
        }
      })()
      expect(storeAccepts, name).toBe(isTaskName(name))
      expect(taskNameProblem(name) === null, name).toBe(isTaskName(name))
    }
    expect(taskNameProblem('x'.repeat(65))).toContain('65 characters')
    expect(taskNameProblem('-x')).toContain('does not start with a letter or digit')
  })
})
