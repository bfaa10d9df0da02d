/**
 * Ground truth from a CSV for `face-studio eval --csv`: matched exactly like `face-studio label`
 * (paths relative to the CSV's folder, matched to imported images by absolute path, then by real path;
 * the label goes to the image's largest face), but nothing is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { CsvError, parseCsv } from '../labels/csv'
import { NON_LABELS } from '../../shared/answers'
import type { TaskRow } from './registry'

export interface CsvTruthOptions {
  csv: string
  labelColumn: string
  pathColumn?: string | undefined
  map?: ReadonlyMap<string, string> | undefined
}

export interface CsvTruth {
  faces: Array<{ faceId: number; value: string }>
  /** Rows whose path is not an imported image with a face. */
  unmatched: number
  /** Rows whose (mapped) label is empty, not a label of the task, or not a number for a score task. */
  skipped: number
}

export function csvTruth(db: Db, task: TaskRow, opts: CsvTruthOptions): CsvTruth {
  const csvPath = path.resolve(opts.csv)
  let rows: string[][]
  try {
    rows = parseCsv(fs.readFileSync(csvPath, 'utf8'))
  } catch (e) {
    if (e instanceof CsvError) throw new AppError('BAD_ARGS', `${csvPath} is not valid CSV: ${e.message}.`, 'csv')
    const err = e as NodeJS.ErrnoException
    throw new AppError('NOT_FOUND', `Cannot read the CSV ${csvPath}: ${err.code ?? err.message}`, 'csv')
  }
  const header = (rows[0] ?? []).map((h) => h.trim())
  const pathCol = opts.pathColumn ?? 'path'
  const pi = header.indexOf(pathCol)
  const li = header.indexOf(opts.labelColumn)
  if (pi < 0 || li < 0) {
    throw new AppError(
      'BAD_ARGS',
      `${csvPath} has no column "${pi < 0 ? pathCol : opts.labelColumn}" (its columns: ${header.join(', ')}).`,
      pi < 0 ? 'pathColumn' : 'labelColumn'
    )
  }
  const byPath = new Map<string, number>()
  for (const [id, p] of db
    .prepare(`SELECT id, path FROM images WHERE status = 'ok'`)
    .raw()
    .iterate() as IterableIterator<[number, string]>)
    byPath.set(p, id)
  let byReal: Map<string, number> | null = null
  const real = (): Map<string, number> => {
    if (byReal) return byReal
    byReal = new Map()
    for (const [p, id] of byPath) {
      try {
        byReal.set(fs.realpathSync(p), id)
      } catch {
        // A photo that moved cannot match by real path.
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
  const known = new Set(task.labels)
  const base = path.dirname(csvPath)
  const out: CsvTruth = { faces: [], unmatched: 0, skipped: 0 }
  const seen = new Set<number>()
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0]?.trim() === '') continue
    const rel = (row[pi] ?? '').trim()
    const raw = (row[li] ?? '').trim()
    const abs = path.resolve(base, rel)
    let imageId = rel === '' ? undefined : byPath.get(abs)
    if (imageId === undefined && rel !== '') {
      try {
        imageId = real().get(fs.realpathSync(abs))
      } catch {
        imageId = undefined
      }
    }
    const faceId = imageId === undefined ? undefined : largest.get(imageId)?.face
    if (faceId === undefined) {
      out.unmatched++
      continue
    }
    const value = opts.map?.get(raw) ?? raw
    const ok =
      value !== '' &&
      !NON_LABELS.has(value.toLowerCase()) &&
      (task.kind === 'score' ? Number.isFinite(Number(value)) : known.has(value))
    if (!ok || seen.has(faceId)) {
      out.skipped++
      continue
    }
    seen.add(faceId)
    out.faces.push({ faceId, value: task.kind === 'score' ? String(Number(value)) : value })
  }
  return out
}
