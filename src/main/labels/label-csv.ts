import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { annotate, type AnnotationItem } from './annotations'
import { CsvError, parseCsv } from './csv'
import { csvFaceMatcher } from './csv-faces'
import { getTask, normalizeValue } from './tasks'

export interface LabelCsvOptions {
  task: string | number
  csv: string
  pathColumn?: string | undefined
  labelColumn?: string | undefined
  /** Raw label → task label, applied before validation (e.g. female=feminine). */
  map?: ReadonlyMap<string, string> | undefined
  annotator: string
}

export interface LabelCsvProblem {
  line: number
  path: string
  reason: string
}

export interface LabelCsvResult {
  applied: number
  /** Distinct faces labelled (a face listed on several rows counts once; the last row wins). */
  faces?: number
  unmatched: number
  invalid: number
  /** The first problems of each kind, for a readable report. */
  unmatchedExamples: LabelCsvProblem[]
  invalidExamples: LabelCsvProblem[]
  actionId: number | null
}

const MAX_EXAMPLES = 20
/** A CSV is read into memory once; beyond this it is refused rather than exhausting memory. */
const MAX_CSV_BYTES = 512 * 1024 * 1024

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
 * Applies a CSV of (image path, label) to a task: paths are relative to the CSV's folder and matched to imported
 * images by absolute path, then by real path (symlinks); each label goes to the image's largest face. Unknown
 * paths and images without a face count as unmatched, labels outside the task as invalid; neither is stored.
 * Everything valid is written in one transaction as one undo step; a bad header writes nothing.
 */
export function applyLabelCsv(db: Db, opts: LabelCsvOptions): LabelCsvResult {
  const task = getTask(db, opts.task)
  const csvPath = path.resolve(opts.csv)
  let text: string
  try {
    const size = fs.statSync(csvPath).size
    if (size > MAX_CSV_BYTES) throw new AppError('BAD_ARGS', `${csvPath} is larger than 512 MB.`, 'csv')
    text = fs.readFileSync(csvPath, 'utf8')
  } catch (e) {
    if (e instanceof AppError) throw e
    const err = e as NodeJS.ErrnoException
    throw new AppError('NOT_FOUND', `Cannot read the CSV ${csvPath}: ${err.code ?? ''} ${err.message}`.trim(), 'csv')
  }
  let rows: string[][]
  try {
    rows = parseCsv(text)
  } catch (e) {
    if (e instanceof CsvError) throw new AppError('BAD_ARGS', `${csvPath} is not valid CSV: ${e.message}.`, 'csv')
    throw e
  }
  const header = rows[0]?.map((h) => h.trim())
  if (!header || header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new AppError('BAD_ARGS', `${csvPath} is empty: it needs a header row.`, 'csv')
  }
  const pathCol = opts.pathColumn ?? 'path'
  const labelCol = opts.labelColumn ?? 'label'
  const pi = header.indexOf(pathCol)
  const li = header.indexOf(labelCol)
  const missing = [pi < 0 ? pathCol : null, li < 0 ? labelCol : null].filter((c): c is string => c !== null)
  if (missing.length > 0) {
    throw new AppError(
      'BAD_ARGS',
      `${csvPath} has no column ${missing.map((c) => `"${c}"`).join(' or ')} (its columns: ${header.join(', ')}). Name them with --path-column / --label-column.`,
      missing[0] === pathCol ? 'pathColumn' : 'labelColumn'
    )
  }

  const match = csvFaceMatcher(db, csvPath)
  // A face listed twice gets the later row's label, stored once: history rows are for real changes.
  const items = new Map<number, AnnotationItem>()
  let matched = 0
  const result: LabelCsvResult = {
    applied: 0,
    unmatched: 0,
    invalid: 0,
    unmatchedExamples: [],
    invalidExamples: [],
    actionId: null
  }
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[]
    if (row.length === 1 && row[0]?.trim() === '') continue
    const rel = (row[pi] ?? '').trim()
    const rawLabel = (row[li] ?? '').trim()
    const line = r + 1
    const { imageId, faceId } = match(rel)
    if (faceId === undefined) {
      result.unmatched++
      if (result.unmatchedExamples.length < MAX_EXAMPLES) {
        result.unmatchedExamples.push({
          line,
          path: rel,
          reason: imageId === undefined ? 'not an imported image' : 'no face found in this image'
        })
      }
      continue
    }
    const mapped = opts.map?.get(rawLabel) ?? rawLabel
    const v = normalizeValue(task, mapped)
    if ('error' in v || mapped === '') {
      result.invalid++
      if (result.invalidExamples.length < MAX_EXAMPLES) {
        result.invalidExamples.push({ line, path: rel, reason: 'error' in v ? v.error : 'empty label' })
      }
      continue
    }
    items.delete(faceId)
    items.set(faceId, { target: 'face', id: faceId, value: v.value, source: 'import' })
    matched++
  }
  if (items.size > 0) {
    const r = annotate(db, {
      task: task.id,
      annotator: opts.annotator,
      items: [...items.values()],
      description: `${task.name}: ${items.size} labels from ${path.basename(csvPath)}`
    })
    result.actionId = r.actionId
    result.applied = matched
    result.faces = items.size
  }
  return result
}
