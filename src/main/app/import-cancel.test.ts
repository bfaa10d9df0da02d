/**
 * Truthful cancel of an import (issue 9), through the real queue and ML workers on FER+ crops. An import keeps
 * every photo it committed before the cancel (each photo is its own commit), so a cancelled import says how
 * far it got and how many photos it kept, and those photos are whole: faces, features, built-in predictions and
 * the predictions of a trained active version. A cancel that arrives after the last file stopped nothing: the
 * job is done. Cancels are sent from the job's own progress events, so they land at a known file count.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LATE_CANCEL_MESSAGE, type JobInfo } from '../../shared/domain'
import { annotate } from '../labels/annotations'
import { resultOf } from '../jobs/queue'
import { sharedData, tempDir, testContext } from '../../test/support'
import type { AppContext } from './context'
import { startImport } from './import-job'
import { trainVersion } from './training'

const FER = path.join(sharedData, 'expression_ferplus', 'images')

function folderOf(files: string[]): string {
  const dir = tempDir('import-cancel')
  for (const f of files) fs.symlinkSync(f, path.join(dir, path.basename(f)))
  return dir
}

/** Cancels the import job once `when` holds for one of its progress snapshots (sent synchronously by the queue). */
function cancelWhen(ctx: AppContext, when: (job: JobInfo) => boolean): () => void {
  let sent = false
  return ctx.on((event, payload) => {
    const job = payload as JobInfo
    if (sent || event !== 'job.updated' || job.kind !== 'import' || job.status !== 'running' || !when(job)) return
    sent = true
    ctx.jobs.cancel(job.id)
  })
}

describe.skipIf(!fs.existsSync(FER))('import cancel', () => {
  const ctx = testContext()
  const pick = (label: string, from: number, n: number): string[] =>
    fs
      .readdirSync(path.join(FER, label))
      .sort()
      .slice(from, from + n)
      .map((f) => path.join(FER, label, f))
  const n = (sql: string): number => ctx.requireProject().db.prepare(sql).pluck().get() as number

  beforeAll(() => {
    ctx.createProject(path.join(tempDir('import-cancel-proj'), 'p'))
  })
  afterAll(() => ctx.dispose())

  it('a cancel before the folder is listed imports nothing and says so (not "done" for an empty list)', async () => {
    const folder = folderOf(pick('happiness', 100, 5))
    const before = n('SELECT COUNT(*) FROM images')
    const off = cancelWhen(ctx, () => true)
    const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
    off()
    expect(job.status).toBe('cancelled')
    expect(job.progress.message).toBe('Import cancelled while listing the folder; nothing was imported.')
    expect(n('SELECT COUNT(*) FROM images')).toBe(before)
  })

  it('a cancel after the last file reports done, with every file imported', async () => {
    const folder = folderOf([...pick('happiness', 0, 8), ...pick('neutral', 0, 8)])
    const off = cancelWhen(ctx, (j) => j.progress.total > 0 && j.progress.done === j.progress.total)
    const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
    off()
    expect(job.status).toBe('done')
    expect(job.progress.message).toBe(LATE_CANCEL_MESSAGE)
    expect(resultOf(job)).toMatchObject({ images: 16, cancelled: false })
    expect(n('SELECT COUNT(*) FROM images')).toBe(16)
  })

  it('a cancel mid-way says how many photos it kept, and they are whole, predicted by the active version too', async () => {
    // A trained active version of expression, so imported faces need its predictions as well as v0's.
    const db = ctx.requireProject().db
    const happy = new Set(pick('happiness', 0, 8).map((f) => path.basename(f)))
    const faces = db
      .prepare(`SELECT f.id, i.path FROM faces f JOIN images i ON i.id = f.image_id ORDER BY f.id`)
      .all() as Array<{ id: number; path: string }>
    annotate(db, {
      task: 'expression',
      annotator: 'test',
      items: faces.map((f) => ({
        target: 'face' as const,
        id: f.id,
        value: happy.has(path.basename(f.path)) ? 'happy' : 'neutral',
        source: 'import' as const
      }))
    })
    const trained = await trainVersion(ctx, { task: 'expression', epochs: 2, seed: 1 })
    expect(trained.activated).toBe(true)

    const before = n('SELECT COUNT(*) FROM images')
    const folder = folderOf([...pick('happiness', 8, 15), ...pick('neutral', 8, 15)])
    const off = cancelWhen(ctx, (j) => j.progress.done >= 3)
    const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
    off()
    expect(job.status).toBe('cancelled')
    const said = /Import cancelled after (\d+) of 30 files; the (\d+) photos imported before the cancel are kept/.exec(
      job.progress.message
    )
    expect(said, job.progress.message).not.toBeNull()
    const kept = Number(said?.[2])
    expect(kept).toBeGreaterThanOrEqual(3)
    expect(kept).toBeLessThan(30)
    expect(n('SELECT COUNT(*) FROM images') - before).toBe(kept)
    // Whole: a face, its features, the built-in predictions and the active trained version's for every photo.
    expect(n(`SELECT COUNT(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.image_id = i.id)`)).toBe(0)
    expect(
      n(`SELECT COUNT(*) FROM faces f WHERE NOT EXISTS (SELECT 1 FROM face_features x WHERE x.face_id = f.id)`)
    ).toBe(0)
    expect(
      n(
        `SELECT COUNT(*) FROM faces f JOIN model_versions v ON v.active = 1
         WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.face_id = f.id AND p.version_id = v.id)`
      )
    ).toBe(0)
  })
})
