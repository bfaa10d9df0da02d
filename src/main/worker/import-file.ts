/**
 * An import, in the worker: one file in; it is read, hashed, decoded, analysed, its preview and thumbnails
 * written, and its rows (image, faces, features, built-in predictions) committed by library/photo-rows.ts in
 * one transaction, so a crash mid-file leaves nothing half-written and the next import redoes that file.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp, { type Sharp } from 'sharp'
import type { WorkerStageMs } from '../../shared/domain'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { listTasks } from '../labels/tasks'
import { mirrorKindOf, type MirrorRows, type PackedFeatures } from '../library/features'
import {
  alreadyImported,
  commitPhoto,
  featureOf,
  recordImageError,
  recordImageErrors,
  withoutForgotten,
  type FaceToStore,
  type PhotoToStore
} from '../library/photo-rows'
import { versionByNumber } from '../models/registry'
import {
  analyzeLocated,
  emptyTimings,
  locateThenAnalyze,
  type AnalyzedFace,
  type LocatedFaces,
  type RgbImage,
  type StageTimings
} from '../ml/analyze'
import { DEFAULT_MAX_PIXELS } from '../ml/decode'
import { ensureMlReady } from '../ml/runtime'
import { projectDb } from './db'
import { loadTaskVersion } from './predictor'
import type { OpParsed } from './protocol'

type ImportFileParams = OpParsed<'import.file'>

type ImportFileOutcome =
  | { status: 'ok'; faces: number }
  | { status: 'skipped' }
  | { status: 'error'; error: string }
  | { status: 'split'; located: LocatedFaces; hash: string }

/** Every import request reports where its time went, so the job can show it per worker (issue 13 §4). */
export type ImportFileResult = ImportFileOutcome & { ms: WorkerStageMs }

export type AnalyzedAt = Array<{ index: number; face: AnalyzedFace }>

function emptyStages(): WorkerStageMs {
  return {
    read: 0,
    decode: 0,
    detect: 0,
    landmarks: 0,
    descriptor: 0,
    expression: 0,
    ageGender: 0,
    thumbs: 0,
    preview: 0,
    predict: 0,
    sqlite: 0,
    busy: 0,
    faces: 0
  }
}

type TimedStage = Exclude<keyof WorkerStageMs, 'busy' | 'faces'>

async function timed<T>(ms: WorkerStageMs, stage: TimedStage, run: () => Promise<T> | T): Promise<T> {
  const started = performance.now()
  try {
    return await run()
  } finally {
    ms[stage] += performance.now() - started
  }
}

function addAnalysis(ms: WorkerStageMs, t: StageTimings): void {
  ms.detect += t.detectMs
  ms.landmarks += t.landmarksMs
  ms.descriptor += t.descriptorMs
  ms.expression += t.expressionMs
  ms.ageGender += t.ageGenderMs
  ms.faces += t.faces
}

/** Runs one request with a fresh stage clock; `busy` is the whole request. */
async function measured<R extends object>(run: (ms: WorkerStageMs) => Promise<R>): Promise<R & { ms: WorkerStageMs }> {
  const ms = emptyStages()
  const started = performance.now()
  const r = await run(ms)
  ms.busy = performance.now() - started
  return { ...r, ms }
}

/** Files above this are refused before reading: no photo is this big, and reading it would blow memory. */
const MAX_FILE_BYTES = 200 * 1024 * 1024
/** Detection runs on at most this long side; SSD looks at 512 px anyway, and crops stay sharp. */
const ANALYSIS_MAX_SIDE = 2560
const PREVIEW_MAX_SIDE = 1600
const THUMB_SIZE = 192

function describeDecodeError(e: unknown, file: string): string {
  const msg = e instanceof Error ? e.message : String(e)
  if (/pixel limit/i.test(msg))
    return `Image too large: more than ${DEFAULT_MAX_PIXELS / 1e6} megapixels (limit), or a decompression bomb; skipped.`
  if (/unsupported image format|Input buffer contains unsupported/i.test(msg))
    return `Not an image sharp can read (${path.extname(file) || 'no extension'}).`
  if (/premature end|truncated|corrupt|Invalid|bad/i.test(msg)) return `The image is damaged or truncated: ${msg}`
  return `Could not decode the image: ${msg}`
}

export interface Decoded {
  rgb: RgbImage
  /** Oriented full-resolution size (what the user sees). */
  width: number
  height: number
  /** Multiply analysis coordinates by this to get full-resolution coordinates. */
  scale: number
}

/** The photo as the import analyses it (oriented, at most ANALYSIS_MAX_SIDE); the augment job decodes the same way. */
export async function decodeForAnalysis(buf: Buffer): Promise<Decoded> {
  const meta = await sharp(buf, { limitInputPixels: DEFAULT_MAX_PIXELS }).metadata()
  const swap = (meta.orientation ?? 1) >= 5
  const width = (swap ? meta.height : meta.width) ?? 0
  const height = (swap ? meta.width : meta.height) ?? 0
  // 'truncated' turns a cut-off file into an error instead of a photo with a grey lower half.
  const { data, info } = await sharp(buf, { limitInputPixels: DEFAULT_MAX_PIXELS, failOn: 'truncated' })
    .rotate()
    .resize({ width: ANALYSIS_MAX_SIDE, height: ANALYSIS_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  const rgb = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height
  }
  return { rgb, width: width || info.width, height: height || info.height, scale: (width || info.width) / info.width }
}

function rgbSharp(rgb: RgbImage): Sharp {
  return sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: 3 }
  })
}

/** A square crop around the face with some context, the way photo apps show people. */
async function writeThumb(rgb: RgbImage, face: FaceToStore, file: string): Promise<void> {
  const { x, y, w, h } = face.box
  const side = Math.max(w, h) * 1.4
  const cx = x + w / 2
  const cy = y + h / 2
  const left = Math.max(0, Math.floor(cx - side / 2))
  const top = Math.max(0, Math.floor(cy - side / 2))
  const width = Math.max(1, Math.min(rgb.width - left, Math.ceil(side)))
  const height = Math.max(1, Math.min(rgb.height - top, Math.ceil(side)))
  await rgbSharp(rgb)
    .extract({ left, top, width, height })
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'cover' })
    .jpeg({ quality: 86 })
    .toFile(file)
}

/**
 * The built-in tasks' version-0 predictions of these faces, through the same predictor activation uses (so
 * re-predicting with version 0 reproduces the import exactly).
 */
async function builtinPredictions(
  db: Db,
  projectDir: string,
  faces: readonly FaceToStore[]
): Promise<PhotoToStore['predictions']> {
  const out: PhotoToStore['predictions'] = []
  for (const task of listTasks(db)) {
    if (!task.builtin) continue
    const v0 = versionByNumber(db, task.id, 0)
    if (!v0) throw new AppError('INTERNAL', `Built-in task ${task.name} has no version 0 in this project.`)
    const vectors = faces.map((f) => featureOf(f, task.featureKind))
    const dim = vectors[0]?.length ?? 0
    const data = new Float32Array(faces.length * dim)
    vectors.forEach((v, i) => {
      if (!v || v.length !== dim) throw new AppError('INTERNAL', `Face ${i} has no ${task.featureKind} features.`)
      data.set(v, i * dim)
    })
    const features: PackedFeatures = { faceIds: faces.map((_, i) => i), data, dim }
    // The mirrored views, as allFeatures would read them back: v0's predictions average the two here as on
    // every later re-prediction.
    const mk = mirrorKindOf(task.featureKind)
    if (mk) {
      const mirror: MirrorRows = { data: new Float32Array(data.length), has: new Uint8Array(faces.length), count: 0 }
      faces.forEach((f, i) => {
        const v = featureOf(f, mk)
        if (v?.length !== dim) return
        mirror.data.set(v, i * dim)
        mirror.has[i] = 1
        mirror.count++
      })
      if (mirror.count > 0) features.mirror = mirror
    }
    const loaded = await loadTaskVersion(projectDir, task, v0)
    try {
      out.push({ task, versionId: v0.id, predictions: await loaded.predict(features) })
    } finally {
      loaded.dispose()
    }
  }
  return out
}

/** A file read, hashed and decoded, waiting for its faces to be analysed and written. */
interface Prepared {
  p: ImportFileParams
  db: Db
  stat: fs.Stats
  hash: string
  decoded: Decoded
}

type Early = Exclude<ImportFileOutcome, { status: 'ok' } | { status: 'split' }>

async function readAndDecode(p: ImportFileParams, signal: AbortSignal, ms: WorkerStageMs): Promise<Prepared | Early> {
  const started = performance.now()
  try {
    return await readThenDecode(p, signal, ms)
  } finally {
    // Decode is timed on its own inside; read is the rest (stat, read, hash, the already-imported check).
    ms.read += performance.now() - started - ms.decode
  }
}

async function readThenDecode(p: ImportFileParams, signal: AbortSignal, ms: WorkerStageMs): Promise<Prepared | Early> {
  const db = projectDb(p.projectDir)
  const fail = (error: string): Early => {
    recordImageError(db, p.root, p.file, error)
    return { status: 'error', error }
  }
  let stat: fs.Stats
  try {
    stat = await fs.promises.stat(p.file)
  } catch (e) {
    return fail(`Cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
  if (stat.size === 0) return fail('Empty file (0 bytes).')
  if (stat.size > MAX_FILE_BYTES)
    return fail(`File too large (${(stat.size / 1e6).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1e6} MB).`)
  let buf: Buffer
  try {
    buf = await fs.promises.readFile(p.file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return fail(
      code === 'EACCES' || code === 'EPERM'
        ? 'Permission denied: Face Studio may not read this file.'
        : `Cannot read the file (${code ?? 'error'}).`
    )
  }
  const hash = createHash('sha256').update(buf).digest('hex')
  if (alreadyImported(db, p.file, hash)) return { status: 'skipped' }
  if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')

  let decoded: Decoded
  try {
    decoded = await timed(ms, 'decode', () => decodeForAnalysis(buf))
  } catch (e) {
    return fail(describeDecodeError(e, p.file))
  }
  return { p, db, stat, hash, decoded }
}

/** Photos detected here and split across workers, waiting for their faces (one or two per worker). */
const pendingSplits = new Map<string, Prepared>()
const MAX_PENDING = 4
/** Decoded copies of other workers' split photos, so a helper decodes each photo once, not once per chunk. */
const helperCopies = new Map<string, RgbImage>()

export async function importFile(p: ImportFileParams, signal: AbortSignal): Promise<ImportFileResult> {
  return measured(async (ms) => {
    const prepared = await readAndDecode(p, signal, ms)
    if (!('decoded' in prepared)) return prepared
    await ensureMlReady()
    const splitAt = p.splitAt
    const timings = emptyTimings()
    const { located, faces } = await locateThenAnalyze(
      prepared.decoded.rgb,
      { detector: p.detector, crops: p.crops },
      (n) => splitAt !== undefined && n >= splitAt,
      timings
    )
    addAnalysis(ms, timings)
    if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')
    if (!faces) {
      pendingSplits.set(p.file, prepared)
      // A split the job abandoned (cancel, a helper's crash) must not pin decoded photos forever.
      while (pendingSplits.size > MAX_PENDING) pendingSplits.delete(pendingSplits.keys().next().value as string)
      return { status: 'split' as const, located, hash: prepared.hash }
    }
    return commit(prepared, faces, ms)
  })
}

/** Some faces of a split photo: from this worker's decoded copy when it owns the photo, else decoded again. */
export async function importFaces(
  p: OpParsed<'import.faces'>,
  signal: AbortSignal
): Promise<{ faces: AnalyzedAt; ms: WorkerStageMs }> {
  return measured(async (ms) => {
    const owned = pendingSplits.get(p.file)
    const key = `${p.file}\0${p.hash}`
    let rgb = owned?.hash === p.hash ? owned.decoded.rgb : helperCopies.get(key)
    if (!rgb) {
      const buf = await timed(ms, 'read', async () => {
        const b = await fs.promises.readFile(p.file)
        if (createHash('sha256').update(b).digest('hex') !== p.hash) {
          throw new AppError('CONFLICT', 'The file changed while it was being imported.')
        }
        return b
      })
      rgb = (await timed(ms, 'decode', () => decodeForAnalysis(buf))).rgb
      helperCopies.set(key, rgb)
      while (helperCopies.size > MAX_PENDING) helperCopies.delete(helperCopies.keys().next().value as string)
    }
    if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')
    await ensureMlReady()
    const timings = emptyTimings()
    const faces = await analyzeLocated(rgb, p.located, p.indices, timings)
    addAnalysis(ms, timings)
    return { faces }
  })
}

/** Writes a split photo once all its faces are back, in detection order. */
export async function commitSplit(p: OpParsed<'import.commit'>): Promise<ImportFileResult> {
  return measured(async (ms) => {
    const prepared = pendingSplits.get(p.file)
    if (!prepared) throw new AppError('INTERNAL', 'The photo being imported is no longer held by its worker.')
    pendingSplits.delete(p.file)
    const faces = [...p.faces].sort((a, b) => a.index - b.index).map((r) => r.face)
    return commit(prepared, faces, ms)
  })
}

/** Preview and thumbnails of one photo, then its rows (commitPhoto: the import's commit point). */
async function commit(
  { p, db, stat, hash, decoded }: Prepared,
  analysed: FaceToStore[],
  ms: WorkerStageMs
): Promise<ImportFileOutcome> {
  // Faces of a forgotten person never come back, not even as a thumbnail file.
  const faces = withoutForgotten(db, hash, analysed, decoded.scale)
  const project = { thumbs: path.join(p.projectDir, 'thumbs') }
  const stem = hash.slice(0, 20)
  const previewRel = path.join('previews', `${stem}.jpg`)
  fs.mkdirSync(path.join(project.thumbs, 'previews'), { recursive: true })
  fs.mkdirSync(path.join(project.thumbs, 'faces'), { recursive: true })
  await timed(ms, 'preview', () =>
    rgbSharp(decoded.rgb)
      .resize({ width: PREVIEW_MAX_SIDE, height: PREVIEW_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 84 })
      .toFile(path.join(project.thumbs, previewRel))
  )
  const thumbRels: string[] = []
  await timed(ms, 'thumbs', async () => {
    for (const [i, face] of faces.entries()) {
      const rel = path.join('faces', `${stem}_${i}.jpg`)
      await writeThumb(decoded.rgb, face, path.join(project.thumbs, rel))
      thumbRels.push(rel)
    }
  })

  const photo: PhotoToStore = {
    path: p.file,
    root: p.root,
    hash,
    bytes: stat.size,
    mtimeMs: stat.mtimeMs,
    width: decoded.width,
    height: decoded.height,
    scale: decoded.scale,
    crops: p.crops,
    detector: p.detector,
    importId: p.importId,
    preview: previewRel,
    faces,
    thumbs: thumbRels,
    predictions: await timed(ms, 'predict', () => builtinPredictions(db, p.projectDir, faces))
  }
  await timed(ms, 'sqlite', () => commitPhoto(db, photo))
  return { status: 'ok', faces: faces.length }
}

/** Errors main found without reading the files (the folder walk, a worker that crashed on a file). */
export function recordErrors(p: OpParsed<'import.errors'>): null {
  recordImageErrors(projectDb(p.projectDir), p.root, p.errors)
  return null
}
