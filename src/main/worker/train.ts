/**
 * Op `train.head`: train → evaluate → save → commit for one task, in the ML worker. Main resolved what to learn
 * from (models/training-set.ts: labels, evaluation set, bias mitigation as ready per-row weights or a penalty).
 *
 * prepare: the rows' stored features; warm start from the active version (v0 = face-api's head; a label the
 *   parent lacks gets a fresh unit); a task without any version starts fresh.
 * train:   trainHead (seeded split, balanced class weights, early stopping), one progress message per
 *   epoch, cancelled through the op's AbortSignal.
 * evaluate: the evaluation rows.
 * save:    files to a temp folder renamed into models/<task>/v<N> (store.ts), then the commit point,
 *   models/version-commits.ts commitTrainedVersion: ONE transaction inserts the model_versions row and (when
 *   activating) switches the active flag and writes every face's predictions. A crash before the commit
 *   leaves at most an unlisted folder; nothing half-done is listed.
 * cancel:  checked before every phase and last right before the commit (a finished save is removed again), so a
 *   cancel that came before the commit point leaves nothing; after it, the op returns and the job is done.
 */
import fs from 'node:fs/promises'
import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/result'
import { getTask, type TaskRow } from '../labels/tasks'
import { allFeatures, featuresOf, type PackedFeatures } from '../library/features'
import type { TaskPredictions } from '../models/predictions'
import { activeVersion, versionById, versionsOf } from '../models/registry'
import { checkTrainable } from '../models/training-set'
import { commitTrainedVersion } from '../models/version-commits'
import { scorePredictions, type VersionMetrics } from '../models/version-metrics'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { trainingSetHash } from '../training/hash'
import { describeFit, mirrorRecipe } from '../training/metadata'
import {
  describeSettings,
  fitHeads,
  type FitOptions,
  type FitResult,
  type ForcedSettings,
  type HeadSettings
} from '../training/fit'
import { applyTemperature } from '../analysis/calibration'
import { activationVerdict, pairedBootstrap, type ActivationVerdict } from '../analysis/bootstrap'
import type { OutOfFold } from '../models/out-of-fold'
import { predictViews } from '../training/predict'
import { expandRows, withMirroredRows } from '../training/mirrored-rows'
import { saveVersion } from '../training/store'
import { withHeadThreads } from '../training/head-threads'
import { headThreadScript } from '../paths'
import { CancelledError, type EpochLog } from '../training/train'
import { cleanupTemp, listVersions } from '../training/version-files'
import { modelsRoot, projectDb } from './db'
import { calibrated, loadTaskVersion, predictionsFromRaw } from './predictor'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

/** Progress messages of train.head, relayed by main as job progress and `training.epoch` events. */
export type TrainProgress =
  | { type: 'stage'; stage: 'prepare' | 'train' | 'evaluate' | 'save' | 'commit'; message: string; epochs: number }
  | { type: 'epoch'; epochs: number; log: EpochLog }

export interface TrainOpResult {
  task: string
  version: number
  versionId: number
  parent: number | null
  train_n: number
  eval_n: number
  metrics: VersionMetrics
  seconds: number
  backend: string
  activated: boolean
  history: EpochLog[]
  stoppedEarly: boolean
  bestEpoch: number
  /** The head settings the search chose (or the user forced). */
  chosen: HeadSettings
  /** The same in words (e.g. "hidden 128, L2 0.01, lr 0.001"). */
  settings: string
  /** Heads in the ensemble. */
  k: number
  /** Temperature fitted on the out-of-fold rows (1 = none). */
  temperature: number
  /** Trained on soft targets: how many rows had a distribution; null = hard labels. */
  softTargets: number | null
  /** Faces whose mirrored view trained as an extra row (0: none stored, or mirrored: false). */
  mirroredRows: number
  /** Predictions average the original and mirrored views (where stored). */
  mirrored: boolean
  /** New vs the version active when training started, on the evaluation set (null without one). */
  verdict: ActivationVerdict | null
}

/** Thrown at a phase boundary when the job was cancelled before the commit point: nothing was written. */
const CANCELLED_MESSAGE = 'Training cancelled; no version was saved.'

export async function trainTaskOp(p: OpParsed<'train.head'>, ctx: OpContext<TrainProgress>): Promise<TrainOpResult> {
  const started = performance.now()
  const { epochs, seed } = p
  const stage = (s: Extract<TrainProgress, { type: 'stage' }>['stage'], message: string): void =>
    ctx.progress({ type: 'stage', stage: s, message, epochs })
  // A cancel is handled between turns, so each await below is a point where it may have arrived; checking
  // before every phase (and last right before the synchronous commit) means a cancel that came before the
  // commit point never ends in a saved or activated version.
  const stopIfCancelled = (): void => {
    if (ctx.signal.aborted) throw new AppError('CANCELLED', CANCELLED_MESSAGE)
  }

  stage('prepare', 'Reading labels and features…')
  await ensureMlReady()
  const backend = currentBackend()?.name ?? 'unknown'
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  // Temp folders of saves that were interrupted (crash, kill) go now; listVersions never counted them.
  await cleanupTemp(modelsRoot(p.projectDir))
  const trainFeat = featuresOf(
    db,
    task.featureKind,
    p.train.map((l) => l.faceId)
  )
  // A face without features (gone since main prepared the rows) drops out together with its mitigation values.
  const rowOf = new Map(p.train.map((l, i) => [l.faceId, i]))
  const kept = trainFeat.faceIds.map((id) => rowOf.get(id) as number)
  const rows = kept.map((i) => p.train[i]!)
  checkTrainable(task, rows)
  const classification = task.kind === 'classification'
  const sampleWeights = p.sampleWeights ? kept.map((i) => p.sampleWeights![i]!) : undefined
  const softTargets = p.softTargets && classification ? kept.map((i) => p.softTargets![i] ?? null) : undefined
  const groupPenalty = p.groupPenalty
    ? { ...p.groupPenalty, groups: kept.map((i) => p.groupPenalty!.groups[i] ?? null) }
    : undefined
  const groupDro = p.groupDro
    ? { eta: p.groupDro.eta, groups: kept.map((i) => p.groupDro!.groups[i] ?? null) }
    : undefined

  const parentRow =
    p.parentId === undefined ? activeVersion(db, task.id) : p.parentId === null ? null : versionById(db, p.parentId)
  stopIfCancelled()
  const parent = parentRow ? await loadTaskVersion(p.projectDir, task, parentRow) : null
  // Mirrored views as extra rows of the same face (train-only, grouped by face id in the folds), unless the
  // caller asked for single-view training; such a version also predicts from the original view alone.
  const mirrored = p.mirrored !== false
  const expanded = withMirroredRows(mirrored ? trainFeat : { data: trainFeat.data, dim: trainFeat.dim })
  const spread = <T>(values: readonly T[]): T[] => expandRows(values, expanded.source)
  const forced: ForcedSettings = {
    ...(p.hidden !== undefined ? { hidden: p.hidden === 0 ? null : p.hidden } : {}),
    ...(p.l2 !== undefined ? { l2: p.l2 } : {}),
    ...(p.learningRate !== undefined ? { learningRate: p.learningRate } : {})
  }
  const options: FitOptions = {
    features: expanded.features,
    labels: classification ? spread(rows.map((r) => r.value)) : spread(rows.map((r) => Number(r.value))),
    ids: spread(rows.map((r) => r.faceId)),
    groupKeys: spread(rows.map((r) => r.faceId)),
    ...(expanded.added > 0 ? { trainOnly: expanded.trainOnly } : {}),
    // Fine-tuning keeps the parent's class priors (balancing them cost 1.5 points on FER+); a fresh head
    // has no priors worth keeping, so rare classes get balanced weights there.
    ...(classification
      ? { labelSet: task.labels, classWeights: parent ? ('none' as const) : ('balanced' as const) }
      : {}),
    kind: classification ? 'classification' : 'regression',
    ...(parent ? { parent: parent.warmStart(), parentLinear: parent.hidden === undefined } : {}),
    ...(Object.keys(forced).length > 0 ? { forced } : {}),
    ...(p.k !== undefined ? { k: p.k } : {}),
    epochs,
    seed,
    ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
    ...(sampleWeights ? { sampleWeights: spread(sampleWeights) } : {}),
    ...(softTargets ? { softTargets: spread(softTargets) } : {}),
    ...(groupPenalty ? { groupPenalty: { ...groupPenalty, groups: spread(groupPenalty.groups) } } : {}),
    ...(groupDro ? { groupDro: { ...groupDro, groups: spread(groupDro.groups) } } : {}),
    signal: ctx.signal,
    onStage: (message) => stage('train', message),
    onEpoch: (log, planned) => ctx.progress({ type: 'epoch', epochs: planned, log })
  }
  // The version the new one must not be worse than, scored on the same evaluation faces before it is released.
  const evalLabels = p.evaluation
  const evalFeat = featuresOf(
    db,
    task.featureKind,
    evalLabels.map((l) => l.faceId)
  )
  const truthOf = new Map(evalLabels.map((l) => [l.faceId, l.value]))
  const evalTruth = evalFeat.faceIds.map((id) => truthOf.get(id)!)
  const parentEval = parent && evalFeat.faceIds.length > 0 ? await parent.predict(evalFeat) : null
  stage('train', `Training on ${rows.length} faces…`)
  let result: FitResult
  try {
    result = await withHeadThreads(headThreadScript(), currentBackend()?.name, (runners) =>
      fitHeads({ ...options, runners })
    )
  } catch (e) {
    if (e instanceof CancelledError) throw new AppError('CANCELLED', CANCELLED_MESSAGE)
    throw e
  } finally {
    parent?.dispose()
  }
  const model = result.model
  try {
    stopIfCancelled()
    stage('evaluate', 'Scoring the evaluation set…')
    const temperature = result.calibration?.temperature ?? 1
    const evalPred = await predictWith(model, task, result.labels, evalFeat, temperature, mirrored)
    const metrics = scorePredictions(task, evalTruth, evalPred)
    // The evaluation set's ECE without the temperature too, so the metadata shows what calibration did there
    // (soft targets make a head underconfident, and the temperature is what corrects it).
    const rawMetrics =
      classification && temperature !== 1 && evalFeat.faceIds.length > 0
        ? scorePredictions(task, evalTruth, await predictWith(model, task, result.labels, evalFeat, 1, mirrored))
        : metrics
    const verdict =
      parentEval && parentRow
        ? activationVerdict(
            pairedBootstrap(rowScores(task, evalTruth, parentEval), rowScores(task, evalTruth, evalPred), { seed }),
            classification ? 'accuracy' : 'mae',
            parentRow.version
          )
        : null
    // 'auto' (the default): activate only a version that is not worse than the active one on the evaluation set.
    const activate = p.activate === 'auto' ? !verdict?.worse : p.activate

    let all: { faceIds: number[]; predictions: TaskPredictions } | null = null
    stopIfCancelled()
    if (activate) {
      stage('save', 'Predicting every face…')
      const f = allFeatures(db, task.featureKind)
      all = { faceIds: f.faceIds, predictions: await predictWith(model, task, result.labels, f, temperature, mirrored) }
    }

    stopIfCancelled()
    stage('save', 'Saving the version…')
    const root = modelsRoot(p.projectDir)
    const onDisk = await listVersions(root, task.name)
    const versionNumber =
      Math.max(0, ...versionsOf(db, task.id).map((v) => v.version), ...onDisk.map((v) => v.version)) + 1
    const metadata = describeFit({
      options,
      result,
      featureKind: task.featureKind,
      parentVersion: parentRow?.version ?? null,
      trainingSetHash: trainingSetHash(rows.map((r) => ({ id: r.faceId, value: r.value }))),
      metrics: {
        evaluation: metrics,
        eval_n: metrics.n,
        train_n: rows.length,
        verdict,
        ...('ece' in rawMetrics ? { evaluation_ece_uncalibrated: rawMetrics.ece } : {})
      },
      mitigation: p.mitigation,
      // Soft targets change only the training loss; the temperature is still fitted on the hard labels of the
      // out-of-fold rows (fit.ts), which is what keeps a soft-trained (underconfident) head calibrated.
      recipe: {
        ...mirrorRecipe(mirrored, expanded.added),
        ...(softTargets ? { soft_targets: true, soft_target_rows: softTargets.filter((d) => d !== null).length } : {})
      }
    })
    // Method, params and grouping task (describeTraining alone omits the grouping task).
    if (p.mitigation)
      metadata.mitigation = result.first.groupWeights
        ? { ...p.mitigation, params: { ...p.mitigation.params, final_group_weights: result.first.groupWeights } }
        : p.mitigation
    const saved = await saveVersion(root, { task: task.name, versionNumber, model, metadata: { ...metadata, backend } })
    stage('commit', `Recording version ${versionNumber}…`)
    if (ctx.signal.aborted) {
      // Saved but not committed: unlisted files the next run would skip a number for; take them back.
      await fs.rm(saved.path, { recursive: true, force: true })
      throw new AppError('CANCELLED', CANCELLED_MESSAGE)
    }
    // The commit point: from here to the return there is no await, so no cancel can land in between.
    const versionId = commitTrainedVersion(
      db,
      task,
      {
        taskId: task.id,
        version: versionNumber,
        parentId: parentRow?.id ?? null,
        path: `models/${task.name}/v${versionNumber}`,
        sha256: saved.sha256,
        metadata: { ...metadata, backend, task: task.name, version: versionNumber }
      },
      all,
      outOfFold(
        task,
        result,
        rows.map((r) => r.faceId),
        temperature
      ),
      rows.map((r) => r.faceId)
    )
    return {
      task: task.name,
      version: versionNumber,
      versionId,
      parent: parentRow?.version ?? null,
      train_n: rows.length,
      eval_n: metrics.n,
      metrics,
      seconds: (performance.now() - started) / 1000,
      backend,
      activated: all !== null,
      verdict,
      history: result.first.history,
      stoppedEarly: result.first.stoppedEarly,
      bestEpoch: result.first.bestEpoch,
      chosen: result.chosen,
      settings: describeSettings(result.chosen),
      k: result.k,
      temperature,
      softTargets: softTargets ? softTargets.filter((d) => d !== null).length : null,
      mirroredRows: expanded.added,
      mirrored
    }
  } finally {
    model.dispose()
  }
}

async function predictWith(
  model: tf.LayersModel,
  task: TaskRow,
  labels: readonly string[],
  f: PackedFeatures,
  temperature: number,
  mirrored: boolean
): Promise<TaskPredictions> {
  const kind = task.kind === 'classification' ? 'classification' : 'regression'
  if (f.faceIds.length === 0) return predictionsFromRaw(task, kind, labels, new Float32Array(0), 0, 0)
  const out = await predictViews(model, mirrored ? f : { data: f.data, dim: f.dim }, kind)
  return calibrated(task, predictionsFromRaw(task, kind, labels, out.values, out.rows, out.width), temperature)
}

/** Per-face score, higher = better: 1 / 0 for a right / wrong label, −|error| for scores. */
function rowScores(task: TaskRow, truth: readonly string[], pred: TaskPredictions): Float64Array {
  if (task.kind === 'classification') return Float64Array.from(truth, (t, i) => (pred.values[i] === t ? 1 : 0))
  return Float64Array.from(truth, (t, i) => -Math.abs(Number(t) - (pred.numbers?.[i] ?? Number(pred.values[i]))))
}

/** Each training face's out-of-fold probabilities (calibrated, over the task's labels) and its fold. */
function outOfFold(task: TaskRow, r: FitResult, faceIds: readonly number[], temperature: number): OutOfFold | null {
  if (task.kind !== 'classification' || r.width === 0) return null
  const w = task.labels.length
  const col = task.labels.map((l) => r.labels.indexOf(l))
  const keep: number[] = []
  for (let i = 0; i < faceIds.length; i++) if (!Number.isNaN(r.oof[i * r.width]!)) keep.push(i)
  const probs = new Float32Array(keep.length * w)
  keep.forEach((i, j) => col.forEach((c, t) => (probs[j * w + t] = c < 0 ? 0 : Math.exp(r.oof[i * r.width + c]!))))
  applyTemperature(probs, w, temperature)
  return { faceIds: keep.map((i) => faceIds[i]!), folds: keep.map((i) => r.fold[i]!), probs }
}
