/**
 * How a row of a labels file finds its face, the same for `face-studio label` (writes annotations),
 * `face-studio eval --csv` (ground truth, writes nothing) and the window's Import labels: the path is relative
 * to the label file's folder (or absolute, or a file:// URI) and matched to an imported image by absolute path,
 * then by real path (symlinks). Paths written by other tools are tried in the forms they come in: Windows
 * backslashes, Unicode NFC or NFD (macOS), with the cell's spaces kept first and trimmed only as a fallback (a
 * file name may begin with a space). A row with a box goes to the face that overlaps it most; a row without
 * one to the image's largest face.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from '../db/open'
import { unneutralise } from './csv'

export interface CsvFaceMatch {
  /** The imported image the path names, if any. */
  imageId: number | undefined
  /** The face the row means (its box's best overlap, else the largest), if the image has one. */
  faceId: number | undefined
}

/** A face box in image pixels: [x, y, width, height]. */
export type PixelBox = readonly [number, number, number, number]

/** Below this overlap (intersection over union) a box names no detected face. */
const MIN_IOU = 0.3

interface FaceBox {
  id: number
  box: PixelBox
}

/** The forms a path cell may stand for, most literal first. */
export function pathCandidates(cell: string): string[] {
  const raw = unneutralise(cell)
  const out: string[] = []
  const add = (p: string): void => {
    if (p !== '' && !out.includes(p)) out.push(p)
  }
  const forms = [raw, raw.trim()]
  for (const f of forms) {
    if (/^file:/i.test(f)) {
      try {
        add(fileURLToPath(f))
      } catch {
        add(decodeURIComponent(f.replace(/^file:\/*/i, '/')))
      }
      continue
    }
    add(f)
    if (f.includes('\\') && path.sep === '/') add(f.replace(/\\/g, '/'))
  }
  return out
}

const key = (p: string): string => path.normalize(p).normalize('NFC')

export function csvFaceMatcher(db: Db, labelFile: string): (cell: string, box?: PixelBox) => CsvFaceMatch {
  const byPath = new Map<string, number>()
  for (const [id, p] of db
    .prepare(`SELECT id, path FROM images WHERE status = 'ok'`)
    .raw()
    .iterate() as IterableIterator<[number, string]>)
    byPath.set(key(p), id)
  let byReal: Map<string, number> | null = null
  const realIndex = (): Map<string, number> => {
    if (byReal) return byReal
    byReal = new Map()
    for (const [p, id] of byPath) {
      try {
        byReal.set(key(fs.realpathSync(p)), id)
      } catch {
        // A photo that moved away cannot match by real path; its stored path may still match.
      }
    }
    return byReal
  }
  const faces = new Map<number, FaceBox[]>()
  for (const [imageId, id, x, y, w, h] of db
    .prepare('SELECT image_id, id, x, y, w, h FROM faces ORDER BY image_id, idx')
    .raw()
    .iterate() as IterableIterator<[number, number, number, number, number, number]>) {
    const list = faces.get(imageId) ?? []
    list.push({ id, box: [x, y, w, h] })
    faces.set(imageId, list)
  }
  const base = path.dirname(path.resolve(labelFile))
  const findImage = (cell: string): number | undefined => {
    const candidates = pathCandidates(cell).map((c) => path.resolve(base, c))
    for (const abs of candidates) {
      const id = byPath.get(key(abs))
      if (id !== undefined) return id
    }
    for (const abs of candidates) {
      try {
        // The file's real path first: a path not on disk throws here, before the index of every photo's
        // real path (one realpath per photo, seconds on a big project) is built for nothing.
        const real = fs.realpathSync(abs)
        const id = realIndex().get(key(real))
        if (id !== undefined) return id
      } catch {
        // Not on disk under this form; try the next.
      }
    }
    return undefined
  }
  // Large files name the same photos over and over: each distinct cell is resolved once.
  const seen = new Map<string, number | undefined>()
  return (cell, box) => {
    let imageId: number | undefined
    if (seen.has(cell)) imageId = seen.get(cell)
    else {
      imageId = findImage(cell)
      seen.set(cell, imageId)
    }
    const list = imageId === undefined ? undefined : faces.get(imageId)
    return { imageId, faceId: list ? (box ? bestOverlap(list, box) : largest(list)) : undefined }
  }
}

function largest(list: readonly FaceBox[]): number | undefined {
  let best: FaceBox | undefined
  for (const f of list) if (!best || f.box[2] * f.box[3] > best.box[2] * best.box[3]) best = f
  return best?.id
}

function bestOverlap(list: readonly FaceBox[], box: PixelBox): number | undefined {
  let best: { id: number; iou: number } | undefined
  for (const f of list) {
    const v = iou(f.box, box)
    if (v >= MIN_IOU && (!best || v > best.iou)) best = { id: f.id, iou: v }
  }
  return best?.id
}

export function iou(a: PixelBox, b: PixelBox): number {
  const x1 = Math.max(a[0], b[0])
  const y1 = Math.max(a[1], b[1])
  const x2 = Math.min(a[0] + a[2], b[0] + b[2])
  const y2 = Math.min(a[1] + a[3], b[1] + b[3])
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1)
  const union = a[2] * a[3] + b[2] * b[3] - inter
  return union > 0 ? inter / union : 0
}
