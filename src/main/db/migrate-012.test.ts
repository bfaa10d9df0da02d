import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { importBatches } from '../library/queries'
import { migrate } from './migrate'
import { migrations } from './migrations'

describe('migration 012: photos imported before import ids get batches', () => {
  it('splits each folder at gaps over 10 minutes, leaves stamped and failed photos alone', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 11))
    const photo = db.prepare(
      `INSERT INTO images (path, root, rel_path, status, imported_at, import_id) VALUES (?, ?, ?, ?, ?, ?)`
    )
    const add = (root: string, name: string, at: string, status = 'ok', importId: string | null = null): void => {
      photo.run(`${root}/${name}`, root, name, status, at, importId)
    }
    // /a: one job (seconds apart), then a second job on the same folder two days later.
    add('/a', '1.jpg', '2026-11-01T10:00:00.000Z')
    add('/a', '2.jpg', '2026-11-01T10:00:04.500Z')
    add('/a', '3.jpg', '2026-11-01T10:09:00.000Z')
    add('/a', '4.jpg', '2026-11-03T08:00:00.000Z')
    add('/a', 'bad.jpg', '2026-11-03T08:00:01.000Z', 'error')
    // /b: interleaved in time with /a, its own batch.
    add('/b', '1.jpg', '2026-11-01T10:00:02.000Z')
    // Already stamped by an import after migration 011: kept.
    add('/a', '5.jpg', '2026-11-03T08:00:02.000Z', 'ok', 'job-x')
    const face = db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, 0, 0, 0, 1, 1, 1, 'crop')`
    )
    for (let i = 1; i <= 7; i++) face.run(i)

    migrate(db)
    const ids = db.prepare('SELECT rel_path, root, import_id FROM images ORDER BY id').all()
    expect(ids).toEqual([
      { rel_path: '1.jpg', root: '/a', import_id: 'legacy-1' },
      { rel_path: '2.jpg', root: '/a', import_id: 'legacy-1' },
      { rel_path: '3.jpg', root: '/a', import_id: 'legacy-1' },
      { rel_path: '4.jpg', root: '/a', import_id: 'legacy-4' },
      { rel_path: 'bad.jpg', root: '/a', import_id: null },
      { rel_path: '1.jpg', root: '/b', import_id: 'legacy-6' },
      { rel_path: '5.jpg', root: '/a', import_id: 'job-x' }
    ])
    // The batches are offered as scopes, newest first.
    expect(importBatches(db).map((b) => [b.id, b.folder, b.images, b.faces])).toEqual([
      ['job-x', '/a', 1, 1],
      ['legacy-4', '/a', 1, 1],
      ['legacy-6', '/b', 1, 1],
      ['legacy-1', '/a', 3, 3]
    ])
  })
})
