import type { ImportBatch } from '../../shared/domain'
import type { Db } from '../db/open'
import { listTasks, type TaskRow } from '../labels/tasks'
import { versionsOf } from '../models/registry'
import { projectCounts } from '../project/counts'
import { importBatches } from './queries'

export interface TaskListing {
  name: string
  kind: 'classification' | 'score'
  level: 'face' | 'person'
  labels: string[]
  builtin: boolean
}

export interface VersionListing {
  task: string
  version: number
  active: boolean
  created_at: string
}

/** The `stats` JSON's view of a task (a contract for scripts: exactly these fields). */
function taskListing(t: TaskRow): TaskListing {
  return { name: t.name, kind: t.kind, level: t.level, labels: t.labels, builtin: t.builtin }
}

export function listVersions(db: Db): VersionListing[] {
  const byName = [...listTasks(db)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return byName.flatMap((t) =>
    versionsOf(db, t.id).map((v) => ({ task: t.name, version: v.version, active: v.active, created_at: v.createdAt }))
  )
}

/** The `face-studio stats` object (without the backend, which needs a worker to know). */
export function projectStats(db: Db): {
  images: number
  faces: number
  persons: number
  annotations: number
  image_errors: number
  tasks: TaskListing[]
  versions: VersionListing[]
  /** Each import that committed photos, newest first: its id is `export --import`'s scope. */
  imports: ImportBatch[]
} {
  const c = projectCounts(db)
  return {
    images: c.images,
    faces: c.faces,
    persons: c.persons,
    annotations: c.annotations,
    image_errors: c.imageErrors,
    tasks: listTasks(db).map(taskListing),
    versions: listVersions(db),
    imports: importBatches(db)
  }
}
