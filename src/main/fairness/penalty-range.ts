/**
 * λ values for a loss-penalty sweep chosen from the validation rows (issue 11): the penalty is λ × (worst − best
 * group's mean loss), so λ only means something relative to the data's loss scale. On the rows training will
 * hold out for validation (the same seeded split trainHead makes), the starting version's mean loss L and its
 * per-group loss range R give the scale L / R: at λ = L / R the penalty starts as large as the loss itself.
 * The sweep covers fractions of that scale, so it neither does nothing (λ far below) nor swamps the task loss
 * (λ far above, where on UTKFace λ = 2 lost 6 accuracy points).
 */
import type { PenaltyRange } from '../../shared/domain'
import { AppError } from '../../shared/result'

/** Fractions of the scale L / R the sweep tries. */
export const PENALTY_FRACTIONS = [0.1, 0.25, 0.5, 1] as const
/** Groups with fewer validation rows than this do not set the range (their mean loss is noise). */
export const MIN_RANGE_GROUP_ROWS = 10

function round3(x: number): number {
  if (x === 0) return 0
  const p = Math.pow(10, 2 - Math.floor(Math.log10(Math.abs(x))))
  return Math.round(x * p) / p
}

/** From each validation row's loss under the starting version and its group (null = none). */
export function penaltyRange(
  rows: ReadonlyArray<{ loss: number; group: string | null }>
): Omit<PenaltyRange, 'task' | 'group_task' | 'version'> {
  if (rows.length === 0) throw new AppError('UNSUPPORTED', 'No validation rows to choose λ from.')
  const mean = rows.reduce((s, r) => s + r.loss, 0) / rows.length
  const sum = new Map<string, number>()
  const count = new Map<string, number>()
  for (const r of rows) {
    if (r.group === null) continue
    sum.set(r.group, (sum.get(r.group) ?? 0) + r.loss)
    count.set(r.group, (count.get(r.group) ?? 0) + 1)
  }
  const per_group: Record<string, { n: number; mean_loss: number }> = {}
  for (const [g, s] of [...sum].sort(([a], [b]) => a.localeCompare(b)))
    per_group[g] = { n: count.get(g) as number, mean_loss: s / (count.get(g) as number) }
  const ranked = Object.values(per_group).filter((g) => g.n >= MIN_RANGE_GROUP_ROWS)
  if (ranked.length < 2)
    throw new AppError(
      'UNSUPPORTED',
      `Choosing λ needs at least two groups with ${MIN_RANGE_GROUP_ROWS} or more validation rows; give the λ values yourself.`
    )
  const losses = ranked.map((g) => g.mean_loss)
  const gap = Math.max(...losses) - Math.min(...losses)
  if (!(gap > 1e-6))
    throw new AppError('UNSUPPORTED', 'The groups already have the same validation loss: there is no gap to penalise.')
  const scale = mean / gap
  return {
    validation_rows: rows.length,
    mean_loss: mean,
    loss_gap: gap,
    scale,
    values: [0, ...PENALTY_FRACTIONS.map((f) => round3(f * scale))],
    per_group
  }
}
