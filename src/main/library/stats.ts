import type { Db } from '../db/open'
import { projectCounts } from '../project/counts'

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

export function listTasks(db: Db): TaskListing[] {
  const rows = db
    .prepare('SELECT name, kind, level, labels, builtin FROM tasks ORDER BY builtin DESC, name')
    .all() as Array<{
    name: string
    kind: 'classification' | 'score'
    level: 'face' | 'person'
    labels: string
    builtin: number
  }>
  return rows.map((r) => ({
    name: r.name,
    kind: r.kind,
    level: r.level,
    labels: JSON.parse(r.labels) as string[],
    builtin: r.builtin === 1
  }))
}

export function listVersions(db: Db): VersionListing[] {
  return (
    db
      .prepare(
        `SELECT t.name AS task, v.version, v.active, v.created_at FROM model_versions v JOIN tasks t ON t.id = v.task_id
         ORDER BY t.name, v.version`
      )
      .all() as Array<{ task: string; version: number; active: number; created_at: string }>
  ).map((v) => ({ ...v, active: v.active === 1 }))
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
} {
  const c = projectCounts(db)
  return {
    images: c.images,
    faces: c.faces,
    persons: c.persons,
    annotations: c.annotations,
    image_errors: c.imageErrors,
    tasks: listTasks(db),
    versions: listVersions(db)
  }
}
