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

export interface LabelImportPreview {
  file: string
  format: LabelFileFormat
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
}

export interface ExportResult {
  format: ExportFormatName
  faces: number
  images: number
  out: string
  files: string[]
}
