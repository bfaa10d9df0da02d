/**
 * Rows of a labels file (CSV, Label Studio, COCO) resolved onto faces and task values, with one rule for every
 * reader (`label`, `eval --csv`, the window's Import labels): a face named by several rows keeps the last valid
 * row's value (the others count as `duplicates`), `applied` counts faces, unknown paths are `unmatched` and
 * values outside the task `invalid`. Nothing here writes.
 */
import { reservedAnswer } from '../../shared/answers'
import type { Db } from '../db/open'
import { unneutralise } from './csv'
import { csvFaceMatcher, type PixelBox } from './csv-faces'
import type { TaskRow } from './tasks'

export interface LabelSourceRow {
  /** 1-based line (CSV) or record number (JSON) for messages. */
  line: number
  path: string
  /** The face's box when the source gives one (COCO, Label Studio regions); else the image's largest face. */
  box?: PixelBox | undefined
  value: string
}

export interface LabelProblem {
  line: number
  path: string
  reason: string
}

export interface LabelResolution {
  /** Face id → stored value, in the order each face was last named. */
  values: Map<number, { value: string; line: number }>
  /** Distinct faces that get a value. */
  applied: number
  unmatched: number
  invalid: number
  /** Valid rows overridden by a later row for the same face. */
  duplicates: number
  /** Rows with an empty label cell: no label given (an export's unlabelled faces), neither applied nor invalid. */
  empty: number
  unmatchedExamples: LabelProblem[]
  invalidExamples: LabelProblem[]
}

export type ValueTask = Pick<TaskRow, 'name' | 'kind' | 'labels' | 'scoreMin' | 'scoreMax'>

const MAX_EXAMPLES = 20

/**
 * A value map from `from=to` pairs, looked up exactly and then case-insensitively (`Happy=happy` also maps
 * `HAPPY`).
 */
export type ValueMap = ReadonlyMap<string, string>

/** The stored value a raw cell stands for, or why it is none. Labels match case-insensitively. */
export function matchValue(task: ValueTask, cell: string, map?: ValueMap): { value: string } | { error: string } {
  const raw = unneutralise(cell).trim()
  const mapped = mapValue(raw, map)
  if (mapped === '') return { error: 'empty label' }
  const reserved = reservedAnswer(mapped.toLowerCase())
  if (reserved) return { value: reserved }
  if (task.kind === 'classification') {
    if (task.labels.includes(mapped)) return { value: mapped }
    const lower = mapped.toLowerCase()
    const hit = task.labels.find((l) => l.toLowerCase() === lower)
    if (hit !== undefined) return { value: hit }
    return { error: `"${mapped}" is not a label of ${task.name} (${task.labels.join(', ')}, unsure, n/a)` }
  }
  const n = Number(mapped)
  if (!Number.isFinite(n)) return { error: `"${mapped}" is not a number (${task.name} is a score task)` }
  if ((task.scoreMin !== null && n < task.scoreMin) || (task.scoreMax !== null && n > task.scoreMax)) {
    return { error: `${n} is outside ${task.name}'s range ${task.scoreMin ?? '-∞'}..${task.scoreMax ?? '∞'}` }
  }
  return { value: String(n) }
}

export function mapValue(raw: string, map: ValueMap | undefined): string {
  if (!map || map.size === 0) return raw
  const exact = map.get(raw)
  if (exact !== undefined) return exact
  const lower = raw.toLowerCase()
  for (const [from, to] of map) if (from.toLowerCase() === lower) return to
  return raw
}

export function resolveLabelRows(
  db: Db,
  task: ValueTask,
  labelFile: string,
  rows: Iterable<LabelSourceRow>,
  map?: ValueMap
): LabelResolution {
  const r = labelResolver(db, task, labelFile, map)
  for (const row of rows) r.add(row)
  return r.result()
}

/**
 * `resolveLabelRows` a row at a time, so a caller can stop between rows (the worker yields and checks its
 * cancel signal every few thousand rows of a big file).
 */
export function labelResolver(
  db: Db,
  task: ValueTask,
  labelFile: string,
  map?: ValueMap,
  /** A matcher already built for this file (several columns of one file match each photo the same way). */
  match: ReturnType<typeof csvFaceMatcher> = csvFaceMatcher(db, labelFile)
): { add: (row: LabelSourceRow) => void; result: () => LabelResolution } {
  const valueOf = new Map<string, { value: string } | { error: string }>()
  const out: LabelResolution = {
    values: new Map(),
    applied: 0,
    unmatched: 0,
    invalid: 0,
    duplicates: 0,
    empty: 0,
    unmatchedExamples: [],
    invalidExamples: []
  }
  const add = (row: LabelSourceRow): void => {
    if (unneutralise(row.value).trim() === '') {
      out.empty++
      return
    }
    const { imageId, faceId } = match(row.path, row.box)
    if (faceId === undefined) {
      out.unmatched++
      if (out.unmatchedExamples.length < MAX_EXAMPLES) {
        const reason =
          imageId === undefined
            ? 'not an imported image'
            : row.box
              ? 'no detected face overlaps this box'
              : 'no face found in this image'
        out.unmatchedExamples.push({ line: row.line, path: row.path, reason })
      }
      return
    }
    let v = valueOf.get(row.value)
    if (v === undefined) {
      v = matchValue(task, row.value, map)
      valueOf.set(row.value, v)
    }
    if ('error' in v) {
      out.invalid++
      if (out.invalidExamples.length < MAX_EXAMPLES)
        out.invalidExamples.push({ line: row.line, path: row.path, reason: v.error })
      return
    }
    if (out.values.has(faceId)) {
      out.duplicates++
      out.values.delete(faceId)
    }
    out.values.set(faceId, { value: v.value, line: row.line })
  }
  return {
    add,
    result: () => {
      out.applied = out.values.size
      return out
    }
  }
}

/**
 * Suggested value mapping for raw values of a file: each distinct value that is not already a label (in any
 * case) or a reserved answer maps to nothing; the ones that match case-insensitively map to the label.
 */
export function suggestValueMap(
  task: ValueTask,
  rawValues: Iterable<string>
): Array<{ from: string; to: string | null }> {
  const seen = new Set<string>()
  const out: Array<{ from: string; to: string | null }> = []
  for (const cell of rawValues) {
    const raw = unneutralise(cell).trim()
    if (raw === '' || seen.has(raw)) continue
    seen.add(raw)
    const v = matchValue(task, raw)
    out.push({ from: raw, to: 'error' in v ? null : v.value })
  }
  return out
}
