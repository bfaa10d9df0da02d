import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from './migrate'
import { migrations } from './migrations'

describe('migration 3: people constraints and annotation actions', () => {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations.slice(0, 2))
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
  ).run()
  db.prepare(`INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, 0, 0, 0, 1, 1, 1, 'crop')`).run()
  migrate(db, migrations.slice(0, 3))

  it('adds the tables and columns to an existing database', () => {
    expect(schemaVersion(db)).toBe(3)
    const sql = (name: string): string =>
      (db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(name) as string | undefined) ?? ''
    expect(sql('cannot_links')).toMatch(/STRICT\s*$/)
    expect(sql('annotation_actions')).toMatch(/STRICT\s*$/)
    expect(db.prepare('SELECT person_confirmed FROM faces').pluck().get()).toBe(0)
  })

  it('keeps annotations append-only and finds rows by task and by action through indexes', () => {
    const plan = (q: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ')
    expect(plan(`SELECT face_id, value FROM annotations WHERE task_id = 1 AND target = 'face' ORDER BY id`)).toMatch(
      /annotations_task/
    )
    expect(plan(`SELECT * FROM annotations WHERE action_id = 3 ORDER BY id`)).toMatch(/annotations_action/)
    expect(plan(`SELECT * FROM cannot_links WHERE person_id = 2`)).toMatch(/cannot_links_person/)
    db.prepare(
      `INSERT INTO annotation_actions (kind, task_id, annotator, state, created_at) VALUES ('do', 1, 'me', 'done', 'now')`
    ).run()
    db.prepare(
      `INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at, action_id) VALUES ('face', 1, 1, 'happy', 'me', 'confirm', 'now', 1)`
    ).run()
    expect(() => db.prepare(`UPDATE annotations SET value = 'sad'`).run()).toThrow(/append-only/)
  })

  it("drops a face's cannot-links with the face", () => {
    db.prepare(`INSERT INTO persons (name, created_at) VALUES (NULL, 'now')`).run()
    db.prepare(`INSERT INTO cannot_links VALUES (1, 1, 'now')`).run()
    db.prepare(`DELETE FROM annotations`).run()
    db.prepare(`DELETE FROM faces`).run()
    expect(db.prepare('SELECT COUNT(*) FROM cannot_links').pluck().get()).toBe(0)
  })
})
