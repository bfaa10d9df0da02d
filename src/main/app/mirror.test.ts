/**
 * Mirrored features through the real queue and ML workers on FER+ crops (issue 11 §2): a trained version learns
 * from each face's mirrored view as an extra row of that face (never across training / evaluation), records it in
 * its metadata, and "augment existing faces" fills the views of a project imported without them, with a truthful
 * cancel, re-computing the stored predictions so they average the views as an import's do.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AugmentSummary, JobInfo } from '../../shared/domain'
import { callOk, cliOk, readCsv, runCli, sharedData, tempDir, testContext } from '../../test/support'
import { getTask } from '../labels/tasks'
import { readOutOfFold } from '../models/out-of-fold'
import { versionByNumber } from '../models/registry'
import { trainingSet } from '../models/training-set'
import { startAugment } from './augment'
import type { AppContext } from './context'
import { startImport } from './import-job'
import { trainVersion } from './training'

const FER = path.join(sharedData, 'expression_ferplus')
const MAP: Record<string, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgusted',
  fear: 'fearful'
}
const FACES = 160
let ctx: AppContext

const db = () => ctx.requireProject().db
const f32 = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = a.length === b.length ? 0 : Infinity
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

beforeAll(async () => {
  const rows = readCsv(path.join(FER, 'labels.csv'))
    .filter((r) => MAP[r.label_plurality!])
    .slice(0, FACES)
  const folder = tempDir('mirror-fer')
  for (const r of rows) fs.symlinkSync(path.join(FER, r.path!), path.join(folder, path.basename(r.path!)))
  ctx = testContext()
  ctx.createProject(path.join(tempDir('mirror-proj'), 'p'))
  const job = await startImport(ctx, { folder, crops: true, detector: 'ssd' }).done
  if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error}`)
  const task = getTask(db(), 'expression')
  const faceOf = db().prepare(`SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.rel_path = ?`)
  const ins = db().prepare(
    `INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at) VALUES ('face', ?, ?, ?, 'me', 'correct', 'now')`
  )
  for (const r of rows) {
    const id = faceOf.pluck().get(path.basename(r.path!)) as number
    ins.run(id, task.id, MAP[r.label_plurality!])
  }
}, 300_000)
afterAll(async () => ctx?.dispose())

describe.skipIf(!fs.existsSync(FER))('mirrored features in training (real FER+ crops)', () => {
  it('trains on both views of the training faces only and records it; --no-mirror records single-view', async () => {
    const r = await trainVersion(ctx, { task: 'expression', epochs: 8, k: 3, activate: true })
    expect(r.mirrored).toBe(true)
    expect(r.mirroredRows).toBe(r.train_n)
    const task = getTask(db(), 'expression')
    const v = versionByNumber(db(), task.id, r.version)!
    expect(v.metadata.recipe).toMatchObject({ mirrored: true, mirrored_rows: true, mirrored_row_count: r.train_n })
    const set = trainingSet(db(), task)
    const evalIds = new Set(set.evaluation.map((l) => l.faceId))
    expect(evalIds.size).toBeGreaterThan(0)
    const trained = db()
      .prepare('SELECT face_id FROM version_training_faces WHERE version_id = ?')
      .pluck()
      .all(v.id) as number[]
    expect(trained).toHaveLength(r.train_n)
    expect(trained.some((id) => evalIds.has(id))).toBe(false)
    // One out-of-fold row per training face: the mirrored copies never had a fold of their own.
    const oof = readOutOfFold(db(), v.id)
    expect(oof).toHaveLength(r.train_n)
    expect(new Set(oof.map((o) => o.faceId))).toEqual(new Set(trained))

    const single = await trainVersion(ctx, { task: 'expression', epochs: 8, k: 3, activate: false, mirrored: false })
    expect(single.mirrored).toBe(false)
    expect(single.mirroredRows).toBe(0)
    expect(versionByNumber(db(), task.id, single.version)!.metadata.recipe).toMatchObject({
      mirrored: false,
      mirrored_rows: false
    })
  }, 300_000)
})

describe.skipIf(!fs.existsSync(FER))('augment existing faces (real FER+ crops)', () => {
  it('fills the mirrored views of a project imported without them, with a truthful cancel', async () => {
    const kinds = `'expression_mirror', 'age_gender_mirror'`
    const before = new Map(
      (
        db().prepare(`SELECT face_id, kind, vec FROM face_features WHERE kind IN (${kinds})`).all() as Array<{
          face_id: number
          kind: string
          vec: Buffer
        }>
      ).map((r) => [`${r.face_id}:${r.kind}`, r.vec])
    )
    expect(before.size).toBe(2 * FACES)
    const v0Probs = () =>
      new Map(
        (
          db()
            .prepare(
              `SELECT p.face_id, p.probs FROM predictions p JOIN tasks t ON t.id = p.task_id JOIN model_versions v ON v.id = p.version_id
               WHERE t.name = 'expression' AND v.version = 0`
            )
            .all() as Array<{ face_id: number; probs: Buffer }>
        ).map((r) => [r.face_id, r.probs])
      )
    const predictedAtImport = v0Probs()
    // A project imported before mirrored views existed: the rows are not there.
    db().prepare(`DELETE FROM face_features WHERE kind IN (${kinds})`).run()
    expect(await callOk(ctx, 'models.mirrorStatus')).toEqual({ faces: FACES, mirrored: 0 })

    let sent = false
    const off = ctx.on((event, payload) => {
      const job = payload as JobInfo
      if (sent || event !== 'job.updated' || job.kind !== 'augment' || job.status !== 'running') return
      if (job.progress.done < 10) return
      sent = true
      ctx.jobs.cancel(job.id)
    })
    const cancelled = await startAugment(ctx).done
    off()
    expect(cancelled.status).toBe('cancelled')
    const partial = (await callOk<{ mirrored: number }>(ctx, 'models.mirrorStatus')).mirrored
    expect(partial).toBeGreaterThanOrEqual(10)
    expect(partial).toBeLessThan(FACES)
    expect(cancelled.error ?? cancelled.progress.message).toMatch(new RegExp(`for ${partial} of ${FACES} faces`))

    const again = await startAugment(ctx).done
    expect(again.status, again.error ?? '').toBe('done')
    const s = again.result as AugmentSummary
    expect(s).toMatchObject({ faces: FACES, augmented: FACES - partial, already: partial, skipped: 0 })
    expect(s.repredicted).toContain('expression')
    expect(await callOk(ctx, 'models.mirrorStatus')).toEqual({ faces: FACES, mirrored: FACES })
    // The views are those the import computed (same crop from the stored landmarks), and so are v0's predictions.
    const after = db().prepare(`SELECT face_id, kind, vec FROM face_features WHERE kind IN (${kinds})`).all() as Array<{
      face_id: number
      kind: string
      vec: Buffer
    }>
    expect(after).toHaveLength(2 * FACES)
    let worst = 0
    for (const r of after) worst = Math.max(worst, maxAbsDiff(f32(r.vec), f32(before.get(`${r.face_id}:${r.kind}`)!)))
    expect(worst).toBeLessThan(1e-4)
    const predicted = v0Probs()
    let worstP = 0
    for (const [id, probs] of predicted)
      worstP = Math.max(worstP, maxAbsDiff(f32(probs), f32(predictedAtImport.get(id)!)))
    expect(worstP).toBeLessThan(1e-4)
    // Nothing left to do: the CLI computes nothing and changes nothing.
    const cli = cliOk(runCli(tempDir('mirror-cli-home'), ['augment', '--project', ctx.requireProject().dir, '--json']))
    expect(cli).toMatchObject({ faces: FACES, augmented: 0, skipped: 0, already: FACES })
  }, 300_000)
})
