/**
 * Mitigation sweep: one training run per strength value (ω for reweighting, λ for the penalty), run one after
 * another inside ONE job with progress, each saved as a normal (inactive) version fine-tuned from the same
 * parent (the task's active version at the start). Then every version and the parent are scored on the
 * evaluation set, overall and per group, and the least-biased version within an accuracy budget is picked:
 * among the points whose accuracy is at most `accuracyBudget` below the best point's, the smallest TPR gap
 * (MAE gap for score tasks). Any point can be activated afterwards like any other version.
 */
import type { GroupMetricsInfo, MitigationSpec, SweepPoint, SweepSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { AppContext } from '../app/context'
import type { SubmittedJob } from '../jobs/queue'
import type { TrainOpResult, TrainParams, TrainProgress } from '../models/train-op'
import { activeVersion, findTask } from '../models/registry'
import { DEFAULT_EPOCHS } from '../models/defaults'
import { groupingOf, evaluateVersions, groupMetricsOf, DEFAULT_MIN_GROUP_SIZE } from './service'
import { validateMitigation } from './mitigation'

export interface SweepRequest {
  task: string | number
  mitigation: 'reweight' | 'penalty'
  groupTask: string
  values: number[]
  penaltyMode?: 'loss' | 'positive_rate' | undefined
  positive?: string | undefined
  epochs?: number | undefined
  seed?: number | undefined
  /** Accuracy (0..1) below the best point still accepted; MAE units above the best for score tasks. */
  accuracyBudget?: number | undefined
  minGroupSize?: number | undefined
}

export const DEFAULT_ACCURACY_BUDGET = 0.01
export const DEFAULT_MAE_BUDGET = 1

export function startSweep(ctx: AppContext, req: SweepRequest): SubmittedJob<'sweep'> {
  const project = ctx.requireProject()
  const task = findTask(project.db, req.task)
  const groupTask = findTask(project.db, req.groupTask)
  if (req.values.length === 0) throw new AppError('BAD_ARGS', 'Give at least one value to sweep.', 'values')
  if (req.values.length > 20) throw new AppError('BAD_ARGS', 'At most 20 values per sweep.', 'values')
  const specs: MitigationSpec[] = req.values.map((strength) => ({
    method: req.mitigation,
    groupTask: groupTask.name,
    strength,
    ...(req.penaltyMode ? { penaltyMode: req.penaltyMode } : {}),
    ...(req.positive !== undefined ? { positive: req.positive } : {})
  }))
  specs.forEach(validateMitigation)
  const epochs = req.epochs ?? DEFAULT_EPOCHS
  const minGroupSize = req.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE
  const symbol = req.mitigation === 'reweight' ? 'ω' : 'λ'
  const title = `Sweep ${task.name} ${req.mitigation} by ${groupTask.name}`
  return ctx.jobs.submit({ kind: 'sweep', task: task.name, title }, async (job) => {
    const started = performance.now()
    const parent = activeVersion(project.db, task.id)
    if (!parent) throw new AppError('NOT_FOUND', `Task "${task.name}" has no active version to fine-tune from.`)
    const total = specs.length * epochs
    const trained: Array<{ value: number; version: number }> = []
    for (const [i, spec] of specs.entries()) {
      const [w] = ctx.workers.acquire(1)
      if (!w) throw new AppError('WORKER_CRASHED', 'No ML worker could be started.')
      const label = `${symbol} = ${spec.strength} (${i + 1}/${specs.length})`
      job.progress({ done: i * epochs, total, message: `${label}: preparing…` })
      const params: TrainParams & { mitigation: MitigationSpec } = {
        projectDir: project.dir,
        task: task.name,
        epochs,
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        activate: false,
        mitigation: spec
      }
      const r = await w.request<TrainOpResult>('train.head', params, {
        signal: job.signal,
        onProgress: (data) => {
          const m = data as TrainProgress
          if (m.type === 'stage') return job.progress({ message: `${label}: ${m.message}` })
          job.progress({
            done: i * epochs + m.log.epoch,
            total,
            message: `${label}: epoch ${m.log.epoch}/${m.epochs} · loss ${m.log.loss.toFixed(3)}`,
            counters: { value: spec.strength, epoch: m.log.epoch, loss: m.log.loss }
          })
        }
      })
      trained.push({ value: spec.strength, version: r.version })
      ctx.emit('data.changed', { what: ['versions'] })
    }
    job.progress({ done: total, total, message: 'Scoring every version per group…' })
    const grouping = groupingOf(ctx, { task: task.name, groupTask: groupTask.name, source: 'annotations' })
    const r = await evaluateVersions(ctx, {
      task: task.name,
      versions: [parent.version, ...trained.map((t) => t.version)]
    })
    const metrics = r.versions.map((_, i) => groupMetricsOf(r, i, grouping, minGroupSize))
    const budget = req.accuracyBudget ?? (r.kind === 'score' ? DEFAULT_MAE_BUDGET : DEFAULT_ACCURACY_BUDGET)
    const summary = pickSweep(
      metrics[0] as GroupMetricsInfo,
      trained.map((t, i) => ({ value: t.value, m: metrics[i + 1] as GroupMetricsInfo })),
      budget
    )
    return {
      task: task.name,
      mitigation: req.mitigation,
      group_task: groupTask.name,
      values: req.values,
      ...summary,
      accuracy_budget: budget,
      min_group_size: minGroupSize,
      seconds: (performance.now() - started) / 1000,
      backend: r.backend
    } satisfies SweepSummary
  })
}

function toPoint(value: number | null, m: GroupMetricsInfo): SweepPoint {
  const gap = m.kind === 'score' ? (m.max_gap?.value ?? null) : (m.tpr_gap?.value ?? null)
  return {
    value,
    version: m.version,
    overall: m.overall,
    per_group: m.per_group,
    max_gap: m.max_gap,
    tpr_gap: m.tpr_gap,
    dp_diff: m.dp_diff,
    eo_diff: m.eo_diff,
    gap,
    within_budget: false,
    picked: false
  }
}

/**
 * Marks the points within the budget and picks the smallest gap among them and the starting version
 * (ties: the better accuracy, then the earlier candidate, so an equal start is kept).
 */
export function pickSweep(
  baseline: GroupMetricsInfo,
  points: ReadonlyArray<{ value: number; m: GroupMetricsInfo }>,
  budget: number
): Pick<SweepSummary, 'baseline' | 'points' | 'picked' | 'criterion'> {
  const score = baseline.kind === 'score'
  const quality = (p: SweepPoint): number | null => {
    const q = score ? p.overall.mae : p.overall.accuracy
    return q === null || q === undefined ? null : score ? -q : q
  }
  const out = points.map((p) => toPoint(p.value, p.m))
  const base = toPoint(null, baseline)
  // The version the sweep started from competes too: when no mitigated version is less biased within the
  // budget, the honest pick is to keep it.
  const candidates = [base, ...out]
  const qs = candidates.map(quality).filter((q): q is number => q !== null)
  const best = qs.length ? Math.max(...qs) : null
  let picked: SweepPoint | null = null
  for (const p of candidates) {
    const q = quality(p)
    p.within_budget = best !== null && q !== null && q >= best - budget - 1e-12
    if (!p.within_budget || p.gap === null) continue
    if (
      picked === null ||
      p.gap < (picked.gap as number) - 1e-12 ||
      (Math.abs(p.gap - (picked.gap as number)) <= 1e-12 && (quality(p) ?? 0) > (quality(picked) ?? 0))
    )
      picked = p
  }
  if (picked) picked.picked = true
  return {
    baseline: base,
    points: out,
    picked: picked?.version ?? null,
    criterion: score
      ? `smallest MAE gap between groups among versions with MAE ≤ best + ${budget}`
      : `smallest TPR gap between groups among versions with accuracy ≥ best − ${budget}`
  }
}
