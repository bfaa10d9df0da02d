/**
 * A labels table read from a CSV file the way other tools write them: UTF-8 (with or without BOM), comma,
 * semicolon (European Excel) or tab delimited, parsed by csv-parse (RFC 4180 quoting, CRLF or LF). A file in
 * another encoding is refused with a message naming it, because decoding it as UTF-8 would silently garble
 * every non-ASCII path and then match nothing.
 */
import fs from 'node:fs'
import { parse } from 'csv-parse/sync'
import { AppError } from '../../shared/result'

export type Delimiter = ',' | ';' | '\t'
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t']

export interface LabelTable {
  file: string
  delimiter: Delimiter
  header: string[]
  /** Data rows (the header excluded; blank lines dropped), each with its 1-based line in the file. */
  rows: Array<{ line: number; cells: string[] }>
}

/** A CSV is read into memory once; beyond this it is refused rather than exhausting memory. */
export const MAX_LABEL_FILE_BYTES = 512 * 1024 * 1024

export function readLabelFileText(file: string): string {
  let buf: Buffer
  try {
    const size = fs.statSync(file).size
    if (size > MAX_LABEL_FILE_BYTES) throw new AppError('BAD_ARGS', `${file} is larger than 512 MB.`, 'file')
    buf = fs.readFileSync(file)
  } catch (e) {
    if (e instanceof AppError) throw e
    const err = e as NodeJS.ErrnoException
    const why =
      err.code === 'ENOENT'
        ? 'there is no such file'
        : err.code === 'EISDIR'
          ? 'it is a folder, not a file'
          : err.code === 'EACCES'
            ? 'permission denied'
            : (err.code ?? err.message)
    throw new AppError('NOT_FOUND', `Cannot read ${file}: ${why}.`, 'file')
  }
  return decodeUtf8(buf, file)
}

/** UTF-8 text of a label file, or an error naming the encoding it is in and how to save it as UTF-8. */
export function decodeUtf8(buf: Buffer, file: string): string {
  const save = 'save it as UTF-8 (Excel: "CSV UTF-8"; LibreOffice: character set "Unicode (UTF-8)")'
  const le = buf[0] === 0xff && buf[1] === 0xfe
  const be = buf[0] === 0xfe && buf[1] === 0xff
  if (le || be || looksUtf16(buf)) {
    const kind = be ? 'UTF-16 BE' : 'UTF-16 LE'
    throw new AppError('BAD_ARGS', `${file} is encoded as ${kind}, not UTF-8; ${save}.`, 'file')
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    throw new AppError(
      'BAD_ARGS',
      `${file} is not UTF-8: it looks like Latin-1 / Windows-1252 (byte 0x${firstBadByte(buf)}); ${save}.`,
      'file'
    )
  }
}

/** UTF-16 without a BOM: ASCII text then has a zero byte in every other position. */
function looksUtf16(buf: Buffer): boolean {
  const n = Math.min(buf.length, 512)
  if (n < 4) return false
  let zeros = 0
  for (let i = 0; i < n; i++) if (buf[i] === 0) zeros++
  return zeros > n / 4
}

function firstBadByte(buf: Buffer): string {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] as number
    if (b >= 0x80) return b.toString(16).toUpperCase()
  }
  return '??'
}

/**
 * The delimiter of the header line: whichever of `,` `;` tab occurs most outside quotes (comma on a tie or
 * when none does: a one-column file).
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]))
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '"') quoted = !quoted
    else if (!quoted && (c === '\n' || c === '\r')) break
    else if (!quoted && counts.has(c as Delimiter)) counts.set(c as Delimiter, (counts.get(c as Delimiter) ?? 0) + 1)
  }
  let best: Delimiter = ','
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d
  return best
}

export function parseDelimiter(spec: string): Delimiter {
  const d = spec === 'tab' || spec === '\\t' ? '\t' : spec === 'comma' ? ',' : spec === 'semicolon' ? ';' : spec
  if (!DELIMITERS.includes(d as Delimiter))
    throw new AppError('BAD_ARGS', `--delimiter must be ",", ";" or tab; got "${spec}".`, 'delimiter')
  return d as Delimiter
}

export function parseLabelTable(text: string, file: string, delimiter?: Delimiter): LabelTable {
  const d = delimiter ?? detectDelimiter(text)
  let records: string[][]
  try {
    records = parse(text, { delimiter: d, relax_column_count: true, bom: true }) as string[][]
  } catch (e) {
    throw new AppError('BAD_ARGS', `${file} is not valid CSV: ${(e as Error).message}`, 'file')
  }
  const header = (records[0] ?? []).map((h) => h.trim())
  if (header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new AppError('BAD_ARGS', `${file} is empty: it needs a header row.`, 'file')
  }
  const rows: LabelTable['rows'] = []
  for (let r = 1; r < records.length; r++) {
    const cells = records[r] as string[]
    if (cells.length === 1 && (cells[0] ?? '').trim() === '') continue
    rows.push({ line: r + 1, cells })
  }
  return { file, delimiter: d, header, rows }
}

export function readLabelTable(file: string, delimiter?: Delimiter): LabelTable {
  return parseLabelTable(readLabelFileText(file), file, delimiter)
}

/** The index of a header column, matched exactly and then case-insensitively; -1 when absent. */
export function columnIndex(header: readonly string[], name: string): number {
  const i = header.indexOf(name)
  if (i >= 0) return i
  const lower = name.toLowerCase()
  return header.findIndex((h) => h.toLowerCase() === lower)
}
