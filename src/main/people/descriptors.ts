import type { Db } from '../db/open'

export interface FaceIdentity {
  id: number
  personId: number | null
  confirmed: boolean
  /** The photo the face is in: two faces of one photo are two people. */
  imageId: number
  descriptor: Float32Array
}

export function toFloat32(blob: Buffer): Float32Array {
  const copy = new Uint8Array(blob.byteLength)
  copy.set(blob)
  return new Float32Array(copy.buffer)
}

/** Every face with an identity descriptor, id ascending (optionally only faces above an id). */
export function loadIdentities(db: Db, opts: { afterFaceId?: number; onlyUnassigned?: boolean } = {}): FaceIdentity[] {
  const rows = db
    .prepare(
      `SELECT f.id, f.person_id, f.person_confirmed, f.image_id, v.vec FROM faces f
       JOIN face_features v ON v.face_id = f.id AND v.kind = 'identity'
       WHERE f.id > ? AND (? = 0 OR f.person_id IS NULL) ORDER BY f.id`
    )
    .raw()
    .iterate(opts.afterFaceId ?? 0, opts.onlyUnassigned ? 1 : 0) as IterableIterator<
    [number, number | null, number, number, Buffer]
  >
  const out: FaceIdentity[] = []
  for (const [id, personId, confirmed, imageId, vec] of rows) {
    out.push({ id, personId, confirmed: confirmed === 1, imageId, descriptor: toFloat32(vec) })
  }
  return out
}

/** Descriptors of every assigned face, grouped by person. */
export function descriptorsByPerson(db: Db): Map<number, Float32Array[]> {
  const rows = db
    .prepare(
      `SELECT f.person_id, v.vec FROM faces f JOIN face_features v ON v.face_id = f.id AND v.kind = 'identity'
       WHERE f.person_id IS NOT NULL`
    )
    .raw()
    .iterate() as IterableIterator<[number, Buffer]>
  const out = new Map<number, Float32Array[]>()
  for (const [p, vec] of rows) {
    const list = out.get(p)
    if (list) list.push(toFloat32(vec))
    else out.set(p, [toFloat32(vec)])
  }
  return out
}
