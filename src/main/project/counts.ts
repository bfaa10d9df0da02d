import type { ProjectCounts } from '../../shared/domain'
import type { Db } from '../db/open'

export function projectCounts(db: Db): ProjectCounts {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0
  return {
    images: one(`SELECT COUNT(*) FROM images WHERE status = 'ok'`),
    imageErrors: one(`SELECT COUNT(*) FROM images WHERE status = 'error'`),
    faces: one(`SELECT COUNT(*) FROM faces`),
    persons: one(`SELECT COUNT(*) FROM persons`),
    annotations: one(`SELECT COUNT(*) FROM annotations`),
    tasks: one(`SELECT COUNT(*) FROM tasks`)
  }
}
