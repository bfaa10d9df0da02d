/**
 * Worker side of an import: one file in, its image row, faces, features, thumbnails and built-in
 * predictions committed in one transaction (so a crash mid-file leaves nothing half-written, and the
 * next import redoes that file).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { openDatabase } from '../db/open'
import { analyzeLocated, locateThenAnalyze, type AnalyzedFace, type LocatedFaces, type RgbImage } from '../ml/analyze'
import { DEFAULT_MAX_PIXELS } from '../ml/decode'
import { EXPRESSION_LABELS } from '../ml/heads'
import { ensureMlReady } from '../ml/runtime'
import { DB_FILE } from '../project/project'
import { recordImageError } from './image-rows'

export interface ImportFileParams {
  projectDir: string
  root: string
  file: string
  crops: boolean
  detector: 'ssd' | 'tiny'
  /**
   * With this many faces or more, stop after detection and return 'split': the import job then spreads
   * the faces over all workers (import.faces) and this worker writes the photo (import.commit).
   */
  splitAt?: number
}

export type ImportFileResult =
  | { status: 'ok'; faces: number }
  | { status: 'skipped' }
  | { status: 'error'; error: string }
  | { status: 'split'; located: LocatedFaces; hash: string }

export interface ImportFacesParams {
  file: string
  /** The content hash the owner read: a helper that reads different bytes refuses rather than mixing. */
  hash: string
  located: LocatedFaces
  indices: number[]
}

export type AnalyzedAt = Array<{ index: number; face: AnalyzedFace }>

/** Files above this are refused before reading: no photo is this big, and reading it would blow memory. */
const MAX_FILE_BYTES = 200 * 1024 * 1024
/** Detection runs on at most this long side; SSD looks at 512 px anyway, and crops stay sharp. */
const ANALYSIS_MAX_SIDE = 2560
const PREVIEW_MAX_SIDE = 1600
const THUMB_SIZE = 192

const dbs = new Map<string, Db>()
function projectDb(dir: string): Db {
  let db = dbs.get(dir)
  if (!db) {
    db = openDatabase(path.join(dir, DB_FILE), { create: false })
    dbs.set(dir, db)
  }
  return db
}

function describeDecodeError(e: unknown, file: string): string {
  const msg = e instanceof Error ? e.message : String(e)
  if (/pixel limit/i.test(msg))
    return `Image too large: more than ${DEFAULT_MAX_PIXELS / 1e6} megapixels (limit), or a decompression bomb; skipped.`
  if (/unsupported image format|Input buffer contains unsupported/i.test(msg))
    return `Not an image sharp can read (${path.extname(file) || 'no extension'}).`
  if (/premature end|truncated|corrupt|Invalid|bad/i.test(msg)) return `The image is damaged or truncated: ${msg}`
  return `Could not decode the image: ${msg}`
}

interface Decoded {
  rgb: RgbImage
  /** Oriented full-resolution size (what the user sees). */
  width: number
  height: number
  /** Multiply analysis coordinates by this to get full-resolution coordinates. */
  scale: number
}

async function decodeForAnalysis(buf: Buffer): Promise<Decoded> {
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
async function writeThumb(rgb: RgbImage, face: AnalyzedFace, file: string): Promise<void> {
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

function f32(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

interface BuiltinVersions {
  expression: { task: number; version: number }
  age: { task: number; version: number }
  gender: { task: number; version: number }
}

function builtinVersions(db: Db): BuiltinVersions {
  const rows = db
    .prepare(
      `SELECT t.name, t.id AS task, v.id AS version FROM tasks t JOIN model_versions v ON v.task_id = t.id AND v.version = 0
       WHERE t.builtin = 1`
    )
    .all() as Array<{ name: string; task: number; version: number }>
  const by = new Map(rows.map((r) => [r.name, { task: r.task, version: r.version }]))
  const get = (name: string): { task: number; version: number } => {
    const v = by.get(name)
    if (!v) throw new AppError('INTERNAL', `Built-in task ${name} is missing from the project.`)
    return v
  }
  return { expression: get('expression'), age: get('age'), gender: get('gender_presentation') }
}

/** A file read, hashed and decoded, waiting for its faces to be analysed and written. */
interface Prepared {
  p: ImportFileParams
  db: Db
  stat: fs.Stats
  hash: string
  decoded: Decoded
}

type Early = Exclude<ImportFileResult, { status: 'ok' } | { status: 'split' }>

async function readAndDecode(p: ImportFileParams, signal: AbortSignal): Promise<Prepared | Early> {
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
  const existing = db.prepare(`SELECT id, content_hash, status FROM images WHERE path = ?`).get(p.file) as
    { id: number; content_hash: string | null; status: string } | undefined
  if (existing && existing.status === 'ok' && existing.content_hash === hash) return { status: 'skipped' }
  if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')

  let decoded: Decoded
  try {
    decoded = await decodeForAnalysis(buf)
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
  const prepared = await readAndDecode(p, signal)
  if (!('decoded' in prepared)) return prepared
  await ensureMlReady()
  const splitAt = p.splitAt
  const { located, faces } = await locateThenAnalyze(
    prepared.decoded.rgb,
    { detector: p.detector, crops: p.crops },
    (n) => splitAt !== undefined && n >= splitAt
  )
  if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')
  if (!faces) {
    pendingSplits.set(p.file, prepared)
    // A split the job abandoned (cancel, a helper's crash) must not pin decoded photos forever.
    while (pendingSplits.size > MAX_PENDING) pendingSplits.delete(pendingSplits.keys().next().value as string)
    return { status: 'split', located, hash: prepared.hash }
  }
  return commit(prepared, faces)
}

/** Some faces of a split photo: from this worker's decoded copy when it owns the photo, else decoded again. */
export async function importFaces(p: ImportFacesParams, signal: AbortSignal): Promise<AnalyzedAt> {
  const owned = pendingSplits.get(p.file)
  const key = `${p.file}\0${p.hash}`
  let rgb = owned?.hash === p.hash ? owned.decoded.rgb : helperCopies.get(key)
  if (!rgb) {
    const buf = await fs.promises.readFile(p.file)
    if (createHash('sha256').update(buf).digest('hex') !== p.hash) {
      throw new AppError('CONFLICT', 'The file changed while it was being imported.')
    }
    rgb = (await decodeForAnalysis(buf)).rgb
    helperCopies.set(key, rgb)
    while (helperCopies.size > MAX_PENDING) helperCopies.delete(helperCopies.keys().next().value as string)
  }
  if (signal.aborted) throw new AppError('CANCELLED', 'Import cancelled.')
  await ensureMlReady()
  return analyzeLocated(rgb, p.located, p.indices)
}

/** Writes a split photo once all its faces are back, in detection order. */
export async function commitSplit(p: { file: string; faces: AnalyzedAt }): Promise<ImportFileResult> {
  const prepared = pendingSplits.get(p.file)
  if (!prepared) throw new AppError('INTERNAL', 'The photo being imported is no longer held by its worker.')
  pendingSplits.delete(p.file)
  const faces = [...p.faces].sort((a, b) => a.index - b.index).map((r) => r.face)
  return commit(prepared, faces)
}

/** Preview, thumbnails and every row of one photo; the rows in one transaction. */
async function commit({ p, db, stat, hash, decoded }: Prepared, faces: AnalyzedFace[]): Promise<ImportFileResult> {
  const project = { thumbs: path.join(p.projectDir, 'thumbs') }
  const stem = hash.slice(0, 20)
  const previewRel = path.join('previews', `${stem}.jpg`)
  fs.mkdirSync(path.join(project.thumbs, 'previews'), { recursive: true })
  fs.mkdirSync(path.join(project.thumbs, 'faces'), { recursive: true })
  await rgbSharp(decoded.rgb)
    .resize({ width: PREVIEW_MAX_SIDE, height: PREVIEW_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 84 })
    .toFile(path.join(project.thumbs, previewRel))
  const thumbRels: string[] = []
  for (const [i, face] of faces.entries()) {
    const rel = path.join('faces', `${stem}_${i}.jpg`)
    await writeThumb(decoded.rgb, face, path.join(project.thumbs, rel))
    thumbRels.push(rel)
  }

  const versions = builtinVersions(db)
  const s = decoded.scale
  const write = db.transaction(() => {
    const now = new Date().toISOString()
    const imageId = db
      .prepare(
        `INSERT INTO images (path, root, rel_path, content_hash, bytes, mtime_ms, width, height, status, error, crops, detector, preview, imported_at)
         VALUES (@path, @root, @rel, @hash, @bytes, @mtime, @w, @h, 'ok', NULL, @crops, @detector, @preview, @now)
         ON CONFLICT(path) DO UPDATE SET root = excluded.root, rel_path = excluded.rel_path, content_hash = excluded.content_hash,
           bytes = excluded.bytes, mtime_ms = excluded.mtime_ms, width = excluded.width, height = excluded.height,
           status = 'ok', error = NULL, crops = excluded.crops, detector = excluded.detector, preview = excluded.preview,
           imported_at = excluded.imported_at
         RETURNING id`
      )
      .pluck()
      .get({
        path: p.file,
        root: p.root,
        rel: path.relative(p.root, p.file),
        hash,
        bytes: stat.size,
        mtime: Math.round(stat.mtimeMs),
        w: decoded.width,
        h: decoded.height,
        crops: p.crops ? 1 : 0,
        detector: p.detector,
        preview: previewRel,
        now
      }) as number
    // A changed file replaces its faces; annotations on the old faces go with them (they describe pixels that changed).
    db.prepare('DELETE FROM faces WHERE image_id = ?').run(imageId)
    const insFace = db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, landmarks, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
    )
    const insFeat = db.prepare('INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, ?, ?)')
    const insPred = db.prepare(
      'INSERT INTO predictions (face_id, task_id, version_id, value, confidence, probs) VALUES (?, ?, ?, ?, ?, ?)'
    )
    for (const [i, f] of faces.entries()) {
      const landmarks = new Float32Array(f.landmarks.length)
      for (let k = 0; k < landmarks.length; k++) landmarks[k] = (f.landmarks[k] ?? 0) * s
      const faceId = insFace
        .pluck()
        .get(
          imageId,
          i,
          f.box.x * s,
          f.box.y * s,
          f.box.w * s,
          f.box.h * s,
          f.score,
          f.source === 'detector' ? 'detected' : 'crop',
          f32(landmarks),
          thumbRels[i] ?? null
        ) as number
      insFeat.run(faceId, 'identity', f.descriptor.length, f32(f.descriptor))
      insFeat.run(faceId, 'expression', f.expressionFeatures.length, f32(f.expressionFeatures))
      insFeat.run(faceId, 'age_gender', f.ageGenderFeatures.length, f32(f.ageGenderFeatures))
      const ex = f.predictions.expression
      const exProbs = new Float32Array(EXPRESSION_LABELS.map((l) => ex.probs[l]))
      insPred.run(faceId, versions.expression.task, versions.expression.version, ex.label, ex.confidence, f32(exProbs))
      insPred.run(faceId, versions.age.task, versions.age.version, f.predictions.age.toFixed(1), null, null)
      const g = f.predictions.gender
      const pFem = g.label === 'female' ? g.confidence : 1 - g.confidence
      // Probabilities over the task's labels (feminine, masculine, androgynous): the built-in head knows only two.
      insPred.run(
        faceId,
        versions.gender.task,
        versions.gender.version,
        g.label === 'female' ? 'feminine' : 'masculine',
        g.confidence,
        f32(new Float32Array([pFem, 1 - pFem, 0]))
      )
    }
  })
  write()
  return { status: 'ok', faces: faces.length }
}
