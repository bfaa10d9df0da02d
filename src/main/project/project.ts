import fs from 'node:fs'
import path from 'node:path'
import type { ProjectInfo } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { openDatabase, type Db } from '../db/open'
import { schemaVersion } from '../db/migrate'
import { projectCounts } from './counts'

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

/** Creates a project in `dir` (made if missing). An existing project there is refused, not overwritten. */
export function createProject(dirIn: string): Project {
  const dir = path.resolve(dirIn)
  if (fs.existsSync(path.join(dir, DB_FILE))) {
    throw new AppError('PROJECT_EXISTS', `${dir} already holds a Face Studio project. Open it instead.`)
  }
  try {
    fs.mkdirSync(dir, { recursive: true })
  } catch (e) {
    throw new AppError('READ_ONLY', `Could not create the folder ${dir} (${ioMessage(e)}).`)
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw new AppError('NOT_A_PROJECT', `${dir} is a file, not a folder.`)
  }
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
