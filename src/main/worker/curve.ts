/**
 * Op `models.learningCurve` (issue 11 §3): what the user's labels bought, and whether more would help. The
 * training faces are cut into nested, stratified subsets (10 %, 20 %, 40 %, 80 %, 100 % by default: a face in a
 * smaller subset is in every larger one), a version is trained on each exactly as training makes one (capacity
 * search, warm start from the active version, calibration; one head per point to keep it to seconds), and each
 * is scored on the evaluation set. Nothing is saved: the curve is a measurement, not a set of versions.
 */
import type { LearningCurve } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { mulberry32 } from '../analysis/random'
import { getTask } from '../labels/tasks'
import { featuresOf, type PackedFeatures } from '../library/features'
import { activeVersion } from '../models/registry'
import { isClassificationMetrics, scorePredictions } from '../models/version-metrics'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { fitHeads } from '../training/fit'
import { HeadThreads } from '../training/head-threads'
import { headThreadScript } from '../paths'
import { predictViews, type ViewedFeatures } from '../training/predict'
import { expandRows, withMirroredRows } from '../training/mirrored-rows'
import { deriveSeed, shuffleInPlace } from '../training/split'
import { CancelledError } from '../training/train'
import { projectDb } from './db'
import { calibrated, loadTaskVersion, predictionsFromRaw } from './predictor'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

export type CurveProgress = { done: number; total: number; message: string }

/** Fewer training faces than this and a point is skipped (a head cannot be split into folds). */
const MIN_POINT_ROWS = 10

/**
 * Nested stratified subsets: per label, faces in a seeded order; subset f takes the first ceil(f × n_label), so
 * every label keeps its share and each subset contains the smaller ones.
 */
export function nestedSubsets(
  rows: ReadonlyArray<{ faceId: number; value: string }>,
  fractions: readonly number[],
  seed: number
): number[][] {
  const byLabel = new Map<string, number[]>()
  rows.forEach((r, i) => {
    const list = byLabel.get(r.value)
    if (list) list.push(i)
    else byLabel.set(r.value, [i])
  })
  const ordered = [...byLabel.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, idx]) => {
      const sorted = idx.sort((a, b) => rows[a]!.faceId - rows[b]!.faceId)
      shuffleInPlace(sorted, mulberry32(deriveSeed(seed, `curve:${label}`)))
      return sorted
    })
  return fractions.map((f) => ordered.flatMap((idx) => idx.slice(0, Math.ceil(f * idx.length))).sort((a, b) => a - b))
}

export async function learningCurveOp(
  p: OpParsed<'models.learningCurve'>,
  ctx: OpContext<CurveProgress>
): Promise<LearningCurve> {
  const started = performance.now()
  await ensureMlReady()
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  const classification = task.kind === 'classification'
  const feat = featuresOf(
    db,
    task.featureKind,
    p.train.map((l) => l.faceId)
  )
  const rowOf = new Map(p.train.map((l, i) => [l.faceId, i]))
  const rows = feat.faceIds.map((id) => p.train[rowOf.get(id)!]!)
  const evalFeat = featuresOf(
    db,
    task.featureKind,
    p.evaluation.map((l) => l.faceId)
  )
  if (evalFeat.faceIds.length === 0)
    throw new AppError('UNSUPPORTED', 'The evaluation set is empty: label more faces first.')
  const truthOf = new Map(p.evaluation.map((l) => [l.faceId, l.value]))
  const truth = evalFeat.faceIds.map((id) => truthOf.get(id)!)
  const metricOf = (pred: Parameters<typeof scorePredictions>[2]): number => {
    const m = scorePredictions(task, truth, pred)
    return isClassificationMetrics(m) ? m.accuracy : m.mae
  }
  const parentRow = activeVersion(db, task.id)
  const parent = parentRow ? await loadTaskVersion(p.projectDir, task, parentRow) : null
  const threads = HeadThreads.open(headThreadScript(), currentBackend()?.name)
  try {
    const baseline =
      parent && parentRow ? { version: parentRow.version, value: metricOf(await parent.predict(evalFeat)) } : null
    const subsets = nestedSubsets(rows, p.fractions, p.seed)
    const points: LearningCurve['points'] = []
    for (const [i, subset] of subsets.entries()) {
      const fraction = p.fractions[i]!
      ctx.progress({
        done: i,
        total: subsets.length,
        message: `${Math.round(fraction * 100)} % of the labels (${subset.length} faces)…`
      })
      if (subset.length < MIN_POINT_ROWS || (classification && new Set(subset.map((r) => rows[r]!.value)).size < 2))
        continue
      // Trained as a version is (worker/train.ts): each face's mirrored view an extra train-only row of it.
      const m = withMirroredRows(subsetOf(feat, subset))
      const spread = <T>(values: readonly T[]): T[] => expandRows(values, m.source)
      let fit: Awaited<ReturnType<typeof fitHeads>>
      try {
        fit = await fitHeads({
          features: m.features,
          labels: classification
            ? spread(subset.map((r) => rows[r]!.value))
            : spread(subset.map((r) => Number(rows[r]!.value))),
          ids: spread(subset.map((r) => rows[r]!.faceId)),
          groupKeys: spread(subset.map((r) => rows[r]!.faceId)),
          ...(m.added > 0 ? { trainOnly: m.trainOnly } : {}),
          ...(classification
            ? { labelSet: task.labels, classWeights: parent ? ('none' as const) : ('balanced' as const) }
            : {}),
          kind: classification ? 'classification' : 'regression',
          ...(parent ? { parent: parent.warmStart(), parentLinear: parent.hidden === undefined } : {}),
          k: 1,
          epochs: p.epochs,
          seed: p.seed,
          signal: ctx.signal,
          runners: threads?.runners() ?? []
        })
      } catch (e) {
        if (e instanceof CancelledError) throw new AppError('CANCELLED', 'Learning curve cancelled.')
        throw e
      }
      try {
        const kind = classification ? 'classification' : 'regression'
        const out = await predictViews(fit.model, evalFeat, kind)
        const pred = calibrated(
          task,
          predictionsFromRaw(task, kind, fit.labels, out.values, out.rows, out.width),
          fit.calibration?.temperature ?? 1
        )
        points.push({ fraction, n: subset.length, value: metricOf(pred) })
      } finally {
        fit.model.dispose()
      }
    }
    ctx.progress({ done: subsets.length, total: subsets.length, message: 'Done' })
    return {
      task: task.name,
      metric: classification ? 'accuracy' : 'mae',
      evalN: evalFeat.faceIds.length,
      baseline,
      points,
      seconds: (performance.now() - started) / 1000,
      backend: currentBackend()?.name ?? 'unknown'
    }
  } finally {
    parent?.dispose()
    await threads?.close()
  }
}

/** The rows `subset` of packed features, with their mirrored views where stored. */
function subsetOf(f: PackedFeatures, subset: readonly number[]): ViewedFeatures {
  const { dim } = f
  const data = new Float32Array(subset.length * dim)
  subset.forEach((r, j) => data.set(f.data.subarray(r * dim, (r + 1) * dim), j * dim))
  if (!f.mirror) return { data, dim }
  const mirror = { data: new Float32Array(subset.length * dim), has: new Uint8Array(subset.length) }
  subset.forEach((r, j) => {
    mirror.has[j] = f.mirror!.has[r]!
    mirror.data.set(f.mirror!.data.subarray(r * dim, (r + 1) * dim), j * dim)
  })
  return { data, dim, mirror }
}
