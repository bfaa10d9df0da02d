/**
 * Forgetting a person (issue 14): their faces' rows (faces, features, predictions, annotations, evaluation-set
 * decisions, training-face links), their person-level labels and person rows, their thumbnails, and the photo
 * previews (and image rows) of photos where no other face remains — in ONE transaction, files removed after it
 * commits (a crash in between leaves at most unreferenced files, never a row pointing at nothing). The photos
 * themselves are the user's and stay untouched; their content hash (and, for photos that keep other faces, the
 * forgotten box) goes on an exclusion list the import consults, so a re-import does not bring the faces back.
 * Versions trained on them are flagged (models/registry.ts flagForgottenData). What remains is an audit row:
 * when, by which profile, how many — no name, id, path or box.
 *
 * This runs in main, unlike other writes of the faces family (the worker's): it is a user decision that
 * deletes, takes milliseconds, and must be one transaction across families (persons and annotations are
 * main's), which only one process can hold.
 */
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { ForgetAuditRow, ForgetResult } from '../../shared/teams'
import type { Db } from '../db/open'
import { flagForgottenData, versionById } from '../models/registry'
import { clearPeopleUndo } from '../people/people-undo'
import type { Project } from '../project/project'

interface FaceRow {
  id: number
  image_id: number
  thumb: string | null
  x: number
  y: number
  w: number
  h: number
}

function ids(n: number): string {
  return Array.from({ length: n }, () => '?').join(',') || 'NULL'
}

/** The person and every person merged into it (their rows are the same person's). */
function personFamily(db: Db, personId: number): number[] {
  const out = [personId]
  const children = db.prepare('SELECT id FROM persons WHERE merged_into = ?').pluck()
  for (let i = 0; i < out.length; i++)
    for (const c of children.all(out[i]) as number[]) if (!out.includes(c)) out.push(c)
  return out
}

function inThumbs(project: Project, rel: string): string | null {
  const file = path.resolve(project.thumbsDir, rel)
  return file.startsWith(project.thumbsDir + path.sep) ? file : null
}

export function forgetPerson(project: Project, input: { personId: number; by: string }): ForgetResult {
  const db = project.db
  const exists = db.prepare('SELECT 1 FROM persons WHERE id = ?').get(input.personId)
  if (!exists) throw new AppError('NOT_FOUND', `There is no person ${input.personId} in this project.`, 'person')
  const at = new Date().toISOString()
  const files: string[] = []
  // Deleted rows would otherwise linger in free pages of the database file and in the WAL: overwrite them
  // with zeros, and checkpoint the WAL into the file once committed.
  const secure = db.pragma('secure_delete', { simple: true }) as number
  db.pragma('secure_delete = ON')
  let result: ForgetResult
  try {
    result = forgetRows(project, input, at, files)
  } finally {
    db.pragma(`secure_delete = ${secure ? 'ON' : 'OFF'}`)
  }
  db.pragma('wal_checkpoint(TRUNCATE)')
  // The People undo journal holds snapshots with the person's name and faces: it cannot outlive them.
  clearPeopleUndo(project)
  let removed = 0
  for (const rel of files) {
    const file = inThumbs(project, rel)
    if (!file) continue
    try {
      fs.rmSync(file, { force: false })
      removed++
    } catch {
      // Already gone: nothing of theirs left to remove.
    }
  }
  return { ...result, files: removed }
}

/** The one transaction of a forget; `files` collects what to remove once it has committed. */
function forgetRows(
  project: Project,
  input: { personId: number; by: string },
  at: string,
  files: string[]
): ForgetResult {
  const db = project.db
  return db.transaction((): ForgetResult => {
    const persons = personFamily(db, input.personId)
    const faces = db
      .prepare(`SELECT id, image_id, thumb, x, y, w, h FROM faces WHERE person_id IN (${ids(persons.length)})`)
      .all(...persons) as FaceRow[]
    const faceIds = faces.map((f) => f.id)
    const countFace = db.prepare(`SELECT COUNT(*) FROM annotations WHERE target = 'face' AND face_id = ?`).pluck()
    let annotations = db
      .prepare(`SELECT COUNT(*) FROM annotations WHERE target = 'person' AND person_id IN (${ids(persons.length)})`)
      .pluck()
      .get(...persons) as number
    for (const f of faceIds) annotations += countFace.get(f) as number
    const flagged = flagForgottenData(db, faceIds, at)

    // Photos: exclusion entries, and previews / image rows where no other face remains.
    const byImage = new Map<number, FaceRow[]>()
    for (const f of faces) byImage.set(f.image_id, [...(byImage.get(f.image_id) ?? []), f])
    const image = db.prepare('SELECT content_hash, preview FROM images WHERE id = ?')
    const exclude = db.prepare(
      'INSERT INTO forget_exclusions (content_hash, x, y, w, h, created_at) VALUES (?, ?, ?, ?, ?, ?)'
    )
    const facesOf = db.prepare('SELECT id FROM faces WHERE image_id = ?').pluck()
    const dropImage: number[] = []
    for (const [imageId, list] of byImage) {
      const img = image.get(imageId) as { content_hash: string | null; preview: string | null }
      const mine = new Set(list.map((f) => f.id))
      const remaining = (facesOf.all(imageId) as number[]).filter((id) => !mine.has(id)).length
      if (remaining === 0) {
        if (img.content_hash) exclude.run(img.content_hash, null, null, null, null, at)
        if (img.preview) files.push(img.preview)
        dropImage.push(imageId)
      } else if (img.content_hash) {
        for (const f of list) exclude.run(img.content_hash, f.x, f.y, f.w, f.h, at)
      }
    }
    for (const f of faces) if (f.thumb) files.push(f.thumb)

    // Rows: faces cascade to features, predictions, face annotations, evaluation-set rows, training links,
    // cannot-links; persons cascade to their person-level annotations and cannot-links.
    const delFace = db.prepare('DELETE FROM faces WHERE id = ?')
    for (const f of faceIds) delFace.run(f)
    db.prepare(`DELETE FROM persons WHERE id IN (${ids(persons.length)})`).run(...persons)
    const delImage = db.prepare('DELETE FROM images WHERE id = ?')
    for (const i of dropImage) delImage.run(i)
    // Other persons whose cover was one of these faces get none (the People screen picks another).
    db.prepare(`UPDATE persons SET cover_face_id = NULL WHERE cover_face_id IN (${ids(faceIds.length)})`).run(
      ...faceIds
    )
    const versions = flagged.map((id) => {
      const v = versionById(db, id)
      const task = db.prepare('SELECT name FROM tasks WHERE id = ?').pluck().get(v.taskId) as string
      return { task, version: v.version }
    })
    db.prepare(
      'INSERT INTO forget_audit (at, by, faces, annotations, files, versions_flagged) VALUES (?, ?, ?, ?, ?, ?)'
    ).run(at, input.by, faces.length, annotations, files.length, versions.length)
    return { faces: faces.length, annotations, files: files.length, versions_flagged: versions.length, versions }
  })()
}

export function forgetAudit(db: Db): ForgetAuditRow[] {
  return db
    .prepare('SELECT at, by, faces, annotations, files, versions_flagged FROM forget_audit ORDER BY id DESC')
    .all() as ForgetAuditRow[]
}
