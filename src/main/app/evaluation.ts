/**
 * Scoring versions, as main runs it: `evaluate` resolves the ground truth (the task's evaluation set with current
 * labels, or faces the caller gives, e.g. from a CSV) and one ML worker predicts and scores (`models.evaluate`,
 * read only). The Models screen's metrics and comparisons, and every fairness number, are built on it.
 */
import type { FlipItem, MetricsInfo, VersionComparison, VersionMetricsInfo } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import { getTask } from '../labels/tasks'
import { trainingSet } from '../models/training-set'
import { headline, type VersionMetrics } from '../models/version-metrics'
import type { OpResult } from '../worker/protocol'
import { calibrateBuiltin } from './calibration'
import type { AppContext } from './context'

export type EvaluateResult = OpResult<'models.evaluate'>

export interface EvaluateSpec {
  task: string | number
  versions: Array<number | 'active'>
  /** Ground truth; omitted = the task's evaluation set with current labels. */
  faces?: Array<{ faceId: number; value: string }> | undefined
}

export async function evaluate(
  ctx: AppContext,
  spec: EvaluateSpec,
  opts: { withProbs?: boolean } = {}
): Promise<EvaluateResult> {
  const project = ctx.requireProject()
  const task = getTask(project.db, spec.task)
  return ctx.worker().request('models.evaluate', {
    projectDir: project.dir,
    task: task.name,
    versions: spec.versions,
    faces: spec.faces ?? trainingSet(project.db, task).evaluation,
    ...(opts.withProbs ? { withProbs: true } : {})
  })
}

export async function versionMetrics(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): Promise<VersionMetricsInfo> {
  await calibrateBuiltin(ctx, req.task)
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
  await calibrateBuiltin(ctx, req.task)
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
    a: {
      version: va.version,
      metrics: va.metrics as MetricsInfo,
      temperature: va.temperature,
      uncalibrated: va.uncalibrated
    },
    b: {
      version: vb.version,
      metrics: vb.metrics as MetricsInfo,
      temperature: vb.temperature,
      uncalibrated: vb.uncalibrated
    },
    deltas: headlineDeltas(va.metrics, vb.metrics),
    flips: { fixed, broken, changed },
    scoreFlipThreshold: r.kind === 'score' ? SCORE_FLIP_THRESHOLD : null
  }
}
