import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from './migrate'
import { migrations } from './migrations'

const plan = (db: Database.Database, sql: string): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ')

describe('migration 010: mirrored feature kinds', () => {
  it('keeps feature rows, takes the mirror kinds, and reads one kind through an index', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 9))
    db.prepare(
      `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
    ).run()
    const face = db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, ?, 0, 0, 1, 1, 1, 'crop')`
    )
    face.run(0)
    face.run(1)
    const feat = db.prepare('INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, 2, ?)')
    feat.run(1, 'expression', Buffer.alloc(8))
    feat.run(2, 'expression', Buffer.alloc(8))
    const before = plan(db, `SELECT face_id, vec FROM face_features WHERE kind = 'expression' ORDER BY face_id`)
    expect(before).not.toMatch(/face_features_kind/)

    migrate(db)
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(10)
    feat.run(1, 'expression_mirror', Buffer.alloc(8))
    expect(() => feat.run(1, 'expression_mirror', Buffer.alloc(8))).toThrow(/UNIQUE|PRIMARY/)
    expect(db.prepare('SELECT kind, COUNT(*) AS n FROM face_features GROUP BY kind ORDER BY kind').all()).toEqual([
      { kind: 'expression', n: 2 },
      { kind: 'expression_mirror', n: 1 }
    ])
    expect(plan(db, `SELECT face_id, vec FROM face_features WHERE kind = 'expression' ORDER BY face_id`)).toMatch(
      /USING INDEX face_features_kind/
    )
    // The augment job's count: faces with a kind but not its mirror.
    const missing = `SELECT COUNT(*) FROM face_features f WHERE f.kind = 'expression' AND NOT EXISTS
      (SELECT 1 FROM face_features m WHERE m.face_id = f.face_id AND m.kind = 'expression_mirror')`
    expect(plan(db, missing)).toMatch(/face_features_kind/)
    expect(db.prepare(missing).pluck().get()).toBe(1)
    db.prepare('DELETE FROM faces WHERE id = 1').run()
    expect(db.prepare('SELECT COUNT(*) FROM face_features').pluck().get()).toBe(1)
  })
})
