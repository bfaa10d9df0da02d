import fs from 'node:fs'
import path from 'node:path'
import type { ProjectInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { openDatabase, type Db } from '../db/open'
import { schemaVersion } from '../db/migrate'
import { projectCounts } from './counts'
import { makeDirs } from './make-dir'

export const DB_FILE = 'studio.db'

export interface Project {
  dir: string
  name: string
  db: Db
  thumbsDir: string
  modelsDir: string
}

function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException
  return err.code ? `${err.code}: ${err.message}` : String(e)
}

function assertWritable(dir: string): void {
  const probe = path.join(dir, `.face-studio-write-test-${process.pid}`)
  try {
    fs.writeFileSync(probe, '')
    fs.unlinkSync(probe)
  } catch (e) {
    throw new AppError(
      'READ_ONLY',
      `Face Studio cannot write to ${dir} (${ioMessage(e)}). Choose a folder you can write to, or fix its permissions.`
    )
  }
}

function ensureLayout(dir: string): void {
  for (const sub of ['thumbs', 'models']) fs.mkdirSync(path.join(dir, sub), { recursive: true })
}

function toProject(dir: string, db: Db): Project {
  return {
    dir,
    name: path.basename(dir),
    db,
    thumbsDir: path.join(dir, 'thumbs'),
    modelsDir: path.join(dir, 'models')
  }
}

/** Files an OS drops into any folder a user opens; they do not make a folder "non-empty". */
const OS_LITTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.directory', '.localized'])

/**
 * A new project goes into a new or empty folder only: studio.db, thumbs/ and models/ must never land
 * among a user's own files (picking a photo folder by mistake would mix the two). The empty thumbs/ and
 * models/ of a creation that stopped before its database are not the user's and are accepted.
 */
function refuseForeignContent(dir: string): void {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new AppError('READ_ONLY', `Face Studio cannot read the folder ${dir} (${ioMessage(e)}).`)
  }
  const foreign = entries.filter((e) => !OS_LITTER.has(e.name) && !isEmptyLayoutDir(dir, e)).map((e) => e.name)
  if (foreign.length === 0) return
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} items)` : '')
  throw new AppError(
    'CONFLICT',
    `${dir} is not empty (${shown}) and is not a Face Studio project. A new project needs a new or empty folder: ` +
      `type a new folder name, or use Open to open an existing project.`
  )
}

function isEmptyLayoutDir(dir: string, e: fs.Dirent): boolean {
  if (!e.isDirectory() || (e.name !== 'thumbs' && e.name !== 'models')) return false
  try {
    return fs.readdirSync(path.join(dir, e.name)).length === 0
  } catch {
    return false
  }
}

/** Creates a project in `dir` (made if missing; a new or empty folder). An existing project there is refused, not overwritten. */
export function createProject(dirIn: string): Project {
  const dir = path.resolve(dirIn)
  if (fs.existsSync(path.join(dir, DB_FILE))) {
    throw new AppError('PROJECT_EXISTS', `${dir} already holds a Face Studio project. Open it instead.`)
  }
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new AppError('NOT_A_PROJECT', `${dir} is a file, not a folder.`)
  }
  refuseForeignContent(dir)
  makeDirs(dir, 'the project folder')
  assertWritable(dir)
  ensureLayout(dir)
  const db = openDatabase(path.join(dir, DB_FILE), { create: true })
  db.prepare(`INSERT OR IGNORE INTO project_meta (key, value) VALUES ('created_at', ?)`).run(new Date().toISOString())
  return toProject(dir, db)
}

/** Opens an existing project; a folder without studio.db is refused with a message saying so. */
export function openProject(dirIn: string): Project {
  const dir = path.resolve(dirIn)
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch {
    throw new AppError('NOT_FOUND', `The folder ${dir} does not exist.`)
  }
  if (!stat.isDirectory()) throw new AppError('NOT_A_PROJECT', `${dir} is a file, not a project folder.`)
  if (!fs.existsSync(path.join(dir, DB_FILE))) {
    throw new AppError(
      'NOT_A_PROJECT',
      `${dir} is not a Face Studio project (it has no ${DB_FILE}). Create a new project there, or pick the project folder itself.`
    )
  }
  assertWritable(dir)
  const db = openDatabase(path.join(dir, DB_FILE), { create: false })
  ensureLayout(dir)
  return toProject(dir, db)
}

export function closeProject(project: Project): void {
  if (project.db.open) project.db.close()
}

export function projectInfo(project: Project): ProjectInfo {
  const created = project.db.prepare(`SELECT value FROM project_meta WHERE key = 'created_at'`).get() as
    { value: string } | undefined
  return {
    dir: project.dir,
    name: project.name,
    schemaVersion: schemaVersion(project.db),
    createdAt: created?.value ?? '',
    counts: projectCounts(project.db)
  }
}
