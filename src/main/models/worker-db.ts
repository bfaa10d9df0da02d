/** The ML worker's own handle on a project database (one per project folder per worker process). */
import path from 'node:path'
import { openDatabase, type Db } from '../db/open'
import { DB_FILE } from '../project/project'

const dbs = new Map<string, Db>()

export function workerProjectDb(dir: string): Db {
  let db = dbs.get(dir)
  if (!db) {
    db = openDatabase(path.join(dir, DB_FILE), { create: false })
    dbs.set(dir, db)
  }
  return db
}

export function modelsRoot(projectDir: string): string {
  return path.join(projectDir, 'models')
}
