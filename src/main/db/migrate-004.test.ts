import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from './migrate'
import { migrations } from './migrations'

describe('migration 4: evaluation sets', () => {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations.slice(0, 4))

  it('creates evaluation_set and evaluation_sampling as STRICT tables', () => {
    expect(schemaVersion(db)).toBe(4)
    for (const name of ['evaluation_set', 'evaluation_sampling']) {
      const sql = db
        .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
        .pluck()
        .get(name) as string
      expect(sql, name).toMatch(/\)\s*STRICT\s*$/)
    }
  })

  it('keeps one decision per task and face, and checks its columns', () => {
    db.prepare(
      `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
    ).run()
    db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, 0, 0, 0, 1, 1, 1, 'crop')`
    ).run()
    const ins = db.prepare(
      'INSERT INTO evaluation_set (task_id, face_id, member, source, assigned_at) VALUES (?, ?, ?, ?, ?)'
    )
    ins.run(1, 1, 1, 'sampled', 'now')
    expect(() => ins.run(1, 1, 0, 'hashed', 'now')).toThrow(/UNIQUE|PRIMARY/)
    expect(() => ins.run(2, 1, 2, 'hashed', 'now')).toThrow(/CHECK/)
    expect(() => ins.run(2, 1, 1, 'guessed', 'now')).toThrow(/CHECK/)
    expect(() => ins.run(2, 999, 1, 'user', 'now')).toThrow(/FOREIGN KEY/)
    expect(() =>
      db
        .prepare('INSERT INTO evaluation_sampling (task_id, seed, fraction, sampled_at) VALUES (1, 1, 1.5, ?)')
        .run('now')
    ).toThrow(/CHECK/)
    // Deleting a face removes its decision with it.
    db.prepare('DELETE FROM faces WHERE id = 1').run()
    expect(db.prepare('SELECT COUNT(*) FROM evaluation_set').pluck().get()).toBe(0)
  })

  it('lists members of a task through the index', () => {
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT face_id FROM evaluation_set WHERE task_id = 1 AND member = 1 ORDER BY face_id`
        )
        .all() as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join(' | ')
    expect(plan).toMatch(/evaluation_set_members/)
    expect(plan).not.toMatch(/TEMP B-TREE/)
  })
})
