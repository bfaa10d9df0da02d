/**
 * Worker ops over stored features, no image work:
 * - `predict.task`: re-predict every face (or those without a prediction) with a version and optionally make
 *   it active; the commit point is models/version-commits.ts commitPredictions, one transaction, so the
 *   active flag and the predictions of the active version never disagree.
 * - `models.evaluate`: predictions + metrics of one or more versions on labelled faces main resolved (the
 *   task's evaluation set, or faces from a CSV); writes nothing.
 */
import type { RepredictSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { getTask } from '../labels/tasks'
import { allFeatures, featuresOf, type PackedFeatures } from '../library/features'
import { predictedFaces } from '../models/predictions'
import { resolveVersion } from '../models/registry'
import { commitPredictions } from '../models/version-commits'
import { scorePredictions, type VersionMetrics } from '../models/version-metrics'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { projectDb } from './db'
import { loadTaskVersion } from './predictor'
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
  metrics: VersionMetrics
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
      versions.push({
        version: v.version,
        versionId: v.id,
        metrics: scorePredictions(
          task,
          faces.map((x) => x.truth),
          pred
        ),
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
