/**
 * Main-process side of training and model versions: submits jobs to the queue, delegates every
 * model computation to an ML worker (train.head, predict.task, models.evaluate), relays per-epoch
 * progress, and answers version/evaluation-set queries from the database.
 *
 * Live training chart: each epoch is (1) emitted as a `training.epoch` event (not throttled), (2) folded
 * into the job's progress (done = epoch, counters = {epoch, loss, val_loss, acc, val_acc}; throttled like
 * every job), and (3) appended to the job's history, which `models.trainingHistory` returns whole — a
 * screen that opens mid-run (or after) fetches the history once, then appends events.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {
  EpochPoint,
  EvaluationSetSummary,
  FlipItem,
  JobKind,
  MetricsInfo,
  MitigationSpec,
  ModelVersionInfo,
  TrainingHistory,
  TrainSummary,
  VersionComparison,
  VersionMetricsInfo
} from '../../shared/domain'
import { NOT_APPLICABLE, UNSURE } from '../../shared/answers'
import { thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import type { AppContext } from '../app/context'
import type { Db } from '../db/open'
import type { JobRunner, SubmittedJob } from '../jobs/queue'
import type { WorkerClient } from '../jobs/worker-client'
import { evaluationMembers, evaluationSetInfo, markEvaluation } from './eval-set'
import { currentTaskLabels, usableLabels } from './labels-source'
import { headline, type VersionMetrics } from './metrics'
import type { EvaluateParams, EvaluateResult, PredictParams, PredictResult } from './predict-op'
import { findTask, isBuiltinV0, resolveVersion, versionDir, versionsOf, type VersionRow } from './registry'
import type { TrainOpResult, TrainParams, TrainProgress } from './train-op'
import { DEFAULT_EPOCHS } from './defaults'

export interface TrainRequest {
  task: string | number
  epochs?: number
  seed?: number
  hidden?: number
  batchSize?: number
  learningRate?: number
  activate?: boolean
  /** fairness (issue 6): bias mitigation passed to the worker's train.head. */
  mitigation?: MitigationSpec | undefined
}

interface HistoryEntry {
  task: string
  totalEpochs: number
  epochs: EpochPoint[]
  result: TrainSummary | null
}

const histories = new WeakMap<AppContext, Map<number, HistoryEntry>>()
/** Finished histories kept per context (the newest); a running job's is always kept. */
const KEEP_HISTORIES = 20

function historyMap(ctx: AppContext): Map<number, HistoryEntry> {
  let m = histories.get(ctx)
  if (!m) histories.set(ctx, (m = new Map()))
  return m
}

const failures = new WeakMap<AppContext, Map<number, AppError>>()

/** Runs a job body, remembering an AppError it throws so callers (the CLI) can report its code, not just its text. */
function remembering<K extends JobKind>(ctx: AppContext, id: () => number, run: JobRunner<K>): JobRunner<K> {
  return async (job) => {
    try {
      return await run(job)
    } catch (e) {
      if (e instanceof AppError) {
        let m = failures.get(ctx)
        if (!m) failures.set(ctx, (m = new Map()))
        m.set(id(), e)
      }
      throw e
    }
  }
}

/** The AppError a failed training / activation job of this session ended with, if it was one. */
export function jobFailure(ctx: AppContext, jobId: number): AppError | null {
  return failures.get(ctx)?.get(jobId) ?? null
}

function oneWorker(ctx: AppContext): WorkerClient {
  const [w] = ctx.workers.acquire(1)
  if (!w) throw new AppError('WORKER_CRASHED', 'No ML worker could be started.')
  return w
}

function epochPoint(log: EpochPoint): EpochPoint {
  const p: EpochPoint = { epoch: log.epoch, loss: log.loss }
  if (log.val_loss !== undefined) p.val_loss = log.val_loss
  if (log.acc !== undefined) p.acc = log.acc
  if (log.val_acc !== undefined) p.val_acc = log.val_acc
  return p
}

export function toSummary(r: TrainOpResult): TrainSummary {
  return {
    task: r.task,
    version: r.version,
    parent: r.parent,
    train_n: r.train_n,
    eval_n: r.eval_n,
    metrics: r.metrics,
    seconds: r.seconds,
    backend: r.backend,
    activated: r.activated,
    stoppedEarly: r.stoppedEarly,
    bestEpoch: r.bestEpoch
  }
}

/** Queues a training job for a task; its result is a TrainSummary. */
export function startTraining(ctx: AppContext, req: TrainRequest): SubmittedJob<'train'> {
  const project = ctx.requireProject()
  const task = findTask(project.db, req.task)
  const totalEpochs = req.epochs ?? DEFAULT_EPOCHS
  const entry: HistoryEntry = { task: task.name, totalEpochs, epochs: [], result: null }
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'train', task: task.name, title: `Train ${task.name}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        const params: TrainParams = {
          projectDir: project.dir,
          task: task.name,
          epochs: totalEpochs,
          ...(req.seed !== undefined ? { seed: req.seed } : {}),
          ...(req.hidden !== undefined ? { hidden: req.hidden } : {}),
          ...(req.batchSize !== undefined ? { batchSize: req.batchSize } : {}),
          ...(req.learningRate !== undefined ? { learningRate: req.learningRate } : {}),
          activate: req.activate ?? true,
          ...(req.mitigation ? { mitigation: req.mitigation } : {})
        }
        job.progress({ done: 0, total: totalEpochs, message: 'Preparing…' })
        const r = await oneWorker(ctx).request<TrainOpResult>('train.head', params, {
          signal: job.signal,
          onProgress: (data) => {
            const m = data as TrainProgress
            if (m.type === 'stage') {
              job.progress({ message: m.message })
              return
            }
            const point = epochPoint(m.log)
            entry.epochs.push(point)
            const counters: Record<string, number> = { epoch: point.epoch, loss: point.loss }
            if (point.val_loss !== undefined) counters.val_loss = point.val_loss
            if (point.acc !== undefined) counters.acc = point.acc
            if (point.val_acc !== undefined) counters.val_acc = point.val_acc
            job.progress({
              done: point.epoch,
              total: m.epochs,
              message: `Epoch ${point.epoch}/${m.epochs} · loss ${point.loss.toFixed(3)}${point.val_loss !== undefined ? ` · val ${point.val_loss.toFixed(3)}` : ''}`,
              counters
            })
            ctx.emit('training.epoch', { jobId, task: task.name, totalEpochs: m.epochs, point })
          }
        })
        entry.result = toSummary(r)
        job.progress({ done: r.history.length, total: r.history.length, message: `Saved version ${r.version}` })
        ctx.emit('data.changed', { what: r.activated ? ['versions', 'faces'] : ['versions'] })
        return entry.result
      }
    )
  )
  jobId = submitted.info.id
  const map = historyMap(ctx)
  map.set(jobId, entry)
  for (const id of [...map.keys()].slice(0, Math.max(0, map.size - KEEP_HISTORIES))) map.delete(id)
  return submitted
}

export function trainingHistory(ctx: AppContext, jobId: number): TrainingHistory {
  const entry = historyMap(ctx).get(jobId)
  const job = ctx.jobs.get(jobId)
  if (!entry || !job) throw new AppError('NOT_FOUND', `No training job ${jobId} in this session.`)
  return {
    jobId,
    task: entry.task,
    status: job.status,
    totalEpochs: entry.totalEpochs,
    epochs: [...entry.epochs],
    result: entry.result
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export function toVersionInfo(task: string, v: VersionRow, all: readonly VersionRow[]): ModelVersionInfo {
  const m = v.metadata
  const metrics = (m.metrics ?? {}) as Record<string, unknown>
  const hyper = (m.hyperparameters ?? {}) as Record<string, unknown>
  const mitigation = m.mitigation as ModelVersionInfo['mitigation'] | undefined
  const parent = v.parentId === null ? null : (all.find((p) => p.id === v.parentId)?.version ?? null)
  return {
    id: v.id,
    task,
    version: v.version,
    parent,
    active: v.active,
    builtin: isBuiltinV0(v),
    createdAt: v.createdAt,
    trainN: num(metrics.train_n),
    evalN: num(metrics.eval_n),
    headline: headline(metrics.evaluation as VersionMetrics | undefined),
    backend: typeof m.backend === 'string' ? m.backend : null,
    mitigation: mitigation ?? null,
    seed: num(m.seed),
    epochsRun: num(hyper.epochsRun),
    durationMs: num(m.duration_ms),
    labels: Array.isArray(m.labels) ? (m.labels as string[]) : []
  }
}

export function listVersionInfos(db: Db, taskName: string | number): ModelVersionInfo[] {
  const task = findTask(db, taskName)
  const all = versionsOf(db, task.id)
  return all.map((v) => toVersionInfo(task.name, v, all))
}

/** Queues a re-prediction job that makes `version` active (rollback included). */
export function startActivation(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): SubmittedJob<'repredict'> {
  const project = ctx.requireProject()
  const task = findTask(project.db, req.task)
  const v = resolveVersion(project.db, task, req.version)
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'repredict', task: task.name, version: v.version, title: `Activate ${task.name} v${v.version}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        job.progress({ done: 0, total: 1, message: `Re-predicting every face with version ${v.version}…` })
        const params: PredictParams = { projectDir: project.dir, task: task.name, version: v.version, activate: true }
        const r = await oneWorker(ctx).request<PredictResult>('predict.task', params, { signal: job.signal })
        job.progress({ done: 1, total: 1, message: `Version ${v.version} active (${r.faces} faces re-predicted)` })
        ctx.emit('data.changed', { what: ['versions', 'faces'] })
        return r
      }
    )
  )
  jobId = submitted.info.id
  return submitted
}

/** After an import, faces new to the project have predictions of version 0 only; this fills in the active ones. */
export async function predictMissing(ctx: AppContext, taskName: string | number): Promise<PredictResult | null> {
  const project = ctx.requireProject()
  const task = findTask(project.db, taskName)
  const v = resolveVersion(project.db, task, 'active')
  if (isBuiltinV0(v)) return null
  const params: PredictParams = {
    projectDir: project.dir,
    task: task.name,
    version: v.version,
    activate: false,
    scope: 'missing'
  }
  return oneWorker(ctx).request<PredictResult>('predict.task', params)
}

export async function evaluate(
  ctx: AppContext,
  req: { task: string | number; versions: Array<number | 'active'>; faces?: Array<{ faceId: number; value: string }> }
): Promise<EvaluateResult> {
  const project = ctx.requireProject()
  const task = findTask(project.db, req.task)
  const params: EvaluateParams = {
    projectDir: project.dir,
    task: task.name,
    versions: req.versions,
    ...(req.faces ? { faces: req.faces } : {})
  }
  return oneWorker(ctx).request<EvaluateResult>('models.evaluate', params)
}

export async function versionMetrics(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): Promise<VersionMetricsInfo> {
  const r = await evaluate(ctx, { task: req.task, versions: [req.version] })
  const v = r.versions[0]
  if (!v) throw new AppError('INTERNAL', 'The evaluation returned no version.')
  return { task: r.task, version: v.version, kind: r.kind, metrics: v.metrics as MetricsInfo, backend: r.backend }
}

export const SCORE_FLIP_THRESHOLD = 5

function headlineDeltas(a: VersionMetrics, b: VersionMetrics): Record<string, number | null> {
  const ha = headline(a) ?? {}
  const hb = headline(b) ?? {}
  const out: Record<string, number | null> = {}
  for (const k of Object.keys(ha)) {
    if (k === 'n') continue
    const x = ha[k]
    const y = hb[k]
    out[k] = x === null || x === undefined || y === null || y === undefined ? null : y - x
  }
  return out
}

export async function compareVersions(
  ctx: AppContext,
  req: { task: string | number; a: number | 'active'; b: number | 'active' }
): Promise<VersionComparison> {
  const r = await evaluate(ctx, { task: req.task, versions: [req.a, req.b] })
  const [va, vb] = r.versions
  if (!va || !vb) throw new AppError('INTERNAL', 'The evaluation returned fewer than two versions.')
  const fixed: FlipItem[] = []
  const broken: FlipItem[] = []
  const changed: FlipItem[] = []
  r.faces.forEach((f, i) => {
    const a = va.values[i]!
    const b = vb.values[i]!
    const item: FlipItem = {
      faceId: f.faceId,
      thumb: thumbRef(f.faceId),
      truth: f.truth,
      a,
      b,
      aConfidence: va.confidence[i] ?? null,
      bConfidence: vb.confidence[i] ?? null
    }
    if (r.kind === 'score') {
      const t = Number(f.truth)
      const ea = Math.abs(Number(a) - t)
      const eb = Math.abs(Number(b) - t)
      if (eb <= ea - SCORE_FLIP_THRESHOLD) fixed.push(item)
      else if (ea <= eb - SCORE_FLIP_THRESHOLD) broken.push(item)
      return
    }
    if (a === b) return
    if (b === f.truth) fixed.push(item)
    else if (a === f.truth) broken.push(item)
    else changed.push(item)
  })
  return {
    task: r.task,
    kind: r.kind,
    n: r.faces.length,
    a: { version: va.version, metrics: va.metrics as MetricsInfo },
    b: { version: vb.version, metrics: vb.metrics as MetricsInfo },
    deltas: headlineDeltas(va.metrics, vb.metrics),
    flips: { fixed, broken, changed },
    scoreFlipThreshold: r.kind === 'score' ? SCORE_FLIP_THRESHOLD : null
  }
}

/**
 * Copies a version's folder (model.json, weights.bin, metadata.json, SHA256SUMS) to `<dir>/<task>-v<N>`,
 * after checking its files against the recorded sha256. Version 0 has no files to export.
 */
export async function exportVersion(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active'; dir: string }
): Promise<{ path: string; files: string[] }> {
  const project = ctx.requireProject()
  const task = findTask(project.db, req.task)
  const v = resolveVersion(project.db, task, req.version)
  if (isBuiltinV0(v) || !v.sha256) {
    throw new AppError(
      'UNSUPPORTED',
      `Version 0 of "${task.name}" is face-api's built-in head; it ships with the app and has no files to export.`
    )
  }
  // store.ts pulls in tfjs; loaded only here, never at main-process start.
  const { verifyVersion, ModelIntegrityError, MODEL_FILES, SUMS_FILE } = await import('../training/store')
  const src = versionDir(project.dir, v)
  let files: Record<string, Buffer>
  try {
    files = await verifyVersion(src, v.sha256)
  } catch (e) {
    if (e instanceof ModelIntegrityError) {
      throw new AppError(
        'MODEL_INTEGRITY',
        `Version ${v.version} of "${task.name}" failed its integrity check (${e.message}); not exported.`
      )
    }
    throw e
  }
  const out = path.join(path.resolve(req.dir), `${task.name}-v${v.version}`)
  if (fs.existsSync(out)) throw new AppError('CONFLICT', `${out} already exists; choose another folder.`)
  const tmp = `${out}.tmp-${process.pid}`
  fs.mkdirSync(tmp, { recursive: true })
  try {
    for (const name of MODEL_FILES) fs.writeFileSync(path.join(tmp, name), files[name]!)
    fs.copyFileSync(path.join(src, SUMS_FILE), path.join(tmp, SUMS_FILE))
    fs.renameSync(tmp, out)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  return { path: out, files: [...MODEL_FILES, SUMS_FILE] }
}

export function evaluationSetSummary(db: Db, taskName: string | number): EvaluationSetSummary {
  const task = findTask(db, taskName)
  const info = evaluationSetInfo(db, task.id)
  const current = currentTaskLabels(db, task.id)
  const labelOf = new Map(current.map((l) => [l.faceId, l.value]))
  const members = evaluationMembers(db, task.id)
  const held = new Set(members)
  // Score tasks have no classes: one row for all their values.
  const perClass = new Map<string, { label: string; train: number; eval: number }>(
    (task.kind === 'classification' ? task.labels : ['all values']).map((l) => [l, { label: l, train: 0, eval: 0 }])
  )
  for (const l of usableLabels(current, task)) {
    const row = perClass.get(task.kind === 'classification' ? l.value : 'all values')
    if (row) row[held.has(l.faceId) ? 'eval' : 'train']++
  }
  const answered = (v: string): number => current.filter((l) => l.value === v).length
  return {
    task: task.name,
    ...info,
    faces: members.map((id) => ({
      faceId: id,
      thumb: thumbRef(id),
      label: labelOf.get(id) ?? null
    })),
    labelled: {
      perClass: [...perClass.values()],
      unsure: answered(UNSURE),
      notApplicable: answered(NOT_APPLICABLE)
    }
  }
}

export function setEvaluationMembership(
  db: Db,
  taskName: string | number,
  faceIds: readonly number[],
  member: boolean
): number {
  const task = findTask(db, taskName)
  const known = new Set(
    db
      .prepare('SELECT id FROM faces WHERE id IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(JSON.stringify(faceIds)) as number[]
  )
  const missing = faceIds.filter((id) => !known.has(id))
  if (missing.length) throw new AppError('NOT_FOUND', `No face with id ${missing.slice(0, 5).join(', ')}.`, 'faceIds')
  return markEvaluation(db, task.id, faceIds, member)
}
