/**
 * Applying a labels file to a task: `face-studio label`, and the window's Import labels. The file is read
 * (label-table.ts for CSV, label-json.ts for Label Studio / COCO), its rows resolved onto faces with the one
 * duplicate rule (label-rows.ts), and everything valid written in one transaction as one undo step; a bad
 * header writes nothing.
 */
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { annotate } from './annotations'
import type { PixelBox } from './csv-faces'
import { cocoRows, labelStudioRows } from './label-json'
import {
  resolveLabelRows,
  type LabelProblem,
  type LabelResolution,
  type LabelSourceRow,
  type ValueMap,
  type ValueTask
} from './label-rows'
import { columnIndex, readLabelTable, type Delimiter, type LabelTable } from './label-table'
import { VOTE_PREFIX, voteColumns, votesByLine, writeVotes } from './soft-labels'
import { getTask } from './tasks'

export type LabelFileFormat = 'csv' | 'labelstudio' | 'coco'

export interface LabelFileOptions {
  file: string
  format?: LabelFileFormat | undefined
  pathColumn?: string | undefined
  /** The CSV column of the labels; default `label`, else `<task>_label` (an export's), else `<task>`. */
  labelColumn?: string | undefined
  delimiter?: Delimiter | undefined
  /** Raw label → task label, applied before validation (e.g. female=feminine). */
  map?: ValueMap | undefined
  /**
   * Also store the CSV's per-class `votes_<label>` columns as each labelled face's vote distribution (soft
   * targets, soft-labels.ts); a CSV without such columns for the task's labels is refused.
   */
  votes?: boolean | undefined
}

export interface LabelCsvOptions extends Omit<LabelFileOptions, 'file'> {
  task: string | number
  csv: string
  annotator: string
}

export type LabelCsvProblem = LabelProblem

export interface LabelCsvResult {
  /** Distinct faces labelled (a face named on several rows counts once; the last row wins). */
  applied: number
  faces: number
  unmatched: number
  invalid: number
  /** Valid rows overridden by a later row for the same face. */
  duplicates: number
  /** Rows with an empty label cell (no label given). */
  empty: number
  /** The first problems of each kind, for a readable report. */
  unmatchedExamples: LabelProblem[]
  invalidExamples: LabelProblem[]
  actionId: number | null
  delimiter?: Delimiter | undefined
  /** With `votes`: faces whose vote distribution was stored. */
  votes?: number | undefined
}

/** Parses `a=b,c=d` into a map; a missing "=" is a usage error. */
export function parseLabelMap(spec: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue
    const eq = part.indexOf('=')
    if (eq <= 0) throw new AppError('BAD_ARGS', `--map entries look like from=to; got "${part}".`, 'map')
    m.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return m
}

/**
 * The rows of a CSV table for one label column, paths kept exactly as written (spaces included). A table
 * with x, y, w, h columns (an export's) gives each row its face box, so photos with several faces round-trip.
 */
export function tableRows(table: LabelTable, pathColumn: string, labelColumn: string): LabelSourceRow[] {
  const pi = columnIndex(table.header, pathColumn)
  const li = columnIndex(table.header, labelColumn)
  const bi = ['x', 'y', 'w', 'h'].map((c) => columnIndex(table.header, c))
  const hasBox = bi.every((i) => i >= 0)
  return table.rows.map((r) => {
    const b = hasBox ? bi.map((i) => Number(r.cells[i] ?? '')) : []
    const box = hasBox && b.every((n) => Number.isFinite(n)) && (b[2] ?? 0) > 0 ? (b as unknown as PixelBox) : undefined
    return { line: r.line, path: r.cells[pi] ?? '', value: r.cells[li] ?? '', box }
  })
}

/** The label column a CSV uses for a task when none is named. */
export function defaultLabelColumn(header: readonly string[], taskName: string): string {
  for (const c of ['label', `${taskName}_label`, taskName]) if (columnIndex(header, c) >= 0) return c
  return 'label'
}

export interface LabelFileRows {
  rows: LabelSourceRow[]
  /** CSV only: the table read, and the columns used. */
  table?: LabelTable
  pathColumn?: string
  labelColumn?: string
}

/** The rows a labels file gives for a task, in any supported format; a CSV without the columns is refused. */
export function labelFileRows(taskName: string, opts: LabelFileOptions): LabelFileRows {
  const file = path.resolve(opts.file)
  const format = opts.format ?? 'csv'
  if (format === 'labelstudio') return { rows: labelStudioRows(file, taskName) }
  if (format === 'coco') return { rows: cocoRows(file, taskName) }
  const table = readLabelTable(file, opts.delimiter)
  const pathCol = opts.pathColumn ?? 'path'
  const labelCol = opts.labelColumn ?? defaultLabelColumn(table.header, taskName)
  checkColumns(table, pathCol, labelCol)
  return { rows: tableRows(table, pathCol, labelCol), table, pathColumn: pathCol, labelColumn: labelCol }
}

/** A table without its path or label column is refused, naming the columns it has. */
export function checkColumns(table: LabelTable, pathCol: string, labelCol: string): void {
  const missing = [pathCol, labelCol].filter((c) => columnIndex(table.header, c) < 0)
  if (missing.length > 0) {
    throw new AppError(
      'BAD_ARGS',
      `${table.file} has no column ${missing.map((c) => `"${c}"`).join(' or ')} (its columns: ${table.header.join(', ')}; delimiter ${delimiterName(table.delimiter)}). Name them with --path-column / --label-column.`,
      missing[0] === pathCol ? 'pathColumn' : 'labelColumn'
    )
  }
}

export function resolveLabelFile(
  db: Db,
  task: ValueTask,
  opts: LabelFileOptions
): LabelResolution & { delimiter?: Delimiter } {
  const r = labelFileRows(task.name, opts)
  return { ...resolveLabelRows(db, task, path.resolve(opts.file), r.rows, opts.map), delimiter: r.table?.delimiter }
}

export function delimiterName(d: Delimiter): string {
  return d === '\t' ? 'tab' : `"${d}"`
}

/** Applies a labels file to a task as one undoable step; see the module comment. */
export function applyLabelFile(
  db: Db,
  opts: LabelFileOptions & { task: string | number; annotator: string }
): LabelCsvResult {
  const task = getTask(db, opts.task)
  const rows = opts.votes ? labelFileRows(task.name, opts) : null
  const voteCols = rows?.table ? voteColumns(rows.table, task.labels, opts.map) : null
  if (opts.votes && (!voteCols || voteCols.size < 2)) {
    throw new AppError(
      'BAD_ARGS',
      `${opts.file} has no ${VOTE_PREFIX}<label> columns for two or more of ${task.name}'s labels (${task.labels.join(', ')}); map other names with --map.`,
      'votes'
    )
  }
  const r = resolveLabelFile(db, task, opts)
  const result: LabelCsvResult = {
    applied: r.applied,
    faces: r.applied,
    unmatched: r.unmatched,
    invalid: r.invalid,
    duplicates: r.duplicates,
    empty: r.empty,
    unmatchedExamples: r.unmatchedExamples,
    invalidExamples: r.invalidExamples,
    actionId: null,
    delimiter: r.delimiter
  }
  result.actionId = writeResolvedLabels(
    db,
    task.name,
    opts.file,
    [...r.values].map(([faceId, v]) => ({ faceId, value: v.value })),
    opts.annotator
  )
  if (rows?.table && voteCols) {
    const byLine = votesByLine(rows.table, voteCols)
    const votes = [...r.values].flatMap(([faceId, v]) => {
      const d = byLine.get(v.line)
      return d ? [{ faceId, votes: d }] : []
    })
    result.votes = writeVotes(db, task.id, votes, path.basename(opts.file))
  }
  return result
}

/** Resolved labels written as one undoable step (one transaction); null when there is nothing to write. */
export function writeResolvedLabels(
  db: Db,
  task: string,
  file: string,
  values: ReadonlyArray<{ faceId: number; value: string }>,
  annotator: string
): number | null {
  if (values.length === 0) return null
  return annotate(db, {
    task,
    annotator,
    items: values.map((v) => ({ target: 'face' as const, id: v.faceId, value: v.value, source: 'import' as const })),
    description: `${task}: ${values.length} labels from ${path.basename(file)}`
  }).actionId
}

/** `face-studio label --csv`: a CSV labels file. */
export function applyLabelCsv(db: Db, opts: LabelCsvOptions): LabelCsvResult {
  const { csv, ...rest } = opts
  return applyLabelFile(db, { ...rest, file: csv, format: 'csv' })
}
