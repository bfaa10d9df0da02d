// Loads face-api's nets from resources/models, refusing any file whose bytes differ from the committed
// manifest. The bytes that are hashed are the bytes that are decoded, so a file cannot change between
// the check and the load.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { faceapi, tf } from './tfjs'

export interface ModelFileEntry {
  name: string
  file: string
  bytes: number
  sha256: string
  licence: string
}

export interface ModelManifest {
  source: { package: string; version: string }
  models: ModelFileEntry[]
}

export type ModelIntegrityProblem = 'missing' | 'tampered' | 'unlisted' | 'bad-manifest'

export class ModelIntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly problem: ModelIntegrityProblem,
    detail: string
  ) {
    super(`model file ${file} ${problem}: ${detail}`)
    this.name = 'ModelIntegrityError'
  }
}

/** The face-api nets the app uses, keyed as in `faceapi.nets`, with their weight-file stem. */
export const NET_FILES = {
  ssdMobilenetv1: 'ssd_mobilenetv1_model',
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceRecognitionNet: 'face_recognition_model',
  faceExpressionNet: 'face_expression_model',
  ageGenderNet: 'age_gender_model'
} as const

export type NetKey = keyof typeof NET_FILES

export interface LoadedModels {
  dir: string
  source: ModelManifest['source']
  nets: NetKey[]
  loadMs: number
}

let loaded: LoadedModels | undefined

interface WeightGroup {
  paths: string[]
  weights: Parameters<typeof tf.io.decodeWeights>[1]
}

async function readManifest(modelDir: string): Promise<ModelManifest> {
  const path = join(modelDir, 'manifest.json')
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new ModelIntegrityError('manifest.json', 'bad-manifest', `cannot read ${path}: ${String(err)}`)
  }
  const m = parsed as Partial<ModelManifest>
  if (!m.source || !Array.isArray(m.models)) {
    throw new ModelIntegrityError('manifest.json', 'bad-manifest', 'expected {source, models[]}')
  }
  return m as ModelManifest
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function readVerified(modelDir: string, file: string, manifest: ModelManifest): Promise<Buffer> {
  const entry = manifest.models.find((m) => m.file === file)
  if (!entry) throw new ModelIntegrityError(file, 'unlisted', 'not listed in manifest.json, refusing to load it')
  let bytes: Buffer
  try {
    bytes = await readFile(join(modelDir, file))
  } catch {
    throw new ModelIntegrityError(file, 'missing', `not found in ${modelDir} (run: npm run models)`)
  }
  const digest = sha256(bytes)
  if (digest !== entry.sha256 || bytes.length !== entry.bytes) {
    throw new ModelIntegrityError(
      file,
      'tampered',
      `sha256 ${digest} (${bytes.length} B), manifest expects ${entry.sha256} (${entry.bytes} B)`
    )
  }
  return bytes
}

/** Checks every file the manifest lists; resolves to the manifest or throws ModelIntegrityError. */
export async function verifyModelFiles(modelDir: string): Promise<ModelManifest> {
  const manifest = await readManifest(modelDir)
  for (const entry of manifest.models) await readVerified(modelDir, entry.file, manifest)
  return manifest
}

async function readWeightMap(
  modelDir: string,
  stem: string,
  manifest: ModelManifest
): Promise<Record<string, ReturnType<typeof tf.tensor>>> {
  const groups = JSON.parse(
    (await readVerified(modelDir, `${stem}-weights_manifest.json`, manifest)).toString('utf8')
  ) as WeightGroup[]
  const buffers: Buffer[] = []
  for (const group of groups) {
    for (const path of group.paths) buffers.push(await readVerified(modelDir, path, manifest))
  }
  const all = Buffer.concat(buffers)
  const arrayBuffer = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer
  return tf.io.decodeWeights(
    arrayBuffer,
    groups.flatMap((g) => g.weights)
  )
}

/**
 * Verifies all weight files against `modelDir/manifest.json`, then loads the six nets into face-api's
 * shared `faceapi.nets`. Calling it again replaces (and disposes) previously loaded weights.
 */
export async function loadModels(modelDir: string): Promise<LoadedModels> {
  const started = performance.now()
  const manifest = await verifyModelFiles(modelDir)
  const keys = Object.keys(NET_FILES) as NetKey[]
  for (const key of keys) {
    const weightMap = await readWeightMap(modelDir, NET_FILES[key], manifest)
    const net = faceapi.nets[key]
    if (net.isLoaded) net.dispose()
    net.loadFromWeightMap(weightMap as unknown as Parameters<typeof net.loadFromWeightMap>[0])
  }
  loaded = { dir: modelDir, source: manifest.source, nets: keys, loadMs: performance.now() - started }
  return loaded
}

export function loadedModels(): LoadedModels | undefined {
  return loaded
}

/** Throws unless loadModels has completed; inference entry points call it first. */
export function requireModels(): LoadedModels {
  if (!loaded) throw new Error('ML models are not loaded: call loadModels(modelDir) first')
  return loaded
}
