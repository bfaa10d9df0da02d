/**
 * Main-side services of issue 14 that start jobs: retraining a version flagged "trained on forgotten data" on
 * the same settings without those faces.
 */
import { AppError } from '../../shared/result'
import type { MergeResult } from '../../shared/teams'
import type { SubmittedJob } from '../jobs/queue'
import { getTask } from '../labels/tasks'
import { forgottenDataOf, resolveVersion, versionById, type VersionRow } from '../models/registry'
import type { AppContext } from './context'
import { startTraining } from './training'

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/**
 * The version to fine-tune from: the flagged version's nearest ancestor that is not flagged itself (version 0,
 * face-api's head, never is); null when there is none (a fresh head). Starting from the flagged weights would
 * carry the forgotten faces into the new version.
 */
export function cleanParent(ctx: AppContext, v: VersionRow): VersionRow | null {
  const db = ctx.requireProject().db
  let at = v.parentId === null ? null : versionById(db, v.parentId)
  while (at && forgottenDataOf(at)) at = at.parentId === null ? null : versionById(db, at.parentId)
  return at
}

export function startRetrainWithoutForgotten(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): SubmittedJob<'train'> {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const v = resolveVersion(db, task, req.version)
  if (!forgottenDataOf(v))
    throw new AppError(
      'BAD_ARGS',
      `Version ${v.version} of "${task.name}" was not trained on forgotten data.`,
      'version'
    )
  const m = v.metadata
  const mitigation = m.mitigation as { method?: string } | undefined
  if (mitigation?.method && mitigation.method !== 'none')
    throw new AppError(
      'UNSUPPORTED',
      `Version ${v.version} was trained with ${mitigation.method} mitigation; retrain it from Fairness with the same settings.`
    )
  const hyper = (m.hyperparameters ?? {}) as Record<string, unknown>
  const parent = cleanParent(ctx, v)
  return startTraining(ctx, {
    task: task.name,
    epochs: num(hyper.epochs),
    seed: num(m.seed),
    // A fine-tune keeps its parent's width; a fresh head gets the flagged version's.
    hidden: parent ? undefined : (num(hyper.hidden) ?? undefined),
    batchSize: num(hyper.batchSize),
    learningRate: num(hyper.learningRate),
    activate: v.active,
    parentId: parent ? parent.id : null
  })
}

/** Merges another project into the open one, in an ML worker (it writes photo rows and copies files). */
export async function mergeFrom(ctx: AppContext, from: string): Promise<MergeResult> {
  const project = ctx.requireProject()
  const r = await ctx.worker().request('teams.merge', { projectDir: project.dir, from })
  ctx.emit('data.changed', { what: ['images', 'faces', 'annotations', 'tasks'] })
  return r
}
