import type { ClusterPreviewRow, ClusterSummary } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { applyClusterPlan, lastClusteredFace, storedThreshold, type ClusterMode } from '../people/clustering'
import { clearPeopleUndo } from '../people/people-undo'
import type { SubmittedJob } from '../jobs/queue'
import type { AppContext } from './context'

export interface ClusterJobOptions {
  /** Euclidean distance on the 128-d descriptors; the project's last threshold (default 0.5) when absent. */
  threshold?: number | undefined
  /** incremental when the project was clustered before, else full, when absent. */
  mode?: ClusterMode | undefined
}

/**
 * Clusters faces into persons as a job: the ML worker computes the plan from the database (so a 100k-face run
 * never blocks main's event loop), main writes it in one transaction and tells screens that persons changed.
 */
export function startClustering(ctx: AppContext, opts: ClusterJobOptions = {}): SubmittedJob<'cluster'> {
  const project = ctx.requireProject()
  const threshold = opts.threshold ?? storedThreshold(project.db)
  if (!(threshold > 0 && threshold < 4))
    throw new AppError('BAD_ARGS', 'The threshold must be between 0 and 4.', 'threshold')
  const mode: ClusterMode = opts.mode ?? (lastClusteredFace(project.db) === null ? 'full' : 'incremental')
  const title = mode === 'full' ? 'Cluster people' : 'Add new faces to people'
  return ctx.jobs.submit({ kind: 'cluster', task: null, title }, async (job) => {
    const started = performance.now()
    job.progress({ done: 0, total: 1, message: 'Clustering faces…' })
    const plan = await ctx
      .worker()
      .request('people.cluster', { projectDir: project.dir, threshold, mode }, { signal: job.signal })
    if (job.signal.aborted) throw new AppError('CANCELLED', 'Clustering cancelled; nothing was changed.')
    const applied = applyClusterPlan(project.db, plan)
    clearPeopleUndo(project)
    ctx.emit('data.changed', { what: ['persons', 'faces'] })
    const summary: ClusterSummary = {
      clusters: applied.clusters,
      singletons: applied.singletons,
      seconds: (performance.now() - started) / 1000,
      mode,
      threshold,
      assigned: applied.assigned
    }
    job.progress({ done: 1, total: 1, message: `${summary.clusters} clusters, ${summary.singletons} singletons` })
    return summary
  })
}

export const DEFAULT_PREVIEW_THRESHOLDS = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]

/** What each threshold would give (computed in the worker, with the user's constraints). */
export async function clusterPreview(ctx: AppContext, thresholds: readonly number[]): Promise<ClusterPreviewRow[]> {
  const project = ctx.requireProject()
  return ctx.worker().request('people.preview', { projectDir: project.dir, thresholds: [...thresholds] })
}
