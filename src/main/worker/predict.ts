/**
 * Worker ops over stored features, no image work:
 * - `predict.task`: re-predict every face (or those without a prediction) with a version and optionally make
 *   it active; the commit point is models/version-commits.ts commitPredictions, one transaction, so the
 *   active flag and the predictions of the active version never disagree.
 * - `models.evaluate`: predictions + metrics of one or more versions on labelled faces main resolved (the
 *   task's evaluation set, or faces from a CSV); writes nothing.
 */
import type { CalibrationSummary, RepredictSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { getTask } from '../labels/tasks'
import { allFeatures, featuresOf, type PackedFeatures } from '../library/features'
import { predictedFaces } from '../models/predictions'
import { resolveVersion } from '../models/registry'
import { commitPredictions } from '../models/version-commits'
import { isClassificationMetrics, scorePredictions, type VersionMetrics } from '../models/version-metrics'
import type { ClassificationMetrics } from '../analysis/prediction-metrics'
import { fitTemperature, MIN_CALIBRATION_ROWS } from '../analysis/calibration'
import { setVersionCalibration, isBuiltinV0 } from '../models/registry'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { applyThresholds, thresholdsForPrediction } from '../fairness/applied-thresholds'
import { projectDb } from './db'
import { calibrated, loadTaskVersion } from './predictor'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

/** What the worker's predict.task returns: an activation job's result. */
export type PredictResult = RepredictSummary

/** The phases of predict.task, as progress: main shows them, tests cancel at them. */
export interface PredictProgress {
  stage: 'load' | 'predict' | 'commit'
  message: string
}

const CANCELLED_MESSAGE = 'Re-prediction cancelled; nothing was changed.'

export async function predictTaskOp(
  p: OpParsed<'predict.task'>,
  ctx: OpContext<PredictProgress>
): Promise<PredictResult> {
  const started = performance.now()
  const { signal } = ctx
  // Checked after every await: a cancel that came before the commit point changes nothing.
  const stopIfCancelled = (): void => {
    if (signal.aborted) throw new AppError('CANCELLED', CANCELLED_MESSAGE)
  }
  ctx.progress({ stage: 'load', message: `Loading version ${p.version}…` })
  await ensureMlReady()
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  const v = resolveVersion(db, task, p.version)
  stopIfCancelled()
  const loaded = await loadTaskVersion(p.projectDir, task, v)
  try {
    let f: PackedFeatures = allFeatures(db, task.featureKind)
    if (p.scope === 'missing') {
      const have = predictedFaces(db, task.id, v.id)
      f = featuresOf(
        db,
        task.featureKind,
        f.faceIds.filter((id) => !have.has(id))
      )
    }
    stopIfCancelled()
    ctx.progress({ stage: 'predict', message: `Predicting ${f.faceIds.length} faces with version ${v.version}…` })
    const t0 = performance.now()
    const pred = await loaded.predict(f)
    const predictSeconds = (performance.now() - t0) / 1000
    ctx.progress({ stage: 'commit', message: `Recording ${f.faceIds.length} predictions…` })
    stopIfCancelled()
    // The commit point: one synchronous transaction, then the reply; no cancel can land in between.
    commitPredictions(db, task, v.id, { faceIds: f.faceIds, predictions: pred }, { activate: p.activate })
    return {
      task: task.name,
      version: v.version,
      faces: f.faceIds.length,
      seconds: (performance.now() - started) / 1000,
      predictSeconds,
      backend: currentBackend()?.name ?? 'unknown'
    }
  } finally {
    loaded.dispose()
  }
}

export interface EvaluatedVersion {
  version: number
  versionId: number
  /** Calibrated (what every screen shows). */
  metrics: VersionMetrics
  /** The temperature applied, and the raw head's calibration before it (null when T = 1 or for scores). */
  temperature: number
  uncalibrated: { ece: number | null; reliability: ClassificationMetrics['reliability'] } | null
  /** Parallel to `faces`. */
  values: string[]
  confidence: Array<number | null>
  /** Row-major faces × labels probabilities, only with withProbs. */
  probs?: number[] | null
}

export interface EvaluateResult {
  task: string
  kind: 'classification' | 'score'
  labels: string[]
  faces: Array<{ faceId: number; truth: string }>
  versions: EvaluatedVersion[]
  backend: string
}

export async function evaluateOp(p: OpParsed<'models.evaluate'>): Promise<EvaluateResult> {
  await ensureMlReady()
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  const truth = p.faces
  const f = featuresOf(
    db,
    task.featureKind,
    truth.map((t) => t.faceId)
  )
  const truthOf = new Map(truth.map((t) => [t.faceId, t.value]))
  const faces = f.faceIds.map((id) => ({ faceId: id, truth: truthOf.get(id)! }))
  const versions: EvaluatedVersion[] = []
  for (const ref of p.versions) {
    const v = resolveVersion(db, task, ref)
    const loaded = await loadTaskVersion(p.projectDir, task, v)
    try {
      const pred = await loaded.predict(f)
      const truthValues = faces.map((x) => x.truth)
      let uncalibrated: EvaluatedVersion['uncalibrated'] = null
      if (loaded.temperature !== 1 && task.kind === 'classification') {
        const raw = scorePredictions(task, truthValues, await loaded.predict(f, { calibrated: false }))
        if (isClassificationMetrics(raw)) uncalibrated = { ece: raw.ece, reliability: raw.reliability }
      }
      versions.push({
        version: v.version,
        versionId: v.id,
        metrics: scorePredictions(task, truthValues, pred),
        temperature: loaded.temperature,
        uncalibrated,
        values: pred.values,
        confidence: pred.confidence,
        ...(p.withProbs ? { probs: pred.probs ? Array.from(pred.probs) : null } : {})
      })
    } finally {
      loaded.dispose()
    }
  }
  return {
    task: task.name,
    kind: task.kind,
    labels: task.labels,
    faces,
    versions,
    backend: currentBackend()?.name ?? 'unknown'
  }
}

export type CalibrateResult = CalibrationSummary

/**
 * Op `models.calibrate`: fits version 0's temperature on the evaluation set (its only labelled faces no
 * version trains on) and records it in v0's row; when v0 is active, every face's v0 prediction is rewritten
 * calibrated in the same transaction, so the queue, threshold and counters agree with the record.
 */
export async function calibrateOp(p: OpParsed<'models.calibrate'>): Promise<CalibrateResult> {
  await ensureMlReady()
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  const v = resolveVersion(db, task, 0)
  const none = {
    task: task.name,
    version: 0,
    calibrated: false,
    temperature: 1,
    n: 0,
    ece_before: null,
    ece_after: null,
    repredicted: 0
  }
  if (task.kind !== 'classification' || !isBuiltinV0(v)) return none
  const f = featuresOf(
    db,
    task.featureKind,
    p.faces.map((x) => x.faceId)
  )
  const truthOf = new Map(p.faces.map((x) => [x.faceId, x.value]))
  const truth = f.faceIds.map((id) => truthOf.get(id)!)
  const loaded = await loadTaskVersion(p.projectDir, task, v)
  try {
    const raw = await loaded.predict(f, { calibrated: false })
    if (!raw.probs) return none
    const w = task.labels.length
    const fit = fitTemperature(
      raw.probs,
      w,
      Int32Array.from(truth, (t) => task.labels.indexOf(t)),
      'probs'
    )
    if (fit.n < MIN_CALIBRATION_ROWS) return { ...none, n: fit.n }
    const before = scorePredictions(task, truth, raw)
    const after = scorePredictions(task, truth, calibrated(task, raw, fit.temperature))
    const record = { ...fit, fitted_on: 'evaluation_set' }
    let repredicted = 0
    if (v.active) {
      const all = allFeatures(db, task.featureKind)
      const pred = calibrated(task, await loaded.predict(all, { calibrated: false }), fit.temperature)
      // The decision step after calibration, as every other prediction of the version takes it.
      const t = thresholdsForPrediction(db, v.id)
      if (t) applyThresholds(pred, all.faceIds, task.labels, t, t.groupOf)
      repredicted = all.faceIds.length
      commitPredictions(db, task, v.id, { faceIds: all.faceIds, predictions: pred }, { activate: false }, () =>
        setVersionCalibration(db, v.id, record)
      )
    } else {
      setVersionCalibration(db, v.id, record)
    }
    return {
      task: task.name,
      version: 0,
      calibrated: true,
      temperature: fit.temperature,
      n: fit.n,
      ece_before: isClassificationMetrics(before) ? before.ece : null,
      ece_after: isClassificationMetrics(after) ? after.ece : null,
      repredicted
    }
  } finally {
    loaded.dispose()
  }
}
