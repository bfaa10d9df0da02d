/**
 * Versioned model store (the "save" step): one immutable folder per version,
 * `<modelsRoot>/<task>/v<N>/{model.json, weights.bin, metadata.json, SHA256SUMS}` (file checks: version-files.ts).
 *
 * A version is written into a hidden temp folder inside modelsRoot, every file fsynced, then the
 * folder is renamed into place — a crash leaves either a complete version or a temp folder that
 * listVersions ignores and cleanupTemp removes, never a half-written version.
 *
 * The version's sha256 (recorded by the caller in the database) is the sha256 of SHA256SUMS, whose
 * lines hold each file's own sha256 in a fixed order. It therefore covers all three files, and when
 * a check fails the per-file lines tell which file changed. Serialisation goes through
 * tf.io.withSaveHandler / tf.io.fromMemory so no tfjs-node file IO is needed.
 */
import { promises as fs } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import {
  exists,
  fsyncDir,
  isErrno,
  MODEL_FILES,
  sumsFile,
  SUMS_FILE,
  verifyVersion,
  versionPath,
  writeDurable,
  type ModelFile
} from './version-files'

export const METADATA_FORMAT = 'face-studio-head/1'

export const CalibrationSchema = z.object({
  method: z.literal('temperature'),
  temperature: z.number().positive(),
  n: z.number().int().nonnegative(),
  nll_before: z.number(),
  nll_after: z.number(),
  fitted_on: z.string()
})
export type Calibration = z.infer<typeof CalibrationSchema>

export const ModelMetadataSchema = z.object({
  format: z.literal(METADATA_FORMAT),
  task: z.string(),
  version: z.number().int().nonnegative(),
  kind: z.enum(['classification', 'regression']),
  /** Output labels in unit order (empty for regression). */
  labels: z.array(z.string()),
  /** Which stored feature vectors the head reads (e.g. 'expression', 'age_gender', 'identity'). */
  feature_kind: z.string(),
  input_dim: z.number().int().positive(),
  parent_version: z.number().int().nonnegative().nullable(),
  backend: z.string(),
  hyperparameters: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  training_set_hash: z.string(),
  counts: z.record(z.string(), z.number()),
  duration_ms: z.number(),
  metrics: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  mitigation: z.object({ method: z.string(), params: z.record(z.string(), z.unknown()) }).nullable(),
  /**
   * Temperature applied to the logits at prediction (issue 11); absent in versions made before calibration
   * existed (T = 1). `fitted_on` says which rows it was fitted on.
   */
  calibration: CalibrationSchema.nullable().optional(),
  /** Which of the issue-11 levers the version used: ensemble size, capacity search, mirrored rows, soft targets. */
  recipe: z.record(z.string(), z.unknown()).optional()
})
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>

/** What the caller supplies; the store fills in format, task, version, and (if absent) backend and created_at. */
export type NewVersionMetadata = Omit<ModelMetadata, 'format' | 'task' | 'version' | 'backend' | 'created_at'> & {
  backend?: string
  created_at?: string
}

export class VersionExistsError extends Error {
  override readonly name = 'VersionExistsError'
  constructor(readonly versionPath: string) {
    super(`model version ${versionPath} already exists; versions are immutable`)
  }
}

export interface SaveVersionArgs {
  task: string
  versionNumber: number
  model: tf.LayersModel
  metadata: NewVersionMetadata
}

export async function saveVersion(
  modelsRoot: string,
  args: SaveVersionArgs
): Promise<{ path: string; sha256: string }> {
  const finalPath = versionPath(modelsRoot, args.task, args.versionNumber)
  if (await exists(finalPath)) throw new VersionExistsError(finalPath)

  const metadata = ModelMetadataSchema.parse({
    ...args.metadata,
    format: METADATA_FORMAT,
    task: args.task,
    version: args.versionNumber,
    backend: args.metadata.backend ?? tf.getBackend(),
    created_at: args.metadata.created_at ?? new Date().toISOString()
  })
  const files = await serialise(args.model, metadata)
  const sums = sumsFile(files)

  await fs.mkdir(path.join(modelsRoot, args.task), { recursive: true })
  const tmp = path.join(
    modelsRoot,
    `.${args.task}-v${args.versionNumber}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  )
  await fs.mkdir(tmp)
  try {
    for (const name of MODEL_FILES) await writeDurable(path.join(tmp, name), files[name])
    await writeDurable(path.join(tmp, SUMS_FILE), Buffer.from(sums.text))
    await fsyncDir(tmp)
    try {
      await fs.rename(tmp, finalPath)
    } catch (error) {
      // Another writer won the race for this version number.
      if (isErrno(error, 'ENOTEMPTY') || isErrno(error, 'EEXIST') || isErrno(error, 'EPERM'))
        throw new VersionExistsError(finalPath)
      throw error
    }
    await fsyncDir(path.dirname(finalPath))
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true })
    throw error
  }
  return { path: finalPath, sha256: sums.sha256 }
}

/** Verifies, then loads. Throws ModelIntegrityError rather than ever loading unverified files. */
export async function loadVersion(
  versionDir: string,
  expectedSha256: string
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const files = await verifyVersion(versionDir, expectedSha256)
  const modelJson = JSON.parse(files['model.json'].toString('utf8')) as tf.io.ModelJSON
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights)
  const bin = files['weights.bin']
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer
  const metadata = ModelMetadataSchema.parse(JSON.parse(files['metadata.json'].toString('utf8')))
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData })
  )
  return { model, metadata }
}

async function serialise(model: tf.LayersModel, metadata: ModelMetadata): Promise<Record<ModelFile, Buffer>> {
  let artifacts: tf.io.ModelArtifacts | null = null
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    })
  )
  const saved = artifacts as tf.io.ModelArtifacts | null
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('tfjs produced no weights to save')
  // The standard tfjs layers-model layout, so the folder also loads with tf.loadLayersModel('file://…').
  const modelJson: tf.io.ModelJSON = {
    format: saved.format ?? 'layers-model',
    generatedBy: saved.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: saved.convertedBy ?? null,
    modelTopology: saved.modelTopology as object,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }]
  }
  return {
    'model.json': Buffer.from(JSON.stringify(modelJson)),
    'weights.bin': Buffer.from(tf.io.CompositeArrayBuffer.join(saved.weightData)),
    'metadata.json': Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`)
  }
}
