/**
 * Worker op `train.head`: prepare → train → evaluate → save for one task, entirely in the ML worker.
 *
 * prepare: current labels (unsure / not applicable / skipped and evaluation-set faces left out) and
 *   their stored features; warm start from the active version (v0 = face-api's head; a label the
 *   parent lacks gets a fresh unit); a task without any version starts fresh.
 * train:   trainHead (seeded split, balanced class weights, early stopping), one progress message per
 *   epoch, cancelled through the op's AbortSignal.
 * evaluate: the task's evaluation set.
 * save:    files to a temp folder renamed into models/<task>/v<N> (store.ts), then ONE transaction inserts
 *   the model_versions row and (when activating) switches the active flag and writes every face's
 *   predictions. A crash before the commit leaves at most an unlisted folder; nothing half-done is listed.
 */
import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/result'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import type { OpContext } from '../jobs/worker-runtime'
import { trainingSetHash } from '../training/hash'
import { describeTraining } from '../training/metadata'
import { predictRaw } from '../training/predict'
import { saveVersion } from '../training/store'
import { cleanupTemp, listVersions } from '../training/version-files'
import { CancelledError, trainHead, type EpochLog, type TrainOptions } from '../training/train'
import { evaluationMembers, syncEvaluationSet } from './eval-set'
import { allFeatures, featuresOf } from './features-db'
import { currentTaskLabels, usableLabels } from '../labels/ground-truth'
import { scorePredictions, type VersionMetrics } from './version-metrics'
import { loadTaskVersion, predictionsFromRaw, writePredictions, type TaskPredictions } from './predictor'
import { activeVersion, versionById, versionsOf } from './registry'
import { getTask, type TaskRow } from '../labels/tasks'
import { modelsRoot, workerProjectDb } from './worker-db'
import { DEFAULT_EPOCHS, DEFAULT_SEED, FINE_TUNE_LEARNING_RATE, FRESH_LEARNING_RATE, MIN_TRAIN_ROWS } from './defaults'
// fairness (issue 6): bias mitigation hook.
import type { MitigationSpec } from '../../shared/domain'
import { prepareMitigation } from '../fairness/mitigation'

export interface TrainParams {
  projectDir: string
  task: string
  epochs?: number
  seed?: number
  hidden?: number
  batchSize?: number
  learningRate?: number
  /** Make the new version active (and re-predict every face with it) in the same transaction. Default true. */
  activate?: boolean
  /** fairness (issue 6): reweighting / group penalty; recorded in the version's metadata. */
  mitigation?: MitigationSpec
}

/** Progress messages of train.head, relayed by main as job progress and `training.epoch` events. */
export type TrainProgress =
  | { type: 'stage'; stage: 'prepare' | 'train' | 'evaluate' | 'save'; message: string; epochs: number }
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
}

export async function trainTaskOp(p: TrainParams, ctx: OpContext): Promise<TrainOpResult> {
  const started = performance.now()
  const epochs = p.epochs ?? DEFAULT_EPOCHS
  const seed = p.seed ?? DEFAULT_SEED
  const stage = (s: Extract<TrainProgress, { type: 'stage' }>['stage'], message: string): void =>
    ctx.progress({ type: 'stage', stage: s, message, epochs } satisfies TrainProgress)

  stage('prepare', 'Reading labels and features…')
  await ensureMlReady()
  const backend = currentBackend()?.name ?? 'unknown'
  const db = workerProjectDb(p.projectDir)
  const task = getTask(db, p.task)
  // Temp folders of saves that were interrupted (crash, kill) go now; listVersions never counted them.
  await cleanupTemp(modelsRoot(p.projectDir))
  const labels = currentTaskLabels(db, task.id)
  syncEvaluationSet(db, task, labels)
  const evalIds = new Set(evaluationMembers(db, task.id))
  const usable = usableLabels(labels, task)
  const trainLabels = usable.filter((l) => !evalIds.has(l.faceId))
  const trainFeat = featuresOf(
    db,
    task.featureKind,
    trainLabels.map((l) => l.faceId)
  )
  const byFace = new Map(trainLabels.map((l) => [l.faceId, l]))
  const rows = trainFeat.faceIds.map((id) => byFace.get(id)!)
  if (rows.length < MIN_TRAIN_ROWS) {
    throw new AppError(
      'UNSUPPORTED',
      `Task "${task.name}" has ${rows.length} labelled faces to train on (evaluation-set faces are held out); label at least ${MIN_TRAIN_ROWS}.`
    )
  }
  const classification = task.kind === 'classification'
  if (classification && new Set(rows.map((r) => r.value)).size < 2) {
    throw new AppError(
      'UNSUPPORTED',
      `Task "${task.name}": the training faces carry only one label; label faces of at least two.`
    )
  }

  // fairness (issue 6): sample weights or group penalty from the grouping task's annotations.
  const mitigation = prepareMitigation(db, p.mitigation, rows, task.labels)
  const parentRow = activeVersion(db, task.id)
  const parent = parentRow ? await loadTaskVersion(p.projectDir, task, parentRow) : null
  let result: Awaited<ReturnType<typeof trainHead>>
  const options: TrainOptions = {
    features: { data: trainFeat.data, dim: trainFeat.dim },
    labels: classification ? rows.map((r) => r.value) : rows.map((r) => Number(r.value)),
    ids: rows.map((r) => r.faceId),
    // Fine-tuning keeps the parent's class priors (balancing them cost 1.5 points on FER+); a fresh head
    // has no priors worth keeping, so rare classes get balanced weights there.
    ...(classification
      ? { labelSet: task.labels, classWeights: parent ? ('none' as const) : ('balanced' as const) }
      : {}),
    kind: classification ? 'classification' : 'regression',
    ...(parent ? { init: parent.warmStart() } : {}),
    ...((parent?.hidden ?? (parent ? undefined : p.hidden)) !== undefined
      ? { hidden: (parent?.hidden ?? p.hidden) as number }
      : {}),
    epochs,
    seed,
    ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
    // A warm-started head is already good: at 1e-3 the first epoch overshoots (validation loss is best at
    // epoch 1 and the run stops there), so fine-tuning steps ten times smaller unless the user says otherwise.
    learningRate: p.learningRate ?? (parent ? FINE_TUNE_LEARNING_RATE : FRESH_LEARNING_RATE),
    ...(mitigation.sampleWeights ? { sampleWeights: mitigation.sampleWeights } : {}),
    ...(mitigation.groupPenalty ? { groupPenalty: mitigation.groupPenalty } : {}),
    signal: ctx.signal,
    onEpoch: (log) => ctx.progress({ type: 'epoch', epochs, log } satisfies TrainProgress)
  }
  stage('train', `Training on ${rows.length} faces…`)
  try {
    result = await trainHead(options)
  } catch (e) {
    if (e instanceof CancelledError) throw new AppError('CANCELLED', 'Training cancelled; no version was saved.')
    throw e
  } finally {
    parent?.dispose()
  }
  const model = result.model
  try {
    stage('evaluate', 'Scoring the evaluation set…')
    const evalLabels = usable.filter((l) => evalIds.has(l.faceId))
    const evalFeat = featuresOf(
      db,
      task.featureKind,
      evalLabels.map((l) => l.faceId)
    )
    const truthOf = new Map(evalLabels.map((l) => [l.faceId, l.value]))
    const evalPred = await predictWith(model, task, result.labels, evalFeat)
    const metrics = scorePredictions(
      task,
      evalFeat.faceIds.map((id) => truthOf.get(id)!),
      evalPred
    )

    const activate = p.activate ?? true
    let all: { faceIds: number[]; pred: TaskPredictions } | null = null
    if (activate) {
      stage('save', 'Predicting every face…')
      const f = allFeatures(db, task.featureKind)
      all = { faceIds: f.faceIds, pred: await predictWith(model, task, result.labels, f) }
    }

    stage('save', 'Saving the version…')
    const root = modelsRoot(p.projectDir)
    const onDisk = await listVersions(root, task.name)
    const versionNumber =
      Math.max(0, ...versionsOf(db, task.id).map((v) => v.version), ...onDisk.map((v) => v.version)) + 1
    const metadata = describeTraining({
      options,
      result,
      featureKind: task.featureKind,
      parentVersion: parentRow?.version ?? null,
      trainingSetHash: trainingSetHash(rows.map((r) => ({ id: r.faceId, value: r.value }))),
      metrics: { evaluation: metrics, eval_n: metrics.n, train_n: rows.length }
    })
    // fairness (issue 6): method + params + grouping task (describeTraining alone omits the grouping task).
    if (mitigation.record) metadata.mitigation = mitigation.record
    const saved = await saveVersion(root, { task: task.name, versionNumber, model, metadata: { ...metadata, backend } })
    const rel = `models/${task.name}/v${versionNumber}`
    const commit = db.transaction(() => {
      const id = db
        .prepare(
          `INSERT INTO model_versions (task_id, version, parent_id, path, sha256, metadata, active, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?) RETURNING id`
        )
        .pluck()
        .get(
          task.id,
          versionNumber,
          parentRow?.id ?? null,
          rel,
          saved.sha256,
          JSON.stringify({ ...metadata, backend, task: task.name, version: versionNumber }),
          new Date().toISOString()
        ) as number
      if (all) {
        db.prepare('UPDATE model_versions SET active = 0 WHERE task_id = ? AND active = 1').run(task.id)
        db.prepare('UPDATE model_versions SET active = 1 WHERE id = ?').run(id)
        writePredictions(db, task, versionById(db, id), all.faceIds, all.pred)
      }
      return id
    })
    const versionId = commit()
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
      history: result.history,
      stoppedEarly: result.stoppedEarly,
      bestEpoch: result.bestEpoch
    }
  } finally {
    model.dispose()
  }
}

async function predictWith(
  model: tf.LayersModel,
  task: TaskRow,
  labels: readonly string[],
  f: { faceIds: number[]; data: Float32Array; dim: number }
): Promise<TaskPredictions> {
  const kind = task.kind === 'classification' ? 'classification' : 'regression'
  if (f.faceIds.length === 0) return predictionsFromRaw(task, kind, labels, new Float32Array(0), 0, 0)
  const out = await predictRaw(model, { data: f.data, dim: f.dim }, kind)
  return predictionsFromRaw(task, kind, labels, out.values, out.rows, out.width)
}
