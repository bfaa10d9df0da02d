/** Stored feature vectors (Float32 BLOBs) read straight into one packed matrix for tfjs. */
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'

/**
 * Each attribute kind's mirrored view (issue 11 §2): the same net on the horizontally mirrored aligned face,
 * stored as its own face_features kind. Identity has none: a mirrored face is not a different person, and
 * clustering reads one descriptor per face.
 */
export const MIRROR_KINDS = { expression: 'expression_mirror', age_gender: 'age_gender_mirror' } as const

export type MirroredKind = keyof typeof MIRROR_KINDS

export function mirrorKindOf(kind: string): string | undefined {
  return Object.hasOwn(MIRROR_KINDS, kind) ? MIRROR_KINDS[kind as MirroredKind] : undefined
}

/** The mirrored view's rows, parallel to PackedFeatures.data; a face without one is 0 in `has` (its row is zeros). */
export interface MirrorRows {
  data: Float32Array
  has: Uint8Array
  /** How many faces have one. */
  count: number
}

export interface PackedFeatures {
  faceIds: number[]
  data: Float32Array
  dim: number
  /**
   * The mirrored view of the same faces, where stored: every prediction averages the two views' probabilities
   * (worker/predictor.ts) and training adds them as rows of the same face (worker/train.ts).
   */
  mirror?: MirrorRows | undefined
}

type Row = { face_id: number; dim: number; vec: Buffer }

function copyVec(r: Row): Float32Array {
  // Copy (not view): SQLite buffers are not guaranteed 4-byte aligned.
  return new Float32Array(r.vec.buffer.slice(r.vec.byteOffset, r.vec.byteOffset + r.vec.byteLength))
}

function pack(rows: Row[], kind: string): PackedFeatures {
  const dim = rows[0]?.dim ?? 0
  const data = new Float32Array(rows.length * dim)
  const faceIds: number[] = new Array(rows.length)
  rows.forEach((r, i) => {
    if (r.dim !== dim)
      throw new AppError('INTERNAL', `Face ${r.face_id} has ${r.dim}-d ${kind} features, others ${dim}-d.`)
    data.set(copyVec(r), i * dim)
    faceIds[i] = r.face_id
  })
  return { faceIds, data, dim }
}

export interface FeatureReadOptions {
  /** Attach the mirrored view where the kind has one (default true); exports and clustering leave it out. */
  mirror?: boolean
}

/** Features of the given faces, in the given order; faces without features of this kind are dropped. */
export function featuresOf(
  db: Db,
  kind: string,
  faceIds: readonly number[],
  opts: FeatureReadOptions = {}
): PackedFeatures {
  const stmt = db.prepare('SELECT face_id, dim, vec FROM face_features WHERE face_id = ? AND kind = ?')
  const rows: Row[] = []
  for (const id of faceIds) {
    const r = stmt.get(id, kind) as Row | undefined
    if (r) rows.push(r)
  }
  const packed = pack(rows, kind)
  const mk = opts.mirror === false ? undefined : mirrorKindOf(kind)
  if (!mk) return packed
  const out = emptyMirror(packed)
  packed.faceIds.forEach((id, i) => {
    const r = stmt.get(id, mk) as Row | undefined
    if (r) setMirror(out, packed, i, r)
  })
  return withMirror(packed, out)
}

/** Every face's features of this kind, by face id. */
export function allFeatures(db: Db, kind: string, opts: FeatureReadOptions = {}): PackedFeatures {
  const read = (k: string): Row[] =>
    db.prepare('SELECT face_id, dim, vec FROM face_features WHERE kind = ? ORDER BY face_id').all(k) as Row[]
  const packed = pack(read(kind), kind)
  const mk = opts.mirror === false ? undefined : mirrorKindOf(kind)
  if (!mk) return packed
  const rowOf = new Map(packed.faceIds.map((id, i) => [id, i]))
  const out = emptyMirror(packed)
  for (const r of read(mk)) {
    const i = rowOf.get(r.face_id)
    if (i !== undefined) setMirror(out, packed, i, r)
  }
  return withMirror(packed, out)
}

function emptyMirror(p: PackedFeatures): MirrorRows {
  return { data: new Float32Array(p.data.length), has: new Uint8Array(p.faceIds.length), count: 0 }
}

function setMirror(m: MirrorRows, p: PackedFeatures, i: number, r: Row): void {
  if (r.dim !== p.dim)
    throw new AppError('INTERNAL', `Face ${r.face_id} has ${r.dim}-d mirrored features for ${p.dim}-d originals.`)
  m.data.set(copyVec(r), i * p.dim)
  m.has[i] = 1
  m.count++
}

function withMirror(p: PackedFeatures, m: MirrorRows): PackedFeatures {
  return m.count > 0 ? { ...p, mirror: m } : p
}

/** How many faces have features of `kind`, and how many of them also have its mirrored view. */
export function mirrorCoverage(db: Db, kind: MirroredKind): { faces: number; mirrored: number } {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS faces,
              SUM(EXISTS (SELECT 1 FROM face_features m WHERE m.face_id = f.face_id AND m.kind = ?)) AS mirrored
       FROM face_features f WHERE f.kind = ?`
    )
    .get(MIRROR_KINDS[kind], kind) as { faces: number; mirrored: number | null }
  return { faces: r.faces, mirrored: r.mirrored ?? 0 }
}

/** A face stored without one of its mirrored views, with what is needed to compute them again from its photo. */
export interface FaceMissingMirror {
  faceId: number
  imageId: number
  path: string
  contentHash: string | null
  /** 68 (x, y) points in the photo's full-resolution pixels; null if never stored. */
  landmarks: Float32Array | null
}

/** Faces of imported photos that have attribute features but lack a mirrored view, photo by photo. */
export function facesMissingMirrors(db: Db): FaceMissingMirror[] {
  const rows = db
    .prepare(
      `SELECT f.id AS face_id, f.image_id, i.path, i.content_hash, f.landmarks
       FROM faces f JOIN images i ON i.id = f.image_id
       WHERE i.status = 'ok'
         AND ((EXISTS (SELECT 1 FROM face_features e WHERE e.face_id = f.id AND e.kind = 'expression')
               AND NOT EXISTS (SELECT 1 FROM face_features m WHERE m.face_id = f.id AND m.kind = @em))
           OR (EXISTS (SELECT 1 FROM face_features e WHERE e.face_id = f.id AND e.kind = 'age_gender')
               AND NOT EXISTS (SELECT 1 FROM face_features m WHERE m.face_id = f.id AND m.kind = @am)))
       ORDER BY f.image_id, f.idx`
    )
    .all({ em: MIRROR_KINDS.expression, am: MIRROR_KINDS.age_gender }) as Array<{
    face_id: number
    image_id: number
    path: string
    content_hash: string | null
    landmarks: Buffer | null
  }>
  return rows.map((r) => ({
    faceId: r.face_id,
    imageId: r.image_id,
    path: r.path,
    contentHash: r.content_hash,
    landmarks: r.landmarks
      ? new Float32Array(
          r.landmarks.buffer.slice(r.landmarks.byteOffset, r.landmarks.byteOffset + r.landmarks.byteLength)
        )
      : null
  }))
}
