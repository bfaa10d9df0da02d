/**
 * The window's Import labels…: a preview that writes nothing (what would apply, and why the rest would not),
 * then the same resolution applied as one undoable step. Shares every rule with `face-studio label`
 * (label-csv.ts, label-rows.ts).
 */
import path from 'node:path'
import type {
  LabelColumnChoice,
  LabelColumnPreview,
  LabelColumnResult,
  LabelFileFormat,
  LabelImportPreview,
  LabelImportResult
} from '../../shared/labels-io'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { checkColumns, defaultLabelColumn } from './label-csv'
import { cocoKeys, labelStudioKeys } from './label-json'
import { resolveColumnsNow, writeColumns, type ColumnsSource, type ResolvedColumn } from './label-columns'
import { columnIndex, readLabelTable, type Delimiter, type LabelTable } from './label-table'
import { voteColumns, votesByLine, writeVotes, type Distribution } from './soft-labels'
import { getTask } from './tasks'

/**
 * What to import: the single form (`task` + `labelColumn` + `map`, as `face-studio label` takes it), or
 * `columns`, several label columns each to an existing task or a new one (then `task`, `labelColumn` and
 * `map` are not given).
 */
export interface LabelImportSpec {
  file: string
  format: LabelFileFormat
  task?: string | number | undefined
  delimiter?: Delimiter | undefined
  pathColumn?: string | undefined
  labelColumn?: string | undefined
  map?: Record<string, string> | undefined
  columns?: LabelColumnChoice[] | undefined
}

const SAMPLE_ROWS = 8
const PATH_NAMES = ['path', 'file', 'filename', 'file_name', 'filepath', 'image', 'img', 'image_path']

/** The path column a preview starts from when none is chosen: a path-like name, else the first column. */
export function suggestPathColumn(header: readonly string[]): string {
  return (
    PATH_NAMES.map((n) => header[columnIndex(header, n)]).find((c): c is string => c !== undefined) ??
    header[0] ??
    'path'
  )
}

/**
 * The columns a preview starts from when none is chosen: a path-like name (else the first column) and the
 * task's own column (`label`, `<task>_label`, `<task>`; else the first other column).
 */
export function suggestColumns(header: readonly string[], taskName: string): { path: string; label: string } {
  const pathCol = suggestPathColumn(header)
  const wanted = defaultLabelColumn(header, taskName)
  const label = columnIndex(header, wanted) >= 0 ? wanted : (header.find((h) => h !== pathCol) ?? header[0] ?? 'label')
  return { path: pathCol, label }
}

export interface LabelImportSource {
  src: ColumnsSource & { table: LabelTable | null }
  single: boolean
}

/** Either form as the columns form, with the table read once (CSV) and the columns it uses filled in. */
export function labelImportSource(db: Db, spec: LabelImportSpec): LabelImportSource {
  const file = path.resolve(spec.file)
  const table = spec.format === 'csv' ? readLabelTable(file, spec.delimiter) : null
  const base = { file, format: spec.format, delimiter: spec.delimiter, table }
  if (spec.columns !== undefined) {
    const extra = (['task', 'labelColumn', 'map'] as const).find((k) => spec[k] !== undefined)
    if (extra) {
      throw new AppError('BAD_ARGS', `Give either "columns" or "${extra}" (the one-column form), not both.`, extra)
    }
    return {
      src: { ...base, pathColumn: spec.pathColumn ?? suggestPathColumn(table?.header ?? []), columns: spec.columns },
      single: false
    }
  }
  if (spec.task === undefined) {
    throw new AppError('BAD_ARGS', 'Choose the task to import into, or label columns with their tasks.', 'task')
  }
  const task = getTask(db, spec.task)
  if (!table)
    return {
      src: { ...base, pathColumn: 'path', columns: [{ column: task.name, task: task.id, map: spec.map }] },
      single: true
    }
  const s = suggestColumns(table.header, task.name)
  const pathColumn = spec.pathColumn ?? s.path
  const labelColumn = spec.labelColumn ?? s.label
  checkColumns(table, pathColumn, labelColumn)
  return {
    src: { ...base, pathColumn, columns: [{ column: labelColumn, task: task.id, map: spec.map }] },
    single: true
  }
}

function columnPreview(c: ResolvedColumn): LabelColumnPreview {
  return {
    column: c.column,
    task: c.task,
    newTask: c.create !== null,
    labels: c.labels,
    values: c.distinct,
    applied: c.applied,
    unmatched: c.unmatched,
    invalid: c.invalid,
    duplicates: c.duplicates,
    empty: c.empty,
    unmatchedExamples: c.unmatchedExamples,
    invalidExamples: c.invalidExamples
  }
}

const sum = (
  cols: readonly ResolvedColumn[],
  k: 'applied' | 'unmatched' | 'invalid' | 'duplicates' | 'empty'
): number => cols.reduce((n, c) => n + c[k], 0)

export function previewLabelImport(db: Db, spec: LabelImportSpec): LabelImportPreview {
  const { src, single } = labelImportSource(db, spec)
  const r = resolveColumnsNow(db, src)
  const first = r.columns[0]
  const table = src.table
  return {
    file: r.file,
    format: spec.format,
    task: r.columns.map((c) => c.task).join(', '),
    delimiter: table?.delimiter ?? null,
    header: table?.header ?? [],
    keys: spec.format === 'labelstudio' ? labelStudioKeys(r.file) : spec.format === 'coco' ? cocoKeys(r.file) : [],
    sample: table?.rows.slice(0, SAMPLE_ROWS).map((row) => row.cells) ?? [],
    pathColumn: table ? src.pathColumn : null,
    labelColumn: table && single ? (first?.column ?? null) : null,
    values: first?.distinct ?? [],
    rows: table
      ? table.rows.length
      : first
        ? first.applied + first.unmatched + first.invalid + first.duplicates + first.empty
        : 0,
    applied: sum(r.columns, 'applied'),
    unmatched: sum(r.columns, 'unmatched'),
    invalid: sum(r.columns, 'invalid'),
    duplicates: sum(r.columns, 'duplicates'),
    empty: sum(r.columns, 'empty'),
    unmatchedExamples: first?.unmatchedExamples ?? [],
    invalidExamples: first?.invalidExamples ?? [],
    columns: r.columns.map(columnPreview)
  }
}

/** What an import would write: each column's face → value, with the counts (computed by the worker). */
export interface ResolvedLabelImport {
  file: string
  /** The single form (its result names its task; vote columns are looked for). */
  single: boolean
  columns: ResolvedColumn[]
  /**
   * A CSV with `votes_<label>` columns for two or more of the task's labels (FER+): each labelled face's votes
   * (soft-labels.ts), found without asking, as the columns leave no doubt what they are. The single form only.
   */
  votes?: Array<{ faceId: number; votes: Distribution }>
}

export function resolveLabelImport(db: Db, spec: LabelImportSpec): ResolvedLabelImport {
  const source = labelImportSource(db, spec)
  return resolvedImport(db, source, resolveColumnsNow(db, source.src).columns)
}

/** Each column's resolution completed into what main writes (with the single form's vote columns). */
export function resolvedImport(db: Db, source: LabelImportSource, columns: ResolvedColumn[]): ResolvedLabelImport {
  const { src, single } = source
  return { file: src.file, single, columns, ...singleVotes(db, src, single, columns) }
}

function singleVotes(
  db: Db,
  src: ColumnsSource & { table: LabelTable | null },
  single: boolean,
  columns: readonly ResolvedColumn[]
): Pick<ResolvedLabelImport, 'votes'> {
  const col = columns[0]
  if (!single || !src.table || !col) return {}
  const task = getTask(db, col.task)
  const cols = voteColumns(
    src.table,
    task.labels,
    src.columns[0]?.map ? new Map(Object.entries(src.columns[0].map).filter(([, to]) => to.trim() !== '')) : undefined
  )
  if (cols.size < 2) return {}
  const byLine = votesByLine(src.table, cols)
  return {
    votes: col.values.flatMap((v) => {
      const d = byLine.get(v.line)
      return d ? [{ faceId: v.faceId, votes: d }] : []
    })
  }
}

/** Main's half: the resolved values written in one transaction as one undoable step. */
export function writeLabelImport(db: Db, r: ResolvedLabelImport, annotator: string): LabelImportResult {
  const { actionId, created } = writeColumns(db, r, annotator)
  const first = r.columns[0]
  const votes =
    r.votes && first ? writeVotes(db, getTask(db, first.task).id, r.votes, path.basename(r.file)) : undefined
  const columns: LabelColumnResult[] = r.columns.map((c) => ({
    column: c.column,
    task: c.task,
    created: created.includes(c.task),
    applied: c.applied,
    unmatched: c.unmatched,
    invalid: c.invalid,
    duplicates: c.duplicates
  }))
  return {
    ...(votes !== undefined ? { votes } : {}),
    task: r.columns.map((c) => c.task).join(', '),
    applied: sum(r.columns, 'applied'),
    unmatched: sum(r.columns, 'unmatched'),
    invalid: sum(r.columns, 'invalid'),
    duplicates: sum(r.columns, 'duplicates'),
    actionId,
    columns
  }
}
