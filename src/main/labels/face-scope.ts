/**
 * Which faces a Review queue or an Export covers (issue 12, "Review scope"): one import's folder (or any
 * folder inside it), a person, a selection, the faces without a label for a task, or any intersection of
 * these. One owner so that "this import" means the same faces on both screens.
 */
import type { Db } from '../db/open'
import { currentLabels } from './annotations'
import { getTask } from './tasks'

export interface FaceScope {
  /** Only faces of photos under this folder (an import's root or a folder inside it). */
  folder?: string | undefined
  /** Only faces of the photos this import committed (images.import_id). */
  importId?: string | undefined
  /** Only this person's faces. */
  personId?: number | undefined
  /** Only these faces (a selection). */
  faceIds?: readonly number[] | undefined
  /** Only faces with no current label for this task (id or name); a person-level label counts as a label. */
  unlabelledFor?: number | string | undefined
}

/** The face ids a scope allows, in id order, or null when it allows every face. */
export function facesInScope(db: Db, s: FaceScope): number[] | null {
  const byRows =
    s.folder !== undefined || s.importId !== undefined || s.personId !== undefined || s.unlabelledFor !== undefined
  // A selection alone (the Map's, up to 100,000 faces) needs no pass over every face.
  if (!byRows) return s.faceIds === undefined ? null : [...new Set(s.faceIds)].sort((x, y) => x - y)
  const folder = s.folder?.replace(/[\\/]+$/, '')
  let ids = db
    .prepare(
      `SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id
       WHERE (@folder IS NULL OR i.root = @folder OR substr(i.path, 1, length(@folder) + 1) = @folder || '/')
         AND (@import IS NULL OR i.import_id = @import)
         AND (@person IS NULL OR f.person_id = @person)
       ORDER BY f.id`
    )
    .pluck()
    .all({ folder: folder ?? null, import: s.importId ?? null, person: s.personId ?? null }) as number[]
  if (s.faceIds !== undefined) {
    const only = new Set(s.faceIds)
    ids = ids.filter((id) => only.has(id))
  }
  if (s.unlabelledFor !== undefined) {
    const labelled = currentLabels(db, getTask(db, s.unlabelledFor).id)
    ids = ids.filter((id) => !labelled.has(id))
  }
  return ids
}
