/**
 * Ground truth from a CSV for `face-studio eval --csv`: matched exactly like `face-studio label`
 * (paths relative to the CSV's folder, matched to imported images by absolute path, then by real path;
 * the label goes to the image's largest face), but nothing is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { NON_LABELS } from '../../shared/answers'
import { CsvError, parseCsv } from './csv'
import { csvFaceMatcher } from './csv-faces'
import type { TaskRow } from './tasks'

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

export function csvTruth(db: Db, task: Pick<TaskRow, 'kind' | 'labels'>, opts: CsvTruthOptions): CsvTruth {
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
  const match = csvFaceMatcher(db, csvPath)
  const known = new Set(task.labels)
  const out: CsvTruth = { faces: [], unmatched: 0, skipped: 0 }
  const seen = new Set<number>()
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0]?.trim() === '') continue
    const rel = (row[pi] ?? '').trim()
    const raw = (row[li] ?? '').trim()
    const { faceId } = match(rel)
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
