/**
 * A mitigation sweep as one job: one training run per strength value (ω reweighting, λ penalty, η Group DRO), one
 * after another, each through the same training path as any version (app/training.ts trainVersion: epoch
 * progress, the failure memo) and saved as an inactive version fine-tuned from the task's active version at
 * the start; then every version and the parent are scored per group and one is picked (fairness/sweep.ts).
 */
import type {
  GroupMetricsInfo,
  MitigationSpec,
  PenaltyRange,
  SweepGapMetric,
  SweepMethod,
  SweepSummary
} from '../../shared/domain'
import type { SubmittedJob } from '../jobs/queue'
import { STRENGTH_SYMBOL } from '../../shared/mitigation'
import { AppError } from '../../shared/result'
import { DEFAULT_MIN_GROUP_SIZE } from '../analysis/group-rates'
import { prepareMitigation, validateMitigation } from '../fairness/mitigation'
import { DEFAULT_ACCURACY_BUDGET, DEFAULT_MAE_BUDGET, pickSweep } from '../fairness/sweep'
import { getTask } from '../labels/tasks'
import { resolveGrouping } from '../fairness/groups'
import { penaltyRange } from '../fairness/penalty-range'
import { DEFAULT_EPOCHS, DEFAULT_SEED } from '../models/defaults'
import { trainingSet } from '../models/training-set'
import { deriveSeed, stratifiedSplit, VALIDATION_FRACTION } from '../training/split'
import { activeVersion } from '../models/registry'
import type { AppContext } from './context'
import { evaluate } from './evaluation'
import { groupingOf, groupMetricsOf } from './fairness'
import { remembering, trainVersion } from './training'

export interface SweepRequest {
  task: string | number
  mitigation: SweepMethod
  groupTask: string
  /** Strengths to train; 'auto' (penalty only): chosen from the validation rows (penaltyRangeFor). */
  values: number[] | 'auto'
  penaltyMode?: 'loss' | 'positive_rate' | undefined
  positive?: string | undefined
  epochs?: number | undefined
  seed?: number | undefined
  /** Accuracy (0..1) below the best point still accepted; MAE units above the best for score tasks. */
  accuracyBudget?: number | undefined
  minGroupSize?: number | undefined
  /** The gap the pick minimises for classification tasks (default 'tpr'). */
  gapMetric?: SweepGapMetric | undefined
}

/**
 * λ values for a loss-penalty sweep from the validation rows: the same seeded split trainHead will make of the
 * task's training faces (never the evaluation set), scored with the active version (the sweep's start).
 */
export async function penaltyRangeFor(
  ctx: AppContext,
  req: { task: string | number; groupTask: string | number; seed?: number | undefined }
): Promise<PenaltyRange> {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const parent = activeVersion(db, task.id)
  if (!parent) throw new AppError('NOT_FOUND', `Task "${task.name}" has no active version to start from.`)
  const grouping = resolveGrouping(db, { task: req.groupTask, source: 'annotations' })
  const set = trainingSet(db, task)
  const seed = req.seed ?? DEFAULT_SEED
  const { validation } = stratifiedSplit(
    set.train.map((l) => ({ id: l.faceId, label: l.value, row: l })),
    VALIDATION_FRACTION,
    deriveSeed(seed, 'validation-split')
  )
  const faces = validation.map((v) => v.row)
  const r = await evaluate(ctx, { task: task.name, versions: [parent.version], faces }, { withProbs: true })
  const v = r.versions[0]
  if (!v) throw new AppError('INTERNAL', 'The evaluation returned no version.')
  const width = r.labels.length
  const rows = r.faces.map((f, i) => {
    let loss: number
    if (r.kind === 'score') loss = (Number(v.values[i]) - Number(f.truth)) ** 2
    else {
      const k = r.labels.indexOf(f.truth)
      const p = k >= 0 && v.probs ? (v.probs[i * width + k] as number) : 0
      loss = -Math.log(Math.max(p, 1e-7))
    }
    return { loss, group: grouping.groupOf.get(f.faceId) ?? null }
  })
  return { task: task.name, group_task: grouping.label, version: parent.version, ...penaltyRange(rows) }
}

export function startSweep(ctx: AppContext, req: SweepRequest): SubmittedJob<'sweep'> {
  const project = ctx.requireProject()
  const task = getTask(project.db, req.task)
  const groupTask = getTask(project.db, req.groupTask)
  const auto = req.values === 'auto'
  if (auto && (req.mitigation !== 'penalty' || (req.penaltyMode ?? 'loss') !== 'loss'))
    throw new AppError('BAD_ARGS', 'Values chosen from the validation rows are for the loss penalty only.', 'values')
  if (!auto && req.values.length === 0) throw new AppError('BAD_ARGS', 'Give at least one value to sweep.', 'values')
  if (!auto && req.values.length > 20) throw new AppError('BAD_ARGS', 'At most 20 values per sweep.', 'values')
  const specsFor = (values: number[]): MitigationSpec[] =>
    values.map((strength) => ({
      method: req.mitigation,
      groupTask: groupTask.name,
      strength,
      ...(req.penaltyMode ? { penaltyMode: req.penaltyMode } : {}),
      ...(req.positive !== undefined ? { positive: req.positive } : {})
    }))
  if (!auto) specsFor(req.values as number[]).forEach(validateMitigation)
  const epochs = req.epochs ?? DEFAULT_EPOCHS
  const minGroupSize = req.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE
  const symbol = STRENGTH_SYMBOL[req.mitigation]
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'sweep', task: task.name, title: `Sweep ${task.name} ${req.mitigation} by ${groupTask.name}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        const started = performance.now()
        const parent = activeVersion(project.db, task.id)
        if (!parent) throw new AppError('NOT_FOUND', `Task "${task.name}" has no active version to fine-tune from.`)
        let range: PenaltyRange | null = null
        if (auto) {
          job.progress({ done: 0, total: 0, message: 'Choosing λ from the validation rows…' })
          range = await penaltyRangeFor(ctx, { task: task.name, groupTask: groupTask.name, seed: req.seed })
        }
        const values = range ? range.values : (req.values as number[])
        const specs = specsFor(values)
        const total = specs.length * epochs
        const trained: Array<{ value: number; version: number }> = []
        // Each point is committed on its own (an inactive version), so a cancel keeps the points finished
        // before it; the job then says cancelled and names them, and activates or picks nothing.
        const stopIfCancelled = (): void => {
          if (!job.signal.aborted) return
          const kept =
            trained.length === 0
              ? 'no version was saved'
              : `${trained.length === 1 ? 'version' : 'versions'} ${trained.map((t) => `v${t.version}`).join(', ')} trained before it ${trained.length === 1 ? 'is' : 'are'} kept (inactive)`
          throw new AppError(
            'CANCELLED',
            `Sweep cancelled after ${trained.length} of ${specs.length} values; ${kept}. Nothing was picked or activated.`
          )
        }
        for (const [i, spec] of specs.entries()) {
          stopIfCancelled()
          const label = `${symbol} = ${spec.strength} (${i + 1}/${specs.length})`
          job.progress({ done: i * epochs, total, message: `${label}: preparing…` })
          const r = await trainVersion(
            ctx,
            {
              task: task.name,
              epochs,
              seed: req.seed,
              activate: false,
              mitigate: (set) => prepareMitigation(project.db, spec, set.train, set.task.labels)
            },
            {
              signal: job.signal,
              onStage: (m) => job.progress({ message: `${label}: ${m.message}` }),
              onEpoch: (log, of) =>
                job.progress({
                  done: i * epochs + log.epoch,
                  total,
                  message: `${label}: epoch ${log.epoch}/${of} · loss ${log.loss.toFixed(3)}`,
                  counters: { value: spec.strength, epoch: log.epoch, loss: log.loss }
                })
            }
          ).catch((e: unknown) => {
            // The point's own training said "no version was saved"; the sweep says what its earlier points kept.
            if (e instanceof AppError && e.code === 'CANCELLED') stopIfCancelled()
            throw e
          })
          trained.push({ value: spec.strength, version: r.version })
          ctx.emit('data.changed', { what: ['versions'] })
        }
        stopIfCancelled()
        job.progress({ done: total, total, message: 'Scoring every version per group…' })
        const grouping = groupingOf(ctx, { task: task.name, groupTask: groupTask.name, source: 'annotations' })
        const r = await evaluate(ctx, { task: task.name, versions: [parent.version, ...trained.map((t) => t.version)] })
        // Scoring writes nothing; a cancel during it leaves the trained versions and no pick.
        stopIfCancelled()
        const metrics = r.versions.map((_, i) => groupMetricsOf(r, i, grouping, minGroupSize))
        const budget = req.accuracyBudget ?? (r.kind === 'score' ? DEFAULT_MAE_BUDGET : DEFAULT_ACCURACY_BUDGET)
        const summary = pickSweep(
          metrics[0] as GroupMetricsInfo,
          trained.map((t, i) => ({ value: t.value, m: metrics[i + 1] as GroupMetricsInfo })),
          budget,
          req.gapMetric ?? 'tpr'
        )
        return {
          task: task.name,
          mitigation: req.mitigation,
          group_task: groupTask.name,
          values,
          ...summary,
          ...(range ? { penalty_range: range } : {}),
          accuracy_budget: budget,
          min_group_size: minGroupSize,
          seconds: (performance.now() - started) / 1000,
          backend: r.backend
        } satisfies SweepSummary
      }
    )
  )
  jobId = submitted.info.id
  return submitted
}
