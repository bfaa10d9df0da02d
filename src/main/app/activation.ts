/**
 * Activation (rollback included) and the top-up after an import, as main runs them: one ML worker re-predicts
 * from stored features and commits (`predict.task`; the commit point is models/version-commits.ts).
 */
import type { SubmittedJob } from '../jobs/queue'
import { getTask } from '../labels/tasks'
import { activeVersion, isBuiltinV0, resolveVersion } from '../models/registry'
import type { OpResult } from '../worker/protocol'
import type { AppContext } from './context'
import { remembering } from './training'

export type PredictResult = OpResult<'predict.task'>

/** Queues a re-prediction job that makes `version` active (rollback included). */
export function startActivation(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): SubmittedJob<'repredict'> {
  const project = ctx.requireProject()
  const task = getTask(project.db, req.task)
  const v = resolveVersion(project.db, task, req.version)
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'repredict', task: task.name, version: v.version, title: `Activate ${task.name} v${v.version}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        job.progress({ done: 0, total: 1, message: `Re-predicting every face with version ${v.version}…` })
        const r = await ctx
          .worker()
          .request(
            'predict.task',
            { projectDir: project.dir, task: task.name, version: v.version, activate: true },
            { signal: job.signal, onProgress: (m) => job.progress({ message: m.message }) }
          )
        job.progress({ done: 1, total: 1, message: `Version ${v.version} active (${r.faces} faces re-predicted)` })
        ctx.emit('data.changed', { what: ['versions', 'faces'] })
        return r
      }
    )
  )
  jobId = submitted.info.id
  return submitted
}

/** After an import, faces new to the project have predictions of version 0 only; this fills in the active ones. */
export async function predictMissing(ctx: AppContext, taskName: string | number): Promise<PredictResult | null> {
  const project = ctx.requireProject()
  const task = getTask(project.db, taskName)
  // A task the user created and has not trained yet has no version to predict with: nothing to fill in.
  const v = activeVersion(project.db, task.id)
  if (!v || isBuiltinV0(v)) return null
  return ctx.worker().request('predict.task', {
    projectDir: project.dir,
    task: task.name,
    version: v.version,
    activate: false,
    scope: 'missing'
  })
}
