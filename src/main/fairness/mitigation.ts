/**
 * Bias mitigation for a training run (main, before the worker trains): turns a MitigationSpec into ready per-row
 * values for the training rows (models/training-set.ts ReadyMitigation) and the record saved in the version's
 * metadata.
 *
 * - reweight (ω): sample weights from analysis/reweight (every group, and every label inside a group, carries
 *   the same total weight at ω = 1; ω = 0 is plain training). Training faces without a group keep weight 1; the
 *   grouped faces' weights have mean 1 among themselves, so ungrouped faces are neither favoured nor dropped.
 * - penalty (λ): trainHead's group penalty, λ × the spread of per-group mean loss ('loss', default) or of the
 *   per-group mean probability of a positive label ('positive_rate'); faces without a group are left out of it.
 * - dro (η): Group DRO (training/group-step.ts): group weights updated every step by exponentiated gradient on
 *   the per-group losses, η their step size; faces without a group keep their plain share of the loss.
 * Groups always come from the grouping task's annotations, never from predictions.
 */
import type { MitigationSpec, ReweightPreview } from '../../shared/domain'
import { REWEIGHT_NEAR_ONE } from '../../shared/mitigation'
import { AppError } from '../../shared/result'
import { reweightSampleWeights } from '../analysis/reweight'
import type { Db } from '../db/open'
import type { ReadyMitigation } from '../models/training-set'
import { resolveGrouping } from './groups'

export function validateMitigation(spec: MitigationSpec): void {
  if (spec.method === 'none') return
  if (!spec.groupTask) throw new AppError('BAD_ARGS', `Mitigation "${spec.method}" needs a grouping task.`, 'groupTask')
  if (!Number.isFinite(spec.strength))
    throw new AppError('BAD_ARGS', 'The mitigation strength must be a number.', 'strength')
  if (spec.method === 'reweight' && (spec.strength < 0 || spec.strength > 1))
    throw new AppError('BAD_ARGS', `Reweighting strength ω must be in [0, 1], got ${spec.strength}.`, 'strength')
  if (spec.method === 'penalty' && spec.strength < 0)
    throw new AppError('BAD_ARGS', `Penalty strength λ must be ≥ 0, got ${spec.strength}.`, 'strength')
  if (spec.method === 'dro' && spec.strength < 0)
    throw new AppError('BAD_ARGS', `Group DRO step size η must be ≥ 0, got ${spec.strength}.`, 'strength')
}

/**
 * The weights reweighting at full strength (ω = 1) gives these training rows by the grouping task's annotations,
 * summarised, so the UI can say before a sweep runs that a balanced grouping leaves nothing to reweight.
 */
export function reweightPreview(
  db: Db,
  task: string,
  groupTask: string,
  rows: ReadonlyArray<{ faceId: number; value: string }>
): ReweightPreview {
  const grouping = resolveGrouping(db, { task: groupTask, source: 'annotations' })
  const items: Array<{ label: string; group: string }> = []
  for (const r of rows) {
    const g = grouping.groupOf.get(r.faceId)
    if (g !== undefined) items.push({ label: r.value, group: g })
  }
  const w = reweightSampleWeights(items, 1)
  const per_group: ReweightPreview['per_group'] = {}
  items.forEach((it, i) => {
    const x = w[i] as number
    const g = (per_group[it.group] ??= { n: 0, min_weight: x, max_weight: x })
    g.n++
    g.min_weight = Math.min(g.min_weight, x)
    g.max_weight = Math.max(g.max_weight, x)
  })
  const min = w.length ? Math.min(...w) : null
  const max = w.length ? Math.max(...w) : null
  return {
    task,
    group_task: grouping.label,
    training_faces: rows.length,
    grouped_faces: items.length,
    min_weight: min,
    max_weight: max,
    near_one: min !== null && max !== null && 1 - min <= REWEIGHT_NEAR_ONE && max - 1 <= REWEIGHT_NEAR_ONE,
    tolerance: REWEIGHT_NEAR_ONE,
    per_group
  }
}

export function prepareMitigation(
  db: Db,
  spec: MitigationSpec | undefined,
  rows: ReadonlyArray<{ faceId: number; value: string }>,
  outputLabels: readonly string[]
): ReadyMitigation {
  if (!spec || spec.method === 'none') return { record: spec ? { method: 'none', params: {} } : null }
  validateMitigation(spec)
  const grouping = resolveGrouping(db, { task: spec.groupTask, source: 'annotations' })
  const groups = rows.map((r) => grouping.groupOf.get(r.faceId) ?? null)
  const grouped = groups.filter((g) => g !== null).length
  if (new Set(groups.filter((g) => g !== null)).size < 2) {
    throw new AppError(
      'UNSUPPORTED',
      `Mitigation by "${grouping.label}" needs training faces labelled with at least two of its values (${grouped} training faces have one).`
    )
  }
  const params: Record<string, unknown> = {
    group_task: grouping.label,
    group_source: grouping.source,
    grouped_faces: grouped,
    training_faces: rows.length
  }
  if (spec.method === 'reweight') {
    const idx: number[] = []
    const items: Array<{ label: string; group: string }> = []
    groups.forEach((g, i) => {
      if (g === null) return
      idx.push(i)
      items.push({ label: (rows[i] as { value: string }).value, group: g })
    })
    const w = reweightSampleWeights(items, spec.strength)
    const sampleWeights = new Array<number>(rows.length).fill(1)
    idx.forEach((i, k) => (sampleWeights[i] = w[k] as number))
    return { sampleWeights, record: { method: 'reweight', params: { ...params, omega: spec.strength } } }
  }
  if (spec.method === 'dro')
    return {
      groupDro: { groups, eta: spec.strength },
      record: { method: 'dro', params: { ...params, eta: spec.strength } }
    }
  const mode = spec.penaltyMode ?? 'loss'
  let positiveIndex: number | undefined
  if (mode === 'positive_rate') {
    if (spec.positive === undefined) {
      if (outputLabels.length !== 2)
        throw new AppError(
          'BAD_ARGS',
          'A positive-rate penalty on a task with more than two labels needs --positive <label>.',
          'positive'
        )
    } else {
      positiveIndex = outputLabels.indexOf(spec.positive)
      if (positiveIndex < 0)
        throw new AppError(
          'BAD_ARGS',
          `"${spec.positive}" is not one of the task's labels (${outputLabels.join(', ')}).`,
          'positive'
        )
    }
  }
  return {
    groupPenalty: {
      groups,
      lambda: spec.strength,
      mode,
      ...(positiveIndex !== undefined ? { positiveIndex } : {})
    },
    record: {
      method: 'penalty',
      params: {
        ...params,
        lambda: spec.strength,
        mode,
        spread: 'range',
        worst_group_only: mode === 'loss',
        positive: spec.positive ?? null
      }
    }
  }
}
