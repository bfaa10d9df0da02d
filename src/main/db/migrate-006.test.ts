import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from './migrate'
import { migrations } from './migrations'

describe('migration 006: teams and privacy', () => {
  it('rebuilds annotations with the adjudicate source, keeping rows, the append-only trigger and the view', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 4))
    db.prepare(
      `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
    ).run()
    db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, 0, 0, 0, 1, 1, 1, 'crop')`
    ).run()
    const ins = db.prepare(
      `INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at) VALUES ('face', 1, 1, ?, 'a', ?, 'now')`
    )
    ins.run('happy', 'correct')
    expect(() => ins.run('sad', 'adjudicate')).toThrow(/CHECK/)
    migrate(db)
    expect(schemaVersion(db)).toBe(migrations.length)
    ins.run('sad', 'adjudicate')
    expect(db.prepare('SELECT value, source FROM annotations ORDER BY id').all()).toEqual([
      { value: 'happy', source: 'correct' },
      { value: 'sad', source: 'adjudicate' }
    ])
    expect(db.prepare('SELECT value FROM current_face_labels WHERE face_id = 1').pluck().get()).toBe('sad')
    expect(() => db.prepare(`UPDATE annotations SET value = 'x'`).run()).toThrow(/append-only/)
    expect(() => ins.run('x', 'guess')).toThrow(/CHECK/)
    // The annotation keeps cascading with its face.
    db.prepare('DELETE FROM faces WHERE id = 1').run()
    expect(db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBe(0)
    expect(db.pragma('foreign_key_check')).toEqual([])
  })
})
