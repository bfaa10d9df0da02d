/**
 * Builds the metadata record saved beside a trained head from the options and result of trainHead,
 * so every version records how it was made (hyper-parameters, seed, data, mitigation, metrics).
 */
import type { FitOptions, FitResult } from './fit'
import type { NewVersionMetadata } from './store'
import { TRAIN_DEFAULTS, type TrainOptions, type TrainResult } from './train'

export interface DescribeTrainingArgs {
  options: TrainOptions
  result: TrainResult
  featureKind: string
  parentVersion: number | null
  /** sha256 from trainingSetHash over the annotations used. */
  trainingSetHash: string
  /** Extra metrics (e.g. from the evaluation step) merged over the training ones. */
  metrics?: Record<string, unknown>
  /**
   * Mitigation applied outside trainHead (e.g. sample weights from group reweighing); the group
   * penalty, when set, is recorded automatically.
   */
  mitigation?: { method: string; params: Record<string, unknown> }
}

export function describeTraining({
  options,
  result,
  featureKind,
  parentVersion,
  trainingSetHash,
  metrics,
  mitigation
}: DescribeTrainingArgs): NewVersionMetadata {
  const best = result.history[result.bestEpoch - 1]
  const inputDim = result.model.inputs[0]?.shape[1]
  if (typeof inputDim !== 'number') throw new Error('model has no fixed input dimension')
  const penalty = options.groupPenalty
  return {
    kind: options.kind,
    labels: result.labels,
    feature_kind: featureKind,
    input_dim: inputDim,
    parent_version: parentVersion,
    hyperparameters: {
      hidden: options.hidden ?? null,
      epochs: options.epochs ?? TRAIN_DEFAULTS.epochs,
      batchSize: options.batchSize ?? TRAIN_DEFAULTS.batchSize,
      learningRate: options.learningRate ?? TRAIN_DEFAULTS.learningRate,
      validationFraction: options.validationFraction ?? TRAIN_DEFAULTS.validationFraction,
      earlyStoppingPatience: options.earlyStoppingPatience ?? TRAIN_DEFAULTS.earlyStoppingPatience,
      classWeights: options.classWeights ?? 'none',
      classWeightValues: result.classWeights,
      sampleWeights: options.sampleWeights !== undefined,
      optimizer: 'adam',
      warmStart: options.init !== undefined,
      epochsRun: result.epochsRun,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly
    },
    seed: options.seed,
    training_set_hash: trainingSetHash,
    counts: result.counts,
    duration_ms: Math.round(result.durationMs),
    metrics: {
      ...(best ? { ...best } : {}),
      train_rows: result.trainIdx.length,
      validation_rows: result.valIdx.length,
      ...metrics
    },
    mitigation: options.groupDro
      ? {
          method: 'group_dro',
          params: { eta: options.groupDro.eta, final_group_weights: result.groupWeights ?? null }
        }
      : penalty
        ? {
            method: 'group_penalty',
            params: {
              lambda: penalty.lambda,
              mode: penalty.mode,
              spread: penalty.spread ?? 'range',
              positiveIndex: penalty.positiveIndex ?? null,
              // group-step.ts: the loss range's gradient reaches only the worst group (the best is held).
              worst_group_only: penalty.mode === 'loss' && (penalty.spread ?? 'range') === 'range'
            }
          }
        : (mitigation ?? null)
  }
}

export interface DescribeFitArgs {
  options: FitOptions
  result: FitResult
  featureKind: string
  parentVersion: number | null
  trainingSetHash: string
  metrics?: Record<string, unknown>
  mitigation?: { method: string; params: Record<string, unknown> } | null
  /** Extra recipe entries (mirrored rows, soft targets) the caller used. */
  recipe?: Record<string, unknown>
}

/**
 * The recipe entries of the mirrored views (issue 11 §2): `mirrored` says whether the version's predictions
 * average each face's original and mirrored views (the predictor reads it; versions made before it existed
 * average too), `mirrored_rows` whether mirrored views trained as extra rows, and how many.
 */
export function mirrorRecipe(mirrored: boolean, rows: number): Record<string, unknown> {
  return { mirrored, mirrored_rows: mirrored && rows > 0, mirrored_row_count: rows }
}

/** Whether a version's predictions average the two views: all but those trained with `mirrored: false`. */
export function predictsMirrored(recipe: Record<string, unknown> | undefined): boolean {
  return recipe?.mirrored !== false
}

/** The metadata of a version made by fitHeads: chosen settings, the search, the ensemble, the calibration. */
export function describeFit({
  options,
  result,
  featureKind,
  parentVersion,
  trainingSetHash,
  metrics,
  mitigation,
  recipe
}: DescribeFitArgs): NewVersionMetadata {
  const inputDim = result.model.inputs[0]?.shape[1]
  if (typeof inputDim !== 'number') throw new Error('model has no fixed input dimension')
  const first = result.first
  const best = first.history[first.bestEpoch - 1]
  const penalty = options.groupPenalty
  return {
    kind: options.kind,
    labels: result.labels,
    feature_kind: featureKind,
    input_dim: inputDim,
    parent_version: parentVersion,
    hyperparameters: {
      hidden: result.chosen.hidden,
      l2: result.chosen.l2,
      learningRate: result.chosen.learningRate,
      warmStart: result.chosen.warmStart,
      forced: options.forced ?? null,
      epochs: options.epochs ?? TRAIN_DEFAULTS.epochs,
      batchSize: options.batchSize ?? TRAIN_DEFAULTS.batchSize,
      earlyStoppingPatience: options.earlyStoppingPatience ?? TRAIN_DEFAULTS.earlyStoppingPatience,
      classWeights: options.classWeights ?? 'none',
      sampleWeights: options.sampleWeights !== undefined,
      optimizer: 'adam',
      // The longest-running head, so "epochs" on the Models screen is never less than any head ran.
      epochsRun: Math.max(...result.heads.map((h) => h.epochsRun)),
      bestEpoch: first.bestEpoch,
      stoppedEarly: result.heads.every((h) => h.stoppedEarly),
      search: result.search.map((p) => ({
        ...p.settings,
        val_loss: p.val_loss,
        calibrated_val_loss: p.calibrated_val_loss,
        val_acc: p.val_acc,
        epochs_run: p.epochs_run
      })),
      heads: result.heads
    },
    seed: options.seed,
    training_set_hash: trainingSetHash,
    counts: first.counts,
    duration_ms: Math.round(result.durationMs),
    metrics: {
      ...(best ? { ...best } : {}),
      train_rows: first.trainIdx.length,
      validation_rows: first.valIdx.length,
      ...metrics
    },
    mitigation: penalty
      ? {
          method: 'group_penalty',
          params: {
            lambda: penalty.lambda,
            mode: penalty.mode,
            spread: penalty.spread ?? 'range',
            positiveIndex: penalty.positiveIndex ?? null
          }
        }
      : (mitigation ?? null),
    calibration: result.calibration ? { ...result.calibration, fitted_on: 'out_of_fold' } : null,
    recipe: {
      ensemble_k: result.k,
      combine: 'mean_logits',
      capacity_search: result.search.length > 1,
      calibration: result.calibration ? 'temperature' : 'none',
      mirrored: true,
      mirrored_rows: false,
      soft_targets: false,
      ...recipe
    }
  }
}
