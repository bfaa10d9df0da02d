/**
 * Worker ops over stored features, no image work:
 * - `predict.task`: re-predict every face with a version and (optionally) make it active, in one
 *   transaction, so the active flag and the predictions of the active version never disagree.
 * - `models.evaluate`: predictions + metrics of one or more versions on a set of labelled faces (the
 *   task's evaluation set, or faces given by the caller, e.g. from a CSV); writes nothing unless the
 *   evaluation set needs its pending faces assigned.
 */
import type { RepredictSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { evaluationMembers, syncEvaluationSet } from './eval-set'
import { allFeatures, featuresOf, type PackedFeatures } from './features-db'
import { currentTaskLabels, usableLabels } from './labels-source'
import { scorePredictions, type VersionMetrics } from './metrics'
import { loadTaskVersion, writePredictions } from './predictor'
import { findTask, resolveVersion } from './registry'
import { workerProjectDb } from './worker-db'

export interface PredictParams {
  projectDir: string
  task: string
  version: number
  /** Switch the task's active version to this one in the same transaction. */
  activate: boolean
  /** 'missing': only faces without a prediction of this version (e.g. after an import). */
  scope?: 'all' | 'missing'
}

/** What the worker's predict.task returns: an activation job's result. */
export type PredictResult = RepredictSummary

export async function predictTaskOp(p: PredictParams, signal: AbortSignal): Promise<PredictResult> {
  const started = performance.now()
  await ensureMlReady()
  const db = workerProjectDb(p.projectDir)
  const task = findTask(db, p.task)
  const v = resolveVersion(db, task, p.version)
  const loaded = await loadTaskVersion(p.projectDir, task, v)
  try {
    let f: PackedFeatures = allFeatures(db, task.featureKind)
    if (p.scope === 'missing') {
      const have = new Set(
        db
          .prepare('SELECT face_id FROM predictions WHERE task_id = ? AND version_id = ?')
          .pluck()
          .all(task.id, v.id) as number[]
      )
      f = featuresOf(
        db,
        task.featureKind,
        f.faceIds.filter((id) => !have.has(id))
      )
    }
    if (signal.aborted) throw new AppError('CANCELLED', 'Re-prediction cancelled; nothing was changed.')
    const t0 = performance.now()
    const pred = await loaded.predict(f)
    const predictSeconds = (performance.now() - t0) / 1000
    if (signal.aborted) throw new AppError('CANCELLED', 'Re-prediction cancelled; nothing was changed.')
    db.transaction(() => {
      writePredictions(db, task, v, f.faceIds, pred)
      if (p.activate) {
        db.prepare('UPDATE model_versions SET active = 0 WHERE task_id = ? AND active = 1').run(task.id)
        db.prepare('UPDATE model_versions SET active = 1 WHERE id = ?').run(v.id)
      }
    })()
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

export interface EvaluateParams {
  projectDir: string
  task: string
  /** Version numbers (or 'active'). */
  versions: Array<number | 'active'>
  /** Ground truth to score against; omitted = the task's evaluation set with current labels. */
  faces?: Array<{ faceId: number; value: string }>
  /** fairness (issue 6): also return each face's class probabilities (per-group thresholds). */
  withProbs?: boolean
}

export interface EvaluatedVersion {
  version: number
  versionId: number
  metrics: VersionMetrics
  /** Parallel to `faces`. */
  values: string[]
  confidence: Array<number | null>
  /** fairness (issue 6): row-major faces × labels probabilities, only with withProbs. */
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

export async function evaluateOp(p: EvaluateParams): Promise<EvaluateResult> {
  await ensureMlReady()
  const db = workerProjectDb(p.projectDir)
  const task = findTask(db, p.task)
  let truth: Array<{ faceId: number; value: string }>
  if (p.faces) {
    truth = p.faces
  } else {
    const labels = currentTaskLabels(db, task.id)
    syncEvaluationSet(db, task, labels)
    const members = new Set(evaluationMembers(db, task.id))
    truth = usableLabels(labels, task)
      .filter((l) => members.has(l.faceId))
      .map((l) => ({ faceId: l.faceId, value: l.value }))
  }
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
