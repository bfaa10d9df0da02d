/** A version as the Models screen and `face-studio versions` show it. */
import type { ModelVersionInfo } from '../../shared/domain'
import type { Db } from '../db/open'
import { getTask } from '../labels/tasks'
import { forgottenDataOf, isBuiltinV0, versionsOf, type VersionRow } from './registry'
import { headline, type VersionMetrics } from './version-metrics'

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export function toVersionInfo(task: string, v: VersionRow, all: readonly VersionRow[]): ModelVersionInfo {
  const m = v.metadata
  const metrics = (m.metrics ?? {}) as Record<string, unknown>
  const hyper = (m.hyperparameters ?? {}) as Record<string, unknown>
  const mitigation = m.mitigation as ModelVersionInfo['mitigation'] | undefined
  const recipe = (m.recipe ?? {}) as Record<string, unknown>
  const parent = v.parentId === null ? null : (all.find((p) => p.id === v.parentId)?.version ?? null)
  return {
    id: v.id,
    task,
    version: v.version,
    parent,
    active: v.active,
    builtin: isBuiltinV0(v),
    createdAt: v.createdAt,
    trainN: num(metrics.train_n),
    evalN: num(metrics.eval_n),
    headline: headline(metrics.evaluation as VersionMetrics | undefined),
    backend: typeof m.backend === 'string' ? m.backend : null,
    mitigation: mitigation ?? null,
    seed: num(m.seed),
    epochsRun: num(hyper.epochsRun),
    durationMs: num(m.duration_ms),
    labels: Array.isArray(m.labels) ? (m.labels as string[]) : [],
    // As worker/predictor.ts reads it (training/metadata.ts predictsMirrored): only an explicit false is single-view.
    mirrored: recipe.mirrored !== false,
    mirroredRows:
      recipe.mirrored_rows === true ? num(recipe.mirrored_row_count) : recipe.mirrored_rows === false ? 0 : null,
    forgottenData: forgottenDataOf(v)
  }
}

export function listVersionInfos(db: Db, taskName: string | number): ModelVersionInfo[] {
  const task = getTask(db, taskName)
  const all = versionsOf(db, task.id)
  return all.map((v) => toVersionInfo(task.name, v, all))
}
