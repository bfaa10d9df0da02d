/**
 * Worker side: a task's model version as something that predicts over stored features and can seed a
 * warm start. Version 0 of a built-in task is face-api's own head run exactly as the import ran it
 * (heads.ts, float64 JS), so re-predicting with v0 reproduces the import's predictions bit for bit;
 * trained versions are verified against their sha256 before loading and never loaded otherwise.
 */
import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { applyHead, builtinHeadWeights, type HeadKind, type HeadWeights } from '../ml/heads'
import { ensureMlReady } from '../ml/runtime'
import type { DenseWeights, HeadInit } from '../training/head'
import { readHeadWeights } from '../training/head'
import { predictRaw } from '../training/predict'
import { loadVersion, type ModelMetadata } from '../training/store'
import { ModelIntegrityError } from '../training/version-files'
import type { PackedFeatures } from './features-db'
import { isBuiltinV0, versionDir, type VersionRow } from './registry'
import { type TaskRow } from '../labels/tasks'

/** Predictions for N faces, expressed over the task's current label order. */
export interface TaskPredictions {
  /** The stored value: a label, or a number as text for score tasks (one decimal, as import writes it). */
  values: string[]
  /** Numeric outputs for score tasks. */
  numbers: Float64Array | null
  /** Probability of the predicted label; null for score tasks. */
  confidence: Array<number | null>
  /** Row-major N × task.labels.length probabilities (0 for labels the version does not know); null for score tasks. */
  probs: Float32Array | null
}

export interface LoadedVersion {
  row: VersionRow
  kind: 'classification' | 'regression'
  /** The version's own output labels, unit order. */
  labels: string[]
  /** Hidden units of the head, if it has a hidden layer. */
  hidden: number | undefined
  predict(features: PackedFeatures): Promise<TaskPredictions>
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
  if (isBuiltinV0(v)) return builtinVersion(task, v)
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
  return {
    row: v,
    kind,
    labels,
    hidden: weights.hidden?.kernelShape[1],
    predict: async (f) => {
      const out = await predictRaw(model, { data: f.data, dim: f.dim }, kind)
      return predictionsFromRaw(task, kind, labels, out.values, out.rows, out.width)
    },
    warmStart: () => {
      const w = readHeadWeights(model)
      const output: DenseWeights = { ...w.output, ...(kind === 'classification' ? { labels } : {}) }
      return w.hidden ? { hidden: w.hidden, output } : { output }
    },
    dispose: () => model.dispose()
  }
}

async function builtinVersion(task: TaskRow, v: VersionRow): Promise<LoadedVersion> {
  await ensureMlReady()
  const kind = builtinKind(task)
  const head: HeadWeights = builtinHeadWeights(kind)
  const rename = BUILTIN_LABEL_NAMES[task.name] ?? {}
  const labels = head.labels.map((l) => rename[l] ?? l)
  const regression = head.activation === 'linear'
  return {
    row: v,
    kind: regression ? 'regression' : 'classification',
    labels: regression ? [] : labels,
    hidden: undefined,
    predict: async (f) => builtinPredict(task, kind, head, labels, f),
    warmStart: () => ({
      kernel: head.kernel,
      kernelShape: head.kernelShape,
      bias: head.bias,
      ...(regression ? {} : { labels })
    }),
    dispose: () => undefined
  }
}

/** Exactly analyze.ts's arithmetic and import-file.ts's encoding, so v0 re-predictions match the import. */
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
      const age = applyHead(f.data.subarray(i * f.dim, (i + 1) * f.dim), head)[0]!
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
    const p = applyHead(f.data.subarray(i * f.dim, (i + 1) * f.dim), head)
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

/** Writes a version's predictions for these faces, replacing earlier ones of the same version. */
export function writePredictions(
  db: Db,
  task: TaskRow,
  v: VersionRow,
  faceIds: readonly number[],
  p: TaskPredictions
): void {
  const ins = db.prepare(
    `INSERT INTO predictions (face_id, task_id, version_id, value, confidence, probs) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(face_id, task_id, version_id) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, probs = excluded.probs`
  )
  const w = task.labels.length
  faceIds.forEach((id, i) => {
    const probs = p.probs ? Buffer.from(p.probs.buffer, p.probs.byteOffset + i * w * 4, w * 4) : null
    ins.run(id, task.id, v.id, p.values[i]!, p.confidence[i] ?? null, probs)
  })
}
