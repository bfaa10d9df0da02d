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
 * grouping is already balanced, so a reweighting sweep has nothing to change. ± 0.2 because a set balanced by
 * design still varies by sampling once the evaluation set is drawn: UTKFace (80 faces per gender × race cell)
 * leaves 53–69 per cell to train on, weights 0.87–1.13, and its ω = 0 / 0.5 / 1 sweep gives identical versions.
 */
export const REWEIGHT_NEAR_ONE = 0.2
