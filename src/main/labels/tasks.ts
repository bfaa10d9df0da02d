import { NON_LABELS, RESERVED_ANSWERS, reservedAnswer } from '../../shared/answers'
import type { TaskInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { taskNameProblem } from '../../shared/task-name'
import type { Db } from '../db/open'

export type FeatureKind = 'identity' | 'expression' | 'age_gender'

/**
 * A task as every part of the main process and the worker sees it: the one row type and the one lookup
 * (`getTask`) of the tasks table; every other module looks tasks up through here.
 */
export type TaskRow = TaskInfo

interface RawTask {
  id: number
  name: string
  kind: 'classification' | 'score'
  level: 'face' | 'person'
  labels: string
  score_min: number | null
  score_max: number | null
  feature_kind: string
  builtin: number
  note: string | null
  created_at: string
}

function toRow(r: RawTask): TaskRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    level: r.level,
    labels: JSON.parse(r.labels) as string[],
    scoreMin: r.score_min,
    scoreMax: r.score_max,
    featureKind: r.feature_kind,
    builtin: r.builtin === 1,
    note: r.note,
    createdAt: r.created_at
  }
}

/** Every task, built-in ones first, then by name. */
export function listTasks(db: Db): TaskRow[] {
  return (db.prepare('SELECT * FROM tasks ORDER BY builtin DESC, name').all() as RawTask[]).map(toRow)
}

/** A task by id or by name; NOT_FOUND names the known tasks so a typo is easy to fix. */
export function getTask(db: Db, ref: number | string): TaskRow {
  const row = (
    typeof ref === 'number'
      ? db.prepare('SELECT * FROM tasks WHERE id = ?').get(ref)
      : db.prepare('SELECT * FROM tasks WHERE name = ?').get(ref)
  ) as RawTask | undefined
  if (!row) {
    const names = listTasks(db).map((t) => t.name)
    throw new AppError('NOT_FOUND', `There is no task "${String(ref)}". Tasks: ${names.join(', ') || 'none'}.`, 'task')
  }
  return toRow(row)
}

function cleanLabels(labels: readonly string[], existing: readonly string[] = []): string[] {
  const out: string[] = []
  const seen = new Set(existing)
  for (const raw of labels) {
    const l = raw.trim()
    if (l === '') throw new AppError('BAD_ARGS', 'Labels cannot be empty.', 'labels')
    if (l.length > 64)
      throw new AppError('BAD_ARGS', `The label "${l.slice(0, 20)}…" is longer than 64 characters.`, 'labels')
    // Training and scoring skip these in any case, so such a label could never be learnt.
    if (NON_LABELS.has(l.toLowerCase())) {
      throw new AppError(
        'BAD_ARGS',
        reservedAnswer(l.toLowerCase())
          ? `"${l}" is an answer every task already accepts; leave it out of the label set.`
          : `"${l}" reads as a skipped face, never as a label; choose another name.`,
        'labels'
      )
    }
    if (seen.has(l)) throw new AppError('BAD_ARGS', `The label "${l}" is listed twice.`, 'labels')
    seen.add(l)
    out.push(l)
  }
  return out
}

export interface CreateTaskInput {
  name: string
  kind: 'classification' | 'score'
  labels?: readonly string[] | undefined
  scoreMin?: number | undefined
  scoreMax?: number | undefined
  level?: 'face' | 'person' | undefined
  /** Which stored features a head for this task reads; the 512-d age/gender features by default. */
  featureKind?: FeatureKind | undefined
  note?: string | undefined
}

/** Creates a user-defined task: any label set (never assumed binary), or a numeric score range. */
export function createTask(db: Db, input: CreateTaskInput): TaskRow {
  const name = input.name.trim()
  const problem = taskNameProblem(name)
  if (problem) throw new AppError('BAD_ARGS', problem, 'name')
  const exists = db.prepare('SELECT 1 FROM tasks WHERE name = ? COLLATE NOCASE').get(name)
  if (exists) throw new AppError('CONFLICT', `A task named "${name}" already exists.`, 'name')
  let labels: string[] = []
  let min: number | null = null
  let max: number | null = null
  if (input.kind === 'classification') {
    labels = cleanLabels(input.labels ?? [])
    if (labels.length === 0) {
      throw new AppError('BAD_ARGS', 'A classification task needs at least one label (e.g. --labels a,b,c).', 'labels')
    }
    if (input.scoreMin !== undefined || input.scoreMax !== undefined) {
      throw new AppError('BAD_ARGS', 'A classification task has labels, not a score range.', 'scoreMin')
    }
  } else {
    if ((input.labels ?? []).length > 0)
      throw new AppError('BAD_ARGS', 'A score task has a range, not labels.', 'labels')
    min = input.scoreMin ?? NaN
    max = input.scoreMax ?? NaN
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
      throw new AppError(
        'BAD_ARGS',
        'A score task needs a finite range with min < max (e.g. --score 0,10).',
        'scoreMin'
      )
    }
  }
  const r = db
    .prepare(
      `INSERT INTO tasks (name, kind, level, labels, score_min, score_max, feature_kind, builtin, note, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`
    )
    .run(
      name,
      input.kind,
      input.level ?? 'face',
      JSON.stringify(labels),
      min,
      max,
      input.featureKind ?? 'age_gender',
      input.note ?? null,
      new Date().toISOString()
    )
  return getTask(db, Number(r.lastInsertRowid))
}

/** Appends labels to a classification task (built-in ones too); existing labels and answers never change. */
export function addTaskLabels(db: Db, ref: number | string, labels: readonly string[]): TaskRow {
  const task = getTask(db, ref)
  if (task.kind !== 'classification') {
    throw new AppError('BAD_ARGS', `"${task.name}" is a score task; it has a range, not labels.`, 'task')
  }
  const added = cleanLabels(labels, task.labels)
  if (added.length === 0) throw new AppError('BAD_ARGS', 'Give at least one new label.', 'labels')
  db.prepare('UPDATE tasks SET labels = ? WHERE id = ?').run(JSON.stringify([...task.labels, ...added]), task.id)
  return getTask(db, task.id)
}

/**
 * The stored form of an answer, or an error sentence: a label of the task, `unsure` / `not_applicable`
 * (also written "not applicable"), or for a score task a number inside its range.
 */
export function normalizeValue(task: TaskRow, raw: string): { value: string } | { error: string } {
  const v = raw.trim()
  const reserved = reservedAnswer(v)
  if (reserved) return { value: reserved }
  if (task.kind === 'classification') {
    if (task.labels.includes(v)) return { value: v }
    return { error: `"${v}" is not a label of ${task.name} (${[...task.labels, ...RESERVED_ANSWERS].join(', ')})` }
  }
  const n = Number(v)
  if (v === '' || !Number.isFinite(n)) return { error: `"${v}" is not a number (${task.name} is a score task)` }
  if ((task.scoreMin !== null && n < task.scoreMin) || (task.scoreMax !== null && n > task.scoreMax)) {
    return { error: `${n} is outside ${task.name}'s range ${task.scoreMin ?? '-∞'}..${task.scoreMax ?? '∞'}` }
  }
  return { value: String(n) }
}
