import type { FaceSummary, ImageSummary, ImportBatch } from '../../shared/domain'
import { imageRef, thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'

interface ImageRow {
  id: number
  rel_path: string
  root: string
  width: number | null
  height: number | null
  status: 'ok' | 'error'
  error: string | null
  face_count: number
}

function toSummary(r: ImageRow): ImageSummary {
  return {
    id: r.id,
    relPath: r.rel_path,
    root: r.root,
    width: r.width,
    height: r.height,
    status: r.status,
    error: r.error,
    faceCount: r.face_count
  }
}

const FILTERS = {
  all: '1 = 1',
  errors: `i.status = 'error'`,
  withFaces: `EXISTS (SELECT 1 FROM faces f WHERE f.image_id = i.id)`
} as const

export function listImages(
  db: Db,
  q: { offset: number; limit: number; filter: keyof typeof FILTERS }
): { total: number; items: ImageSummary[] } {
  const where = FILTERS[q.filter]
  const total = db.prepare(`SELECT COUNT(*) FROM images i WHERE ${where}`).pluck().get() as number
  const rows = db
    .prepare(
      `SELECT i.id, i.rel_path, i.root, i.width, i.height, i.status, i.error,
              (SELECT COUNT(*) FROM faces f WHERE f.image_id = i.id) AS face_count
       FROM images i WHERE ${where}
       ORDER BY i.status = 'ok', i.root, i.rel_path LIMIT ? OFFSET ?`
    )
    .all(q.limit, q.offset) as ImageRow[]
  return { total, items: rows.map(toSummary) }
}

export function imageDetail(db: Db, id: number): { image: ImageSummary; media: string; faces: FaceSummary[] } {
  const row = db
    .prepare(
      `SELECT i.id, i.rel_path, i.root, i.width, i.height, i.status, i.error,
              (SELECT COUNT(*) FROM faces f WHERE f.image_id = i.id) AS face_count
       FROM images i WHERE i.id = ?`
    )
    .get(id) as ImageRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `Image ${id} is not in this project.`)
  const faces = db
    .prepare(`SELECT id, image_id, x, y, w, h, score, source, person_id FROM faces WHERE image_id = ? ORDER BY idx`)
    .all(id) as Array<{
    id: number
    image_id: number
    x: number
    y: number
    w: number
    h: number
    score: number
    source: 'detected' | 'crop'
    person_id: number | null
  }>
  return {
    image: toSummary(row),
    media: imageRef(row.id),
    faces: faces.map((f) => ({
      id: f.id,
      imageId: f.image_id,
      box: { x: f.x, y: f.y, w: f.w, h: f.h },
      score: f.score,
      source: f.source,
      personId: f.person_id,
      thumb: thumbRef(f.id)
    }))
  }
}

/** Each import job that committed photos (the newest first): its id, folder, when it ran, what it added. */
export function importBatches(db: Db): ImportBatch[] {
  return db
    .prepare(
      `SELECT i.import_id AS id, i.root AS folder, MIN(i.imported_at) AS at, COUNT(DISTINCT i.id) AS images, COUNT(f.id) AS faces
       FROM images i LEFT JOIN faces f ON f.image_id = i.id
       WHERE i.status = 'ok' AND i.import_id IS NOT NULL GROUP BY i.import_id ORDER BY at DESC`
    )
    .all() as ImportBatch[]
}

/** The folders photos were imported from (one per import root), with their photo and face counts. */
export function importFolders(db: Db): Array<{ folder: string; images: number; faces: number }> {
  return db
    .prepare(
      `SELECT i.root AS folder, COUNT(DISTINCT i.id) AS images, COUNT(f.id) AS faces
       FROM images i LEFT JOIN faces f ON f.image_id = i.id WHERE i.status = 'ok' GROUP BY i.root ORDER BY i.root`
    )
    .all() as Array<{ folder: string; images: number; faces: number }>
}
