/** Names the UI, the CLI and main share for bias mitigation (no runtime dependencies: the renderer imports it). */
import type { SweepMethod } from './domain'

/** The symbol of each method's strength: ω (reweighting), λ (penalty), η (Group DRO step size). */
export const STRENGTH_SYMBOL: Record<SweepMethod, string> = { reweight: 'ω', penalty: 'λ', dro: 'η' }

export const METHOD_NAME: Record<SweepMethod, string> = {
  reweight: 'Reweighting',
  penalty: 'Penalty',
  dro: 'Group DRO'
}

/**
 * Full-balance reweighting weights within this distance of 1 (every one of them) count as "all ≈ 1": the
 * grouping is already balanced, so a reweighting sweep has nothing to change.
 */
export const REWEIGHT_NEAR_ONE = 0.1
