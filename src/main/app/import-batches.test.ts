/**
 * "One import" as a Review / Export scope (issue 12): each import stamps the photos it commits, so the second
 * import of a folder that gained photos is its own scope, apart from the folder's older photos.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImportBatch, JobInfo, ReviewQueue } from '../../shared/domain'
import type { ExportResult } from '../../shared/labels-io'
import { callOk, cliOk, runCli, sharedData, tempDir, testContext } from '../../test/support'
import { startImport } from './import-job'

const FER = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')

describe.skipIf(!fs.existsSync(FER))('import batches', () => {
  const ctx = testContext()
  afterAll(async () => ctx.dispose())

  it('lists each import, newest first, and scopes Review, Export and the CLI to one of them', async () => {
    const dir = tempDir('batches')
    const projectDir = path.join(dir, 'p')
    ctx.createProject(projectDir)
    const folder = path.join(dir, 'photos')
    fs.mkdirSync(folder)
    const files = fs.readdirSync(FER).sort().slice(0, 5)
    const link = (names: string[]): void => {
      for (const f of names) fs.symlinkSync(path.join(FER, f), path.join(folder, f))
    }
    const run = async (): Promise<string> => {
      const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
      expect(job.status, job.error ?? '').toBe('done')
      return job.result!.importId
    }
    link(files.slice(0, 3))
    const first = await run()
    link(files.slice(3))
    const second = await run() // the first three are unchanged: skipped, so they keep the first import's stamp

    const batches = await callOk<ImportBatch[]>(ctx, 'library.imports')
    expect(batches.map((b) => [b.folder, b.images, b.faces])).toEqual([
      [folder, 2, 2],
      [folder, 3, 3]
    ])
    // Newest first, each under the id its job reported (the dialog's "Review this import" uses it).
    expect(batches.map((b) => b.id)).toEqual([second, first])
    const db = ctx.requireProject().db
    const faceOf = (name: string): number =>
      db
        .prepare('SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.rel_path = ?')
        .pluck()
        .get(name) as number
    const newest = files.slice(3).map(faceOf).sort()

    const queue = await callOk<ReviewQueue>(ctx, 'review.queue', { task: 'expression', importId: batches[0]!.id })
    expect(queue.remaining).toBe(2)
    expect(queue.cards.flatMap((c) => c.faces.map((f) => f.faceId)).sort()).toEqual(newest)
    const byFolder = await callOk<ReviewQueue>(ctx, 'review.queue', { task: 'expression', folder })
    expect(byFolder.remaining).toBe(5)

    const out = path.join(dir, 'new.csv')
    const job = await callOk<JobInfo>(ctx, 'export.run', { format: 'csv', out, importId: batches[0]!.id })
    let done = ctx.jobs.get(job.id)!
    while (done.status === 'queued' || done.status === 'running') {
      await new Promise((r) => setTimeout(r, 20))
      done = ctx.jobs.get(job.id)!
    }
    expect(done.status, done.error ?? '').toBe('done')
    expect((done.result as ExportResult).faces).toBe(2)

    // The CLI: stats lists the imports; export --import takes one of their ids.
    await ctx.closeProject()
    const home = tempDir('batches-home')
    const stats = cliOk(runCli(home, ['stats', '--project', projectDir, '--json']))
    expect((stats.imports as ImportBatch[]).map((b) => b.id)).toEqual(batches.map((b) => b.id))
    const cliOut = path.join(dir, 'first.csv')
    const r = cliOk(
      runCli(home, [
        'export',
        '--project',
        projectDir,
        '--format',
        'csv',
        '--out',
        cliOut,
        '--import',
        batches[1]!.id,
        '--json'
      ])
    )
    expect(r.faces).toBe(3)
  })
})
