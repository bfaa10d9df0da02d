import path from 'node:path'
import type { Db } from '../db/open'

/** One recorded error per path: a later import that fails again replaces it, one that succeeds clears it. */
export function recordImageError(db: Db, root: string, file: string, error: string): void {
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, error, imported_at)
     VALUES (@path, @root, @rel, 'error', @error, @at)
     ON CONFLICT(path) DO UPDATE SET status = 'error', error = excluded.error, imported_at = excluded.imported_at
     WHERE images.status = 'error'`
  ).run({
    path: file,
    root,
    rel: path.relative(root, file) || path.basename(file),
    error,
    at: new Date().toISOString()
  })
}
