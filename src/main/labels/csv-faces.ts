/**
 * How a row of a labels CSV finds its face, the same for `face-studio label` (writes annotations) and
 * `face-studio eval --csv` (ground truth, writes nothing): the path is relative to the CSV's folder and matched
 * to an imported image by absolute path, then by real path (symlinks); the label goes to the image's largest face.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../db/open'

export interface CsvFaceMatch {
  /** The imported image the path names, if any. */
  imageId: number | undefined
  /** Its largest face (the first in detection order among equals), if it has one. */
  faceId: number | undefined
}

export function csvFaceMatcher(db: Db, csvPath: string): (relPath: string) => CsvFaceMatch {
  const byPath = new Map<string, number>()
  for (const [id, p] of db
    .prepare(`SELECT id, path FROM images WHERE status = 'ok'`)
    .raw()
    .iterate() as IterableIterator<[number, string]>)
    byPath.set(p, id)
  let byReal: Map<string, number> | null = null
  const realIndex = (): Map<string, number> => {
    if (byReal) return byReal
    byReal = new Map()
    for (const [p, id] of byPath) {
      try {
        byReal.set(fs.realpathSync(p), id)
      } catch {
        // A photo that moved away cannot match by real path; its stored path may still match.
      }
    }
    return byReal
  }
  const largest = new Map<number, { face: number; area: number }>()
  for (const [imageId, faceId, area] of db
    .prepare('SELECT image_id, id, w * h FROM faces ORDER BY image_id, idx')
    .raw()
    .iterate() as IterableIterator<[number, number, number]>) {
    const cur = largest.get(imageId)
    if (!cur || area > cur.area) largest.set(imageId, { face: faceId, area })
  }
  const base = path.dirname(csvPath)
  return (rel) => {
    const abs = path.resolve(base, rel)
    let imageId = rel === '' ? undefined : byPath.get(abs)
    if (imageId === undefined && rel !== '') {
      try {
        imageId = realIndex().get(fs.realpathSync(abs))
      } catch {
        imageId = undefined
      }
    }
    return { imageId, faceId: imageId === undefined ? undefined : largest.get(imageId)?.face }
  }
}
