/**
 * RFC 4180 CSV in one linear pass: quoted fields with "" escapes, commas and newlines inside quotes, CRLF or LF,
 * a leading BOM. Returns rows as arrays of cells; a trailing empty line is not a row.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length
  let field = ''
  let fieldStarted = false
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */ && !fieldStarted) {
      // Quoted field: runs to the closing quote that is not doubled.
      i++
      let start = i
      let value = ''
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) throw new CsvError(`unterminated quoted field on line ${rows.length + 1}`)
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(start, q + 1)
          i = q + 2
          start = i
          continue
        }
        value += text.slice(start, q)
        i = q + 1
        break
      }
      field = value
      fieldStarted = true
      continue
    }
    if (c === 44 /* , */) {
      row.push(field)
      field = ''
      fieldStarted = false
      i++
      continue
    }
    if (c === 10 || c === 13) {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      fieldStarted = false
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1
      continue
    }
    // Unquoted run up to the next delimiter.
    let j = i
    while (j < n) {
      const d = text.charCodeAt(j)
      if (d === 44 || d === 10 || d === 13) break
      j++
    }
    field += text.slice(i, j)
    fieldStarted = true
    i = j
  }
  if (fieldStarted || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

export class CsvError extends Error {}

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV cell. A text cell a spreadsheet would run as a formula (a file or label starting with =, +, -, @, tab
 * or CR) gets a leading single quote and is quoted, as OWASP advises; numbers are written as numbers (a negative
 * number is no formula). The label importer strips that quote again (`unneutralise`), so exports re-import.
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number') return String(v)
  const s = FORMULA_START.test(v) ? `'${v}` : v
  return s !== v || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The text a neutralised cell stood for: a single quote followed by a formula character is dropped. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell
}
