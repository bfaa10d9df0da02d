/**
 * Exports of faces and their labels, one implementation for the CLI (`face-studio export`) and the window
 * (Export…): gather the records once (export-faces.ts), shape them per format, write the files atomically
 * (export-files.ts). Formats and fields: docs/formats.md.
 */
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { csvCell } from '../labels/csv'
import { cocoExport } from './export-coco'
import { exportPath, gatherExport, type ExportData, type ExportScope } from './export-faces'
import { checkExportTarget, writeExportFiles, type ExportFile } from './export-files'
import { labelStudioExport } from './export-labelstudio'
import { npyExport } from './export-npy'

export const EXPORT_FORMATS = ['csv', 'json', 'coco', 'labelstudio', 'npy'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const FEATURE_KINDS = ['identity', 'expression', 'age_gender'] as const
export type FeatureKind = (typeof FEATURE_KINDS)[number]

export interface ExportSpec extends ExportScope {
  format: ExportFormat
  out: string
  /** Photo paths absolute instead of relative to the export file's folder. */
  absolutePaths?: boolean | undefined
  /** The feature vectors `npy` writes (default identity). */
  feature?: FeatureKind | undefined
}

/** What the app and its models were, for the formats that carry it (COCO info). */
export interface ExportMeta {
  appVersion: string
}

export interface ExportSummary {
  format: ExportFormat
  faces: number
  images: number
  out: string
  files: string[]
}

export type ExportRow = Record<string, string | number | null>

/** One row per face: where it is, its box, its person, and per task the current label and the prediction. */
export function exportRows(data: ExportData, out: string, absolute: boolean): { columns: string[]; rows: ExportRow[] } {
  const columns = ['path', 'face_id', 'x', 'y', 'w', 'h', 'score', 'source', 'person_id']
  for (const t of data.tasks) columns.push(`${t.name}_label`, `${t.name}_pred`, `${t.name}_conf`)
  const rows = data.faces.map((f) => {
    const row: ExportRow = {
      path: exportPath(f.file, out, absolute),
      face_id: f.faceId,
      x: f.box[0],
      y: f.box[1],
      w: f.box[2],
      h: f.box[3],
      score: f.score,
      source: f.source,
      person_id: f.personId
    }
    for (const t of data.tasks) {
      const p = f.predictions[t.name]
      row[`${t.name}_label`] = f.labels[t.name]?.value ?? null
      row[`${t.name}_pred`] = p?.value ?? null
      row[`${t.name}_conf`] = p?.confidence ?? null
    }
    return row
  })
  return { columns, rows }
}

export function toCsv(columns: string[], rows: ExportRow[]): string {
  const lines = [columns.map(csvCell).join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','))
  return `${lines.join('\n')}\n`
}

/** An export gathered and rendered but not written yet: the worker checks for a cancel between the two. */
export interface PlannedExport {
  files: ExportFile[]
  summary: Omit<ExportSummary, 'files'>
}

export function runExport(db: Db, spec: ExportSpec, meta: ExportMeta): ExportSummary {
  const plan = planExport(db, spec, meta)
  return { ...plan.summary, files: writeExportFiles(plan.files) }
}

/** Gathers and renders an export's files in memory; nothing is written. */
export function planExport(db: Db, spec: ExportSpec, meta: ExportMeta): PlannedExport {
  const out = path.resolve(spec.out)
  checkExportTarget(out)
  const data = gatherExport(db, spec)
  const absolute = spec.absolutePaths === true
  let files: ExportFile[]
  switch (spec.format) {
    case 'csv':
    case 'json': {
      const { columns, rows } = exportRows(data, out, absolute)
      files = [{ path: out, data: spec.format === 'csv' ? toCsv(columns, rows) : `${JSON.stringify(rows, null, 1)}\n` }]
      break
    }
    case 'coco':
      files = [{ path: out, data: `${JSON.stringify(cocoExport(data, out, absolute, meta))}\n` }]
      break
    case 'labelstudio':
      files = [{ path: out, data: `${JSON.stringify(labelStudioExport(data, out, absolute), null, 1)}\n` }]
      break
    case 'npy':
      files = npyExport(db, data, out, absolute, spec.feature ?? 'identity')
      break
    default:
      throw new AppError('BAD_ARGS', `Unknown export format "${String(spec.format)}".`, 'format')
  }
  return {
    files,
    summary: {
      format: spec.format,
      faces: data.faces.length,
      images: new Set(data.faces.map((f) => f.imageId)).size,
      out
    }
  }
}
