/**
 * The window's Import labels…: a preview that writes nothing (what would apply, and why the rest would not),
 * then the same resolution applied as one undoable step. Shares every rule with `face-studio label`
 * (label-csv.ts, label-rows.ts).
 */
import path from 'node:path'
import type { LabelFileFormat, LabelImportPreview, LabelImportResult } from '../../shared/labels-io'
import type { Db } from '../db/open'
import { defaultLabelColumn, labelFileRows, resolveLabelFile, writeResolvedLabels } from './label-csv'
import { matchValue, resolveLabelRows } from './label-rows'
import { columnIndex, readLabelTable, type Delimiter } from './label-table'
import { voteColumns, votesByLine, writeVotes, type Distribution } from './soft-labels'
import { getTask } from './tasks'

export interface LabelImportSpec {
  file: string
  format: LabelFileFormat
  task: string | number
  delimiter?: Delimiter | undefined
  pathColumn?: string | undefined
  labelColumn?: string | undefined
  map?: Record<string, string> | undefined
}

const SAMPLE_ROWS = 8
const MAX_VALUES = 200

function mapOf(spec: LabelImportSpec): Map<string, string> | undefined {
  return spec.map ? new Map(Object.entries(spec.map).filter(([, to]) => to.trim() !== '')) : undefined
}

const PATH_NAMES = ['path', 'file', 'filename', 'file_name', 'filepath', 'image', 'img', 'image_path']

/**
 * The columns a preview starts from when none is chosen: a path-like name (else the first column) and the
 * task's own column (`label`, `<task>_label`, `<task>`; else the first other column).
 */
export function suggestColumns(header: readonly string[], taskName: string): { path: string; label: string } {
  const pathCol =
    PATH_NAMES.map((n) => header[columnIndex(header, n)]).find((c): c is string => c !== undefined) ??
    header[0] ??
    'path'
  const wanted = defaultLabelColumn(header, taskName)
  const label = columnIndex(header, wanted) >= 0 ? wanted : (header.find((h) => h !== pathCol) ?? header[0] ?? 'label')
  return { path: pathCol, label }
}

export function previewLabelImport(db: Db, spec: LabelImportSpec): LabelImportPreview {
  const task = getTask(db, spec.task)
  const file = path.resolve(spec.file)
  const map = mapOf(spec)
  let columns: { pathColumn?: string; labelColumn?: string } = {}
  if (spec.format === 'csv' && (spec.pathColumn === undefined || spec.labelColumn === undefined)) {
    const s = suggestColumns(readLabelTable(file, spec.delimiter).header, task.name)
    columns = { pathColumn: spec.pathColumn ?? s.path, labelColumn: spec.labelColumn ?? s.label }
  }
  const src = labelFileRows(task.name, { ...spec, ...columns, file, map })
  const r = resolveLabelRows(db, task, file, src.rows, map)
  const counts = new Map<string, number>()
  for (const row of src.rows) {
    const v = row.value.trim()
    if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  const values = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_VALUES)
    .map(([from, rows]) => {
      const m = matchValue(task, from, map)
      return { from, rows, to: 'error' in m ? null : m.value }
    })
  return {
    file,
    format: spec.format,
    task: task.name,
    delimiter: src.table?.delimiter ?? null,
    header: src.table?.header ?? [],
    sample: src.table?.rows.slice(0, SAMPLE_ROWS).map((row) => row.cells) ?? [],
    pathColumn: src.pathColumn ?? null,
    labelColumn: src.labelColumn ?? null,
    values,
    rows: src.rows.length,
    applied: r.applied,
    unmatched: r.unmatched,
    invalid: r.invalid,
    duplicates: r.duplicates,
    empty: r.empty,
    unmatchedExamples: r.unmatchedExamples.slice(0, 5),
    invalidExamples: r.invalidExamples.slice(0, 5)
  }
}

/** What an import would write: face → value, with the counts (computed off the main thread by the worker). */
export interface ResolvedLabelImport {
  task: string
  file: string
  values: Array<{ faceId: number; value: string }>
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
  /**
   * A CSV with `votes_<label>` columns for two or more of the task's labels (FER+): each labelled face's votes
   * (soft-labels.ts), found without asking, as the columns leave no doubt what they are.
   */
  votes?: Array<{ faceId: number; votes: Distribution }>
}

export function resolveLabelImport(db: Db, spec: LabelImportSpec): ResolvedLabelImport {
  const task = getTask(db, spec.task)
  const file = path.resolve(spec.file)
  let columns: { pathColumn?: string; labelColumn?: string } = {}
  if (spec.format === 'csv' && (spec.pathColumn === undefined || spec.labelColumn === undefined)) {
    const s = suggestColumns(readLabelTable(file, spec.delimiter).header, task.name)
    columns = { pathColumn: spec.pathColumn ?? s.path, labelColumn: spec.labelColumn ?? s.label }
  }
  const map = mapOf(spec)
  const r = resolveLabelFile(db, task, { ...spec, ...columns, file, map })
  let votes: ResolvedLabelImport['votes']
  if (spec.format === 'csv') {
    const table = readLabelTable(file, spec.delimiter)
    const cols = voteColumns(table, task.labels, map)
    if (cols.size >= 2) {
      const byLine = votesByLine(table, cols)
      votes = [...r.values].flatMap(([faceId, v]) => {
        const d = byLine.get(v.line)
        return d ? [{ faceId, votes: d }] : []
      })
    }
  }
  return {
    ...(votes ? { votes } : {}),
    task: task.name,
    file,
    values: [...r.values].map(([faceId, v]) => ({ faceId, value: v.value })),
    applied: r.applied,
    unmatched: r.unmatched,
    invalid: r.invalid,
    duplicates: r.duplicates
  }
}

/** Main's half: the resolved values written in one transaction as one undoable step. */
export function writeLabelImport(db: Db, r: ResolvedLabelImport, annotator: string): LabelImportResult {
  const actionId = writeResolvedLabels(db, r.task, r.file, r.values, annotator)
  const votes = r.votes ? writeVotes(db, getTask(db, r.task).id, r.votes, path.basename(r.file)) : undefined
  return {
    ...(votes !== undefined ? { votes } : {}),
    task: r.task,
    applied: r.applied,
    unmatched: r.unmatched,
    invalid: r.invalid,
    duplicates: r.duplicates,
    actionId
  }
}
