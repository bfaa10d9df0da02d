/**
 * The one protocol between the main process and an ML worker, built like src/shared/contract.ts: every
 * operation's parameter schema (the worker validates each request against it before running anything), its
 * result type and its progress payload, declared once. The client (jobs/worker-client.ts) is generic over
 * this map, so `request('train.head', params)` checks the params and types the result and progress.
 *
 * Messages are envelopes around the ops: every request carries a `seq` its replies echo.
 */
import { z } from 'zod'
import type { BackendInfo, ClusterPreviewRow, LearningCurve, WorkerStageMs } from '../../shared/domain'
import type { CurveProgress } from './curve'
import type { AppErrorShape } from '../../shared/result'
import type { AnalyzedAt, ImportFileResult } from './import-file'
import type { ClusterPlan } from '../people/clustering'
import type { CalibrateResult, EvaluateResult, PredictProgress, PredictResult } from './predict'
import type { LabelErrorsOpResult, LabelErrorsProgress } from './label-errors'
import type { ProjectionOpResult, ProjectionProgress } from './projection'
import type { TrainOpResult, TrainProgress } from './train'
import type { LabelImportPreview } from '../../shared/labels-io'
import type { ResolvedLabelImport } from '../labels/label-import'
import type { ExportSummary } from '../library/export'
import type { AugmentOpResult, AugmentProgress } from './augment'

/** Progress of labels.resolve (rows resolved) and export.write (faces gathered, then files written). */
export interface LabelsIoProgress {
  done: number
  total: number
  message: string
}
import type { MergeResult } from '../../shared/teams'

/** Phantom markers carrying an op's result and progress types; never read at run time. */
declare const typesBrand: unique symbol
export interface OpTypes<R, P> {
  readonly [typesBrand]?: { result: R; progress: P }
}

function op<S extends z.ZodType, R, P>(params: S, types: OpTypes<R, P>) {
  return { params, types }
}
function returns<R, P = never>(): OpTypes<R, P> {
  return {}
}

const projectDir = z.string().min(1)
const faceId = z.number().int().positive()
const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
const faceLabel = z.object({ faceId, value: z.string() })

/** Where detection found the faces of a photo (ml/analyze.ts LocatedFaces), as plain data. */
const locatedFaces = z.object({
  faces: z.array(
    z.object({
      score: z.number(),
      relativeBox: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
      imageDims: z.object({ width: z.number(), height: z.number() }),
      source: z.enum(['detector', 'whole-image'])
    })
  ),
  padOffset: z.number(),
  scale: z.number().positive().max(1)
})

/** What the database keeps of an analysed face (library/photo-rows.ts FaceToStore). */
const analyzedFace = z.object({
  box: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
  score: z.number(),
  source: z.enum(['detector', 'whole-image']),
  landmarks: f32,
  descriptor: f32,
  expressionFeatures: f32,
  ageGenderFeatures: f32,
  expressionMirrorFeatures: f32.optional(),
  ageGenderMirrorFeatures: f32.optional()
})

const TASK_REF = z.union([z.number().int().nonnegative(), z.string().min(1)])

/** A labels file to read (labels/label-import.ts LabelImportSpec), as main validated it from the contract. */
const labelSpec = z.object({
  file: z.string().min(1),
  format: z.enum(['csv', 'labelstudio', 'coco']),
  task: TASK_REF.optional(),
  delimiter: z.enum([',', ';', '\t']).optional(),
  pathColumn: z.string().optional(),
  labelColumn: z.string().optional(),
  map: z.record(z.string(), z.string()).optional(),
  columns: z
    .array(
      z.object({
        column: z.string(),
        task: TASK_REF.optional(),
        newTask: z.object({ name: z.string(), labels: z.array(z.string()).optional() }).optional(),
        map: z.record(z.string(), z.string()).optional()
      })
    )
    .optional()
})

export const workerOps = {
  'backend.info': op(z.object({}), returns<Omit<BackendInfo, 'workers' | 'label'> & { detail: string }>()),
  /** Loads the backend and the face models and runs every net once, so a job starts at steady speed. */
  'ml.warmup': op(z.object({}), returns<null>()),
  /**
   * One photo: read, hash, decode, detect and analyse, then commit its image, faces, features and built-in
   * predictions in one transaction. With `splitAt` faces or more it stops after detection ('split'): main
   * spreads the faces over the workers (import.faces) and this worker commits the photo (import.commit).
   */
  'import.file': op(
    z.object({
      projectDir,
      root: z.string().min(1),
      file: z.string().min(1),
      crops: z.boolean(),
      detector: z.enum(['ssd', 'tiny']),
      splitAt: z.number().int().positive().optional(),
      /** The import job's batch id, stamped on every photo it commits (a Review / Export scope). */
      importId: z.string().min(1).max(64).optional()
    }),
    returns<ImportFileResult>()
  ),
  /** Some faces of a split photo; `hash` is what the owner read, so a changed file is refused, not mixed. */
  'import.faces': op(
    z.object({
      file: z.string().min(1),
      hash: z.string().min(1),
      located: locatedFaces,
      indices: z.array(z.number().int())
    }),
    returns<{ faces: AnalyzedAt; ms: WorkerStageMs }>()
  ),
  /** The owner of a split photo commits it once every face is back. */
  'import.commit': op(
    z.object({ file: z.string().min(1), faces: z.array(z.object({ index: z.number().int(), face: analyzedFace })) }),
    returns<ImportFileResult>()
  ),
  /**
   * Augment existing faces: the mirrored views of faces imported before they were stored, from their photos and
   * stored landmarks; one commit per photo (a cancel keeps the photos done).
   */
  'features.augment': op(z.object({ projectDir }), returns<AugmentOpResult, AugmentProgress>()),
  /** Errors main found without reading the file (the folder walk, a worker that crashed on the file). */
  'import.errors': op(
    z.object({
      projectDir,
      root: z.string().min(1),
      errors: z.array(z.object({ path: z.string().min(1), error: z.string() }))
    }),
    returns<null>()
  ),
  'people.cluster': op(
    z.object({ projectDir, threshold: z.number().positive(), mode: z.enum(['full', 'incremental']) }),
    returns<ClusterPlan>()
  ),
  'people.preview': op(
    z.object({ projectDir, thresholds: z.array(z.number().positive()) }),
    returns<ClusterPreviewRow[]>()
  ),
  /**
   * Fine-tunes a task head on the rows main prepared (labels, evaluation set and any bias mitigation already
   * resolved), scores it, saves its files and commits the version (activated: with every face's predictions).
   */
  'train.head': op(
    z.object({
      projectDir,
      task: z.string().min(1),
      /** Training faces and their labels; the evaluation set is never among them. */
      train: z.array(faceLabel),
      evaluation: z.array(faceLabel),
      epochs: z.number().int().positive(),
      seed: z.number().int().nonnegative(),
      /** Forced head settings (each fixes that dimension of the capacity search); hidden 0 = a linear head. */
      hidden: z.number().int().nonnegative().optional(),
      l2: z.number().nonnegative().optional(),
      batchSize: z.number().int().positive().optional(),
      learningRate: z.number().positive().optional(),
      /** Heads of the ensemble (k-fold), default 5; 1 = a single head. */
      k: z.number().int().min(1).max(10).optional(),
      /**
       * false: train on the original views only and predict from them alone (recorded in the metadata);
       * default: mirrored views as extra rows of the same face, predictions averaged over both views.
       */
      mirrored: z.boolean().optional(),
      /** true / false, or 'auto': only when not worse than the active version on the evaluation set. */
      activate: z.union([z.boolean(), z.literal('auto')]),
      /** Parallel to `train`: one weight per row (reweighting). */
      sampleWeights: z.array(z.number()).optional(),
      /**
       * Soft targets, parallel to `train`: each row's label distribution (votes or several annotators' answers;
       * null = its one-hot label). Absent: hard labels.
       */
      softTargets: z.array(z.record(z.string(), z.number().nonnegative()).nullable()).optional(),
      /** Parallel to `train`: each row's group for the group penalty (null = no group). */
      groupPenalty: z
        .object({
          groups: z.array(z.string().nullable()),
          lambda: z.number().nonnegative(),
          mode: z.enum(['loss', 'positive_rate']),
          positiveIndex: z.number().int().nonnegative().optional(),
          spread: z.enum(['range', 'variance']).optional()
        })
        .optional(),
      /** Parallel to `train`: each row's group for Group DRO (null = no group), and its step size η. */
      groupDro: z.object({ groups: z.array(z.string().nullable()), eta: z.number().nonnegative() }).optional(),
      /** Saved as the version's metadata.mitigation. */
      mitigation: z.object({ method: z.string(), params: z.record(z.string(), z.unknown()) }).nullable(),
      /**
       * The version row to fine-tune from instead of the active one (a retrain without forgotten data must not
       * start from weights that learnt them); null: a fresh head. Absent: the active version.
       */
      parentId: z.number().int().positive().nullable().optional()
    }),
    returns<TrainOpResult, TrainProgress>()
  ),
  /**
   * Possible label errors of a classification task: out-of-fold probabilities (the active version's, else k seeded
   * heads trained here) and confident learning over the labelled faces main resolved. Writes nothing.
   */
  'labels.errors': op(
    z.object({
      projectDir,
      task: z.string().min(1),
      rows: z.array(faceLabel),
      k: z.number().int().min(2).max(10),
      seed: z.number().int().nonnegative()
    }),
    returns<LabelErrorsOpResult, LabelErrorsProgress>()
  ),
  /**
   * The Map's 2-D projection of one feature kind of every face (PCA, or UMAP fitted on a seeded sample of at most
   * `sample` faces and the rest placed by transform), stored in the project's cache; answered from the cache when
   * the faces are the same unless `force`.
   */
  'map.project': op(
    z.object({
      projectDir,
      kind: z.enum(['identity', 'expression', 'age_gender']),
      method: z.enum(['pca', 'umap']),
      seed: z.number().int().nonnegative(),
      sample: z.number().int().min(3).max(100_000),
      force: z.boolean().optional()
    }),
    returns<ProjectionOpResult, ProjectionProgress>()
  ),
  /** Re-predicts every face (or only those without a prediction of the version) and optionally activates it. */
  'predict.task': op(
    z.object({
      projectDir,
      task: z.string().min(1),
      version: z.number().int().nonnegative(),
      activate: z.boolean(),
      scope: z.enum(['all', 'missing']).optional()
    }),
    returns<PredictResult, PredictProgress>()
  ),
  /** Import labels…: what a labels file would do (writes nothing). Parsing a big file stays off main's loop. */
  'labels.preview': op(z.object({ projectDir, spec: labelSpec }), returns<LabelImportPreview>()),
  /** Import labels…: the face → value pairs a file resolves to; main writes them (user decisions are main's). */
  'labels.resolve': op(z.object({ projectDir, spec: labelSpec }), returns<ResolvedLabelImport, LabelsIoProgress>()),
  /** Export…: gathers and writes an export's files (library/export.ts; no database writes). */
  'export.write': op(
    z.object({
      projectDir,
      appVersion: z.string(),
      spec: z.object({
        format: z.enum(['csv', 'json', 'coco', 'labelstudio', 'npy']),
        out: z.string().min(1),
        tasks: z.array(z.string()).optional(),
        feature: z.enum(['identity', 'expression', 'age_gender']).optional(),
        absolutePaths: z.boolean().optional(),
        faceIds: z.array(z.number().int().nonnegative()).optional()
      })
    }),
    returns<ExportSummary, LabelsIoProgress>()
  ),
  /** Merges another project (annotations; a shard's photos, faces, features, predictions) into this one (teams/merge.ts). */
  'teams.merge': op(z.object({ projectDir, from: z.string().min(1) }), returns<MergeResult>()),
  /** Predictions and metrics of versions on the faces given (ground truth main resolved); writes nothing. */
  'models.evaluate': op(
    z.object({
      projectDir,
      task: z.string().min(1),
      versions: z.array(z.union([z.number().int().nonnegative(), z.literal('active')])),
      faces: z.array(faceLabel),
      /** Also return each face's class probabilities (per-group thresholds). */
      withProbs: z.boolean().optional()
    }),
    returns<EvaluateResult>()
  ),
  /** Trains (and discards) a version per nested subset of the training faces and scores each on the evaluation set. */
  'models.learningCurve': op(
    z.object({
      projectDir,
      task: z.string().min(1),
      train: z.array(faceLabel),
      evaluation: z.array(faceLabel),
      fractions: z.array(z.number().positive().max(1)).min(1).max(10),
      seed: z.number().int().nonnegative(),
      epochs: z.number().int().positive()
    }),
    returns<LearningCurve, CurveProgress>()
  ),
  /** Fits version 0's temperature on the evaluation faces given; re-predicts every face when v0 is active. */
  'models.calibrate': op(
    z.object({ projectDir, task: z.string().min(1), faces: z.array(faceLabel) }),
    returns<CalibrateResult>()
  )
}

export type WorkerOps = typeof workerOps
export type OpName = keyof WorkerOps
/** What a caller passes. */
export type OpParams<K extends OpName> = z.input<WorkerOps[K]['params']>
/** What an op receives once the worker validated it. */
export type OpParsed<K extends OpName> = z.output<WorkerOps[K]['params']>
export type OpResult<K extends OpName> = WorkerOps[K]['types'] extends OpTypes<infer R, infer _P> ? R : never
/** What an op reports while it runs (never: it reports nothing). */
export type OpProgress<K extends OpName> = WorkerOps[K]['types'] extends OpTypes<infer _R, infer P> ? P : never

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(workerOps, name)
}

export type ToWorker =
  { type: 'run'; seq: number; op: OpName; params: unknown } | { type: 'cancel'; seq: number } | { type: 'shutdown' }

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; seq: number; data: unknown }
  | { type: 'result'; seq: number; value: unknown }
  | { type: 'error'; seq: number; error: AppErrorShape }
