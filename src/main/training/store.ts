/**
 * Versioned model store (the "save" step): one immutable folder per version,
 * `<modelsRoot>/<task>/v<N>/{model.json, weights.bin, metadata.json, SHA256SUMS}`.
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
import { constants as fsConstants, promises as fs } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { sha256Hex } from './hash'

export const MODEL_FILES = ['model.json', 'weights.bin', 'metadata.json'] as const
export type ModelFile = (typeof MODEL_FILES)[number]
export const SUMS_FILE = 'SHA256SUMS'
export const METADATA_FORMAT = 'face-studio-head/1'

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
  mitigation: z.object({ method: z.string(), params: z.record(z.string(), z.unknown()) }).nullable()
})
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>

/** What the caller supplies; the store fills in format, task, version, and (if absent) backend and created_at. */
export type NewVersionMetadata = Omit<ModelMetadata, 'format' | 'task' | 'version' | 'backend' | 'created_at'> & {
  backend?: string
  created_at?: string
}

/** A version's files do not match the recorded sha256 (or are missing); it must not be loaded. */
export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError'
  constructor(
    readonly versionPath: string,
    /** The file that changed or is missing, or null when it cannot be told (SHA256SUMS altered too). */
    readonly file: string | null,
    detail: string
  ) {
    super(`model ${versionPath}: ${detail}`)
  }
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

const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]+$/
const VERSION_NAME = /^v(0|[1-9]\d*)$/
/** A temp folder whose writer pid is (again) alive is still removed once it is this old (pid reuse). */
const STALE_TEMP_MS = 60 * 60 * 1000

export function versionPath(modelsRoot: string, task: string, versionNumber: number): string {
  checkTask(task)
  if (!Number.isInteger(versionNumber) || versionNumber < 0) throw new RangeError(`bad version number ${versionNumber}`)
  return path.join(modelsRoot, task, `v${versionNumber}`)
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

/**
 * Checks a version's files against `expectedSha256` without loading anything.
 * Returns the file contents so a caller that goes on to load uses exactly the bytes it checked.
 */
export async function verifyVersion(versionDir: string, expectedSha256: string): Promise<Record<ModelFile, Buffer>> {
  const files = {} as Record<ModelFile, Buffer>
  for (const name of MODEL_FILES) {
    try {
      files[name] = await fs.readFile(path.join(versionDir, name))
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new ModelIntegrityError(versionDir, name, `${name} is missing`)
      throw error
    }
  }
  const actual = sumsFile(files)
  if (actual.sha256 === expectedSha256.toLowerCase()) return files

  // Name the culprit from the recorded per-file hashes, but only trust them if SHA256SUMS itself
  // still hashes to the expected value.
  const recorded = await fs.readFile(path.join(versionDir, SUMS_FILE), 'utf8').catch(() => null)
  if (recorded !== null && sha256Hex(recorded) === expectedSha256.toLowerCase()) {
    for (const name of MODEL_FILES) {
      if (!recorded.includes(`${actual.perFile[name]}  ${name}\n`)) {
        throw new ModelIntegrityError(versionDir, name, `${name} does not match its recorded sha256`)
      }
    }
  }
  throw new ModelIntegrityError(
    versionDir,
    null,
    `files do not match the recorded sha256 ${expectedSha256} (got ${actual.sha256}); ${SUMS_FILE} is changed or missing, so the changed file cannot be named`
  )
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

/** Complete versions of a task, oldest first. Temp folders and incomplete folders are not versions. */
export async function listVersions(modelsRoot: string, task: string): Promise<{ version: number; path: string }[]> {
  checkTask(task)
  const dir = path.join(modelsRoot, task)
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return []
    throw error
  })
  const out: { version: number; path: string }[] = []
  for (const entry of entries) {
    const match = VERSION_NAME.exec(entry.name)
    if (!entry.isDirectory() || !match) continue
    const full = path.join(dir, entry.name)
    const complete = await Promise.all([...MODEL_FILES, SUMS_FILE].map((f) => exists(path.join(full, f))))
    if (complete.every(Boolean)) out.push({ version: Number(match[1]), path: full })
  }
  return out.sort((a, b) => a.version - b.version)
}

/**
 * Removes temp folders left by interrupted saves. A folder whose writer process is still alive is
 * kept (it may be mid-save) unless it is older than an hour, which covers pid reuse after a crash.
 */
export async function cleanupTemp(modelsRoot: string, now = Date.now()): Promise<string[]> {
  const entries = await fs.readdir(modelsRoot, { withFileTypes: true }).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return []
    throw error
  })
  const removed: string[] = []
  for (const entry of entries) {
    const match = TEMP_NAME.exec(entry.name)
    if (!entry.isDirectory() || !match) continue
    const full = path.join(modelsRoot, entry.name)
    const age = now - (await fs.stat(full)).mtimeMs
    if (pidAlive(Number(match[1])) && age < STALE_TEMP_MS) continue
    await fs.rm(full, { recursive: true, force: true })
    removed.push(full)
  }
  return removed
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

function sumsFile(files: Record<ModelFile, Buffer>): {
  text: string
  sha256: string
  perFile: Record<ModelFile, string>
} {
  const perFile = {} as Record<ModelFile, string>
  let text = ''
  for (const name of MODEL_FILES) {
    perFile[name] = sha256Hex(files[name])
    text += `${perFile[name]}  ${name}\n`
  }
  return { text, sha256: sha256Hex(text), perFile }
}

async function writeDurable(file: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Persists a directory entry (new file or rename). Not possible on Windows, where it is skipped. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | null = null
  try {
    handle = await fs.open(dir, fsConstants.O_RDONLY)
    await handle.sync()
  } catch (error) {
    if (!(isErrno(error, 'EISDIR') || isErrno(error, 'EPERM') || isErrno(error, 'EINVAL'))) throw error
  } finally {
    await handle?.close()
  }
}

function checkTask(task: string): void {
  if (!TASK_NAME.test(task)) throw new RangeError(`task name "${task}" must be 1–64 letters, digits, '-' or '_'`)
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p)
    return true
  } catch {
    return false
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(error, 'EPERM')
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}
