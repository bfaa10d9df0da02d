/**
 * The Map's stored 2-D projections (issue 13 §2): one per feature kind and method, in the project folder as
 * `cache/projection-<kind>-<method>.bin` (face ids as Int32, then x, y as Float32 pairs, little-endian) and a
 * `.json` beside it naming the cache key the coordinates were computed for. The worker writes them (it computes
 * them); main reads them and compares the key with the faces the project has now, so a map computed before an
 * import or a forget is shown as stale, never as current.
 */
import fs from 'node:fs'
import path from 'node:path'
import { projectionKey } from '../analysis/projection'
import type { Db } from '../db/open'

export const CACHE_DIR = 'cache'

export type ProjectionKind = 'identity' | 'expression' | 'age_gender'
export type ProjectionMethod = 'pca' | 'umap'

export interface StoredProjectionMeta {
  kind: ProjectionKind
  method: ProjectionMethod
  key: string
  n: number
  seed: number
  /** UMAP: faces the layout was fitted on (the rest were placed with transform); PCA: every face. */
  fitted: number
  seconds: number
  computedAt: string
}

export interface StoredProjection {
  meta: StoredProjectionMeta
  ids: Int32Array
  xy: Float32Array
}

function files(projectDir: string, kind: string, method: string): { bin: string; json: string } {
  const base = path.join(projectDir, CACHE_DIR, `projection-${kind}-${method}`)
  return { bin: `${base}.bin`, json: `${base}.json` }
}

/**
 * The cache key over the faces that have features of this kind now, in face-id order (the order the features
 * are read in): each face by id, its photo's content hash and its index in the photo.
 */
export function currentProjectionKey(db: Db, kind: ProjectionKind, method: ProjectionMethod): string {
  const keys = db
    .prepare(
      `SELECT f.id || ':' || coalesce(i.content_hash, i.path) || ':' || f.idx FROM faces f
       JOIN images i ON i.id = f.image_id
       JOIN face_features ff ON ff.face_id = f.id AND ff.kind = ?
       ORDER BY f.id`
    )
    .pluck()
    .all(kind) as string[]
  return projectionKey(kind, method, keys)
}

export function readStoredProjection(
  projectDir: string,
  kind: ProjectionKind,
  method: ProjectionMethod
): StoredProjection | null {
  const f = files(projectDir, kind, method)
  let meta: StoredProjectionMeta
  let buf: Buffer
  try {
    meta = JSON.parse(fs.readFileSync(f.json, 'utf8')) as StoredProjectionMeta
    buf = fs.readFileSync(f.bin)
  } catch {
    return null
  }
  // A pair that does not describe the same faces (a crash between the two renames, a hand edit) is no cache.
  if (meta.kind !== kind || meta.method !== method || buf.byteLength !== meta.n * 12) return null
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  const ids = new Int32Array(meta.n)
  const xy = new Float32Array(meta.n * 2)
  // Copies, not views: a Buffer from readFileSync may sit at an offset that is no multiple of 4.
  new Uint8Array(ids.buffer).set(bytes.subarray(0, meta.n * 4))
  new Uint8Array(xy.buffer).set(bytes.subarray(meta.n * 4))
  return { meta, ids, xy }
}

/** Written to temporary names and renamed, the coordinates first: a reader sees the old pair or the new one. */
export function writeStoredProjection(projectDir: string, p: StoredProjection): void {
  const f = files(projectDir, p.meta.kind, p.meta.method)
  fs.mkdirSync(path.dirname(f.bin), { recursive: true })
  const out = Buffer.alloc(p.meta.n * 12)
  out.set(new Uint8Array(p.ids.buffer, p.ids.byteOffset, p.meta.n * 4), 0)
  out.set(new Uint8Array(p.xy.buffer, p.xy.byteOffset, p.meta.n * 8), p.meta.n * 4)
  fs.writeFileSync(`${f.bin}.tmp`, out)
  fs.writeFileSync(`${f.json}.tmp`, JSON.stringify(p.meta, null, 2))
  fs.rmSync(f.json, { force: true })
  fs.renameSync(`${f.bin}.tmp`, f.bin)
  fs.renameSync(`${f.json}.tmp`, f.json)
}
