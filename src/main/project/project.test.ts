import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/result'
import { LATEST_SCHEMA_VERSION } from '../db/migrations'
import { closeProject, createProject, openProject, projectInfo } from './project'
import { repoRoot, tempDir } from '../../test/support'

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e.code
    throw e
  }
  return 'no error'
}

describe('projects', () => {
  it('creates the project layout and reopens it with its data', () => {
    const dir = path.join(tempDir('proj'), 'My Project')
    const p = createProject(dir)
    expect(fs.existsSync(path.join(dir, 'studio.db'))).toBe(true)
    expect(fs.statSync(path.join(dir, 'thumbs')).isDirectory()).toBe(true)
    expect(fs.statSync(path.join(dir, 'models')).isDirectory()).toBe(true)
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1)
    p.db.prepare(`INSERT INTO persons (name, created_at) VALUES ('Anna', 'now')`).run()
    closeProject(p)
    const again = openProject(dir)
    const info = projectInfo(again)
    expect(info.name).toBe('My Project')
    expect(info.schemaVersion).toBe(LATEST_SCHEMA_VERSION)
    expect(info.counts.persons).toBe(1)
    expect(info.counts.tasks).toBe(3)
    closeProject(again)
  })

  it('refuses to create over an existing project', () => {
    const dir = tempDir('proj')
    closeProject(createProject(dir))
    expect(code(() => createProject(dir))).toBe('PROJECT_EXISTS')
  })

  it('refuses a folder that is not a project, and a missing folder', () => {
    const dir = tempDir('notproj')
    fs.writeFileSync(path.join(dir, 'photo.jpg'), 'x')
    expect(code(() => openProject(dir))).toBe('NOT_A_PROJECT')
    expect(code(() => openProject(path.join(dir, 'missing')))).toBe('NOT_FOUND')
    expect(fs.readdirSync(dir)).toEqual(['photo.jpg'])
  })

  it('refuses a corrupt studio.db and leaves it byte-for-byte untouched', () => {
    const dir = tempDir('corrupt')
    const db = path.join(dir, 'studio.db')
    fs.writeFileSync(db, Buffer.from('this is not a database, just some bytes that someone saved here'.repeat(50)))
    const before = sha(db)
    expect(code(() => openProject(dir))).toBe('CORRUPT_DB')
    expect(sha(db)).toBe(before)
  })

  it('refuses a truncated database with a valid header', () => {
    const dir = tempDir('trunc')
    closeProject(createProject(dir))
    const file = path.join(dir, 'studio.db')
    // Checkpoint the WAL into the main file, then cut the file in half.
    const raw = new Database(file)
    raw.pragma('wal_checkpoint(TRUNCATE)')
    raw.close()
    const buf = fs.readFileSync(file)
    fs.writeFileSync(file, buf.subarray(0, Math.floor(buf.length / 2)))
    const before = sha(file)
    expect(['CORRUPT_DB']).toContain(code(() => openProject(dir)))
    expect(sha(file)).toBe(before)
  })

  it('refuses a database written by a newer version and does not change it', () => {
    const dir = tempDir('newer')
    closeProject(createProject(dir))
    const file = path.join(dir, 'studio.db')
    const raw = new Database(file)
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`)
    // Back to a rollback journal, as a newer app might leave it: even the WAL switch must not happen.
    raw.pragma('journal_mode = DELETE')
    raw.close()
    const before = sha(file)
    expect(code(() => openProject(dir))).toBe('DB_TOO_NEW')
    expect(sha(file)).toBe(before)
  })

  it('explains a read-only folder instead of failing obscurely (through the CLI, as an unprivileged user)', () => {
    const base = tempDir('ro')
    const home = tempDir('ro-home')
    const empty = tempDir('ro-photos')
    const ro = path.join(base, 'locked')
    fs.mkdirSync(ro)
    fs.chmodSync(base, 0o755)
    fs.chmodSync(ro, 0o555)
    for (const d of [home, empty]) fs.chmodSync(d, 0o777)
    // Root may write anywhere, so as root the CLI runs as "nobody" for chmod to mean anything.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'face-studio.cjs'), 'import', empty, '--project', path.join(ro, 'inner'), '--json'],
      {
        ...asNobody,
        encoding: 'utf8',
        env: { ...process.env, FACE_STUDIO_HOME: home }
      }
    )
    expect(r.status).not.toBe(0)
    const out = JSON.parse(r.stdout.trim()) as { error: { code: string; message: string } }
    expect(out.error.code).toBe('READ_ONLY')
    expect(out.error.message).toMatch(/cannot write|could not create/i)
    expect(fs.readdirSync(ro)).toEqual([])
  })

  it('refuses to create a project in a non-empty folder that is not a project, and leaves it untouched', () => {
    const dir = tempDir('datasets')
    fs.mkdirSync(path.join(dir, 'utkface'))
    fs.writeFileSync(path.join(dir, 'labels.csv'), 'path,label\n')
    let err: unknown
    try {
      createProject(dir)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('CONFLICT')
    expect((err as AppError).message).toContain(`${dir} is not empty (labels.csv, utkface)`)
    expect((err as AppError).message).toMatch(/new or empty folder/)
    expect(fs.readdirSync(dir).sort()).toEqual(['labels.csv', 'utkface'])
  })

  it('creates a project in a folder holding only OS litter or the empty layout of an interrupted creation', () => {
    const dir = tempDir('litter')
    fs.writeFileSync(path.join(dir, '.DS_Store'), '')
    fs.mkdirSync(path.join(dir, 'thumbs'))
    fs.mkdirSync(path.join(dir, 'models'))
    closeProject(createProject(dir))
    expect(fs.existsSync(path.join(dir, 'studio.db'))).toBe(true)
  })

  it.skipIf(!fs.existsSync('/proc/self'))(
    'answers a clear error for a project folder under /proc instead of spinning',
    () => {
      const home = tempDir('proc-home')
      const photos = tempDir('proc-photos')
      const r = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin', 'face-studio.cjs'), 'import', photos, '--project', '/proc/nope/p', '--json'],
        { encoding: 'utf8', env: { ...process.env, FACE_STUDIO_HOME: home }, timeout: 30_000, killSignal: 'SIGKILL' }
      )
      expect(r.signal, 'project creation never returned (killed after 30 s)').toBeNull()
      const out = JSON.parse(r.stdout.trim()) as { error: { code: string; message: string } }
      expect(out.error.code).toBe('READ_ONLY')
      expect(out.error.message).toMatch(/Could not create the project folder \/proc\/nope\/p/)
    }
  )
})
