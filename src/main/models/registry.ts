/**
 * Model versions as the database records them: the one owner of the model_versions table (rows, lookups, and
 * the writes the worker commits: a new version, a switch of the active one). Plain synchronous SQLite in main
 * and in the ML worker; no model files are touched here.
 */
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import type { TaskRow } from '../labels/tasks'

export interface VersionRow {
  id: number
  taskId: number
  version: number
  parentId: number | null
  /** Relative to the project folder (e.g. models/expression/v1); null for a built-in version 0. */
  path: string | null
  sha256: string | null
  metadata: Record<string, unknown>
  active: boolean
  createdAt: string
}

interface RawVersion {
  id: number
  task_id: number
  version: number
  parent_id: number | null
  path: string | null
  sha256: string | null
  metadata: string
  active: number
  created_at: string
}

function toVersion(r: RawVersion): VersionRow {
  let metadata: Record<string, unknown> = {}
  try {
    metadata = JSON.parse(r.metadata) as Record<string, unknown>
  } catch {
    // A damaged metadata column must not hide the version; the files' own metadata.json is checked on load.
  }
  return {
    id: r.id,
    taskId: r.task_id,
    version: r.version,
    parentId: r.parent_id,
    path: r.path,
    sha256: r.sha256,
    metadata,
    active: r.active === 1,
    createdAt: r.created_at
  }
}

const VERSION_COLUMNS = 'id, task_id, version, parent_id, path, sha256, metadata, active, created_at'

export function versionsOf(db: Db, taskId: number): VersionRow[] {
  return (
    db
      .prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE task_id = ? ORDER BY version`)
      .all(taskId) as RawVersion[]
  ).map(toVersion)
}

export function activeVersion(db: Db, taskId: number): VersionRow | null {
  const r = db.prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE task_id = ? AND active = 1`).get(taskId) as
    RawVersion | undefined
  return r ? toVersion(r) : null
}

export function versionById(db: Db, id: number): VersionRow {
  const r = db.prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE id = ?`).get(id) as RawVersion | undefined
  if (!r) throw new AppError('NOT_FOUND', `No model version with id ${id}.`)
  return toVersion(r)
}

/** A version by number, or 'active'. */
export function resolveVersion(db: Db, task: TaskRow, ref: number | 'active'): VersionRow {
  if (ref === 'active') {
    const a = activeVersion(db, task.id)
    if (!a) throw new AppError('NOT_FOUND', `Task "${task.name}" has no active version yet; train one first.`)
    return a
  }
  const r = db
    .prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE task_id = ? AND version = ?`)
    .get(task.id, ref) as RawVersion | undefined
  if (!r) {
    const have = versionsOf(db, task.id).map((v) => v.version)
    throw new AppError(
      'NOT_FOUND',
      `Task "${task.name}" has no version ${ref} (versions: ${have.length ? have.join(', ') : 'none'}).`
    )
  }
  return toVersion(r)
}

/** Version `n` of a task, or null. */
export function versionByNumber(db: Db, taskId: number, n: number): VersionRow | null {
  const r = db
    .prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE task_id = ? AND version = ?`)
    .get(taskId, n) as RawVersion | undefined
  return r ? toVersion(r) : null
}

export interface NewVersion {
  taskId: number
  version: number
  parentId: number | null
  /** Relative to the project folder. */
  path: string
  sha256: string
  metadata: Record<string, unknown>
}

/** Records a version whose files are saved (inactive); returns its id. */
export function insertVersion(db: Db, v: NewVersion): number {
  return db
    .prepare(
      `INSERT INTO model_versions (task_id, version, parent_id, path, sha256, metadata, active, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?) RETURNING id`
    )
    .pluck()
    .get(
      v.taskId,
      v.version,
      v.parentId,
      v.path,
      v.sha256,
      JSON.stringify(v.metadata),
      new Date().toISOString()
    ) as number
}

/** Makes a version the task's active one (at most one is, by a unique index). */
export function setActiveVersion(db: Db, taskId: number, versionId: number): void {
  db.prepare('UPDATE model_versions SET active = 0 WHERE task_id = ? AND active = 1').run(taskId)
  db.prepare('UPDATE model_versions SET active = 1 WHERE id = ?').run(versionId)
}

/**
 * Records a version's calibration in its row's metadata (version 0, which has no folder: its temperature is
 * refitted as the evaluation set grows). Trained versions carry theirs in their immutable metadata.json.
 */
export function setVersionCalibration(db: Db, versionId: number, calibration: Record<string, unknown>): void {
  const v = versionById(db, versionId)
  db.prepare('UPDATE model_versions SET metadata = ? WHERE id = ?').run(
    JSON.stringify({ ...v.metadata, calibration }),
    versionId
  )
}

/** "3", "active", "v3" → a version reference; anything else is a usage error. */
export function parseVersionRef(raw: string | number): number | 'active' {
  if (typeof raw === 'number') return raw
  const s = raw.trim().toLowerCase()
  if (s === 'active') return 'active'
  const m = /^v?(\d{1,9})$/.exec(s)
  if (!m) throw new AppError('BAD_ARGS', `A version is a number (0, 1, …) or "active", not "${raw}".`, 'version')
  return Number(m[1])
}

/** Built-in version 0: face-api's own head, no files. */
export function isBuiltinV0(v: VersionRow): boolean {
  return v.version === 0 && v.path === null
}

export function versionDir(projectDir: string, v: VersionRow): string {
  if (!v.path) throw new AppError('INTERNAL', `Version ${v.version} has no files (it is a built-in head).`)
  return path.resolve(projectDir, v.path)
}
