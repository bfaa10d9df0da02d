/** Models slice: training runs, model versions and the Compare view of the active task. Pure state; side effects live in models-actions.ts. */
import type {
  EpochPoint,
  EvaluationSetSummary,
  JobStatus,
  ModelVersionInfo,
  TaskInfo,
  TrainSummary,
  VersionComparison
} from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

/** The training run the Train screen follows (the latest of the active task in this session). */
export interface TrainRun {
  jobId: number
  task: string
  status: JobStatus
  totalEpochs: number
  epochs: EpochPoint[]
  result: TrainSummary | null
}

export interface ModelsSlice {
  /** Every task (tasks.list), for kinds and labels; null until loaded. */
  modelTasks: TaskInfo[] | null
  /** Versions of `modelVersionsTask`, oldest first; null until loaded. */
  modelVersions: ModelVersionInfo[] | null
  modelVersionsTask: string | null
  modelVersionsError: AppErrorShape | null
  /** The evaluation set of `modelVersionsTask`. */
  evalSet: EvaluationSetSummary | null
  trainRun: TrainRun | null
  trainStarting: boolean
  trainError: AppErrorShape | null
  /** The activation (re-prediction) job started from the Models screen. */
  activateJobId: number | null
  /** Compare view: chosen versions (null = default: v0 vs active) and the last result. */
  compareA: number | null
  compareB: number | null
  comparison: VersionComparison | null
  /** "task:a:b" of the comparison shown or being fetched. */
  comparisonKey: string | null
  compareLoading: boolean
  compareError: AppErrorShape | null
  /** The face opened from the flip list (a dialog). */
  flipFaceId: number | null
}

export function createModelsSlice(): ModelsSlice {
  return {
    modelTasks: null,
    modelVersions: null,
    modelVersionsTask: null,
    modelVersionsError: null,
    evalSet: null,
    trainRun: null,
    trainStarting: false,
    trainError: null,
    activateJobId: null,
    compareA: null,
    compareB: null,
    comparison: null,
    comparisonKey: null,
    compareLoading: false,
    compareError: null,
    flipFaceId: null
  }
}
