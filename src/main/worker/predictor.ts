/**
 * A task's model version as something that predicts over stored features and can seed a
 * warm start. Version 0 of a built-in task is face-api's own head run exactly as the import ran it
 * (heads.ts, float64 JS), so re-predicting with v0 reproduces the import's predictions bit for bit;
 * trained versions are verified against their sha256 before loading and never loaded otherwise.
 */
import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/result'
import type { TaskRow } from '../labels/tasks'
import type { PackedFeatures } from '../library/features'
import type { TaskPredictions } from '../models/predictions'
import { applyTemperature, temperatureOf } from '../analysis/calibration'
import { applyHead, builtinHeadWeights, type HeadKind, type HeadWeights } from '../ml/heads'
import { ensureMlReady } from '../ml/runtime'
import type { DenseWeights, HeadInit } from '../training/head'
import { readHeadWeights } from '../training/head'
import { predictViews } from '../training/predict'
import { predictsMirrored } from '../training/metadata'
import { loadVersion, type ModelMetadata } from '../training/store'
import { ModelIntegrityError } from '../training/version-files'
import { isBuiltinV0, versionDir, type VersionRow } from '../models/registry'
import { applyThresholds, thresholdsForPrediction } from '../fairness/applied-thresholds'
import { projectDb } from './db'

export interface PredictOptions {
  calibrated?: boolean
  thresholds?: boolean
}

/**
 * The decision step after calibration: per-group thresholds saved on the version (fairness/applied-thresholds.ts),
 * read when the version is loaded so every op of this load sees the same thresholds and groups.
 */
function thresholdStep(
  projectDir: string,
  task: TaskRow,
  v: VersionRow
): (f: PackedFeatures, pred: TaskPredictions) => TaskPredictions {
  if (task.kind !== 'classification') return (_f, pred) => pred
  const t = thresholdsForPrediction(projectDb(projectDir), v.id)
  if (!t) return (_f, pred) => pred
  return (f, pred) => {
    applyThresholds(pred, f.faceIds, task.labels, t, t.groupOf)
    return pred
  }
}

export interface LoadedVersion {
  row: VersionRow
  kind: 'classification' | 'regression'
  /** The version's own output labels, unit order. */
  labels: string[]
  /** Hidden units of the head, if it has a hidden layer. */
  hidden: number | undefined
  /** Temperature its probabilities are calibrated with (1 = none recorded). */
  temperature: number
  /**
   * Its predictions average each face's original and mirrored views where both are stored (every version but
   * one trained with `mirrored: false`).
   */
  mirrored: boolean
  /**
   * Calibrated predictions (what every screen shows), with the version's per-group thresholds applied to faces
   * whose group is known; `{ calibrated: false }` gives the raw head's, `{ thresholds: false }` plain argmax.
   */
  predict(features: PackedFeatures, opts?: PredictOptions): Promise<TaskPredictions>
  /** Weights to warm-start a child from, labelled so new labels get fresh units. */
  warmStart(): HeadInit
  dispose(): void
}

/** face-api's outputs as the task's labels name them. */
const BUILTIN_LABEL_NAMES: Record<string, Record<string, string>> = {
  gender_presentation: { male: 'masculine', female: 'feminine' }
}

function builtinKind(task: TaskRow): HeadKind {
  if (task.featureKind === 'expression') return 'expression'
  if (task.name === 'age') return 'age'
  if (task.name === 'gender_presentation') return 'gender'
  throw new AppError('UNSUPPORTED', `Task "${task.name}" has no built-in head.`)
}

function integrityError(e: ModelIntegrityError, task: TaskRow, v: VersionRow): AppError {
  const which = e.file ? `${e.file} was changed or is missing` : 'its files do not match the recorded checksum'
  return new AppError(
    'MODEL_INTEGRITY',
    `Version ${v.version} of "${task.name}" failed its integrity check (${which}) and was not loaded. Restore the folder ${e.versionPath} from a backup or an export, or activate another version.`
  )
}

export async function loadTaskVersion(projectDir: string, task: TaskRow, v: VersionRow): Promise<LoadedVersion> {
  if (isBuiltinV0(v)) return builtinVersion(task, v, thresholdStep(projectDir, task, v))
  if (!v.sha256)
    throw new AppError(
      'MODEL_INTEGRITY',
      `Version ${v.version} of "${task.name}" has no recorded checksum; it is not loaded.`
    )
  let model: tf.LayersModel
  let metadata: ModelMetadata
  try {
    ;({ model, metadata } = await loadVersion(versionDir(projectDir, v), v.sha256))
  } catch (e) {
    if (e instanceof ModelIntegrityError) throw integrityError(e, task, v)
    throw e
  }
  const kind = metadata.kind
  const labels = metadata.labels
  const weights = readHeadWeights(model)
  const temperature = metadata.calibration?.temperature ?? 1
  const decide = thresholdStep(projectDir, task, v)
  const mirrored = predictsMirrored(metadata.recipe)
  return {
    row: v,
    kind,
    labels,
    hidden: weights.hidden?.kernelShape[1],
    temperature,
    mirrored,
    predict: async (f, opts) => {
      const out = await predictViews(model, mirrored ? f : { data: f.data, dim: f.dim }, kind)
      const pred = predictionsFromRaw(task, kind, labels, out.values, out.rows, out.width)
      if (opts?.calibrated === false) return pred
      const cal = calibrated(task, pred, temperature)
      return opts?.thresholds === false ? cal : decide(f, cal)
    },
    warmStart: () => {
      const w = readHeadWeights(model)
      const output: DenseWeights = { ...w.output, ...(kind === 'classification' ? { labels } : {}) }
      return w.hidden ? { hidden: w.hidden, output } : { output }
    },
    dispose: () => model.dispose()
  }
}

async function builtinVersion(
  task: TaskRow,
  v: VersionRow,
  decide: (f: PackedFeatures, pred: TaskPredictions) => TaskPredictions
): Promise<LoadedVersion> {
  await ensureMlReady()
  const kind = builtinKind(task)
  const head: HeadWeights = builtinHeadWeights(kind)
  const rename = BUILTIN_LABEL_NAMES[task.name] ?? {}
  const labels = head.labels.map((l) => rename[l] ?? l)
  const regression = head.activation === 'linear'
  // v0's temperature lives in its database row (it has no folder); fitted on the evaluation set (models.calibrate).
  const temperature = regression ? 1 : temperatureOf(v.metadata)
  return {
    row: v,
    kind: regression ? 'regression' : 'classification',
    labels: regression ? [] : labels,
    hidden: undefined,
    temperature,
    mirrored: true,
    predict: async (f, opts) => {
      const pred = builtinPredict(task, kind, head, labels, f)
      if (opts?.calibrated === false) return pred
      const cal = calibrated(task, pred, temperature)
      return opts?.thresholds === false ? cal : decide(f, cal)
    },
    warmStart: () => ({
      kernel: head.kernel,
      kernelShape: head.kernelShape,
      bias: head.bias,
      ...(regression ? {} : { labels })
    }),
    dispose: () => undefined
  }
}

/** A built-in head's output for row i: the mean over the face's views where it has a mirrored one. */
function headOutput(f: PackedFeatures, i: number, head: HeadWeights): number[] {
  const p = applyHead(f.data.subarray(i * f.dim, (i + 1) * f.dim), head)
  if (!f.mirror?.has[i]) return p
  const q = applyHead(f.mirror.data.subarray(i * f.dim, (i + 1) * f.dim), head)
  return p.map((v, k) => (v + q[k]!) / 2)
}

/**
 * The built-in heads as analyze.ts runs them (float64 JS), averaged over the original and mirrored views where
 * the face has both; the import stores exactly these, so re-predicting with v0 reproduces it.
 */
function builtinPredict(
  task: TaskRow,
  kind: HeadKind,
  head: HeadWeights,
  labels: string[],
  f: PackedFeatures
): TaskPredictions {
  const n = f.faceIds.length
  const values: string[] = new Array(n)
  const confidence: Array<number | null> = new Array(n)
  if (kind === 'age') {
    const numbers = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const age = headOutput(f, i, head)[0]!
      numbers[i] = age
      values[i] = age.toFixed(1)
      confidence[i] = null
    }
    return { values, numbers, confidence, probs: null }
  }
  const width = task.labels.length
  const probs = new Float32Array(n * width)
  const col = task.labels.map((l) => labels.indexOf(l))
  for (let i = 0; i < n; i++) {
    const p = headOutput(f, i, head)
    if (kind === 'gender') {
      // face-api order [male, female]; analyze.ts: male only when strictly more likely.
      const male = p[0]!
      const female = p[1]!
      const isMale = male > female
      const conf = isMale ? male : female
      const pFem = isMale ? 1 - conf : conf
      values[i] = isMale ? rename('male') : rename('female')
      confidence[i] = conf
      task.labels.forEach((l, j) => {
        probs[i * width + j] = l === 'feminine' ? pFem : l === 'masculine' ? 1 - pFem : 0
      })
    } else {
      let best = 0
      for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k
      values[i] = labels[best]!
      confidence[i] = p[best]!
      col.forEach((c, j) => (probs[i * width + j] = c < 0 ? 0 : p[c]!))
    }
  }
  return { values, numbers: null, confidence, probs }
  function rename(l: string): string {
    return (BUILTIN_LABEL_NAMES[task.name] ?? {})[l] ?? l
  }
}

export function predictionsFromRaw(
  task: TaskRow,
  kind: 'classification' | 'regression',
  labels: readonly string[],
  raw: Float32Array,
  rows: number,
  width: number
): TaskPredictions {
  const values: string[] = new Array(rows)
  const confidence: Array<number | null> = new Array(rows)
  if (kind === 'regression') {
    const numbers = new Float64Array(rows)
    for (let i = 0; i < rows; i++) {
      numbers[i] = raw[i]!
      values[i] = raw[i]!.toFixed(1)
      confidence[i] = null
    }
    return { values, numbers, confidence, probs: null }
  }
  const tw = task.labels.length
  const col = task.labels.map((l) => labels.indexOf(l))
  const probs = new Float32Array(rows * tw)
  for (let i = 0; i < rows; i++) {
    let best = 0
    for (let k = 1; k < width; k++) if (raw[i * width + k]! > raw[i * width + best]!) best = k
    values[i] = labels[best]!
    confidence[i] = raw[i * width + best]!
    col.forEach((c, j) => (probs[i * tw + j] = c < 0 ? 0 : raw[i * width + c]!))
  }
  return { values, numbers: null, confidence, probs }
}

/**
 * Predictions with their probabilities rescaled by temperature T (analysis/calibration.ts). The predicted label
 * never changes (T keeps the order of the probabilities); its confidence becomes the calibrated probability.
 */
export function calibrated(task: TaskRow, pred: TaskPredictions, temperature: number): TaskPredictions {
  if (temperature === 1 || !pred.probs) return pred
  const probs = Float32Array.from(pred.probs)
  const w = task.labels.length
  applyTemperature(probs, w, temperature)
  const confidence = pred.values.map((value, i) => {
    const c = task.labels.indexOf(value)
    return c < 0 ? (pred.confidence[i] ?? null) : probs[i * w + c]!
  })
  return { ...pred, probs, confidence }
}
