import fs from 'node:fs'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/result'
import { assertKnownSchema, migrate } from './migrate'

export type Db = Database.Database

const SQLITE_HEADER = 'SQLite format 3\u0000'

function looksLikeSqlite(file: string): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(16)
    const n = fs.readSync(fd, buf, 0, 16, 0)
    return n === 16 && buf.toString('latin1') === SQLITE_HEADER
  } finally {
    fs.closeSync(fd)
  }
}

function sqliteMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Opens (and with `create`, creates) a project database: WAL, foreign keys, pending migrations.
 * Errors are AppErrors a user can act on; an unreadable or foreign file is never overwritten.
 */
export function openDatabase(file: string, opts: { create: boolean; readonly?: boolean }): Db {
  const exists = fs.existsSync(file)
  if (!exists && !opts.create) {
    throw new AppError('NOT_A_PROJECT', `No studio.db at ${file}.`)
  }
  if (exists) {
    const size = fs.statSync(file).size
    if (size > 0 && !looksLikeSqlite(file)) {
      throw new AppError(
        'CORRUPT_DB',
        `${file} is not a Face Studio database (the file is damaged or is something else). It was left untouched; restore it from a backup or create a new project.`
      )
    }
  }
  let db: Db
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: !opts.create })
  } catch (e) {
    throw new AppError('CORRUPT_DB', `Could not open ${file}: ${sqliteMessage(e)}`)
  }
  try {
    // Reading the schema touches the first pages, which catches truncated or scrambled files without
    // the full-file scan of quick_check (seconds on a large project, at every open).
    db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get()
    // Refuse a newer schema before anything below (the WAL switch rewrites the header) touches the file.
    assertKnownSchema(db)
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (!opts.readonly) migrate(db)
    return db
  } catch (e) {
    db.close()
    if (e instanceof AppError) throw e
    const msg = sqliteMessage(e)
    if (/readonly|read-only|SQLITE_CANTOPEN|unable to open/i.test(msg)) {
      throw new AppError('READ_ONLY', `Face Studio cannot write to ${file}: ${msg}. Choose a folder you can write to.`)
    }
    throw new AppError(
      'CORRUPT_DB',
      `${file} could not be read as a Face Studio database: ${msg}. It was left untouched.`
    )
  }
}
