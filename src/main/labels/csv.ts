/** Writing CSV cells that spreadsheets and other tools read back as the same text. */
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
