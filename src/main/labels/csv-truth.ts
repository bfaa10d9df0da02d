/**
 * Ground truth from a CSV for `face-studio eval --csv`: rows are resolved exactly like `face-studio label`
 * (label-rows.ts: the same path forms, case-insensitive labels, last row wins for a face named twice), but
 * nothing is written, and answers that are no label (unsure, n/a, skip) are skipped.
 */
import { NON_LABELS } from '../../shared/answers'
import type { Db } from '../db/open'
import { resolveLabelFile } from './label-csv'
import type { ValueMap, ValueTask } from './label-rows'
import type { Delimiter } from './label-table'

export interface CsvTruthOptions {
  csv: string
  labelColumn: string
  pathColumn?: string | undefined
  map?: ValueMap | undefined
  delimiter?: Delimiter | undefined
}

export interface CsvTruth {
  faces: Array<{ faceId: number; value: string }>
  /** Rows whose path is not an imported image with a face. */
  unmatched: number
  /** Rows whose (mapped) label is empty, not a label of the task, not a number for a score task, or no label. */
  skipped: number
  /** Valid rows overridden by a later row for the same face. */
  duplicates: number
}

export function csvTruth(db: Db, task: ValueTask, opts: CsvTruthOptions): CsvTruth {
  const r = resolveLabelFile(db, task, {
    file: opts.csv,
    format: 'csv',
    labelColumn: opts.labelColumn,
    pathColumn: opts.pathColumn,
    map: opts.map,
    delimiter: opts.delimiter
  })
  const faces: CsvTruth['faces'] = []
  let skipped = r.invalid
  for (const [faceId, v] of r.values) {
    if (NON_LABELS.has(v.value.toLowerCase())) skipped++
    else faces.push({ faceId, value: v.value })
  }
  return { faces, unmatched: r.unmatched, skipped, duplicates: r.duplicates }
}
