/** Fairness slice: grouping, per-group metrics (and their comparison), bias probe, thresholds, the sweep and the Conflicts queue of the active task. Pure state; side effects live in fairness-actions.ts. */
import type {
  AppliedThresholdsInfo,
  ReweightPreview,
  SweepMethod,
  BiasProbeInfo,
  ConflictList,
  GroupMetricsComparison,
  GroupMetricsInfo,
  GroupSource,
  GroupThresholdsInfo
} from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

export type FairnessTab = 'metrics' | 'probe' | 'thresholds' | 'sweep' | 'conflicts' | 'annotators'

/** A request and what came back for it; `key` names the arguments, so a stale answer is never shown as current. */
export interface Fetched<T> {
  key: string | null
  value: T | null
  loading: boolean
  error: AppErrorShape | null
}

export function idle<T>(): Fetched<T> {
  return { key: null, value: null, loading: false, error: null }
}

export interface FairnessSlice {
  fairTab: FairnessTab
  /** Grouping task (groups are its labels) and an optional second one to intersect; null until chosen. */
  fairGroupTask: string | null
  fairGroupBy: string | null
  fairSource: GroupSource
  /** Groups with fewer faces are greyed and not ranked. */
  fairMinGroup: number
  /** Version shown (null = the active one) and the version it is compared with (null = none). */
  fairVersion: number | null
  fairCompareWith: number | null
  fairMetrics: Fetched<GroupMetricsInfo>
  fairComparison: Fetched<GroupMetricsComparison>
  /** Bias probe: the nuisance attribute (a task) and P(prediction | attribute). */
  fairProbeTask: string | null
  fairProbe: Fetched<BiasProbeInfo>
  /** Post-processing thresholds: positive label (null = the backend's default), target rate, tolerance. */
  fairPositive: string | null
  fairTarget: 'tpr' | 'fpr'
  fairTolerance: number
  fairThresholds: Fetched<GroupThresholdsInfo>
  /** Thresholds saved on the shown version (null value: none), and an apply / remove in flight. */
  fairApplied: Fetched<AppliedThresholdsInfo | null>
  fairApplying: boolean
  /** Sweep form and the job it started (its result, a SweepSummary, is read from the jobs slice). */
  sweepMethod: SweepMethod
  sweepValues: string
  sweepGroupTask: string | null
  sweepEpochs: number | null
  /** Accuracy budget in percentage points. */
  sweepBudget: number
  sweepJobId: number | null
  sweepError: AppErrorShape | null
  /** Full-strength reweighting weights for the form's task and grouping (shown before a reweighting sweep). */
  sweepReweight: Fetched<ReweightPreview>
  /** How the λ values in the form were chosen from the validation rows (null: typed by the user). */
  sweepRangeNote: string | null
  /** Version of the sweep point the user clicked. */
  sweepSelected: number | null
  fairConflicts: Fetched<ConflictList>
}

export function createFairnessSlice(): FairnessSlice {
  return {
    fairTab: 'metrics',
    fairGroupTask: null,
    fairGroupBy: null,
    fairSource: 'annotations',
    fairMinGroup: 30,
    fairVersion: null,
    fairCompareWith: null,
    fairMetrics: idle(),
    fairComparison: idle(),
    fairProbeTask: null,
    fairProbe: idle(),
    fairPositive: null,
    fairTarget: 'tpr',
    fairTolerance: 0.02,
    fairThresholds: idle(),
    fairApplied: idle(),
    fairApplying: false,
    sweepMethod: 'reweight',
    sweepValues: '0, 0.5, 1',
    sweepGroupTask: null,
    sweepEpochs: null,
    sweepBudget: 1,
    sweepJobId: null,
    sweepError: null,
    sweepReweight: idle(),
    sweepRangeNote: null,
    sweepSelected: null,
    fairConflicts: idle()
  }
}
