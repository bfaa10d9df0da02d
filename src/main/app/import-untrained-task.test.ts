/**
 * Importing into a project with a task the user created but has not trained (no version of its own yet) must
 * import: the faces get the built-in tasks' predictions and the new task simply has none. It used to stop the
 * import after the last photo with "Task … has no active version yet" (found by the teams e2e walk).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { callOk, sharedData, tempDir, testContext } from '../../test/support'
import { startImport } from './import-job'

const FER = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')

describe.skipIf(!fs.existsSync(FER))('import with an untrained user task', () => {
  const ctx = testContext()
  afterAll(async () => ctx.dispose())

  it('imports and predicts the built-in tasks; the untrained task has no predictions', async () => {
    ctx.createProject(path.join(tempDir('untrained-proj'), 'p'))
    await callOk(ctx, 'tasks.create', { name: 'skin', kind: 'classification', labels: ['darker', 'lighter'] })
    const folder = tempDir('untrained-imgs')
    for (const f of fs.readdirSync(FER).sort().slice(0, 6)) fs.symlinkSync(path.join(FER, f), path.join(folder, f))
    const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
    expect(job.error).toBeFalsy()
    expect(job.status).toBe('done')
    const db = ctx.requireProject().db
    const count = (task: string): number =>
      db
        .prepare('SELECT COUNT(*) FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE t.name = ?')
        .pluck()
        .get(task) as number
    expect(db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(6)
    expect(count('expression')).toBe(6)
    expect(count('skin')).toBe(0)
  })
})
