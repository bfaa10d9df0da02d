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

/** What a version records once a person it was trained on is forgotten (issue 14). */
export interface ForgottenDataFlag {
  at: string
  /** Forgotten faces that were in its own training set (0: it inherits them from the version it was tuned from). */
  faces: number
  /** True when the version was fine-tuned from a flagged one (its weights carry that data). */
  inherited: boolean
}

export function forgottenDataOf(v: VersionRow): ForgottenDataFlag | null {
  const f = v.metadata.forgotten_data as ForgottenDataFlag | undefined
  return f && typeof f.at === 'string' ? f : null
}

/**
 * Flags versions as "trained on forgotten data": those whose training set held a forgotten face (from
 * version_training_faces, read before the faces go) and every version fine-tuned from one of those.
 * Returns the ids this call flagged (a version flagged before keeps its flag and adds the new faces). The files' own metadata.json stays as saved (its checksum is the
 * version's identity); the flag lives in the database row the screens and exports read.
 */
export function flagForgottenData(db: Db, faceIds: readonly number[], at: string): number[] {
  const direct = new Map<number, number>()
  const byFace = db.prepare('SELECT version_id FROM version_training_faces WHERE face_id = ?').pluck()
  for (const f of faceIds) for (const v of byFace.all(f) as number[]) direct.set(v, (direct.get(v) ?? 0) + 1)
  const rows = db.prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions ORDER BY id`).all() as RawVersion[]
  const all = rows.map(toVersion)
  const affected = new Set(direct.keys())
  // Descendants, in id order: a child always has a larger id than its parent.
  for (const v of all) if (v.parentId !== null && affected.has(v.parentId)) affected.add(v.id)
  const update = db.prepare('UPDATE model_versions SET metadata = ? WHERE id = ?')
  for (const v of all) {
    if (!affected.has(v.id)) continue
    const prev = forgottenDataOf(v)
    const faces = (prev?.faces ?? 0) + (direct.get(v.id) ?? 0)
    const flag: ForgottenDataFlag = { at, faces, inherited: faces === 0 }
    update.run(JSON.stringify({ ...v.metadata, forgotten_data: flag }), v.id)
  }
  return [...affected].sort((a, b) => a - b)
}

/** Records the faces a trained version learnt from (in its commit), so forgetting can find the version. */
export function recordTrainingFaces(db: Db, versionId: number, faceIds: readonly number[]): void {
  const ins = db.prepare('INSERT OR IGNORE INTO version_training_faces (version_id, face_id) VALUES (?, ?)')
  for (const f of faceIds) ins.run(versionId, f)
}
