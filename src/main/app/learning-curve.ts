/**
 * The learning curve (issue 11 §3), as main runs it: a job in which one ML worker trains a throwaway version on
 * nested subsets of the task's training faces and scores each on the evaluation set (`models.learningCurve`).
 */
import type { SubmittedJob } from '../jobs/queue'
import { getTask } from '../labels/tasks'
import { DEFAULT_EPOCHS, DEFAULT_SEED } from '../models/defaults'
import { checkTrainable, trainingSet } from '../models/training-set'
import type { AppContext } from './context'
import { remembering } from './training'

export const CURVE_FRACTIONS = [0.1, 0.2, 0.4, 0.8, 1] as const

export interface CurveRequest {
  task: string | number
  fractions?: readonly number[] | undefined
  seed?: number | undefined
  epochs?: number | undefined
}

export function startLearningCurve(ctx: AppContext, req: CurveRequest): SubmittedJob<'curve'> {
  const project = ctx.requireProject()
  const task = getTask(project.db, req.task)
  const set = trainingSet(project.db, task)
  checkTrainable(task, set.train)
  const fractions = [...(req.fractions ?? CURVE_FRACTIONS)].sort((a, b) => a - b)
  let jobId = 0
  const submitted = ctx.jobs.submit(
    { kind: 'curve', task: task.name, title: `Learning curve ${task.name}` },
    remembering(
      ctx,
      () => jobId,
      async (job) => {
        job.progress({ done: 0, total: fractions.length, message: 'Preparing…' })
        return ctx.worker().request(
          'models.learningCurve',
          {
            projectDir: project.dir,
            task: task.name,
            train: set.train,
            evaluation: set.evaluation,
            fractions,
            seed: req.seed ?? DEFAULT_SEED,
            epochs: req.epochs ?? DEFAULT_EPOCHS
          },
          {
            signal: job.signal,
            onProgress: (m) => job.progress({ done: m.done, total: m.total, message: m.message })
          }
        )
      }
    )
  )
  jobId = submitted.info.id
  return submitted
}
