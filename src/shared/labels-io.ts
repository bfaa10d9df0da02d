/** What the window's Import labels… and Export… calls answer (src/shared/contract.ts). Imports nothing. */

export type LabelFileFormat = 'csv' | 'labelstudio' | 'coco'
export const EXPORT_FORMAT_NAMES = ['csv', 'json', 'coco', 'labelstudio', 'npy'] as const
export type ExportFormatName = (typeof EXPORT_FORMAT_NAMES)[number]
export const FEATURE_KIND_NAMES = ['identity', 'expression', 'age_gender'] as const

export interface LabelImportProblem {
  line: number
  path: string
  reason: string
}

/**
 * One label column of an import going to a task: an existing one (`task`) or one the import creates
 * (`newTask`, its labels by default the column's distinct values). For Label Studio / COCO files the
 * "column" is the choice / attribute name.
 */
export interface LabelColumnChoice {
  column: string
  task?: string | number | undefined
  newTask?: { name: string; labels?: string[] | undefined } | undefined
  /** Raw value → label, from the preview's mapping step. */
  map?: Record<string, string> | undefined
}

/** What one column would do, before anything is written. */
export interface LabelColumnPreview {
  column: string
  task: string
  /** The import creates this task, with `labels`. */
  newTask: boolean
  /** The task's labels (a score task: []). */
  labels: string[]
  values: Array<{ from: string; to: string | null; rows: number }>
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
  empty: number
  unmatchedExamples: LabelImportProblem[]
  invalidExamples: LabelImportProblem[]
}

export interface LabelImportPreview {
  file: string
  format: LabelFileFormat
  /** The single-column form's task; with `columns` chosen, the target tasks joined by ", ". */
  task: string
  /** The CSV delimiter used (detected unless given); null for JSON formats. */
  delimiter: ',' | ';' | '\t' | null
  /** CSV: header and the first rows as they are in the file. JSON formats: [] . */
  header: string[]
  sample: string[][]
  pathColumn: string | null
  labelColumn: string | null
  /** Distinct raw values with how many rows have each and what they map to (null: not a label). */
  values: Array<{ from: string; to: string | null; rows: number }>
  rows: number
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
  empty: number
  unmatchedExamples: LabelImportProblem[]
  invalidExamples: LabelImportProblem[]
  /**
   * Per label column (the single form: its one column). With several columns the counts above are sums
   * over the columns (labels, not faces) and the examples the first column's.
   */
  columns: LabelColumnPreview[]
}

export interface LabelColumnResult {
  column: string
  task: string
  /** The import created this task. */
  created: boolean
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
}

export interface LabelImportResult {
  task: string
  applied: number
  unmatched: number
  invalid: number
  duplicates: number
  /** The undo step the import made (Edit → Undo reverts it), null when nothing applied. */
  actionId: number | null
  /** Faces whose `votes_<label>` columns were stored for soft targets (absent: the file has none). */
  votes?: number
  /** Per label column, as in the preview (counts above: sums over the columns). */
  columns: LabelColumnResult[]
}

export interface ExportResult {
  format: ExportFormatName
  faces: number
  images: number
  out: string
  files: string[]
}
