/**
 * Truthful cancel of training and activation (issue 9): a cancel at any phase boundary before the commit point leaves no
 * version listed, no files, the active version and its predictions unchanged, and the op says cancelled; a run
 * that reached its commit point has saved its version, and its job says done even when a cancel came after.
 *
 * The op runs in-process with a signal aborted from its own progress messages, so each cancel lands exactly at
 * the phase it names (no sleeps). Features are synthetic 128-d vectors, two separable classes: what is under
 * test is what gets committed, not what is learned.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { annotate } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { LATE_CANCEL_MESSAGE } from '../jobs/queue'
import { createProject, closeProject, type Project } from '../project/project'
import { startSweep } from '../app/sweep'
import { startTraining } from '../app/training'
import { insertCropFaces, tempDir, testContext } from '../../test/support'
import { workerOps } from './protocol'
import { predictTaskOp, type PredictProgress } from './predict'
import { trainTaskOp, type TrainProgress } from './train'

const N = 40
const DIM = 128

/** A project with N crop faces, identity features of two separable classes, and labels for all of them. */
function trainableProject(): { project: Project; labels: Array<{ faceId: number; value: string }> } {
  const project = createProject(path.join(tempDir('train-cancel'), 'p'))
  const { db } = project
  insertCropFaces(db, N)
  createTask(db, { name: 'smile', kind: 'classification', labels: ['no', 'yes'], featureKind: 'identity' })
  const ins = db.prepare(`INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, 'identity', ?, ?)`)
  const labels: Array<{ faceId: number; value: string }> = []
  for (let id = 1; id <= N; id++) {
    const value = id % 2 === 0 ? 'yes' : 'no'
    const v = new Float32Array(DIM)
    for (let k = 0; k < DIM; k++) v[k] = Math.sin(id * 7.1 + k) * 0.1 + (value === 'yes' ? 0.5 : -0.5) * (k < 8 ? 1 : 0)
    ins.run(id, DIM, Buffer.from(v.buffer))
    labels.push({ faceId: id, value })
  }
  return { project, labels }
}

interface State {
  versions: Array<{ version: number; active: number }>
  predictions: number
  folders: string[]
}

function stateOf(project: Project): State {
  const { db } = project
  const versions = db
    .prepare(
      `SELECT v.version, v.active FROM model_versions v JOIN tasks t ON t.id = v.task_id WHERE t.name = 'smile'
       ORDER BY v.version`
    )
    .all() as State['versions']
  const predictions = db
    .prepare(`SELECT COUNT(*) FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE t.name = 'smile'`)
    .pluck()
    .get() as number
  const models = path.join(project.dir, 'models')
  // Version folders and save temp folders, wherever they sit under models/.
  const folders = fs.existsSync(models) ? fs.readdirSync(models, { recursive: true, encoding: 'utf8' }) : []
  return { versions, predictions, folders: folders.filter((f) => /(^|[\\/])v\d+$|\.tmp-/.test(f)).sort() }
}

type StageMsg = Extract<TrainProgress, { type: 'stage' }>
/** Where to cancel: the first progress message matching it. */
type CancelAt = { stage: StageMsg['stage']; message?: RegExp } | { epoch: number }

function matches(at: CancelAt, m: TrainProgress): boolean {
  if ('epoch' in at) return m.type === 'epoch' && m.log.epoch === at.epoch
  return m.type === 'stage' && m.stage === at.stage && (!at.message || at.message.test(m.message))
}

async function runOp(
  project: Project,
  labels: Array<{ faceId: number; value: string }>,
  activate: boolean,
  at: CancelAt | null
): Promise<{ ok: true; version: number } | { ok: false; error: unknown }> {
  const controller = new AbortController()
  const params = workerOps['train.head'].params.parse({
    projectDir: project.dir,
    task: 'smile',
    train: labels.slice(0, 30),
    evaluation: labels.slice(30),
    epochs: 4,
    seed: 1,
    hidden: 8,
    activate,
    mitigation: null
  })
  try {
    const r = await trainTaskOp(params, {
      signal: controller.signal,
      progress: (m) => {
        if (at && matches(at, m)) controller.abort()
      }
    })
    return { ok: true, version: r.version }
  } catch (error) {
    return { ok: false, error }
  }
}

const phases: Array<{ name: string; at: CancelAt }> = [
  { name: 'while preparing', at: { stage: 'prepare' } },
  { name: 'as training starts', at: { stage: 'train' } },
  { name: 'after the first epoch', at: { epoch: 1 } },
  { name: 'while evaluating', at: { stage: 'evaluate' } },
  { name: 'while predicting every face (activating)', at: { stage: 'save', message: /Predicting/ } },
  { name: 'while saving the files', at: { stage: 'save', message: /Saving/ } },
  { name: 'after saving, before the commit', at: { stage: 'commit' } }
]

describe('train.head cancelled at each phase', () => {
  const { project, labels } = trainableProject()
  afterAll(() => closeProject(project))

  it('commits a version when nothing cancels it (the baseline the cancels are measured against)', async () => {
    const r = await runOp(project, labels, true, null)
    expect(r).toMatchObject({ ok: true, version: 1 })
    const s = stateOf(project)
    expect(s.versions).toEqual([{ version: 1, active: 1 }])
    expect(s.predictions).toBe(N)
    expect(s.folders).toEqual([path.join('smile', 'v1')])
  })

  for (const activate of [true, false]) {
    for (const { name, at } of phases) {
      if (!activate && 'message' in at && at.message?.test('Predicting')) continue
      it(`${name}${activate ? ', activating' : ''}: nothing is committed and the op says cancelled`, async () => {
        const before = stateOf(project)
        const r = await runOp(project, labels, activate, at)
        expect(r.ok).toBe(false)
        if (r.ok) return
        expect(r.error).toBeInstanceOf(AppError)
        expect(r.error).toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/no version was saved/) })
        // Versions listed, the active one, predictions and files on disk are exactly as before.
        expect(stateOf(project)).toEqual(before)
      })
    }
  }

  it('numbers the next version right after the last committed one (a cancelled save left no gap)', async () => {
    const r = await runOp(project, labels, false, null)
    expect(r).toMatchObject({ ok: true, version: 2 })
    expect(stateOf(project).versions).toEqual([
      { version: 1, active: 1 },
      { version: 2, active: 0 }
    ])
  })
})

/** Predictions stored per version of the task, e.g. {1: 40}; with the active version. */
function predictionsByVersion(project: Project): { active: number | null; counts: Record<number, number> } {
  const rows = project.db
    .prepare(
      `SELECT v.version, COUNT(p.face_id) AS n FROM model_versions v JOIN tasks t ON t.id = v.task_id
       LEFT JOIN predictions p ON p.version_id = v.id WHERE t.name = 'smile' GROUP BY v.id ORDER BY v.version`
    )
    .all() as Array<{ version: number; n: number }>
  const active = project.db
    .prepare(
      `SELECT v.version FROM model_versions v JOIN tasks t ON t.id = v.task_id WHERE t.name = 'smile' AND v.active = 1`
    )
    .pluck()
    .get() as number | undefined
  return { active: active ?? null, counts: Object.fromEntries(rows.map((r) => [r.version, r.n])) }
}

describe('predict.task (activation) cancelled at each phase', () => {
  const { project, labels } = trainableProject()
  afterAll(() => closeProject(project))

  const activate = async (
    version: number,
    at: PredictProgress['stage'] | null
  ): Promise<{ ok: true } | { ok: false; error: unknown }> => {
    const controller = new AbortController()
    const params = workerOps['predict.task'].params.parse({
      projectDir: project.dir,
      task: 'smile',
      version,
      activate: true
    })
    try {
      await predictTaskOp(params, {
        signal: controller.signal,
        progress: (m) => {
          if (m.stage === at) controller.abort()
        }
      })
      return { ok: true }
    } catch (error) {
      return { ok: false, error }
    }
  }

  it('leaves the active version and its predictions as they were when cancelled before the commit', async () => {
    expect(await runOp(project, labels, true, null)).toMatchObject({ ok: true, version: 1 })
    expect(await runOp(project, labels, false, null)).toMatchObject({ ok: true, version: 2 })
    const before = predictionsByVersion(project)
    expect(before).toEqual({ active: 1, counts: { 1: N, 2: 0 } })
    for (const at of ['load', 'predict', 'commit'] as const) {
      const r = await activate(2, at)
      expect(r, at).toMatchObject({ ok: false, error: { code: 'CANCELLED' } })
      expect(predictionsByVersion(project), at).toEqual(before)
    }
    expect(await activate(2, null)).toEqual({ ok: true })
    expect(predictionsByVersion(project)).toEqual({ active: 2, counts: { 1: N, 2: N } })
  })
})

describe('training jobs through the queue and a real worker', () => {
  it('a cancel that lands after the commit point reports done (version listed and active); one at the first epoch reports cancelled with nothing saved', async () => {
    const ctx = testContext()
    try {
      const { project: seeded, labels } = trainableProject()
      const dir = seeded.dir
      annotate(seeded.db, {
        task: 'smile',
        annotator: 'test',
        items: labels.map((l) => ({ target: 'face', id: l.faceId, value: l.value, source: 'import' }))
      })
      closeProject(seeded)
      ctx.openProject(dir)
      const project = ctx.requireProject()

      // Late: cancelled from the data.changed event the job emits once its worker has committed and replied.
      let late: JobInfo | null = null
      const off = ctx.on((event) => {
        if (event === 'data.changed' && late === null) {
          const running = ctx.jobs.list().find((j) => j.status === 'running')
          if (running) {
            ctx.jobs.cancel(running.id)
            late = running
          }
        }
      })
      const a = startTraining(ctx, { task: 'smile', epochs: 3, seed: 1, hidden: 8 })
      const doneA = await a.done
      off()
      expect(doneA.error).toBeNull()
      expect(late).not.toBeNull()
      expect(doneA.status).toBe('done')
      expect(doneA.progress.message).toBe(LATE_CANCEL_MESSAGE)
      expect(stateOf(project).versions).toEqual([{ version: 1, active: 1 }])
      expect(stateOf(project).predictions).toBe(N)

      // Early: cancelled on the first epoch event; the worker stops before its commit point.
      const offEpoch = ctx.on((event, payload) => {
        if (event === 'training.epoch') ctx.jobs.cancel((payload as { jobId: number }).jobId)
      })
      const before = stateOf(project)
      const b = startTraining(ctx, { task: 'smile', epochs: 200, seed: 2, hidden: 8 })
      const doneB = await b.done
      offEpoch()
      // The cancel is sent at epoch 1 of 200; whichever way it went, job state and project state agree.
      if (doneB.status === 'cancelled') {
        expect(doneB.progress.message).toMatch(/no version was saved/)
        expect(stateOf(project)).toEqual(before)
      } else {
        expect(doneB.status).toBe('done')
        expect(doneB.progress.message).toBe(LATE_CANCEL_MESSAGE)
        expect(stateOf(project).versions.at(-1)).toEqual({ version: 2, active: 1 })
      }
      expect(doneB.status).toBe('cancelled')
    } finally {
      await ctx.dispose()
    }
  })
})

describe('a sweep through the queue and a real worker', () => {
  it('cancelled after its first point: says cancelled, names the version it kept (inactive), activates nothing', async () => {
    const ctx = testContext()
    try {
      const { project: seeded, labels } = trainableProject()
      const dir = seeded.dir
      createTask(seeded.db, { name: 'site', kind: 'classification', labels: ['a', 'b'], featureKind: 'identity' })
      annotate(seeded.db, {
        task: 'smile',
        annotator: 'test',
        items: labels.map((l) => ({ target: 'face', id: l.faceId, value: l.value, source: 'import' }))
      })
      annotate(seeded.db, {
        task: 'site',
        annotator: 'test',
        items: labels.map((l) => ({
          target: 'face',
          id: l.faceId,
          value: l.faceId % 3 === 0 ? 'a' : 'b',
          source: 'import'
        }))
      })
      closeProject(seeded)
      ctx.openProject(dir)
      const project = ctx.requireProject()
      expect((await startTraining(ctx, { task: 'smile', epochs: 2, seed: 1, hidden: 8 }).done).status).toBe('done')
      const before = stateOf(project)
      expect(before.versions).toEqual([{ version: 1, active: 1 }])

      // Cancelled from the data.changed event the sweep emits once its first point's version is committed.
      let cancelled = false
      const off = ctx.on((event) => {
        if (event !== 'data.changed' || cancelled) return
        const running = ctx.jobs.list().find((j) => j.status === 'running' && j.kind === 'sweep')
        if (running) cancelled = ctx.jobs.cancel(running.id)
      })
      const job = await startSweep(ctx, {
        task: 'smile',
        mitigation: 'reweight',
        groupTask: 'site',
        values: [0.25, 0.5, 1],
        epochs: 2,
        seed: 1
      }).done
      off()
      expect(cancelled).toBe(true)
      expect(job.status).toBe('cancelled')
      expect(job.result).toBeNull()
      expect(job.progress.message).toBe(
        'Sweep cancelled after 1 of 3 values; version v2 trained before it is kept (inactive). Nothing was picked or activated.'
      )
      const after = stateOf(project)
      expect(after.versions).toEqual([
        { version: 1, active: 1 },
        { version: 2, active: 0 }
      ])
      expect(after.predictions).toBe(before.predictions)
    } finally {
      await ctx.dispose()
    }
  })
})
