/**
 * A mitigation sweep as one job: one training run per strength value (ω for reweighting, λ for the penalty), one
 * after another, each through the same training path as any version (app/training.ts trainVersion: epoch
 * progress, the failure memo) and saved as an inactive version fine-tuned from the task's active version at
 * the start; then every version and the parent are scored per group and one is picked (fairness/sweep.ts).
 */
import type { GroupMetricsInfo, MitigationSpec, SweepSummary } from '../../shared/domain'
import type { SubmittedJob } from '../jobs/queue'
import { AppError } from '../../shared/result'
import { DEFAULT_MIN_GROUP_SIZE } from '../analysis/group-rates'
import { prepareMitigation, validateMitigation } from '../fairness/mitigation'
import { DEFAULT_ACCURACY_BUDGET, DEFAULT_MAE_BUDGET, pickSweep } from '../fairness/sweep'
import { getTask } from '../labels/tasks'
import { DEFAULT_EPOCHS } from '../models/defaults'
import { activeVersion } from '../models/registry'
import type { AppContext } from './context'
import { evaluate } from './evaluation'
import { groupingOf, groupMetricsOf } from './fairness'
import { remembering, trainVersion } from './training'

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

export function startSweep(ctx: AppContext, req: SweepRequest): SubmittedJob<'sweep'> {
  const project = ctx.requireProject()
  const task = getTask(project.db, req.task)
  const groupTask = getTask(project.db, req.groupTask)
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
      }
    )
  )
  jobId = submitted.info.id
  return submitted
}
