/** Domain types shared by main, renderer and CLI. Pure data: no behaviour, no imports from other layers. */
import type { ExportResult, LabelImportResult } from './labels-io'
import type { ForgottenDataInfo } from './teams'

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'

export interface BackendInfo {
  name: BackendName
  simd: boolean
  threads: number
  workers: number
  /** Human-readable, e.g. "wasm · SIMD · 2 workers". */
  label: string
}

export interface ProjectCounts {
  images: number
  imageErrors: number
  faces: number
  persons: number
  annotations: number
  tasks: number
}

export interface ProjectInfo {
  dir: string
  name: string
  schemaVersion: number
  createdAt: string
  counts: ProjectCounts
}

export interface RecentProject {
  dir: string
  name: string
  openedAt: string
  exists: boolean
}

export interface AppInfo {
  name: string
  version: string
  mode: 'electron' | 'web'
  versions: Record<string, string>
  backend: BackendInfo | null
  annotator: string
  settingsDir: string
}

/** Who is annotating: the profile new annotations are recorded under, and the ones to pick from. */
export interface AnnotatorProfiles {
  current: string
  /** The OS account: the default profile. */
  osUser: string
  /** Profiles picked on this machine, most recent first. */
  recent: string[]
  /** Annotators found in the open project's annotations, with how many answers each gave (empty without a project). */
  inProject: Array<{ name: string; annotations: number }>
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

export interface JobProgress {
  done: number
  total: number
  /** Items per second over the job so far. */
  rate: number
  etaSeconds: number | null
  message: string
  /** Job-specific counters (faces found, errors so far, epoch, loss...). */
  counters: Record<string, number>
}

/** What a job of each kind returns when it is done (its JobInfo.result). */
export interface JobResults {
  import: ImportSummary
  cluster: ClusterSummary
  train: TrainSummary
  repredict: RepredictSummary
  sweep: SweepSummary
  curve: LearningCurve
  'label-errors': LabelErrorsSummary
  /** Import labels… in the window: resolved in a worker, written by main in one transaction. */
  'labels-import': LabelImportResult
  /** Export… in the window: gathered and written by a worker (atomic rename). */
  export: ExportResult
  /** Augment existing faces: mirrored features of faces imported before they were stored (issue 11 §2). */
  augment: AugmentSummary
  /** The Map's projection of one feature kind, stored in the project's cache. */
  projection: ProjectionSummary
}

/** How many faces have the mirrored views every prediction averages in (issue 11 §2). */
export interface MirrorStatus {
  /** Faces with attribute features. */
  faces: number
  /** Of them, faces with both mirrored views stored. */
  mirrored: number
}

/** What "augment existing faces" did: faces = all with features; augmented now; skipped (photo gone / changed). */
export interface AugmentSummary {
  faces: number
  augmented: number
  skipped: number
  /** Faces that had their mirrored views before this run. */
  already: number
  /** A few skipped photos and why. */
  problems: Array<{ path: string; reason: string }>
  /** Tasks whose stored predictions were re-computed to average the new views. */
  repredicted: string[]
  seconds: number
  backend: string
}

export type MapFeatureKind = 'identity' | 'expression' | 'age_gender'
export type MapMethod = 'pca' | 'umap'

/** A projection job's result: what was stored (or found already stored) for a feature kind and method. */
export interface ProjectionSummary {
  kind: MapFeatureKind
  method: MapMethod
  /** The cache key: the faces the map holds (src/main/analysis/projection.ts projectionKey). */
  key: string
  n: number
  /** UMAP: faces the layout was fitted on, the others placed by transform; PCA: n. */
  fitted: number
  seed: number
  seconds: number
  computedAt: string
  /** true: the faces had not changed since the stored map was computed, so it was kept as it was. */
  cached: boolean
}

/**
 * A stored map (`map.get`): face ids as base64 of little-endian Int32, coordinates as base64 of Float32 pairs
 * in the same order (100,000 faces are 1.6 MB of text, not 100,000 objects).
 */
export interface MapProjection extends Omit<ProjectionSummary, 'cached'> {
  ids: string
  xy: string
  /** Faces were added, removed or replaced since: the map is shown as it was, and Compute brings it up to date. */
  stale: boolean
}

export type MapColourBy = 'label' | 'prediction' | 'confidence' | 'person'

/**
 * Per-face colour values of a map, in the order of its ids. Categories (labels, predicted values, persons) as
 * base64 Int32 indices into `categories` (−1: none), most frequent first; numbers (confidence, a score task's
 * label or prediction) as base64 Float32 (NaN: none).
 */
export type MapColouring =
  | {
      by: MapColourBy
      type: 'category'
      title: string
      categories: string[]
      counts: number[]
      codes: string
      none: number
    }
  | { by: MapColourBy; type: 'number'; title: string; values: string; min: number; max: number; none: number }

/** One label confident learning doubts (issue 13): the face, the label given (by whom, when) and the one suggested. */
export interface LabelErrorSuspect {
  faceId: number
  /** Absolute path of the photo the face is in. */
  path: string
  thumb: string
  given: string
  suggested: string
  /** Out-of-fold p(suggested) − p(given): the ranking margin. */
  score: number
  /** Out-of-fold probability of the suggested label. */
  probability: number
  annotator: string | null
  labelledAt: string | null
}

export interface LabelErrorsSummary {
  task: string
  n_checked: number
  /** Folds trained for this search; 0 when the active version's out-of-fold probabilities were reused. */
  k: number
  reusedVersion: number | null
  suspects: LabelErrorSuspect[]
  /** Per given label: faces checked and suspects among them. */
  perClass: Array<{ label: string; checked: number; suspects: number }>
  seconds: number
  backend: string
  /** When the search finished; answers given after it take a face out of the queue. */
  at: string
}

/**
 * Accuracy (or MAE) on the evaluation set of versions trained on nested subsets of the labelled faces
 * (`models.learningCurve`); nothing is saved. `baseline`: the active version, before any of these labels.
 */
export interface LearningCurve {
  task: string
  metric: 'accuracy' | 'mae'
  evalN: number
  baseline: { version: number; value: number } | null
  points: Array<{ fraction: number; n: number; value: number }>
  seconds: number
  backend: string
}

export type JobKind = keyof JobResults

/**
 * What a job of each kind works on. Screens find "the training run of this task" by kind and these fields;
 * the title is for people to read and may change wording freely.
 */
export interface JobSubjects {
  import: { task: null }
  cluster: { task: null }
  train: { task: string }
  /** The version the re-prediction makes active. */
  repredict: { task: string; version: number }
  sweep: { task: string }
  curve: { task: string }
  'label-errors': { task: string }
  'labels-import': { task: string }
  export: { task: null }
  augment: { task: null }
  projection: { task: null }
}

/** What a service passes to the job queue: the kind, what the job works on and its title. */
export type JobSpec<K extends JobKind> = { kind: K; title: string } & JobSubjects[K]

export type JobOf<K extends JobKind> = JobSpec<K> & {
  id: number
  status: JobStatus
  progress: JobProgress
  error: string | null
  startedAt: string
  endedAt: string | null
  /** Set when the job is done; null before and when it failed or was cancelled. */
  result: JobResults[K] | null
}

/**
 * The last progress message of a job that a cancel reached only after its commit point: its work was saved,
 * so it ended done, and says why it did not stop.
 */
export const LATE_CANCEL_MESSAGE = 'Done: the cancel came after the results were saved, so they were kept.'

/** A job of any kind; narrowing on `kind` types its subject and its result. */
export type JobInfo = { [K in JobKind]: JobOf<K> }[JobKind]

/** A job an earlier run of the app (or the CLI) did not finish: the process stopped while it was queued or ran. */
export interface InterruptedJob {
  /** The job's stored row id (not a session job id). */
  id: number
  kind: JobKind
  title: string
  task: string | null
  startedAt: string
  /** When the next start found it unfinished. */
  foundAt: string
  /** Whether it had started running (false: it was still waiting in the queue). */
  started: boolean
  /** The last progress stored for it, e.g. 40 of 120 files. */
  done: number
  total: number
  /** What stopping there left behind and what to do, in words. */
  note: string
}

/** One import job that committed photos: a Review / Export scope (library.imports). */
export interface ImportBatch {
  id: string
  /** The folder it imported. */
  folder: string
  /** When its first photo was committed (ISO). */
  at: string
  images: number
  faces: number
}

export interface ImageSummary {
  id: number
  relPath: string
  root: string
  width: number | null
  height: number | null
  status: 'ok' | 'error'
  error: string | null
  faceCount: number
}

export interface FaceBox {
  x: number
  y: number
  w: number
  h: number
}

export interface FaceSummary {
  id: number
  imageId: number
  box: FaceBox
  score: number
  source: 'detected' | 'crop'
  personId: number | null
  /** A MediaRef (see media.ts); the renderer's API turns it into a URL. */
  thumb: string
}

// ---- People and review (issue 4) ----

export interface TaskInfo {
  id: number
  name: string
  kind: 'classification' | 'score'
  level: 'face' | 'person'
  /** The task's own labels; `unsure` and `not_applicable` are accepted besides these and never listed. */
  labels: string[]
  scoreMin: number | null
  scoreMax: number | null
  featureKind: string
  builtin: boolean
  note: string | null
  createdAt: string
}

/** 'adjudicate': a reviewer's resolution of annotators' disagreement (issue 14). */
export type AnnotationSource = 'confirm' | 'correct' | 'import' | 'person' | 'adjudicate'

export interface PersonSummary {
  id: number
  /** null shows as "Unnamed". */
  name: string | null
  count: number
  coverFaceId: number | null
  /** MediaRef of the cover face's thumbnail (`thumb/<faceId>`), null for a person with no faces. */
  cover: string | null
}

export interface PersonFace {
  faceId: number
  imageId: number
  thumb: string
  /** The user put or kept this face here (move, split, merge, naming, accepted suggestion). */
  confirmed: boolean
}

export interface PersonSuggestion {
  faceId: number
  thumb: string
  personId: number
  personName: string
  /** RMS Euclidean distance from the face to the person's faces; smaller is closer. */
  distance: number
}

export interface ClusterPreviewRow {
  threshold: number
  clusters: number
  singletons: number
  largest: number
}

/** What an import job returns and `face-studio import --json` prints. */
export interface ImportSummary {
  images: number
  faces: number
  skipped: number
  ignored: number
  errors: Array<{ path: string; error: string }>
  backend: string
  seconds: number
  cancelled: boolean
  /** Photos whose faces were analysed by several workers. */
  splitPhotos: number
  /** Where each worker's time went, one entry per worker lane (issue 13 §4). */
  stages: ImportStages[]
  /** The id stamped on the photos this import committed: its Review / Export scope (library.imports). */
  importId: string
}

/** Stages of an import one worker runs, in milliseconds summed over its requests. */
export interface WorkerStageMs {
  /** stat, read, hash and the already-imported check. */
  read: number
  decode: number
  detect: number
  landmarks: number
  descriptor: number
  expression: number
  ageGender: number
  thumbs: number
  preview: number
  /** The built-in tasks' version-0 predictions. */
  predict: number
  /** commitPhoto's transaction. */
  sqlite: number
  /** Whole requests inside the worker: the stages above plus what none of them covers. */
  busy: number
  faces: number
}

/** One worker lane of an import: its stages, and the time main saw it not computing. */
export interface ImportStages extends WorkerStageMs {
  requests: number
  /** Round trips minus busy: structured-clone serialising, the channel, main's event loop. */
  ipc: number
  /** The lane had nothing to run: faces of its split photos still out on other workers, or the end. */
  waiting: number
  /** From the lane's first request to its end. */
  wall: number
}

export interface ClusterSummary {
  clusters: number
  singletons: number
  seconds: number
  mode: 'full' | 'incremental'
  threshold: number
  /** Faces that joined an existing person (incremental mode). */
  assigned: number
}

export interface AnnotationChange {
  target: 'face' | 'person'
  id: number
  taskId: number
  /** The value now current for the target (null: no label any more). */
  value: string | null
  previous: string | null
}

/** A People operation (rename, merge, split, move, not-this-person, suggestion) undone or redone. */
export interface PeopleUndoResult {
  description: string
  persons: number[]
  /** How many faces the operation could have touched. */
  faces: number
}

export interface PeopleUndoState {
  undo: string | null
  redo: string | null
  /** When the operation undo would reverse was done (ISO), to pick the newer of People and answer undo. */
  undoAt: string | null
}

export interface UndoResult {
  /** The user action undone or redone. */
  actionId: number
  description: string
  taskId: number
  changes: AnnotationChange[]
}

export interface HistoryEntry {
  id: number
  task: string
  target: 'face' | 'person'
  /** The person id for person-level rows (labels of the face's person). */
  personId: number | null
  value: string | null
  previousValue: string | null
  annotator: string
  source: 'confirm' | 'correct' | 'import' | 'person' | 'undo' | 'redo' | 'adjudicate'
  createdAt: string
}

export interface ReviewFace {
  faceId: number
  thumb: string
  personId: number | null
  /** The active version's prediction, null where the task has none yet. */
  predicted: string | null
  confidence: number | null
  /** Larger is less sure: 1 − margin (top1 − top2) or normalised entropy. */
  uncertainty: number
  /** An overlap face another annotator answered and this one has not: their answers stay hidden until then. */
  blind?: boolean
}

export interface ReviewCard {
  /** "label:<value>" or "person:<id>" / "person:none". */
  key: string
  /** Predicted label of the card ("Are these all happy?"), for label cards. */
  label: string | null
  personId: number | null
  personName: string | null
  faces: ReviewFace[]
}

export interface ReviewQueue {
  taskId: number
  /** Faces left to review under the current filter (excludes labelled ones). */
  remaining: number
  cards: ReviewCard[]
}

// ---- Retraining and model versions (issue 5) ----

/** One training epoch, as streamed live (`training.epoch`) and kept in the job's history. */
export interface EpochPoint {
  epoch: number
  /**
   * Which head of the run (search candidate or ensemble fold) the epoch belongs to: heads train side by side,
   * so their epochs interleave and each is drawn as its own line.
   */
  head?: number
  loss: number
  val_loss?: number
  acc?: number
  val_acc?: number
}

export interface ClassificationMetricsInfo {
  n: number
  accuracy: number
  macro_f1: number
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>
  /** matrix[t][p]: faces of true labels[t] predicted labels[p]. */
  confusion: { labels: string[]; matrix: number[][] }
  /** Expected calibration error (10 bins); null without confidences. */
  ece: number | null
  reliability: { bins: Array<{ lo: number; hi: number; count: number; accuracy: number; confidence: number }> } | null
}

export interface RegressionMetricsInfo {
  n: number
  mae: number
  rmse: number
  pcc: number | null
}

export type MetricsInfo = ClassificationMetricsInfo | RegressionMetricsInfo

export interface ModelVersionInfo {
  /** The model_versions row id. */
  id: number
  task: string
  /** 0 = built-in head, 1, 2, … trained versions. */
  version: number
  /** Version number this one was fine-tuned from (lineage); null for version 0 and fresh heads. */
  parent: number | null
  active: boolean
  builtin: boolean
  createdAt: string
  /** Faces trained on; null for version 0. */
  trainN: number | null
  /** Size of the evaluation set when the version was trained. */
  evalN: number | null
  /** Headline evaluation metrics at training time (accuracy, macro_f1, ece | mae, rmse, pcc). */
  headline: Record<string, number | null> | null
  backend: string | null
  mitigation: { method: string; params: Record<string, unknown> } | null
  seed: number | null
  epochsRun: number | null
  durationMs: number | null
  labels: string[]
  /**
   * Issue 11 §2: whether its predictions average each face's original and mirrored views (all versions but one
   * trained with mirrored: false), and on how many faces' mirrored views it trained (null: not recorded, v0).
   */
  mirrored: boolean
  mirroredRows: number | null
  /** Set once a person this version (or the version it was tuned from) learnt from was forgotten (issue 14). */
  forgottenData?: ForgottenDataInfo | null
}

/** What a training job returns (JobInfo.result) and `face-studio train --json` prints. */
export interface TrainSummary {
  task: string
  version: number
  parent: number | null
  train_n: number
  eval_n: number
  metrics: MetricsInfo
  seconds: number
  backend: string
  activated: boolean
  stoppedEarly: boolean
  bestEpoch: number
  /**
   * The new version against the one active when training started, on the evaluation set: paired bootstrap of
   * the accuracy (or MAE) difference; `worse` = below zero, which keeps a default ('auto') run from activating.
   */
  verdict?: {
    metric: 'accuracy' | 'mae'
    against: number
    n: number
    diff: number
    lo: number
    hi: number
    level: number
    worse: boolean
    /** "v3 is 4 points worse than v2 on 24 faces (95 % interval −12 … +3)". */
    sentence: string
  } | null
  /** How the head was made (issue 11): the chosen settings in words, ensemble size, temperature; absent in older results. */
  recipe?: {
    settings: string
    hidden: number | null
    l2: number
    learningRate: number
    k: number
    temperature: number
    /** Trained on soft targets: rows that had a distribution (votes / several answers); null = hard labels. */
    softTargets?: number | null
    /** Predictions average each face's original and mirrored views (issue 11 §2). */
    mirrored?: boolean
    /** Faces whose mirrored view trained as an extra row. */
    mirroredRows?: number
  }
}

/** What fitting version 0's temperature did (`models.calibrate`, `face-studio calibrate`). */
export interface CalibrationSummary {
  task: string
  version: number
  /** False when the evaluation set has too few labelled faces (nothing was changed). */
  calibrated: boolean
  temperature: number
  n: number
  /** ECE on the evaluation set before and after (in-sample: T was fitted on these faces). */
  ece_before: number | null
  ece_after: number | null
  /** Faces re-predicted because the version is active. */
  repredicted: number
}

/** What a re-prediction (activation) job returns and `face-studio activate --json` prints. */
export interface RepredictSummary {
  task: string
  version: number
  faces: number
  seconds: number
  predictSeconds: number
  backend: string
}

export interface TrainingHistory {
  jobId: number
  task: string
  status: JobStatus
  /** Epochs requested (early stopping may end sooner). */
  totalEpochs: number
  epochs: EpochPoint[]
  /** Set once the job is done. */
  result: TrainSummary | null
}

export interface VersionMetricsInfo {
  task: string
  version: number
  kind: 'classification' | 'score'
  /** Measured now, on the task's current evaluation set. */
  metrics: MetricsInfo
  backend: string
}

export interface FlipItem {
  faceId: number
  /** MediaRef `thumb/<faceId>`. */
  thumb: string
  truth: string
  a: string
  b: string
  aConfidence: number | null
  bConfidence: number | null
}

/** One side of a comparison: calibrated metrics, and the raw head's calibration before its temperature. */
export interface ComparedVersion {
  version: number
  metrics: MetricsInfo
  /** Temperature applied to the version's probabilities (1 = none). */
  temperature?: number
  /** ECE and reliability bins of the raw (uncalibrated) head; null when the temperature is 1. */
  uncalibrated?: {
    ece: number | null
    reliability: { bins: Array<{ lo: number; hi: number; count: number; accuracy: number; confidence: number }> } | null
  } | null
}

export interface VersionComparison {
  task: string
  kind: 'classification' | 'score'
  /** Evaluation-set faces both versions were scored on. */
  n: number
  a: ComparedVersion
  b: ComparedVersion
  /** b − a for each headline metric (null where either side is null). */
  deltas: Record<string, number | null>
  /**
   * Faces whose prediction changed from a to b. Classification: fixed = b matches the label and a did not,
   * broken = a matched and b does not, changed = wrong both times. Score tasks: fixed / broken = absolute
   * error down / up by at least `scoreFlipThreshold` (units of the score).
   */
  flips: { fixed: FlipItem[]; broken: FlipItem[]; changed: FlipItem[] }
  scoreFlipThreshold: number | null
}

export interface EvaluationSetSummary {
  task: string
  members: number
  sampled: boolean
  fraction: number
  bySource: Record<'sampled' | 'hashed' | 'user', number>
  faces: Array<{ faceId: number; thumb: string; label: string | null }>
  /** Current labels of the task: per class, how many faces train and how many are held out; answers left out. */
  labelled: {
    perClass: Array<{ label: string; train: number; eval: number }>
    unsure: number
    notApplicable: number
  }
}

// ---- Fairness (issue 6) ----

/** Where group membership comes from: the user's annotations (default) or a task's active predictions (only on request). */
export type GroupSource = 'annotations' | 'predicted'

/** How the faces were grouped; every fairness result carries it so the UI can say which source was used. */
export interface GroupingInfo {
  /** One task, or two for an intersection ("a × b"). */
  tasks: string[]
  /** "race" or "gender_presentation × age_band". */
  label: string
  source: GroupSource
  /** Faces of the scored set that have a group (unsure / not applicable and unlabelled faces have none). */
  faces: number
  /** Faces per group value. */
  values: Record<string, number>
}

/** A task as a possible grouping: how many faces each annotated value has. */
export interface GroupingCandidate {
  task: string
  level: 'face' | 'person'
  kind: 'classification' | 'score'
  /** Faces with a usable annotation (a group). */
  faces: number
  values: Record<string, number>
}

/** One-vs-rest counts and rates of one class inside one group; a rate with an empty denominator is null. */
export interface GroupClassRates {
  tpr: number | null
  fpr: number | null
  tnr: number | null
  fnr: number | null
  support: number
  tp: number
  fp: number
  tn: number
  fn: number
  /** 95 % Wilson intervals of tpr and fpr (null where the rate is undefined). */
  tpr_ci: [number, number] | null
  fpr_ci: [number, number] | null
}

export interface GroupClassStats {
  n: number
  accuracy: number
  /** 95 % Wilson interval of the accuracy. */
  accuracy_ci: [number, number]
  macro_f1: number
  /** Fewer faces than the minimum group size: shown, but not ranked (left out of every gap). */
  small: boolean
  /** Its accuracy interval is wider than WIDE_INTERVAL: too few faces to tell its rates apart from others'. */
  wide: boolean
  per_class: Record<string, GroupClassRates>
}

export interface GroupScoreStats {
  n: number
  mae: number
  rmse: number
  pcc: number | null
  small: boolean
}

export interface GroupGap {
  /** "accuracy", "tpr:<label>", "fpr:<label>" or "mae". */
  metric: string
  value: number
  /** [higher, lower]. */
  groups: [string, string]
}

export interface GroupMetricsInfo {
  task: string
  version: number
  kind: 'classification' | 'score'
  grouping: GroupingInfo
  /** Faces scored (the evaluation set, or the caller's CSV faces). */
  n: number
  /** Scored faces without a group (left out of per_group). */
  ungrouped: number
  min_group_size: number
  /** Headline metrics over all scored faces. */
  overall: Record<string, number | null>
  per_group: Record<string, GroupClassStats | GroupScoreStats>
  /** Largest gap between non-small groups: accuracy or any class's TPR (MAE for score tasks). */
  max_gap: GroupGap | null
  /** Largest TPR gap over classes (the "equal opportunity" gap); null for score tasks or < 2 ranked groups. */
  tpr_gap: GroupGap | null
  dp_diff: number | null
  eo_diff: number | null
  small_groups: string[]
  backend: string
}

export interface GroupMetricsComparison {
  task: string
  kind: 'classification' | 'score'
  grouping: GroupingInfo
  a: GroupMetricsInfo
  b: GroupMetricsInfo
  /** b − a per group (groups present on both sides): accuracy / macro_f1 and per-class tpr / fpr, or mae / rmse. */
  deltas: Record<string, Record<string, number | null>>
  /** b − a of max_gap, tpr_gap, dp_diff, eo_diff and the overall headline. */
  summary_deltas: Record<string, number | null>
}

export interface BiasProbeInfo {
  task: string
  version: number
  attribute: GroupingInfo
  classes: string[]
  /** Per attribute value: faces and P(prediction = class | attribute = value). */
  rows: Record<string, { n: number; p: Record<string, number>; small: boolean }>
  /** The class whose probability differs most between two (non-small) attribute values. */
  max_diff: { class: string; value: number; between: [string, string] } | null
  min_group_size: number
}

export interface GroupThresholdsInfo {
  task: string
  version: number
  grouping: GroupingInfo
  /** The label treated as positive (one-vs-rest). */
  positive: string
  target: 'tpr' | 'fpr'
  tolerance: number
  /** Pooled rate at the shared 0.5 threshold that every group is moved towards. */
  target_rate: number | null
  per_group: Record<
    string,
    { n: number; threshold: number; rate_before: number | null; rate_after: number | null; within_tolerance: boolean }
  >
  /** One-vs-rest accuracy (positive vs rest) at 0.5 and with the per-group thresholds, on the grouped faces. */
  accuracy_before: number
  accuracy_after: number
  /** accuracy_before − accuracy_after (what equalising costs). */
  accuracy_cost: number
  /** Largest rate gap between groups before and after. */
  gap_before: number | null
  gap_after: number | null
}

/**
 * Per-group thresholds saved on a version: applied at prediction to every face whose group is known from its
 * labels of `group_task` (faces without one keep the version's plain prediction).
 */
export interface AppliedThresholdsInfo {
  task: string
  version: number
  group_task: string
  positive: string
  target: 'tpr' | 'fpr'
  tolerance: number
  /** Threshold on P(positive) per group. */
  thresholds: Record<string, number>
  /** Measured on the evaluation set when applied (one-vs-rest accuracy and the rate gap). */
  accuracy_before: number
  accuracy_after: number
  accuracy_cost: number
  gap_before: number | null
  gap_after: number | null
  created_at: string
  /** Faces re-predicted with the thresholds (0 when the version is not active). */
  repredicted: number
}

export type MitigationMethod = 'none' | 'reweight' | 'penalty' | 'dro'
/** The methods a sweep varies the strength of: ω (reweight), λ (penalty), η (Group DRO). */
export type SweepMethod = Exclude<MitigationMethod, 'none'>

/** Bias mitigation for one training run; groups always come from annotations of groupTask. */
export interface MitigationSpec {
  method: MitigationMethod
  groupTask: string
  /** ω in [0, 1] for reweight; λ ≥ 0 for penalty; η ≥ 0 for Group DRO (step size of the group weights). */
  strength: number
  /** Penalty on the spread of per-group mean loss (default) or of mean P(positive). */
  penaltyMode?: 'loss' | 'positive_rate'
  /** The positive label for penaltyMode 'positive_rate'. */
  positive?: string
}

/** What full reweighting (ω = 1) would do to a task's training faces under a grouping, before any sweep runs. */
export interface ReweightPreview {
  task: string
  group_task: string
  training_faces: number
  /** Training faces with a value of the grouping task (the rest keep weight 1). */
  grouped_faces: number
  /** Smallest and largest weight at ω = 1 over the grouped training faces (null when none is grouped). */
  min_weight: number | null
  max_weight: number | null
  /** Every weight within `tolerance` of 1: the grouping is already balanced, reweighting has nothing to change. */
  near_one: boolean
  tolerance: number
  /** Per group: faces and the range of their weights at ω = 1. */
  per_group: Record<string, { n: number; min_weight: number; max_weight: number }>
}

export interface SweepPoint {
  /** ω or λ; null for the baseline (the version every point was fine-tuned from). */
  value: number | null
  version: number
  overall: Record<string, number | null>
  per_group: Record<string, GroupClassStats | GroupScoreStats>
  max_gap: GroupGap | null
  tpr_gap: GroupGap | null
  dp_diff: number | null
  eo_diff: number | null
  /** Spread of per-group accuracy over the ranked groups (classification). */
  accuracy_gap: GroupGap | null
  /** The bias measure the pick minimises (tpr_gap or accuracy_gap value as chosen, MAE gap for score tasks). */
  gap: number | null
  within_budget: boolean
  picked: boolean
}

/** λ values for a penalty sweep chosen from the validation rows (fairness/penalty-range.ts). */
export interface PenaltyRange {
  task: string
  group_task: string
  /** The version the sweep starts from (whose losses set the scale). */
  version: number
  validation_rows: number
  /** Mean loss L and largest per-group mean-loss spread R on the validation rows; scale = L / R. */
  mean_loss: number
  loss_gap: number
  scale: number
  /** 0 and fractions 0.1, 0.25, 0.5, 1 of the scale. */
  values: number[]
  per_group: Record<string, { n: number; mean_loss: number }>
}

/** The gap a sweep minimises for classification tasks: the largest TPR spread (default) or the accuracy spread. */
export type SweepGapMetric = 'tpr' | 'accuracy'

export interface SweepSummary {
  task: string
  mitigation: SweepMethod
  group_task: string
  values: number[]
  baseline: SweepPoint
  points: SweepPoint[]
  /** Version picked: the smallest gap among points within the accuracy budget (null if none has a gap). */
  picked: number | null
  /** Accuracy points (0..1) below the best point's accuracy still allowed (MAE above the best, score tasks). */
  accuracy_budget: number
  criterion: string
  /** When λ was chosen from the validation rows (`values: auto`): how. */
  penalty_range?: PenaltyRange
  /** What `gap` measures: 'tpr', 'accuracy' or 'mae' (score tasks). */
  gap_metric: SweepGapMetric | 'mae'
  min_group_size: number
  seconds: number
  backend: string
}

export interface ConflictFace {
  faceId: number
  /** MediaRef `thumb/<faceId>`. */
  thumb: string
  predicted: string
  confidence: number | null
}

export interface ConflictItem {
  /** Predictions of one person's faces disagree, or a face's prediction contradicts the person's label. */
  kind: 'prediction_disagreement' | 'contradicts_person_label'
  task: string
  personId: number
  personName: string | null
  /** The person-level label of the task, if the person has one. */
  personLabel: string | null
  /** Most frequent prediction over the person's faces. */
  majority: string
  /** The faces to review (disagreement: faces off the majority; contradiction: the contradicting faces). */
  faces: ConflictFace[]
  /** Faces of the person that have a prediction. */
  personFaces: number
  /** 0..1: share of the person's faces involved (ordering key, larger first). */
  severity: number
}

export interface ConflictList {
  tasks: string[]
  persons_checked: number
  total: number
  items: ConflictItem[]
}
