/**
 * Op `labels.errors`: out-of-fold probabilities for a task's labelled faces, then confident learning
 * (analysis/confident-learning.ts) to find the labels most likely wrong. Read only.
 *
 * Out-of-fold probabilities come from the active version when its training kept them for every face checked
 * (models/out-of-fold.ts, in the task's label order); otherwise from k seeded linear heads trained here
 * (training/k-fold.ts), one progress message per fold, cancelled through the op's signal.
 */
import { findLabelErrors } from '../analysis/confident-learning'
import { AppError } from '../../shared/result'
import { getTask } from '../labels/tasks'
import { featuresOf } from '../library/features'
import { readOutOfFold } from '../models/out-of-fold'
import { activeVersion } from '../models/registry'
import { initBackend } from '../ml/backend'
import { disposeKFold, type KFoldResult } from '../training/k-fold'
import { trainFoldsSideBySide, withHeadThreads } from '../training/head-threads'
import { headThreadScript } from '../paths'
import { CancelledError } from '../training/train'
import { projectDb } from './db'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

export interface LabelErrorsProgress {
  fold: number
  folds: number
  message: string
}

export interface LabelErrorsOpResult {
  task: string
  n_checked: number
  /** Folds trained here (0 when the active version's out-of-fold rows were reused). */
  k: number
  reused_version: number | null
  thresholds: Record<string, number>
  suspects: Array<{ faceId: number; given: string; suggested: string; score: number; probability: number }>
  seconds: number
  backend: string
}

export async function labelErrorsOp(
  p: OpParsed<'labels.errors'>,
  ctx: OpContext<LabelErrorsProgress>
): Promise<LabelErrorsOpResult> {
  const started = performance.now()
  const db = projectDb(p.projectDir)
  const task = getTask(db, p.task)
  if (task.kind !== 'classification')
    throw new AppError('UNSUPPORTED', `Task "${task.name}" is a score task; label errors need classes.`)
  const labels = task.labels
  const classOf = new Map(labels.map((l, i) => [l, i]))
  const rows = p.rows.filter((r) => classOf.has(r.value))
  const feat = featuresOf(
    db,
    task.featureKind,
    rows.map((r) => r.faceId)
  )
  const valueOf = new Map(rows.map((r) => [r.faceId, r.value]))
  const faceIds = feat.faceIds
  const given = faceIds.map((id) => classOf.get(valueOf.get(id) as string) as number)
  if (new Set(given).size < 2 || faceIds.length < p.k * 2)
    throw new AppError(
      'UNSUPPORTED',
      `Task "${task.name}" needs faces labelled with at least two classes (${faceIds.length} labelled faces with features).`
    )
  const width = labels.length
  let probs = reusedProbs(db, task.id, faceIds, width)
  const reused = probs ? (activeVersion(db, task.id)?.version ?? null) : null
  let backend = 'none (reused)'
  let k = 0
  if (!probs) {
    const b = await initBackend()
    backend = b.name
    k = p.k
    ctx.progress({ fold: 0, folds: k, message: `Training ${k} heads on ${faceIds.length} faces…` })
    let r: KFoldResult
    try {
      let done = 0
      r = await withHeadThreads(headThreadScript(), b.name, (helpers) =>
        trainFoldsSideBySide(
          {
            features: { data: feat.data, dim: feat.dim },
            labels: faceIds.map((id) => valueOf.get(id) as string),
            labelSet: labels,
            ids: faceIds,
            kind: 'classification',
            k,
            seed: p.seed,
            classWeights: 'none',
            signal: ctx.signal,
            // Folds may finish out of order when they train side by side: count them.
            onFold: () => {
              done++
              ctx.progress({ fold: done, folds: k, message: `${done} of ${k} folds done` })
            }
          },
          helpers
        )
      )
    } catch (e) {
      if (e instanceof CancelledError) throw new AppError('CANCELLED', 'Label-error search cancelled.')
      throw e
    }
    disposeKFold(r)
    const col = labels.map((l) => r.labels.indexOf(l))
    probs = new Float32Array(faceIds.length * width)
    for (let i = 0; i < faceIds.length; i++)
      for (let c = 0; c < width; c++) {
        const src = col[c] as number
        probs[i * width + c] = src < 0 ? 0 : Math.exp(r.oof[i * r.width + src] as number)
      }
  }
  const found = findLabelErrors({ given, probs, k: width })
  return {
    task: task.name,
    n_checked: faceIds.length,
    k,
    reused_version: reused,
    thresholds: Object.fromEntries(labels.map((l, i) => [l, found.thresholds[i] as number])),
    suspects: found.suspects.map((s) => ({
      faceId: faceIds[s.row] as number,
      given: labels[s.given] as string,
      suggested: labels[s.suggested] as string,
      score: s.score,
      probability: s.probability
    })),
    seconds: (performance.now() - started) / 1000,
    backend
  }
}

/** The active version's out-of-fold probabilities, if they cover every face and match the task's labels. */
function reusedProbs(
  db: ReturnType<typeof projectDb>,
  taskId: number,
  faceIds: readonly number[],
  width: number
): Float32Array | null {
  const v = activeVersion(db, taskId)
  if (!v) return null
  const oof = new Map(readOutOfFold(db, v.id).map((r) => [r.faceId, r.probs]))
  if (faceIds.some((id) => oof.get(id)?.length !== width)) return null
  const out = new Float32Array(faceIds.length * width)
  faceIds.forEach((id, i) => out.set(oof.get(id) as Float32Array, i * width))
  return out
}
