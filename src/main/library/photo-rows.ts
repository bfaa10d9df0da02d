/**
 * The images / faces / face_features family: the only module that writes these rows. The ML worker calls it
 * (see worker/db.ts); `commitPhoto` is the commit point of an import, one transaction per photo.
 */
import path from 'node:path'
import { iou, type Box } from '../analysis/boxes'
import type { Db } from '../db/open'
import type { TaskRow } from '../labels/tasks'
import { MIRROR_KINDS } from './features'
import { writePredictions, type TaskPredictions } from '../models/predictions'

/** One recorded error per path: a later import that fails again replaces it, one that succeeds clears it. */
export function recordImageError(db: Db, root: string, file: string, error: string): void {
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, error, imported_at)
     VALUES (@path, @root, @rel, 'error', @error, @at)
     ON CONFLICT(path) DO UPDATE SET status = 'error', error = excluded.error, imported_at = excluded.imported_at
     WHERE images.status = 'error'`
  ).run({
    path: file,
    root,
    rel: path.relative(root, file) || path.basename(file),
    error,
    at: new Date().toISOString()
  })
}

/** Errors found without reading the files (the folder walk, a worker that crashed on them), in one transaction. */
export function recordImageErrors(db: Db, root: string, errors: ReadonlyArray<{ path: string; error: string }>): void {
  db.transaction(() => {
    for (const e of errors) recordImageError(db, root, e.path, e.error)
  })()
}

/**
 * Whether this exact content was imported from this path already (an unchanged file is skipped), or is a photo
 * whose every face was forgotten (teams/forget.ts): such a photo is skipped wherever it is found again.
 */
export function alreadyImported(db: Db, file: string, hash: string): boolean {
  const existing = db.prepare(`SELECT content_hash, status FROM images WHERE path = ?`).get(file) as
    { content_hash: string | null; status: string } | undefined
  if (existing !== undefined && existing.status === 'ok' && existing.content_hash === hash) return true
  return db.prepare('SELECT 1 FROM forget_exclusions WHERE content_hash = ? AND x IS NULL').get(hash) !== undefined
}

/**
 * The faces of a photo minus those forgotten there (box IoU ≥ 0.5 with a forgotten face of the same content),
 * decided before any thumbnail is written. `scale` turns analysis pixels into the stored full-resolution ones.
 */
export function withoutForgotten(db: Db, hash: string, faces: FaceToStore[], scale: number): FaceToStore[] {
  const boxes = db
    .prepare('SELECT x, y, w, h FROM forget_exclusions WHERE content_hash = ? AND x IS NOT NULL')
    .all(hash) as Box[]
  if (boxes.length === 0) return faces
  return faces.filter((f) => {
    const b = { x: f.box.x * scale, y: f.box.y * scale, w: f.box.w * scale, h: f.box.h * scale }
    return !boxes.some((x) => iou(x, b) >= 0.5)
  })
}

/** What the database keeps of an analysed face; coordinates in analysis pixels (scaled on commit). */
export interface FaceToStore {
  box: { x: number; y: number; w: number; h: number }
  score: number
  source: 'detector' | 'whole-image'
  landmarks: Float32Array
  descriptor: Float32Array
  expressionFeatures: Float32Array
  ageGenderFeatures: Float32Array
  /** The nets on the mirrored aligned face; absent from faces analysed before mirrored views were stored. */
  expressionMirrorFeatures?: Float32Array | undefined
  ageGenderMirrorFeatures?: Float32Array | undefined
}

/** The stored feature kinds (face_features.kind) and where each comes from (undefined: not stored for this face). */
export const FEATURE_KINDS: Record<string, (f: FaceToStore) => Float32Array | undefined> = {
  identity: (f) => f.descriptor,
  expression: (f) => f.expressionFeatures,
  age_gender: (f) => f.ageGenderFeatures,
  [MIRROR_KINDS.expression]: (f) => f.expressionMirrorFeatures,
  [MIRROR_KINDS.age_gender]: (f) => f.ageGenderMirrorFeatures
}

export function featureOf(face: FaceToStore, kind: string): Float32Array | undefined {
  return Object.hasOwn(FEATURE_KINDS, kind) ? FEATURE_KINDS[kind]!(face) : undefined
}

export interface PhotoToStore {
  path: string
  root: string
  hash: string
  bytes: number
  mtimeMs: number
  /** Oriented full-resolution size. */
  width: number
  height: number
  /** Multiplies analysis coordinates into full-resolution ones. */
  scale: number
  crops: boolean
  detector: 'ssd' | 'tiny'
  /** The import that committed it (labels/face-scope.ts); absent for a photo stored some other way. */
  importId?: string | undefined
  /** Relative to the project's thumbs/ folder. */
  preview: string
  faces: FaceToStore[]
  /** Parallel to faces. */
  thumbs: string[]
  /** Each built-in task's version-0 predictions, parallel to faces. */
  predictions: Array<{ task: TaskRow; versionId: number; predictions: TaskPredictions }>
}

function f32(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/**
 * The commit point of an import: the image row, its faces, their features and predictions, in one transaction
 * (a crash mid-file leaves nothing half-written, and the next import redoes that file). A changed file replaces
 * its faces; annotations on the old faces go with them (they describe pixels that changed).
 */
export function commitPhoto(db: Db, photo: PhotoToStore): void {
  const s = photo.scale
  db.transaction(() => {
    const imageId = db
      .prepare(
        `INSERT INTO images (path, root, rel_path, content_hash, bytes, mtime_ms, width, height, status, error, crops, detector, preview, imported_at, import_id)
         VALUES (@path, @root, @rel, @hash, @bytes, @mtime, @w, @h, 'ok', NULL, @crops, @detector, @preview, @now, @importId)
         ON CONFLICT(path) DO UPDATE SET root = excluded.root, rel_path = excluded.rel_path, content_hash = excluded.content_hash,
           bytes = excluded.bytes, mtime_ms = excluded.mtime_ms, width = excluded.width, height = excluded.height,
           status = 'ok', error = NULL, crops = excluded.crops, detector = excluded.detector, preview = excluded.preview,
           imported_at = excluded.imported_at, import_id = excluded.import_id
         RETURNING id`
      )
      .pluck()
      .get({
        path: photo.path,
        root: photo.root,
        rel: path.relative(photo.root, photo.path),
        hash: photo.hash,
        bytes: photo.bytes,
        mtime: Math.round(photo.mtimeMs),
        w: photo.width,
        h: photo.height,
        crops: photo.crops ? 1 : 0,
        detector: photo.detector,
        preview: photo.preview,
        now: new Date().toISOString(),
        importId: photo.importId ?? null
      }) as number
    db.prepare('DELETE FROM faces WHERE image_id = ?').run(imageId)
    const insFace = db
      .prepare(
        `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, landmarks, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
      )
      .pluck()
    const insFeat = db.prepare('INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, ?, ?)')
    const faceIds = photo.faces.map((f, i) => {
      const landmarks = new Float32Array(f.landmarks.length)
      for (let k = 0; k < landmarks.length; k++) landmarks[k] = (f.landmarks[k] ?? 0) * s
      const faceId = insFace.get(
        imageId,
        i,
        f.box.x * s,
        f.box.y * s,
        f.box.w * s,
        f.box.h * s,
        f.score,
        f.source === 'detector' ? 'detected' : 'crop',
        f32(landmarks),
        photo.thumbs[i] ?? null
      ) as number
      for (const [kind, of] of Object.entries(FEATURE_KINDS)) {
        const vec = of(f)
        if (vec) insFeat.run(faceId, kind, vec.length, f32(vec))
      }
      return faceId
    })
    for (const p of photo.predictions) writePredictions(db, p.task, p.versionId, faceIds, p.predictions)
  })()
}

/**
 * The mirrored views of faces imported before they were stored ("augment existing faces"), one photo's faces in
 * one transaction: a photo is either done or not, and a face that has a view keeps it (re-running is harmless).
 */
export function storeMirroredFeatures(
  db: Db,
  faces: ReadonlyArray<{ faceId: number; expression: Float32Array; ageGender: Float32Array }>
): number {
  const ins = db.prepare('INSERT OR IGNORE INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, ?, ?)')
  return db.transaction(() => {
    let stored = 0
    for (const f of faces) {
      stored += ins.run(f.faceId, MIRROR_KINDS.expression, f.expression.length, f32(f.expression)).changes
      stored += ins.run(f.faceId, MIRROR_KINDS.age_gender, f.ageGender.length, f32(f.ageGender)).changes
    }
    return stored
  })()
}

/** A photo brought over from another project (teams/merge.ts): its image row, faces and feature rows as stored there. */
export interface MergedPhoto {
  image: {
    path: string
    root: string
    rel_path: string
    content_hash: string
    bytes: number | null
    mtime_ms: number | null
    width: number | null
    height: number | null
    crops: number
    detector: string | null
    preview: string | null
    imported_at: string
  }
  faces: Array<{
    idx: number
    x: number
    y: number
    w: number
    h: number
    score: number
    source: string
    landmarks: Buffer | null
    thumb: string | null
    features: Array<{ kind: string; dim: number; vec: Buffer }>
  }>
}

/**
 * Inserts a merged photo (the caller holds the transaction) as part of batch `importId` — the merge that brought
 * it, a Review / Export scope like an import; returns the new face ids parallel to `faces`.
 */
export function insertMergedPhoto(db: Db, photo: MergedPhoto, importId: string): number[] {
  const i = photo.image
  const imageId = db
    .prepare(
      `INSERT INTO images (path, root, rel_path, content_hash, bytes, mtime_ms, width, height, status, error, crops, detector, preview, imported_at, import_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, ?, ?, ?, ?, ?) RETURNING id`
    )
    .pluck()
    .get(
      i.path,
      i.root,
      i.rel_path,
      i.content_hash,
      i.bytes,
      i.mtime_ms,
      i.width,
      i.height,
      i.crops,
      i.detector,
      i.preview,
      i.imported_at,
      importId
    ) as number
  const insFace = db
    .prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, landmarks, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
    )
    .pluck()
  const insFeat = db.prepare('INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, ?, ?)')
  return photo.faces.map((f) => {
    const id = insFace.get(imageId, f.idx, f.x, f.y, f.w, f.h, f.score, f.source, f.landmarks, f.thumb) as number
    for (const v of f.features) insFeat.run(id, v.kind, v.dim, v.vec)
    return id
  })
}
