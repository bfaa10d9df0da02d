/** The people ops: clustering reads identities and the user's constraints; main applies the plan (persons are main's). */
import type { ClusterPreviewRow } from '../../shared/domain'
import { computeClusterPlan, computePreview } from '../people/cluster-plan'
import type { ClusterPlan } from '../people/clustering'
import { projectDb } from './db'
import type { OpParsed } from './protocol'

export function clusterOp(p: OpParsed<'people.cluster'>): ClusterPlan {
  return computeClusterPlan(projectDb(p.projectDir), { threshold: p.threshold, mode: p.mode, projectDir: p.projectDir })
}

export function previewOp(p: OpParsed<'people.preview'>): ClusterPreviewRow[] {
  return computePreview(projectDb(p.projectDir), p.thresholds, p.projectDir)
}
