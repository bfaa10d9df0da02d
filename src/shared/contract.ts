/**
 * The one IPC contract between renderer and main (Electron IPC or the web bridge): every call's
 * argument schema and result type, and every event's payload, declared once.
 */
import { z } from 'zod'
import { EVENT_NAMES, isEventName, type EventNameList } from './events'
import { taskNameProblem } from './task-name'
import { EXPORT_FORMAT_NAMES, FEATURE_KIND_NAMES, type LabelImportPreview } from './labels-io'
import type {
  AppliedThresholdsInfo,
  CalibrationSummary,
  MirrorStatus,
  AnnotatorProfiles,
  AppInfo,
  ClusterPreviewRow,
  FaceSummary,
  HistoryEntry,
  ImageSummary,
  ImportBatch,
  InterruptedJob,
  JobInfo,
  LabelErrorsSummary,
  MapColouring,
  MapProjection,
  PersonFace,
  PersonSuggestion,
  PersonSummary,
  ProjectInfo,
  RecentProject,
  ReviewQueue,
  TaskInfo,
  UndoResult,
  PeopleUndoResult,
  PeopleUndoState
} from './domain'
import type {
  EpochPoint,
  EvaluationSetSummary,
  ModelVersionInfo,
  TrainingHistory,
  VersionComparison,
  VersionMetricsInfo
} from './domain'
import type {
  AgreementReport,
  AnnotatorGroupReport,
  AnnotatorProfileInfo,
  DisagreementQueue,
  ForgetAuditRow,
  ForgetResult,
  MergeResult,
  PersonExport
} from './teams'
import type {
  BiasProbeInfo,
  ConflictList,
  GroupingCandidate,
  GroupMetricsComparison,
  GroupMetricsInfo,
  GroupThresholdsInfo,
  PenaltyRange,
  ReweightPreview
} from './domain'

/** Phantom marker carrying a result type; the value is never read at run time. */
declare const resultBrand: unique symbol
export interface ResultOf<T> {
  readonly [resultBrand]?: T
}
function returns<T>(): ResultOf<T> {
  return {}
}

function call<A extends z.ZodType, R>(args: A, result: ResultOf<R>) {
  return { args, result }
}

const none = z.object({}).strict()
/**
 * A folder path from the user: absolute on POSIX (/…) or Windows (C:\…, C:/…, \\server\share).
 * A relative path would be resolved against the main process's working directory, which the user never
 * chose (a "photos" typed in browser mode landed wherever the server was started).
 */
const ABSOLUTE_PATH = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/
const absoluteDir = z
  .string()
  .trim()
  .min(1, 'a folder path is required')
  .max(4096)
  .regex(ABSOLUTE_PATH, 'a folder path must be absolute (start with "/", or a drive letter such as "C:\\" on Windows)')
const id = z.number().int().nonnegative()
const ids = z.array(id).min(1, 'select at least one').max(100_000)
const page = {
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(1000).default(200)
}
/** A new task's name: the one rule of src/shared/task-name.ts (the model store makes it a folder name). */
const taskName = z
  .string()
  .trim()
  .superRefine((name, ctx) => {
    const problem = taskNameProblem(name)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
const taskRef = z.union([id, z.string().trim().min(1).max(64)])
const importId = z.string().min(1).max(64)
const label = z.string().trim().min(1).max(64)
/** A profile name as it is stored on every annotation: printable, one line. */
export const annotatorName = z
  .string()
  .trim()
  .min(1, 'An annotator name cannot be empty.')
  .max(100)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'An annotator name is one line of printable text.')
const mapKind = z.enum(FEATURE_KIND_NAMES)
const mapMethod = z.enum(['pca', 'umap'])
/** A model version number (0 = built-in head) or "active". */
const versionRef = z.union([z.number().int().nonnegative(), z.literal('active')])

/** Fairness (issue 6): where groups come from. Annotations unless the caller explicitly asks for 'predicted'. */
const groupSource = z.enum(['annotations', 'predicted']).default('annotations')
const minGroupSize = z.number().int().positive().max(1_000_000)
const grouping = {
  groupTask: taskRef,
  /** A second grouping task: groups are the intersections "groupTask × by". */
  by: taskRef.optional(),
  source: groupSource,
  /** Groups with fewer faces are flagged and not ranked (default 30). */
  minGroupSize: minGroupSize.optional()
}
const mitigation = z
  .object({
    method: z.enum(['none', 'reweight', 'penalty', 'dro']),
    /** Required for reweight / penalty / dro. */
    groupTask: z.string().trim().max(64).default(''),
    /** ω in [0, 1] (reweight), λ ≥ 0 (penalty) or η ≥ 0 (Group DRO). */
    strength: z.number().min(0).max(1000).default(1),
    penaltyMode: z.enum(['loss', 'positive_rate']).optional(),
    positive: label.optional()
  })
  .strict()

/** An absolute path of a file (a labels file to read, an export to write). */
const absoluteFile = z
  .string()
  .trim()
  .min(1, 'a file path is required')
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'give the full (absolute) path of the file')
const valueMap = z.record(z.string().max(200), z.string().max(200))
const columnName = z.string().trim().min(1).max(200)
/** One label column to an existing task (`task`) or to a task the import creates (`newTask`). */
const labelColumnChoice = z
  .object({
    column: columnName,
    task: taskRef.optional(),
    newTask: z
      .object({
        name: z.string().trim().min(1, 'the new task needs a name').max(64),
        /** Default: the column's distinct values (unsure / n/a aside). */
        labels: z.array(label).min(1).max(50).optional()
      })
      .strict()
      .optional(),
    map: valueMap.optional()
  })
  .strict()
  .refine((c) => (c.task === undefined) !== (c.newTask === undefined), {
    message: 'choose an existing task or a new task for the column, not both or neither'
  })
const labelImport = {
  file: absoluteFile,
  format: z.enum(['csv', 'labelstudio', 'coco']).default('csv'),
  /** The one-column form: the task (with `labelColumn` and `map`); leave it out when giving `columns`. */
  task: taskRef.optional(),
  delimiter: z.enum([',', ';', '\t']).optional(),
  pathColumn: columnName.optional(),
  labelColumn: columnName.optional(),
  /** Raw value → task label, from the preview's mapping step. */
  map: valueMap.optional(),
  /** Several label columns in one import, each to its task; `[]` previews only the file's columns and rows. */
  columns: z.array(labelColumnChoice).max(50).optional()
}
/** Exactly one of the two forms: `task` (+ `labelColumn`, `map`) or `columns`. */
function oneImportForm(
  a: { task?: unknown; labelColumn?: unknown; map?: unknown; columns?: unknown },
  ctx: z.RefinementCtx
): void {
  if (a.columns === undefined) {
    if (a.task === undefined)
      ctx.addIssue({ code: 'custom', path: ['task'], message: 'choose a task, or label columns' })
    return
  }
  for (const k of ['task', 'labelColumn', 'map'] as const)
    if (a[k] !== undefined)
      ctx.addIssue({ code: 'custom', path: [k], message: `give either "columns" or "${k}", not both` })
}

export const calls = {
  'app.info': call(none, returns<AppInfo>()),
  /** The annotator profile new annotations are recorded under (default: the OS user), and the profiles to pick from. */
  'app.profiles': call(none, returns<AnnotatorProfiles>()),
  'app.setAnnotator': call(z.object({ name: annotatorName }).strict(), returns<AnnotatorProfiles>()),
  'project.current': call(none, returns<ProjectInfo | null>()),
  'project.create': call(z.object({ dir: absoluteDir }).strict(), returns<ProjectInfo>()),
  'project.open': call(z.object({ dir: absoluteDir }).strict(), returns<ProjectInfo>()),
  'project.close': call(none, returns<null>()),
  'project.recent': call(none, returns<RecentProject[]>()),
  'project.forgetRecent': call(z.object({ dir: absoluteDir }).strict(), returns<RecentProject[]>()),
  'system.pickFolder': call(
    z.object({ purpose: z.enum(['create', 'open', 'import']) }).strict(),
    returns<string | null>()
  ),
  /** Native file dialog (Electron only; UNSUPPORTED in a browser window): open a labels file, or choose where an export is saved. `name` is the suggested file name of a save. */
  'system.pickFile': call(
    z
      .object({
        purpose: z.enum(['labels', 'export']),
        format: z.enum(EXPORT_FORMAT_NAMES).optional(),
        name: z.string().max(255).optional()
      })
      .strict(),
    returns<string | null>()
  ),
  'jobs.list': call(none, returns<JobInfo[]>()),
  'jobs.cancel': call(z.object({ id }).strict(), returns<boolean>()),
  /** Jobs an earlier run (app or CLI) did not finish, not yet dismissed; empty without a project. */
  'jobs.interrupted': call(none, returns<InterruptedJob[]>()),
  /** Stops showing these interrupted jobs (all of them without ids); returns how many. */
  'jobs.dismissInterrupted': call(z.object({ ids: z.array(id).max(10_000).optional() }).strict(), returns<number>()),
  'import.start': call(
    z
      .object({
        folder: absoluteDir,
        crops: z.boolean().default(false),
        detector: z.enum(['ssd', 'tiny']).default('ssd')
      })
      .strict(),
    returns<JobInfo>()
  ),
  /** The folders photos were imported from (one per import), with their photo and face counts: review and export scopes. */
  'library.folders': call(none, returns<Array<{ folder: string; images: number; faces: number }>>()),
  /** Each import that committed photos, newest first (id, folder, when, photos, faces): the "one import" scope of Review and Export. */
  'library.imports': call(none, returns<ImportBatch[]>()),
  'library.images': call(
    z
      .object({
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
        filter: z.enum(['all', 'errors', 'withFaces']).default('all')
      })
      .strict(),
    returns<{ total: number; items: ImageSummary[] }>()
  ),
  'library.image': call(
    z.object({ id }).strict(),
    returns<{ image: ImageSummary; media: string; faces: FaceSummary[] }>()
  ),

  // ---- People (identity clusters) ----
  /** Start a clustering job. threshold: euclidean (project's last, default 0.5); mode: full re-cluster keeping the user's work, or incremental (new faces only; default once clustered). Result: the job (its result is a ClusterSummary). */
  'people.cluster': call(
    z
      .object({ threshold: z.number().positive().max(4).optional(), mode: z.enum(['full', 'incremental']).optional() })
      .strict(),
    returns<JobInfo>()
  ),
  /** What each threshold would give (default 0.35..0.65): rows of {threshold, clusters, singletons, largest}. */
  'people.thresholdPreview': call(
    z.object({ thresholds: z.array(z.number().positive().max(4)).min(1).max(50).optional() }).strict(),
    returns<ClusterPreviewRow[]>()
  ),
  /** Persons largest first (cover thumb ref, count, name or null); unassigned = faces in no person. */
  'people.list': call(
    z.object(page).strict(),
    returns<{ total: number; unassigned: number; items: PersonSummary[] }>()
  ),
  /** One person and a page of their faces. */
  'people.get': call(z.object({ id, ...page }).strict(), returns<{ person: PersonSummary; faces: PersonFace[] }>()),
  /** Faces in no person (singletons, "not this person"). */
  'people.unassigned': call(z.object(page).strict(), returns<{ total: number; faces: PersonFace[] }>()),
  /** Name a person (null or "" removes the name). Naming confirms its current faces. */
  'people.rename': call(z.object({ id, name: z.string().max(200).nullable() }).strict(), returns<PersonSummary>()),
  /** Merge person `from` into person `into`; returns the merged person. */
  'people.merge': call(z.object({ into: id, from: id }).strict(), returns<PersonSummary>()),
  /** Split the selected faces of person `id` into a new person; returns the new person. */
  'people.split': call(z.object({ id, faceIds: ids }).strict(), returns<PersonSummary>()),
  /** Move faces to a person (confirmed there); returns that person. */
  'people.moveFaces': call(z.object({ faceIds: ids, personId: id }).strict(), returns<PersonSummary>()),
  /** "Not this person": the faces leave the person and never join it again on re-clustering. */
  'people.notThisPerson': call(z.object({ personId: id, faceIds: ids }).strict(), returns<{ removed: number }>()),
  /** "Is this Anna?": the faces most likely to belong to a named person (optionally one): unassigned faces and unconfirmed faces of unnamed persons, closest first, within threshold (default: clustering threshold + 0.15). */
  'people.suggestions': call(
    z
      .object({
        personId: id.optional(),
        limit: z.number().int().positive().max(1000).default(50),
        threshold: z.number().positive().max(4).optional()
      })
      .strict(),
    returns<PersonSuggestion[]>()
  ),
  /** Answer a suggestion: accept moves the face to the person, reject stores "not this person". */
  /** Undo the latest People operation of this session (rename, merge, split, move, not-this-person, suggestion). null: nothing. */
  'people.undo': call(none, returns<PeopleUndoResult | null>()),
  'people.redo': call(none, returns<PeopleUndoResult | null>()),
  'people.undoState': call(none, returns<PeopleUndoState>()),
  'people.answerSuggestion': call(
    z.object({ faceId: id, personId: id, accept: z.boolean() }).strict(),
    returns<null>()
  ),

  // ---- Tasks ----
  /** Every task (built-in first). */
  'tasks.list': call(none, returns<TaskInfo[]>()),
  /** Create a task: classification with labels (unsure / not_applicable are implicit), or score with min < max. */
  'tasks.create': call(
    z
      .object({
        name: taskName,
        kind: z.enum(['classification', 'score']),
        labels: z.array(label).max(200).optional(),
        scoreMin: z.number().optional(),
        scoreMax: z.number().optional(),
        level: z.enum(['face', 'person']).default('face'),
        featureKind: z.enum(['identity', 'expression', 'age_gender']).optional(),
        note: z.string().max(1000).optional()
      })
      .strict(),
    returns<TaskInfo>()
  ),
  /** Add labels to a classification task (existing ones never change). */
  'tasks.addLabels': call(
    z.object({ task: taskRef, labels: z.array(label).min(1).max(200) }).strict(),
    returns<TaskInfo>()
  ),

  // ---- Annotations ----
  /** Record answers as ONE undo step. entries: each {target face|person, ids, value (label, unsure, not_applicable, or number), source}. annotator defaults to the app's profile. */
  'annotations.add': call(
    z
      .object({
        task: taskRef,
        annotator: annotatorName.optional(),
        entries: z
          .array(
            z
              .object({
                target: z.enum(['face', 'person']),
                ids,
                value: z.string().trim().min(1).max(64),
                source: z.enum(['confirm', 'correct', 'import', 'person'])
              })
              .strict()
          )
          .min(1)
      })
      .strict(),
    returns<{ actionId: number; rows: number }>()
  ),
  /** Undo the latest answer action (persisted; works after restart). null when nothing to undo. */
  'annotations.undo': call(none, returns<UndoResult | null>()),
  /** Redo the most recently undone action. null when nothing to redo. */
  'annotations.redo': call(none, returns<UndoResult | null>()),
  /** Descriptions of what undo / redo would do now (null: nothing). */
  'annotations.undoState': call(none, returns<{ undo: string | null; redo: string | null }>()),
  /** A face's annotation history (its own rows and its person's), newest first; optionally one task. */
  'annotations.history': call(z.object({ faceId: id, task: taskRef.optional() }).strict(), returns<HistoryEntry[]>()),
  /** Current labels of some faces for a task (person-level labels override): faceId → value, unlabelled left out. */
  'annotations.current': call(
    z.object({ task: taskRef, faceIds: z.array(id).max(10_000) }).strict(),
    returns<Record<number, string>>()
  ),

  // ---- Labels in and out (issue 12) ----
  /** What importing a labels file would do, writing nothing: the detected delimiter, the first rows, the columns used, each distinct value with its suggested mapping, and how many rows apply / are unmatched / invalid / duplicates; per label column with `columns`. */
  'labels.preview': call(z.object(labelImport).strict().superRefine(oneImportForm), returns<LabelImportPreview>()),
  /** Starts a `labels-import` job: applies a labels file (one column, or several `columns` each to an existing or new task) in one transaction as one undoable step (Edit → Undo), recorded under `annotator` (default: the current profile); its result is a LabelImportResult. */
  'labels.import': call(
    z
      .object({ ...labelImport, annotator: annotatorName.optional() })
      .strict()
      .superRefine(oneImportForm),
    returns<JobInfo>()
  ),
  /** Starts an `export` job writing an export (docs/formats.md) of all faces or a scope: one person's, given faces, one import's folder, the faces without a label for a task (scopes intersect); its result is an ExportResult. */
  'export.run': call(
    z
      .object({
        format: z.enum(EXPORT_FORMAT_NAMES),
        out: absoluteFile,
        tasks: z.array(z.string().trim().min(1).max(64)).max(100).optional(),
        feature: z.enum(FEATURE_KIND_NAMES).optional(),
        absolutePaths: z.boolean().default(false),
        personId: id.optional(),
        faceIds: ids.optional(),
        /** Scope: only faces of photos in this folder (an import's folder or any folder inside it). */
        folder: absoluteDir.optional(),
        /** Scope: only faces of the photos one import committed (library.imports). */
        importId: importId.optional(),
        /** Scope: only faces without a current label for this task. */
        unlabelledFor: taskRef.optional()
      })
      .strict(),
    returns<JobInfo>()
  ),

  // ---- Review ----
  /** Start the label-error finder for a classification task (job "label-errors"; result: LabelErrorsSummary): out-of-fold probabilities from k seeded heads (default 5) or the active version's, then confident learning. */
  'labelErrors.start': call(
    z.object({ task: taskRef, k: z.number().int().min(2).max(10).optional() }).strict(),
    returns<JobInfo>()
  ),
  /** "Possible label errors" queue: the task's latest search minus faces answered since; null when not searched this session. */
  'labelErrors.queue': call(z.object({ task: taskRef }).strict(), returns<LabelErrorsSummary | null>()),
  /** Ask-when-unsure queue: unlabelled faces least sure first (margin or entropy of the active version), only below `below` confidence if given, grouped into cards by predicted label or person; remaining = how many are left. */
  'review.queue': call(
    z
      .object({
        task: taskRef,
        order: z.enum(['margin', 'entropy']).default('margin'),
        below: z.number().min(0).max(1).optional(),
        groupBy: z.enum(['label', 'person']).default('label'),
        cards: z.number().int().positive().max(100).default(10),
        cardSize: z.number().int().positive().max(200).default(12),
        /** Review scope: only faces of photos in this folder (an import's folder or any folder inside it). */
        folder: absoluteDir.optional(),
        /** Review scope: only faces of the photos one import committed (library.imports). */
        importId: importId.optional(),
        /** Review scope: only this person's faces. */
        personId: id.optional(),
        /** Review scope: only these faces (a selection on the Map). */
        faceIds: z.array(id).max(100_000).optional()
      })
      .strict(),
    returns<ReviewQueue>()
  ),

  // ---- Map (issue 13 §2) ----
  /** Start a `projection` job: the 2-D map of one feature kind of every face (PCA, or UMAP fitted on a seeded 5,000-face sample and the rest placed by transform), stored in the project's cache; kept as it is when the faces did not change unless `force`. Result: ProjectionSummary. */
  'map.start': call(
    z.object({ kind: mapKind, method: mapMethod, force: z.boolean().optional() }).strict(),
    returns<JobInfo>()
  ),
  /** The stored map of a feature kind and method (ids and coordinates as base64), stale when faces changed since; null when none was computed. */
  'map.get': call(z.object({ kind: mapKind, method: mapMethod }).strict(), returns<MapProjection | null>()),
  /** Each face of the stored map's colour value, in its order: a task's current label or active prediction, that prediction's confidence, or the person. */
  'map.colours': call(
    z
      .object({
        kind: mapKind,
        method: mapMethod,
        by: z.enum(['label', 'prediction', 'confidence', 'person']),
        task: taskRef.optional()
      })
      .strict(),
    returns<MapColouring>()
  ),

  // ---- Training and model versions (issue 5) ----
  /** Versions of a task, oldest first: lineage (parent), created, train_n, eval headline, backend, mitigation, active. */
  'models.versions': call(z.object({ task: taskRef }).strict(), returns<ModelVersionInfo[]>()),
  /** Start a training job (fine-tune from the active version; result: TrainSummary). Live epochs: `training.epoch` events and `models.trainingHistory`. activate ('auto' by default: only when not worse than the active version on the evaluation set; true / false): the new version becomes active and every face is re-predicted in the same transaction. */
  'models.train': call(
    z
      .object({
        task: taskRef,
        epochs: z.number().int().positive().max(1000).optional(),
        seed: z.number().int().nonnegative().max(2147483648).optional(),
        /** Forced head settings: each fixes that dimension of the capacity search (hidden 0 = a linear head). */
        hidden: z.number().int().nonnegative().max(4096).optional(),
        l2: z.number().nonnegative().max(10).optional(),
        batchSize: z.number().int().positive().max(65536).optional(),
        learningRate: z.number().positive().max(1).optional(),
        /** Heads of the ensemble (k-fold), default 5; 1 = one head. */
        k: z.number().int().min(1).max(10).optional(),
        /** Cross-entropy to each face's label distribution (votes / several annotators) where it has one; default false. */
        softTargets: z.boolean().optional(),
        /** false: train and predict from the original views only; default true (mirrored views as extra rows of the same face, predictions averaged over both). */
        mirrored: z.boolean().optional(),
        /** 'auto' (default): activate only when not worse than the active version on the evaluation set (paired bootstrap); true forces, false never. */
        activate: z.union([z.boolean(), z.literal('auto')]).default('auto')
      })
      .strict(),
    returns<JobInfo>()
  ),
  /** Start a learning-curve job: versions trained (and discarded) on nested 10/20/40/80/100 % subsets of the training faces, each scored on the evaluation set (result: LearningCurve). */
  'models.learningCurve': call(
    z
      .object({
        task: taskRef,
        fractions: z.array(z.number().positive().max(1)).min(1).max(10).optional(),
        seed: z.number().int().nonnegative().max(2147483648).optional(),
        epochs: z.number().int().positive().max(1000).optional()
      })
      .strict(),
    returns<JobInfo>()
  ),
  /** Faces with the mirrored views every prediction averages in, of the faces with attribute features (issue 11 §2). */
  'models.mirrorStatus': call(z.object({}).strict(), returns<MirrorStatus>()),
  /** Start "augment existing faces" (job "augment"; result: AugmentSummary): mirrored features of faces imported before they were stored, computed from their photos and stored landmarks, then the stored predictions re-computed to average them. A cancel keeps the photos finished. */
  'models.augment': call(z.object({}).strict(), returns<JobInfo>()),
  /** Fit version 0's temperature on the evaluation set now (also done automatically once it has 30+ faces and as it grows by a quarter); v0's predictions are rewritten calibrated when it is active. */
  'models.calibrate': call(z.object({ task: taskRef }).strict(), returns<CalibrationSummary>()),
  /** Every epoch so far of a training job (this session), its status and, once done, its TrainSummary. */
  'models.trainingHistory': call(z.object({ jobId: id }).strict(), returns<TrainingHistory>()),
  /** Make a version active (rollback included): a job that re-predicts every face from stored features (result: {faces, seconds}). */
  'models.activate': call(z.object({ task: taskRef, version: versionRef }).strict(), returns<JobInfo>()),
  /** Metrics of a version on the task's current evaluation set. */
  'models.metrics': call(z.object({ task: taskRef, version: versionRef }).strict(), returns<VersionMetricsInfo>()),
  /** Two versions on the evaluation set: metrics, deltas (b − a), both confusion matrices, flip list with thumbs. */
  'models.compare': call(
    z.object({ task: taskRef, a: versionRef, b: versionRef }).strict(),
    returns<VersionComparison>()
  ),
  /** Copy a version's verified files (model.json, weights.bin, metadata.json, SHA256SUMS) to <dir>/<task>-v<N>. */
  'models.export': call(
    z.object({ task: taskRef, version: versionRef, dir: absoluteDir }).strict(),
    returns<{ path: string; files: string[]; warning?: string }>()
  ),
  /** The task's evaluation set (members with thumbs and labels; how it was chosen). */
  'models.evaluationSet': call(z.object({ task: taskRef }).strict(), returns<EvaluationSetSummary>()),
  /** Put faces into (member true) or take them out of the evaluation set; returns rows changed. */
  'models.markEvaluation': call(
    z.object({ task: taskRef, faceIds: ids, member: z.boolean() }).strict(),
    returns<{ changed: number }>()
  ),
  // ---- Fairness (issue 6) ----
  /** Every task as a possible grouping (annotated faces per value), for the grouping picker. */
  'fairness.groupings': call(none, returns<GroupingCandidate[]>()),
  /** Per-group metrics of a version on the task's evaluation set: per group and class TPR/FPR/TNR/FNR with counts, accuracy / macro-F1 (MAE/RMSE/PCC for scores), largest gap, dp_diff, eo_diff; small groups flagged. Groups from annotations of groupTask (× by) unless source = 'predicted'. */
  'fairness.groupMetrics': call(
    z.object({ task: taskRef, version: versionRef, ...grouping }).strict(),
    returns<GroupMetricsInfo>()
  ),
  /** The same for two versions side by side, with deltas (b − a) per group and of the gaps. */
  'fairness.compare': call(
    z.object({ task: taskRef, a: versionRef, b: versionRef, ...grouping }).strict(),
    returns<GroupMetricsComparison>()
  ),
  /** Bias probe: P(prediction = c | attribute value) over every face with an attribute value. */
  'fairness.biasProbe': call(
    z
      .object({
        task: taskRef,
        version: versionRef,
        attributeTask: taskRef,
        by: taskRef.optional(),
        source: groupSource,
        minGroupSize: minGroupSize.optional()
      })
      .strict(),
    returns<BiasProbeInfo>()
  ),
  /** Post-processing: per-group thresholds on P(positive) equalising TPR (or FPR) within a tolerance, with their accuracy cost. */
  'fairness.thresholds': call(
    z
      .object({
        task: taskRef,
        version: versionRef,
        ...grouping,
        positive: label.optional(),
        target: z.enum(['tpr', 'fpr']).default('tpr'),
        tolerance: z.number().min(0).max(1).default(0.02)
      })
      .strict(),
    returns<GroupThresholdsInfo>()
  ),
  /** Saves the per-group thresholds (as fairness.thresholds computes them) on the version; every later prediction of it uses the face's group from its labels. Re-predicts when active. */
  'fairness.applyThresholds': call(
    z
      .object({
        task: taskRef,
        version: versionRef,
        ...grouping,
        positive: label.optional(),
        target: z.enum(['tpr', 'fpr']).default('tpr'),
        tolerance: z.number().min(0).max(1).default(0.02)
      })
      .strict(),
    returns<AppliedThresholdsInfo>()
  ),
  /** The per-group thresholds saved on a version, or null. */
  'fairness.appliedThresholds': call(
    z.object({ task: taskRef, version: versionRef }).strict(),
    returns<AppliedThresholdsInfo | null>()
  ),
  /** Removes a version's per-group thresholds (back to the plain decision); re-predicts when active. */
  'fairness.clearThresholds': call(
    z.object({ task: taskRef, version: versionRef }).strict(),
    returns<{ task: string; version: number; cleared: boolean; repredicted: number }>()
  ),
  /** Train with bias mitigation (like models.train; result: TrainSummary; the version records method, params, grouping task). */
  'fairness.train': call(
    z
      .object({
        task: taskRef,
        mitigation,
        epochs: z.number().int().positive().max(1000).optional(),
        seed: z
          .number()
          .int()
          .nonnegative()
          .max(2 ** 31)
          .optional(),
        activate: z.boolean().default(true)
      })
      .strict(),
    returns<JobInfo>()
  ),
  /** Sweep ω (reweight), λ (penalty) or η (Group DRO): one inactive version per value in one job; result: SweepSummary (curve, pick). */
  'fairness.sweep': call(
    z
      .object({
        task: taskRef,
        method: z.enum(['reweight', 'penalty', 'dro']),
        groupTask: z.string().trim().min(1).max(64),
        /** 'auto' (loss penalty only): λ chosen from the validation rows, as fairness.penaltyRange. */
        values: z.union([z.array(z.number().min(0).max(1000)).min(1).max(20), z.literal('auto')]),
        penaltyMode: z.enum(['loss', 'positive_rate']).optional(),
        positive: label.optional(),
        epochs: z.number().int().positive().max(1000).optional(),
        seed: z
          .number()
          .int()
          .nonnegative()
          .max(2 ** 31)
          .optional(),
        accuracyBudget: z.number().min(0).max(100).optional(),
        minGroupSize: minGroupSize.optional(),
        /** The gap the pick minimises: the largest TPR spread (default) or the spread of per-group accuracy. */
        gapMetric: z.enum(['tpr', 'accuracy']).optional()
      })
      .strict(),
    returns<JobInfo>()
  ),
  /** λ values for a loss-penalty sweep from the validation rows: fractions of mean loss / group loss range under the active version. */
  'fairness.penaltyRange': call(
    z
      .object({
        task: taskRef,
        groupTask: z.string().trim().min(1).max(64),
        seed: z
          .number()
          .int()
          .nonnegative()
          .max(2 ** 31)
          .optional()
      })
      .strict(),
    returns<PenaltyRange>()
  ),
  /** The weights full reweighting (ω = 1) would give the task's training faces by a grouping: all ≈ 1 means nothing to change. */
  'fairness.reweightPreview': call(
    z.object({ task: taskRef, groupTask: z.string().trim().min(1).max(64) }).strict(),
    returns<ReweightPreview>()
  ),
  /** Identity-consistency conflicts (persons with ≥ 2 faces): predictions disagreeing across a person's faces, faces contradicting a person-level label. */
  'fairness.conflicts': call(
    z.object({ tasks: z.array(taskRef).max(50).optional(), ...page }).strict(),
    returns<ConflictList>()
  ),

  // ---- Teams and privacy (issue 14) ----
  /** Agreement of a classification task: Cohen's κ per annotator pair, Krippendorff's α, per-class agreement, on faces with ≥ 2 answers. */
  'teams.agreement': call(z.object({ task: taskRef }).strict(), returns<AgreementReport>()),
  /** Faces whose annotators' current answers differ and that no adjudication settled, oldest face first. */
  'teams.disagreements': call(z.object({ task: taskRef, ...page }).strict(), returns<DisagreementQueue>()),
  /** Settle a disagreement: the label is recorded as its own answer (source 'adjudicate', one undo step). */
  'teams.adjudicate': call(
    z.object({ task: taskRef, faceId: id, value: z.string().trim().min(1).max(64) }).strict(),
    returns<{ actionId: number }>()
  ),
  /** Forget a person: deletes their faces' rows and files, person-level labels, previews where no other face remains; photos untouched but excluded from re-import; flags versions trained on them; keeps an audit row. */
  'teams.forget': call(z.object({ personId: id }).strict(), returns<ForgetResult>()),
  /** Every forget of this project, newest first (when, by whom, how many; nothing identifying). */
  'teams.forgetAudit': call(none, returns<ForgetAuditRow[]>()),
  /** Write a person's faces, labels and predictions to <dir>/person-<id> (a subject access request). */
  'teams.exportPerson': call(z.object({ personId: id, dir: absoluteDir }).strict(), returns<PersonExport>()),
  /** Retrain a version flagged "trained on forgotten data" on its settings, from its nearest clean ancestor. */
  'teams.retrainWithoutForgotten': call(z.object({ task: taskRef, version: versionRef }).strict(), returns<JobInfo>()),
  /** The overlap setting: ask for a second answer on `percent` % of faces (seeded, stratified by predicted label). */
  'teams.overlap': call(none, returns<{ percent: number; seed: number }>()),
  'teams.setOverlap': call(
    z
      .object({ percent: z.number().min(0).max(100), seed: z.number().int().nonnegative().max(2147483647).default(1) })
      .strict(),
    returns<{ percent: number; seed: number }>()
  ),
  /** Everyone who answered in this project (or has a profile), with answers and optional attributes. */
  'teams.annotators': call(none, returns<AnnotatorProfileInfo[]>()),
  /** Replace an annotator's optional, free-text attributes (e.g. {group: "…"}); empty values are dropped. */
  'teams.setAnnotatorAttributes': call(
    z
      .object({
        name: annotatorName,
        attributes: z.record(z.string().trim().min(1).max(40), z.string().max(200))
      })
      .strict(),
    returns<AnnotatorProfileInfo>()
  ),
  /** Rate of each label by annotator (or annotator attribute value) × subject group, with the largest difference in words. */
  'teams.annotatorGroups': call(
    z
      .object({
        task: taskRef,
        groupTask: taskRef,
        by: z.string().trim().max(40).optional(),
        minAnswers: z.number().int().positive().max(100_000).optional()
      })
      .strict(),
    returns<AnnotatorGroupReport>()
  ),
  /** Merge another project (another copy's annotations, or an import shard's photos and faces) into this one; idempotent. */
  'teams.merge': call(z.object({ from: absoluteDir }).strict(), returns<MergeResult>())
} as const

export type Calls = typeof calls
export type CallName = keyof Calls
/** What a caller passes (defaults may be omitted). */
export type CallArgs<N extends CallName> = z.input<Calls[N]['args']>
/** What a handler receives after validation (defaults filled in). */
export type ParsedArgs<N extends CallName> = z.output<Calls[N]['args']>
export type CallResult<N extends CallName> = Calls[N]['result'] extends ResultOf<infer R> ? R : never

export interface Events {
  'job.updated': JobInfo
  'project.changed': ProjectInfo | null
  /** Something in the open project changed; screens showing `what` refetch. */
  'data.changed': { what: Array<'images' | 'faces' | 'persons' | 'annotations' | 'tasks' | 'versions'> }
  /** A native menu item was chosen (Electron); the renderer performs the action. */
  menu: { action: MenuAction }
  /** One finished training epoch (every epoch, unthrottled), for the live loss/accuracy chart. */
  'training.epoch': { jobId: number; task: string; totalEpochs: number; point: EpochPoint }
}

export type MenuAction =
  'project.new' | 'project.open' | 'import' | 'labels.import' | 'export' | 'merge' | 'undo' | 'redo' | 'about'
export type EventName = keyof Events

// The preload's zod-free list must name exactly the events of the Events map: a missing or extra name
// fails the typecheck here instead of a subscription failing in the window.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const eventListMatches: Same<EventName, EventNameList> = true
void eventListMatches

export const eventNames: readonly EventName[] = EVENT_NAMES
export { isEventName }

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name)
}
