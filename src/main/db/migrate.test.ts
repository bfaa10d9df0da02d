import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from './migrate'
import { migrations, LATEST_SCHEMA_VERSION } from './migrations'
import { AppError } from '../../shared/result'

function fresh(): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  return db
}

function tables(db: Database.Database): Map<string, string> {
  const rows = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).all() as Array<{
    name: string
    sql: string
  }>
  return new Map(rows.map((r) => [r.name, r.sql]))
}

describe('migration 1: initial schema', () => {
  const db = fresh()
  migrate(db, migrations.slice(0, 1))

  it('creates every table as STRICT', () => {
    const t = tables(db)
    for (const name of [
      'images',
      'faces',
      'face_features',
      'persons',
      'tasks',
      'annotations',
      'model_versions',
      'predictions',
      'jobs'
    ]) {
      expect(t.get(name), name).toMatch(/\)\s*STRICT\s*$/)
    }
    expect(schemaVersion(db)).toBe(1)
  })

  it('keeps annotations append-only', () => {
    db.prepare(
      `INSERT INTO tasks (name, kind, level, feature_kind, created_at) VALUES ('t', 'classification', 'face', 'expression', 'now')`
    ).run()
    db.prepare(`INSERT INTO persons (name, created_at) VALUES ('p', 'now')`).run()
    db.prepare(
      `INSERT INTO annotations (target, person_id, task_id, value, annotator, source, created_at) VALUES ('person', 1, 1, 'a', 'me', 'person', 'now')`
    ).run()
    expect(() => db.prepare(`UPDATE annotations SET value = 'b'`).run()).toThrow(/append-only/)
  })

  it('rejects feature blobs whose length does not match their dimension', () => {
    db.prepare(
      `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
    ).run()
    db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, 0, 0, 0, 1, 1, 1, 'crop')`
    ).run()
    expect(() =>
      db.prepare(`INSERT INTO face_features VALUES (1, 'identity', 128, ?)`).run(Buffer.alloc(100))
    ).toThrow()
    db.prepare(`INSERT INTO face_features VALUES (1, 'identity', 128, ?)`).run(Buffer.alloc(512))
  })

  it('looks up current labels and predictions through indexes', () => {
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ')
    expect(plan(`SELECT * FROM annotations WHERE face_id = 1 AND task_id = 1 ORDER BY id DESC LIMIT 1`)).toMatch(
      /annotations_face_task/
    )
    expect(plan(`SELECT * FROM predictions WHERE task_id = 1 AND version_id = 1 ORDER BY confidence`)).toMatch(
      /predictions_task_version/
    )
  })
})

describe('migration 2: built-in tasks', () => {
  const db = fresh()
  migrate(db)

  it('adds expression, age and gender_presentation, each with an active version 0', () => {
    const rows = db
      .prepare(
        `SELECT t.name, t.kind, t.labels, v.version, v.active FROM tasks t JOIN model_versions v ON v.task_id = t.id ORDER BY t.name`
      )
      .all() as Array<{ name: string; kind: string; labels: string; version: number; active: number }>
    expect(rows.map((r) => [r.name, r.kind, r.version, r.active])).toEqual([
      ['age', 'score', 0, 1],
      ['expression', 'classification', 0, 1],
      ['gender_presentation', 'classification', 0, 1]
    ])
    const gender = JSON.parse(rows[2]?.labels ?? '[]') as string[]
    // Not a binary label set: androgynous is there from the start.
    expect(gender).toEqual(['feminine', 'masculine', 'androgynous'])
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
  })

  it('applies only pending migrations', () => {
    const before = db.prepare('SELECT COUNT(*) FROM tasks').pluck().get()
    migrate(db)
    expect(db.prepare('SELECT COUNT(*) FROM tasks').pluck().get()).toBe(before)
  })
})

describe('migrate', () => {
  it('refuses a database from a newer version without touching it', () => {
    const db = fresh()
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`)
    expect(() => migrate(db)).toThrow(AppError)
    expect(() => migrate(db)).toThrow(/newer version/)
    expect(tables(db).size).toBe(0)
  })

  it('rolls a failing batch back completely', () => {
    const db = fresh()
    const broken = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE x (a INTEGER) STRICT; SELECT * FROM nope;' }
    ]
    expect(() => migrate(db, broken)).toThrow()
    expect(schemaVersion(db)).toBe(0)
    expect(tables(db).size).toBe(0)
  })
})
