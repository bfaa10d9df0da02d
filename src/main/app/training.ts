/**
 * Training, as main runs it: `trainVersion` resolves what to learn from (models/training-set.ts) and has one ML
 * worker train, save and commit the version (`train.head`); `startTraining` is that as a job with a live chart.
 * Bias mitigation reaches training only as ready per-row values (a `mitigate` function the caller passes, see
 * app/fairness.ts), so training knows nothing of groupings.
 *
 * Live training chart: each epoch is (1) emitted as a `training.epoch` event (not throttled), (2) folded
 * into the job's progress (done = epoch, counters = {epoch, loss, val_loss, acc, val_acc}; throttled like
 * every job), and (3) appended to the job's history, which `models.trainingHistory` returns whole — a
 * screen that opens mid-run (or after) fetches the history once, then appends events.
 */
import type { EpochPoint, JobKind, TrainingHistory, TrainSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { JobRunner, SubmittedJob } from '../jobs/queue'
import { getTask, type TaskRow } from '../labels/tasks'
import { DEFAULT_EPOCHS, DEFAULT_SEED } from '../models/defaults'
import { checkTrainable, trainingSet, type ReadyMitigation, type TrainingSet } from '../models/training-set'
import type { OpProgress, OpResult } from '../worker/protocol'
import { verdictSentence } from '../analysis/bootstrap'
import { softTargetsOf } from '../labels/soft-labels'
import { calibrateBuiltin } from './calibration'
import type { AppContext } from './context'

export interface TrainSpec {
  task: string | number
  epochs?: number | undefined
  seed?: number | undefined
  /** Forced head settings; each fixes that dimension of the capacity search (hidden 0 = linear). */
  hidden?: number | undefined
  l2?: number | undefined
  /** Heads in the ensemble (default 5; 1 = one head). */
  k?: number | undefined
  batchSize?: number | undefined
  learningRate?: number | undefined
  /** Make the new version active (and re-predict every face with it) in the same transaction. Default true. */
  activate?: boolean | 'auto' | undefined
  /** Bias mitigation for this run's training rows (reweighting or a group penalty), resolved when the run starts. */
  mitigate?: ((set: TrainingSet) => ReadyMitigation) | undefined
  /** Fine-tune from this version row instead of the active one; null: a fresh head (see train.head). */
  parentId?: number | null | undefined
  /** Train on soft targets (labels/soft-labels.ts) where a face has votes or several answers; not the default. */
  softTargets?: boolean | undefined
  /** false: original views only, in training and in the version's predictions (default: both views). */
  mirrored?: boolean | undefined
}

export type TrainResult = OpResult<'train.head'>
type StageMessage = Extract<OpProgress<'train.head'>, { type: 'stage' }>
type EpochLog = Extract<OpProgress<'train.head'>, { type: 'epoch' }>['log']

export interface TrainHooks {
  signal?: AbortSignal | undefined
  onStage?: ((m: StageMessage) => void) | undefined
  onEpoch?: ((log: EpochLog, totalEpochs: number) => void) | undefined
}

/** One training run in one worker: prepare (main) → train → evaluate → save → commit (worker). */
export async function trainVersion(ctx: AppContext, spec: TrainSpec, hooks: TrainHooks = {}): Promise<TrainResult> {
  const project = ctx.requireProject()
  const task = getTask(project.db, spec.task)
  const set = trainingSet(project.db, task)
  checkTrainable(task, set.train)
  // The parent the new version is compared with (and the warm start) should be v0 as calibrated as it can be.
  await calibrateBuiltin(ctx, task.name)
  const mitigation = spec.mitigate?.(set) ?? { record: null }
  const softTargets = spec.softTargets
    ? softTargetsOf(
        project.db,
        task,
        set.train.map((l) => l.faceId)
      )
    : null
  return ctx.worker().request(
    'train.head',
    {
      projectDir: project.dir,
      task: task.name,
      train: set.train,
      evaluation: set.evaluation,
      epochs: spec.epochs ?? DEFAULT_EPOCHS,
      seed: spec.seed ?? DEFAULT_SEED,
      ...(spec.hidden !== undefined ? { hidden: spec.hidden } : {}),
      ...(spec.l2 !== undefined ? { l2: spec.l2 } : {}),
      ...(spec.k !== undefined ? { k: spec.k } : {}),
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      ...(spec.learningRate !== undefined ? { learningRate: spec.learningRate } : {}),
      activate: spec.activate ?? 'auto',
      ...(mitigation.sampleWeights ? { sampleWeights: mitigation.sampleWeights } : {}),
      ...(softTargets ? { softTargets } : {}),
      ...(spec.mirrored !== undefined ? { mirrored: spec.mirrored } : {}),
      ...(mitigation.groupPenalty
        ? { groupPenalty: { ...mitigation.groupPenalty, groups: [...mitigation.groupPenalty.groups] } }
        : {}),
      ...(mitigation.groupDro
        ? { groupDro: { eta: mitigation.groupDro.eta, groups: [...mitigation.groupDro.groups] } }
        : {}),
      mitigation: mitigation.record,
      ...(spec.parentId !== undefined ? { parentId: spec.parentId } : {})
    },
    {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onProgress: (m) => {
        if (m.type === 'stage') hooks.onStage?.(m)
        else hooks.onEpoch?.(m.log, m.epochs)
      }
    }
  )
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

/**
 * Runs a job body, remembering an AppError it throws so callers (the CLI) can report its code, not just its
 * text. Every job that trains or re-predicts (training, activation, sweeps) goes through it.
 */
export function remembering<K extends JobKind>(ctx: AppContext, id: () => number, run: JobRunner<K>): JobRunner<K> {
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

/** The AppError a failed training / activation / sweep job of this session ended with, if it was one. */
export function jobFailure(ctx: AppContext, jobId: number): AppError | null {
  return failures.get(ctx)?.get(jobId) ?? null
}

function epochPoint(log: EpochPoint): EpochPoint {
  const p: EpochPoint = { epoch: log.epoch, loss: log.loss }
  if (log.head !== undefined) p.head = log.head
  if (log.val_loss !== undefined) p.val_loss = log.val_loss
  if (log.acc !== undefined) p.acc = log.acc
  if (log.val_acc !== undefined) p.val_acc = log.val_acc
  return p
}

export function toSummary(r: TrainResult): TrainSummary {
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
    verdict: r.verdict ? { ...r.verdict, sentence: verdictSentence(r.version, r.verdict) } : null,
    stoppedEarly: r.stoppedEarly,
    bestEpoch: r.bestEpoch,
    recipe: {
      settings: r.settings,
      hidden: r.chosen.hidden,
      l2: r.chosen.l2,
      learningRate: r.chosen.learningRate,
      k: r.k,
      temperature: r.temperature,
      softTargets: r.softTargets,
      mirrored: r.mirrored,
      mirroredRows: r.mirroredRows
    }
  }
}

/** Queues a training job for a task; its result is a TrainSummary. */
export function startTraining(ctx: AppContext, spec: TrainSpec): SubmittedJob<'train'> {
  const project = ctx.requireProject()
  const task: TaskRow = getTask(project.db, spec.task)
  const totalEpochs = spec.epochs ?? DEFAULT_EPOCHS
  const entry: HistoryEntry = { task: task.name, totalEpochs, epochs: [], result: null }
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'train', task: task.name, title: `Train ${task.name}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        job.progress({ done: 0, total: totalEpochs, message: 'Preparing…' })
        const r = await trainVersion(
          ctx,
          { ...spec, task: task.name, epochs: totalEpochs },
          {
            signal: job.signal,
            onStage: (m) => job.progress({ message: m.message }),
            onEpoch: (log, epochs) => {
              const point = epochPoint(log)
              entry.epochs.push(point)
              const counters: Record<string, number> = { epoch: point.epoch, loss: point.loss }
              if (point.val_loss !== undefined) counters.val_loss = point.val_loss
              if (point.acc !== undefined) counters.acc = point.acc
              if (point.val_acc !== undefined) counters.val_acc = point.val_acc
              job.progress({
                done: point.epoch,
                total: epochs,
                message: `Epoch ${point.epoch}/${epochs} · loss ${point.loss.toFixed(3)}${point.val_loss !== undefined ? ` · val ${point.val_loss.toFixed(3)}` : ''}`,
                counters
              })
              ctx.emit('training.epoch', { jobId, task: task.name, totalEpochs: epochs, point })
            }
          }
        )
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
