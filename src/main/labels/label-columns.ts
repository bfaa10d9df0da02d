/**
 * Import labels… over several label columns at once (issue 12): each chosen column of a CSV (or key of a Label
 * Studio / COCO file) goes to an existing task or to a new task made from the column's values. The file is read
 * once, each photo matched once, and each column resolved with the one duplicate rule (label-rows.ts); applying
 * creates the new tasks and writes every column's labels in one transaction as one undoable step.
 *
 * The resolution is a generator that yields every few thousand rows, so the worker can report progress and
 * honour a cancel inside a big file while the preview (and tests) drain it in one go.
 */
import path from 'node:path'
import { NON_LABELS, reservedAnswer } from '../../shared/answers'
import type { LabelColumnChoice, LabelFileFormat, LabelImportProblem } from '../../shared/labels-io'
import { AppError } from '../../shared/result'
import { taskNameProblem } from '../../shared/task-name'
import type { Db } from '../db/open'
import { annotateTasks } from './annotations'
import { unneutralise } from './csv'
import { csvFaceMatcher } from './csv-faces'
import { delimiterName, tableRows } from './label-csv'
import { cocoRows, labelStudioRows } from './label-json'
import { labelResolver, mapValue, matchValue, type LabelSourceRow, type ValueTask } from './label-rows'
import { columnIndex, readLabelTable, type LabelTable } from './label-table'
import { createTask, getTask, listTasks } from './tasks'

/** A new task's labels come from its column; more distinct values than this is an id or free-text column. */
export const MAX_NEW_TASK_LABELS = 50
/** Rows resolved between two yields of the resolution (the worker's cancel checkpoints). */
export const ROWS_PER_STEP = 2000
const MAX_LABEL_LENGTH = 64
const MAX_VALUES = 200
const MAX_EXAMPLES = 5

export interface ColumnsSource {
  file: string
  format: LabelFileFormat
  delimiter?: ',' | ';' | '\t' | undefined
  pathColumn: string
  columns: readonly LabelColumnChoice[]
}

/** One column resolved: its target task (existing, or the one the import will create) and its values. */
export interface ResolvedColumn {
  column: string
  task: string
  /** The task the import creates for this column (null: an existing task). */
  create: { name: string; labels: string[] } | null
  /** The target task's labels (a score task: []). */
  labels: string[]
  /** Face → value, with the line it came from (a face named twice: the last row, the duplicate rule). */
  values: Array<{ faceId: number; value: string; line: number }>
  /** Distinct raw values, most frequent first, with what each maps to (null: not a label). */
  distinct: Array<{ from: string; to: string | null; rows: number }>
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
  empty: number
  unmatchedExamples: LabelImportProblem[]
  invalidExamples: LabelImportProblem[]
}

export interface ResolvedColumns {
  file: string
  table: LabelTable | null
  columns: ResolvedColumn[]
}

export interface ColumnsProgress {
  done: number
  total: number
  column: string
}

function mapOf(map: Record<string, string> | undefined): Map<string, string> | undefined {
  return map ? new Map(Object.entries(map).filter(([, to]) => to.trim() !== '')) : undefined
}

/** The source rows of one column (a JSON format: the choice / attribute named like the column). */
function columnRows(
  file: string,
  format: LabelFileFormat,
  table: LabelTable | null,
  pathColumn: string,
  column: string
): LabelSourceRow[] {
  if (format === 'labelstudio') return labelStudioRows(file, column)
  if (format === 'coco') return cocoRows(file, column)
  return tableRows(table as LabelTable, pathColumn, column)
}

/**
 * A new task's label set from its column: the distinct values (after the column's map), case-insensitively
 * once each in the spelling met first, sorted; unsure / n/a and skip words are answers every task takes,
 * empty cells no label, and values too long for a label stay invalid rows.
 */
export function labelsFromValues(rows: Iterable<LabelSourceRow>, map?: ReadonlyMap<string, string>): string[] {
  const byLower = new Map<string, string>()
  for (const row of rows) {
    const v = mapValue(unneutralise(row.value).trim(), map).trim()
    const lower = v.toLowerCase()
    if (v === '' || v.length > MAX_LABEL_LENGTH || reservedAnswer(lower) || NON_LABELS.has(lower)) continue
    if (!byLower.has(lower)) byLower.set(lower, v)
  }
  return [...byLower.values()].sort((a, b) => a.localeCompare(b))
}

interface Target {
  column: string
  task: ValueTask
  create: { name: string; labels: string[] } | null
  map: Map<string, string> | undefined
  rows: LabelSourceRow[]
}

/** Each choice checked and given its task; every problem is an error naming the choice's field. */
function targets(db: Db, src: ColumnsSource, file: string, table: LabelTable | null): Target[] {
  if (src.format === 'csv' && table) {
    const missing = [src.pathColumn, ...src.columns.map((c) => c.column)].findIndex(
      (c) => columnIndex(table.header, c) < 0
    )
    if (missing >= 0) {
      const name = missing === 0 ? src.pathColumn : (src.columns[missing - 1]?.column ?? '')
      throw new AppError(
        'BAD_ARGS',
        `${file} has no column "${name}" (its columns: ${table.header.join(', ')}; delimiter ${delimiterName(table.delimiter)}).`,
        missing === 0 ? 'pathColumn' : `columns.${missing - 1}.column`
      )
    }
  }
  const existingNames = new Set(listTasks(db).map((t) => t.name.toLowerCase()))
  const used = new Map<string, string>()
  return src.columns.map((c, i): Target => {
    const field = `columns.${i}`
    const map = mapOf(c.map)
    const rows = columnRows(file, src.format, table, src.pathColumn, c.column)
    if ((c.task === undefined) === (c.newTask === undefined)) {
      throw new AppError(
        'BAD_ARGS',
        `Column "${c.column}": choose an existing task or a new task, not both or neither.`,
        field
      )
    }
    let task: ValueTask
    let create: Target['create'] = null
    if (c.task !== undefined) {
      try {
        task = getTask(db, c.task)
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.code, `Column "${c.column}": ${e.message}`, `${field}.task`)
        throw e
      }
    } else {
      const name = (c.newTask?.name ?? '').trim()
      const problem = taskNameProblem(name)
      if (problem) throw new AppError('BAD_ARGS', `Column "${c.column}": ${problem}`, `${field}.newTask.name`)
      if (existingNames.has(name.toLowerCase())) {
        throw new AppError(
          'CONFLICT',
          `Column "${c.column}": a task named "${name}" already exists; choose it as the column's task, or another name.`,
          `${field}.newTask.name`
        )
      }
      const labels = c.newTask?.labels?.map((l) => l.trim()).filter((l) => l !== '') ?? labelsFromValues(rows, map)
      if (labels.length === 0) {
        throw new AppError(
          'BAD_ARGS',
          `Column "${c.column}" has no values a new task could take as labels.`,
          `${field}.newTask`
        )
      }
      if (labels.length > MAX_NEW_TASK_LABELS) {
        throw new AppError(
          'BAD_ARGS',
          `Column "${c.column}" has ${labels.length} distinct values; a new task takes at most ${MAX_NEW_TASK_LABELS} labels (is it a label column?).`,
          `${field}.newTask`
        )
      }
      create = { name, labels }
      task = { name, kind: 'classification', labels, scoreMin: null, scoreMax: null }
    }
    const key = task.name.toLowerCase()
    const before = used.get(key)
    if (before !== undefined) {
      throw new AppError(
        'BAD_ARGS',
        `Columns "${before}" and "${c.column}" both go to the task "${task.name}"; each task takes one column.`,
        create ? `${field}.newTask.name` : `${field}.task`
      )
    }
    used.set(key, c.column)
    return { column: c.column, task, create, map, rows }
  })
}

/**
 * Resolves every chosen column, yielding progress every ROWS_PER_STEP rows; its return value is the result.
 * Reads the database only.
 */
export function* resolveColumns(
  db: Db,
  src: ColumnsSource & { table?: LabelTable | null }
): Generator<ColumnsProgress, ResolvedColumns, void> {
  const file = path.resolve(src.file)
  // The caller may have read the table already (to suggest its columns); a big file is parsed once.
  const table = src.format === 'csv' ? (src.table ?? readLabelTable(file, src.delimiter)) : null
  const list = targets(db, src, file, table)
  const total = list.reduce((n, t) => n + t.rows.length, 0)
  const match = csvFaceMatcher(db, file)
  let done = 0
  const columns: ResolvedColumn[] = []
  for (const t of list) {
    yield { done, total, column: t.column }
    const r = labelResolver(db, t.task, file, t.map, match)
    const counts = new Map<string, number>()
    for (const row of t.rows) {
      r.add(row)
      const v = row.value.trim()
      if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1)
      if (++done % ROWS_PER_STEP === 0) yield { done, total, column: t.column }
    }
    const res = r.result()
    columns.push({
      column: t.column,
      task: t.task.name,
      create: t.create,
      labels: [...t.task.labels],
      values: [...res.values].map(([faceId, v]) => ({ faceId, value: v.value, line: v.line })),
      distinct: [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_VALUES)
        .map(([from, rows]) => {
          const m = matchValue(t.task, from, t.map)
          return { from, rows, to: 'error' in m ? null : m.value }
        }),
      applied: res.applied,
      unmatched: res.unmatched,
      invalid: res.invalid,
      duplicates: res.duplicates,
      empty: res.empty,
      unmatchedExamples: res.unmatchedExamples.slice(0, MAX_EXAMPLES),
      invalidExamples: res.invalidExamples.slice(0, MAX_EXAMPLES)
    })
  }
  return { file, table, columns }
}

/** The resolution run to its end without stopping (the preview; tests). */
export function resolveColumnsNow(db: Db, src: ColumnsSource & { table?: LabelTable | null }): ResolvedColumns {
  const it = resolveColumns(db, src)
  for (;;) {
    const step = it.next()
    if (step.done) return step.value
  }
}

/**
 * Main's half: the new tasks created and every column's labels written in one transaction, as one undoable
 * step. Undo takes the labels back and keeps the tasks the import created (empty then), so a redo has them
 * and nothing else the user made since is touched. Null when there is nothing to write (nothing is created).
 */
export function writeColumns(
  db: Db,
  r: Pick<ResolvedColumns, 'file' | 'columns'>,
  annotator: string
): { actionId: number | null; created: string[] } {
  if (r.columns.every((c) => c.values.length === 0)) return { actionId: null, created: [] }
  return db.transaction(() => {
    const created: string[] = []
    for (const c of r.columns) {
      if (!c.create) continue
      createTask(db, {
        name: c.create.name,
        kind: 'classification',
        labels: c.create.labels,
        note: `From the column "${c.column}" of ${path.basename(r.file)}`
      })
      created.push(c.create.name)
    }
    const groups = r.columns
      .filter((c) => c.values.length > 0)
      .map((c) => ({
        task: c.task,
        items: c.values.map((v) => ({
          target: 'face' as const,
          id: v.faceId,
          value: v.value,
          source: 'import' as const
        }))
      }))
    const n = groups.reduce((s, g) => s + g.items.length, 0)
    const { actionId } = annotateTasks(db, {
      annotator,
      groups,
      description: `${groups.map((g) => g.task).join(', ')}: ${n} labels from ${path.basename(r.file)}`
    })
    return { actionId, created }
  })()
}
