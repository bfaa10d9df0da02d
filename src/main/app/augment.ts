/**
 * "Augment existing faces" (issue 11 §2) as main runs it: one ML worker computes the mirrored views of faces
 * imported before they were stored (`features.augment`, one commit per photo), then the stored predictions of
 * the tasks that read those features are re-computed (`predict.task`), so what every screen shows averages the
 * new views as an import's predictions do. A cancel keeps the photos finished, and their predictions are still
 * re-computed before the job ends, so no stored prediction disagrees with the features it was made from.
 */
import type { AugmentSummary, MirrorStatus } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { SubmittedJob } from '../jobs/queue'
import { listTasks } from '../labels/tasks'
import { mirrorCoverage, mirrorKindOf } from '../library/features'
import { activeVersion, versionByNumber } from '../models/registry'
import type { AppContext } from './context'

export function mirrorStatus(ctx: AppContext): MirrorStatus {
  const db = ctx.requireProject().db
  const e = mirrorCoverage(db, 'expression')
  const a = mirrorCoverage(db, 'age_gender')
  return { faces: Math.max(e.faces, a.faces), mirrored: Math.min(e.mirrored, a.mirrored) }
}

export function startAugment(ctx: AppContext): SubmittedJob<'augment'> {
  const project = ctx.requireProject()
  return ctx.jobs.submit({ kind: 'augment', task: null, title: 'Compute mirrored features' }, async (job) => {
    let cancelled: AppError | null = null
    let r: Omit<AugmentSummary, 'repredicted'> | null = null
    try {
      r = await ctx.worker().request(
        'features.augment',
        { projectDir: project.dir },
        {
          signal: job.signal,
          onProgress: (m) =>
            job.progress({
              done: m.done,
              total: m.total,
              message: m.message,
              counters: { augmented: m.augmented, skipped: m.skipped }
            })
        }
      )
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'CANCELLED') throw e
      cancelled = e
    }
    if (r?.augmented === 0) {
      ctx.emit('data.changed', { what: ['faces'] })
      return { ...r, repredicted: [] }
    }
    job.progress({ message: 'Re-computing predictions over both views…' })
    const repredicted = await repredict(ctx)
    ctx.emit('data.changed', { what: ['faces', 'versions'] })
    if (cancelled) throw cancelled
    return { ...r!, repredicted }
  })
}

/** Each mirrored-feature task's active version, and its version 0 too (the import stores v0's predictions). */
async function repredict(ctx: AppContext): Promise<string[]> {
  const project = ctx.requireProject()
  const done: string[] = []
  for (const task of listTasks(project.db)) {
    if (!mirrorKindOf(task.featureKind)) continue
    const versions = new Set<number>()
    const active = activeVersion(project.db, task.id)
    if (active) versions.add(active.version)
    if (task.builtin && versionByNumber(project.db, task.id, 0)) versions.add(0)
    for (const version of versions)
      await ctx.worker().request('predict.task', { projectDir: project.dir, task: task.name, version, activate: false })
    if (versions.size > 0) done.push(task.name)
  }
  return done
}
