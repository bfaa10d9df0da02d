import type Database from 'better-sqlite3'
import { AppError } from '../../shared/result'
import type { Migration } from './migration'
import { migrations as allMigrations } from './migrations'

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies the pending migrations in one transaction, so a failure leaves the database as it was.
 * A database written by a newer app version is refused before anything is touched.
 */
export function assertKnownSchema(db: Database.Database, migrations: readonly Migration[] = allMigrations): void {
  const current = schemaVersion(db)
  const latest = migrations.length
  if (current > latest) {
    throw new AppError(
      'DB_TOO_NEW',
      `This project was saved by a newer version of Face Studio (schema ${current}; this version knows up to ${latest}). Update Face Studio to open it; nothing was changed.`
    )
  }
}

export function migrate(db: Database.Database, migrations: readonly Migration[] = allMigrations): number {
  assertKnownSchema(db, migrations)
  const current = schemaVersion(db)
  const latest = migrations.length
  const pending = migrations.filter((m) => m.version > current)
  if (pending.length === 0) return current
  const apply = db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    }
  })
  apply()
  return latest
}
