/**
 * Fairness, as main runs it: per-group metrics, probes and thresholds compose app/evaluation.ts `evaluate` (the
 * same scoring every version gets, so per-group numbers agree exactly with the overall metrics) with the
 * groupings and maths of fairness/; mitigated training composes app/training.ts with fairness/mitigation.ts.
 */
import type {
  AppliedThresholdsInfo,
  BiasProbeInfo,
  GroupMetricsComparison,
  GroupMetricsInfo,
  GroupSource,
  GroupThresholdsInfo,
  MitigationSpec,
  ReweightPreview
} from '../../shared/domain'
import { AppError } from '../../shared/result'
import { biasProbe, DEFAULT_MIN_GROUP_SIZE, spread } from '../analysis/group-rates'
import { perGroupThresholds } from '../analysis/group-thresholds'
import { computeGroupMetrics, groupDeltas, type ScoredFace } from '../fairness/group-metrics'
import { explicitGrouping, groupingInfo, resolveGrouping, type Grouping, type GroupingSpec } from '../fairness/groups'
import { prepareMitigation, reweightPreview, validateMitigation } from '../fairness/mitigation'
import { trainingSet } from '../models/training-set'
import { resolveVersion } from '../models/registry'
import { appliedThresholdsOf, clearAppliedThresholds, saveAppliedThresholds } from '../fairness/applied-thresholds'
import type { SubmittedJob } from '../jobs/queue'
import { getTask } from '../labels/tasks'
import { headline, type VersionMetrics } from '../models/version-metrics'
import type { AppContext } from './context'
import { evaluate, type EvaluateResult } from './evaluation'
import { startTraining, type TrainSpec } from './training'

export interface GroupRequest {
  task: string | number
  /** Grouping task (annotations unless source = 'predicted'), and optionally a second one to intersect. */
  groupTask?: string | number | undefined
  by?: string | number | undefined
  source?: GroupSource | undefined
  /** Explicit groups (e.g. a CSV column) instead of a grouping task. */
  groups?: { label: string; groupOf: Map<number, string> } | undefined
  minGroupSize?: number | undefined
  /** Ground truth from the caller (e.g. a CSV); default: the task's evaluation set. */
  faces?: Array<{ faceId: number; value: string }> | undefined
}

export function groupingOf(ctx: AppContext, req: GroupRequest): Grouping {
  if (req.groups) return explicitGrouping(req.groups.label, req.groups.groupOf)
  if (req.groupTask === undefined) throw new AppError('BAD_ARGS', 'Choose a grouping task.', 'groupTask')
  const spec: GroupingSpec = { task: req.groupTask, by: req.by, source: req.source }
  return resolveGrouping(ctx.requireProject().db, spec)
}

function minSize(req: { minGroupSize?: number | undefined }): number {
  const m = req.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE
  if (!Number.isInteger(m) || m < 1)
    throw new AppError('BAD_ARGS', 'The minimum group size is a whole number ≥ 1.', 'minGroupSize')
  return m
}

/** Per-group metrics of one evaluated version. */
export function groupMetricsOf(
  r: EvaluateResult,
  index: number,
  grouping: Grouping,
  minGroupSize: number
): GroupMetricsInfo {
  const v = r.versions[index]
  if (!v) throw new AppError('INTERNAL', 'The evaluation returned no version.')
  const faces: ScoredFace[] = r.faces.map((f, i) => ({ faceId: f.faceId, truth: f.truth, pred: v.values[i] as string }))
  const core = computeGroupMetrics(r.kind, r.labels, faces, grouping.groupOf, minGroupSize)
  return {
    task: r.task,
    version: v.version,
    kind: r.kind,
    grouping: groupingInfo(
      grouping,
      r.faces.map((f) => f.faceId)
    ),
    n: r.faces.length,
    overall: headline(v.metrics as VersionMetrics) ?? {},
    ...core,
    backend: r.backend
  }
}

export async function versionGroupMetrics(
  ctx: AppContext,
  req: GroupRequest & { version: number | 'active' }
): Promise<GroupMetricsInfo> {
  const task = getTask(ctx.requireProject().db, req.task)
  const grouping = groupingOf(ctx, req)
  const r = await evaluate(ctx, { task: task.name, versions: [req.version], faces: req.faces })
  return groupMetricsOf(r, 0, grouping, minSize(req))
}

export async function compareGroupMetrics(
  ctx: AppContext,
  req: GroupRequest & { a: number | 'active'; b: number | 'active' }
): Promise<GroupMetricsComparison> {
  const task = getTask(ctx.requireProject().db, req.task)
  const grouping = groupingOf(ctx, req)
  const r = await evaluate(ctx, { task: task.name, versions: [req.a, req.b], faces: req.faces })
  const a = groupMetricsOf(r, 0, grouping, minSize(req))
  const b = groupMetricsOf(r, 1, grouping, minSize(req))
  return { task: r.task, kind: r.kind, grouping: a.grouping, a, b, ...groupDeltas(a, b) }
}

/**
 * P(prediction = c | attribute value) over every face with an attribute value (not just the evaluation set:
 * the probe needs no ground truth of the task), e.g. predicted gender given annotated smiling.
 */
export async function versionBiasProbe(
  ctx: AppContext,
  req: {
    task: string | number
    version: number | 'active'
    attributeTask: string | number
    by?: string | number | undefined
    source?: GroupSource | undefined
    minGroupSize?: number | undefined
  }
): Promise<BiasProbeInfo> {
  const task = getTask(ctx.requireProject().db, req.task)
  if (task.kind !== 'classification')
    throw new AppError('UNSUPPORTED', `A bias probe needs a classification task; "${task.name}" is a score.`)
  const grouping = groupingOf(ctx, { ...req, groupTask: req.attributeTask })
  const ids = [...grouping.groupOf.keys()].sort((x, y) => x - y)
  if (ids.length === 0) throw new AppError('NOT_FOUND', `No face has a value of "${grouping.label}" yet.`)
  // The worker needs some "truth" to score against; the probe ignores the metrics.
  const placeholder = task.labels[0] ?? 'unknown'
  const r = await evaluate(ctx, {
    task: task.name,
    versions: [req.version],
    faces: ids.map((faceId) => ({ faceId, value: placeholder }))
  })
  const v = r.versions[0]
  if (!v) throw new AppError('INTERNAL', 'The evaluation returned no version.')
  const probe = biasProbe(
    r.faces.map((f, i) => ({ pred: v.values[i] as string, attribute: grouping.groupOf.get(f.faceId) as string }))
  )
  const min = minSize(req)
  const rows: BiasProbeInfo['rows'] = {}
  for (const [value, row] of Object.entries(probe.rows)) rows[value] = { ...row, small: row.n < min }
  const ranked = Object.keys(rows).filter((k) => !(rows[k] as { small: boolean }).small)
  let max_diff: BiasProbeInfo['max_diff'] = null
  for (const c of probe.classes) {
    const gap = spread(ranked, (g) => (rows[g] as { p: Record<string, number> }).p[c] ?? 0)
    if (gap && (max_diff === null || gap.value > max_diff.value))
      max_diff = { class: c, value: gap.value, between: gap.groups }
  }
  return {
    task: task.name,
    version: v.version,
    attribute: groupingInfo(
      grouping,
      r.faces.map((f) => f.faceId)
    ),
    classes: probe.classes,
    rows,
    max_diff,
    min_group_size: min
  }
}

/**
 * Post-processing: per-group thresholds on P(positive) (one-vs-rest) chosen on the evaluation set so each
 * group's TPR (or FPR) lands within `tolerance` of the pooled rate at 0.5, with the accuracy they cost.
 */
export async function versionGroupThresholds(
  ctx: AppContext,
  req: GroupRequest & {
    version: number | 'active'
    positive?: string | undefined
    target?: 'tpr' | 'fpr' | undefined
    tolerance?: number | undefined
  }
): Promise<GroupThresholdsInfo> {
  const task = getTask(ctx.requireProject().db, req.task)
  if (task.kind !== 'classification')
    throw new AppError('UNSUPPORTED', `Decision thresholds need a classification task; "${task.name}" is a score.`)
  const grouping = groupingOf(ctx, req)
  const r = await evaluate(ctx, { task: task.name, versions: [req.version], faces: req.faces }, { withProbs: true })
  const v = r.versions[0]
  if (!v) throw new AppError('INTERNAL', 'The evaluation returned no version.')
  const present = [...new Set(r.faces.map((f) => f.truth))]
  const positive =
    req.positive ??
    (task.labels.filter((l) => present.includes(l)).length === 2
      ? task.labels.filter((l) => present.includes(l))[1]
      : undefined)
  if (positive === undefined)
    throw new AppError(
      'BAD_ARGS',
      `Name the positive label (one of ${task.labels.join(', ')}); the task has more than two.`,
      'positive'
    )
  const k = r.labels.indexOf(positive)
  if (k < 0) throw new AppError('BAD_ARGS', `"${positive}" is not a label of "${task.name}".`, 'positive')
  const width = r.labels.length
  const probs = v.probs
  if (!probs || probs.length !== r.faces.length * width)
    throw new AppError('INTERNAL', 'The evaluation returned no class probabilities.')
  const scores: Array<{ score: number; truth: boolean; group: string }> = []
  r.faces.forEach((f, i) => {
    const group = grouping.groupOf.get(f.faceId)
    if (group === undefined) return
    scores.push({ score: probs[i * width + k] as number, truth: f.truth === positive, group })
  })
  const tolerance = req.tolerance ?? 0.02
  if (!(tolerance >= 0 && tolerance <= 1))
    throw new AppError('BAD_ARGS', 'The tolerance is between 0 and 1.', 'tolerance')
  const target = req.target ?? 'tpr'
  const t = perGroupThresholds(scores, { target, tolerance })
  const min = minSize(req)
  const ranked = Object.keys(t.per_group).filter((g) => (t.per_group[g]?.n ?? 0) >= min)
  return {
    task: task.name,
    version: v.version,
    grouping: groupingInfo(
      grouping,
      r.faces.map((f) => f.faceId)
    ),
    positive,
    target,
    tolerance,
    target_rate: t.target_rate,
    per_group: t.per_group,
    accuracy_before: t.accuracy_before,
    accuracy_after: t.accuracy_after,
    accuracy_cost: t.accuracy_before - t.accuracy_after,
    gap_before: spread(ranked, (g) => t.per_group[g]?.rate_before ?? null)?.value ?? null,
    gap_after: spread(ranked, (g) => t.per_group[g]?.rate_after ?? null)?.value ?? null
  }
}

type ThresholdsRequest = GroupRequest & {
  version: number | 'active'
  positive?: string | undefined
  target?: 'tpr' | 'fpr' | undefined
  tolerance?: number | undefined
}

/** Re-predicts every face of an active version so the stored predictions follow its thresholds (worker op). */
async function repredictIfActive(ctx: AppContext, task: string, version: number, active: boolean): Promise<number> {
  if (!active) return 0
  const project = ctx.requireProject()
  const r = await ctx.worker().request('predict.task', { projectDir: project.dir, task, version, activate: false })
  ctx.emit('data.changed', { what: ['faces', 'versions'] })
  return r.faces
}

/**
 * Saves the per-group thresholds of `versionGroupThresholds` on the version, for the groups large enough to be
 * ranked (smaller groups keep the plain decision), and re-predicts every face when the version is active. From
 * then on, every prediction of the version uses the face's group from its labels.
 */
export async function applyGroupThresholds(ctx: AppContext, req: ThresholdsRequest): Promise<AppliedThresholdsInfo> {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const t = await versionGroupThresholds(ctx, req)
  const min = minSize(req)
  const thresholds: Record<string, number> = {}
  for (const [g, r] of Object.entries(t.per_group)) if (r.n >= min) thresholds[g] = r.threshold
  if (Object.keys(thresholds).length === 0)
    throw new AppError(
      'UNSUPPORTED',
      `No group of "${t.grouping.label}" has ${min} or more evaluation faces; there is nothing to apply.`
    )
  const v = resolveVersion(db, task, t.version)
  saveAppliedThresholds(db, v.id, {
    group_task: t.grouping.label,
    positive: t.positive,
    target: t.target,
    tolerance: t.tolerance,
    thresholds,
    accuracy_before: t.accuracy_before,
    accuracy_after: t.accuracy_after,
    accuracy_cost: t.accuracy_cost,
    gap_before: t.gap_before,
    gap_after: t.gap_after
  })
  const repredicted = await repredictIfActive(ctx, task.name, v.version, v.active)
  return {
    ...(versionAppliedThresholds(ctx, { task: task.name, version: v.version }) as AppliedThresholdsInfo),
    repredicted
  }
}

/** The thresholds saved on a version, or null. */
export function versionAppliedThresholds(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): AppliedThresholdsInfo | null {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const v = resolveVersion(db, task, req.version)
  const t = appliedThresholdsOf(db, v.id)
  return t ? { ...t, task: task.name, version: v.version, repredicted: 0 } : null
}

/** Removes a version's thresholds (back to the plain decision) and re-predicts when it is active. */
export async function clearGroupThresholds(
  ctx: AppContext,
  req: { task: string | number; version: number | 'active' }
): Promise<{ task: string; version: number; cleared: boolean; repredicted: number }> {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const v = resolveVersion(db, task, req.version)
  const cleared = clearAppliedThresholds(db, v.id)
  const repredicted = cleared ? await repredictIfActive(ctx, task.name, v.version, v.active) : 0
  return { task: task.name, version: v.version, cleared, repredicted }
}

/** Full-strength reweighting weights of the task's current training faces by a grouping task (before a sweep). */
export function versionReweightPreview(
  ctx: AppContext,
  req: { task: string | number; groupTask: string }
): ReweightPreview {
  const db = ctx.requireProject().db
  const task = getTask(db, req.task)
  const groupTask = getTask(db, req.groupTask)
  return reweightPreview(db, task.name, groupTask.name, trainingSet(db, task).train)
}

/** A training job with bias mitigation; the version's metadata records method, parameters and grouping task. */
export function startMitigatedTraining(
  ctx: AppContext,
  req: TrainSpec & { mitigation?: MitigationSpec | undefined }
): SubmittedJob<'train'> {
  const { mitigation, ...spec } = req
  if (!mitigation) return startTraining(ctx, spec)
  validateMitigation(mitigation)
  const db = ctx.requireProject().db
  if (mitigation.method !== 'none') getTask(db, mitigation.groupTask)
  return startTraining(ctx, {
    ...spec,
    mitigate: (set) => prepareMitigation(db, mitigation, set.train, set.task.labels)
  })
}
