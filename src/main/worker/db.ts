/**
 * The worker's one handle on a project database (one per project folder per worker process), shared by every op.
 *
 * The worker is the only writer of what the models compute: images, faces and their features (import),
 * predictions and model versions (training, activation). It writes them through their owner modules
 * (library/photo-rows.ts, models/predictions.ts, models/registry.ts, models/version-commits.ts); main writes
 * only what users decide (tasks, annotations, persons, evaluation sets, jobs). See docs/architecture.md.
 */
import path from 'node:path'
import { openDatabase, type Db } from '../db/open'
import { DB_FILE } from '../project/project'

const handles = new Map<string, Db>()

export function projectDb(projectDir: string): Db {
  let db = handles.get(projectDir)
  if (!db) {
    db = openDatabase(path.join(projectDir, DB_FILE), { create: false })
    handles.set(projectDir, db)
  }
  return db
}

export function modelsRoot(projectDir: string): string {
  return path.join(projectDir, 'models')
}
