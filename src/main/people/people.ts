import type { PersonFace, PersonSuggestion, PersonSummary } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import { AppError } from '../../shared/result'
import { IN_IDS, idList } from '../db/id-list'
import type { Db } from '../db/open'
import { annotationWriter, currentPersonLabels } from '../labels/annotations'
import { storedThreshold } from './clustering'
import { descriptorsByPerson, toFloat32 } from './descriptors'

interface PersonRow {
  id: number
  name: string | null
  count: number
  cover: number | null
}

const PERSON_SELECT = `
  SELECT p.id, p.name, COUNT(f.id) AS count,
         CASE WHEN p.cover_face_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM faces c WHERE c.id = p.cover_face_id AND c.person_id = p.id)
              THEN p.cover_face_id ELSE MIN(f.id) END AS cover
  FROM persons p LEFT JOIN faces f ON f.person_id = p.id`

function toSummary(r: PersonRow): PersonSummary {
  return {
    id: r.id,
    name: r.name,
    count: r.count,
    coverFaceId: r.cover,
    cover: r.cover === null ? null : thumbRef(r.cover)
  }
}

/** Persons with faces (and named ones without), largest first. */
export function listPersons(
  db: Db,
  q: { offset: number; limit: number }
): { total: number; unassigned: number; items: PersonSummary[] } {
  const rows = db
    .prepare(
      `${PERSON_SELECT} WHERE p.merged_into IS NULL GROUP BY p.id HAVING count > 0 OR p.name IS NOT NULL
       ORDER BY count DESC, p.id LIMIT ? OFFSET ?`
    )
    .all(q.limit, q.offset) as PersonRow[]
  const total = db
    .prepare(
      `SELECT COUNT(*) FROM persons p WHERE p.merged_into IS NULL
         AND (p.name IS NOT NULL OR EXISTS (SELECT 1 FROM faces f WHERE f.person_id = p.id))`
    )
    .pluck()
    .get() as number
  const unassigned = db.prepare('SELECT COUNT(*) FROM faces WHERE person_id IS NULL').pluck().get() as number
  return { total, unassigned, items: rows.map(toSummary) }
}

export function getPerson(db: Db, id: number): PersonSummary {
  const r = db.prepare(`${PERSON_SELECT} WHERE p.id = ? GROUP BY p.id`).get(id) as PersonRow | undefined
  if (!r) throw new AppError('NOT_FOUND', `There is no person ${id} in this project.`, 'id')
  return toSummary(r)
}

function faceRows(db: Db, where: string, args: unknown[], offset: number, limit: number): PersonFace[] {
  return (
    db
      .prepare(`SELECT id, image_id, person_confirmed FROM faces WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as Array<{ id: number; image_id: number; person_confirmed: number }>
  ).map((f) => ({ faceId: f.id, imageId: f.image_id, thumb: thumbRef(f.id), confirmed: f.person_confirmed === 1 }))
}

/** A person and a page of their faces. */
export function personDetail(
  db: Db,
  q: { id: number; offset: number; limit: number }
): { person: PersonSummary; faces: PersonFace[] } {
  const person = getPerson(db, q.id)
  return { person, faces: faceRows(db, 'person_id = ?', [q.id], q.offset, q.limit) }
}

/** Faces in no person (singletons and "not this person" faces). */
export function unassignedFaces(db: Db, q: { offset: number; limit: number }): { total: number; faces: PersonFace[] } {
  const total = db.prepare('SELECT COUNT(*) FROM faces WHERE person_id IS NULL').pluck().get() as number
  return { total, faces: faceRows(db, 'person_id IS NULL', [], q.offset, q.limit) }
}

function requireFaces(db: Db, faceIds: readonly number[]): void {
  if (faceIds.length === 0) throw new AppError('BAD_ARGS', 'Select at least one face.', 'faceIds')
  // Set-based (one statement over the id list, as every edit below): a selection may hold 100,000 faces.
  const missing = db
    .prepare(
      'SELECT j.value FROM json_each(?) j LEFT JOIN faces f ON f.id = j.value WHERE f.id IS NULL ORDER BY j.key LIMIT 1'
    )
    .pluck()
    .get(idList(faceIds)) as number | undefined
  if (missing !== undefined) throw new AppError('NOT_FOUND', `There is no face ${missing} in this project.`, 'faceIds')
}

/** "Not person X" for each face, kept when already there. */
function linkFaces(db: Db, faceIds: readonly number[], personId: number, at: string): void {
  db.prepare(
    'INSERT OR IGNORE INTO cannot_links (face_id, person_id, created_at) SELECT value, ?, ? FROM json_each(?)'
  ).run(personId, at, idList(faceIds))
}

/** Names (or with null/empty, un-names) a person; its current faces become confirmed, so re-clustering keeps them. */
export function renamePerson(db: Db, id: number, name: string | null): PersonSummary {
  return db.transaction(() => {
    getPerson(db, id)
    const clean = name?.trim() || null
    if (clean !== null && clean.length > 200)
      throw new AppError('BAD_ARGS', 'Names are at most 200 characters.', 'name')
    db.prepare('UPDATE persons SET name = ? WHERE id = ?').run(clean, id)
    if (clean !== null) db.prepare('UPDATE faces SET person_confirmed = 1 WHERE person_id = ?').run(id)
    return getPerson(db, id)
  })()
}

/**
 * Merges `from` into `into`: faces, "not this person" links and (where `into` has none) person-level labels move;
 * `into` keeps its name, or takes `from`'s. `from` stays as an empty row marked merged (its annotation history is
 * append-only and stays attached to it).
 */
export function mergePersons(db: Db, into: number, from: number, annotator: string): PersonSummary {
  if (into === from) throw new AppError('BAD_ARGS', 'Pick two different people to merge.', 'from')
  return db.transaction(() => {
    const a = getPerson(db, into)
    const b = getPerson(db, from)
    db.prepare('UPDATE faces SET person_id = ?, person_confirmed = 1 WHERE person_id IN (?, ?)').run(into, into, from)
    db.prepare(
      `INSERT OR IGNORE INTO cannot_links (face_id, person_id, created_at)
       SELECT face_id, ?, created_at FROM cannot_links WHERE person_id = ?`
    ).run(into, from)
    db.prepare('DELETE FROM cannot_links WHERE person_id = ?').run(from)
    // A face of the merged person cannot be "not" the person it now belongs to.
    db.prepare(
      'DELETE FROM cannot_links WHERE person_id = ? AND face_id IN (SELECT id FROM faces WHERE person_id = ?)'
    ).run(into, into)
    if (a.name === null && b.name !== null) db.prepare('UPDATE persons SET name = ? WHERE id = ?').run(b.name, into)
    db.prepare('UPDATE persons SET merged_into = ?, name = NULL WHERE id = ?').run(into, from)
    const tasks = db
      .prepare('SELECT DISTINCT task_id FROM annotations WHERE target = ? AND person_id = ?')
      .pluck()
      .all('person', from) as number[]
    const at = new Date().toISOString()
    const append = annotationWriter(db)
    for (const t of tasks) {
      const fromLabel = currentPersonLabels(db, t).get(from)
      if (fromLabel === undefined || currentPersonLabels(db, t).has(into)) continue
      append({
        target: 'person',
        id: into,
        taskId: t,
        value: fromLabel,
        previous: null,
        annotator,
        source: 'person',
        actionId: null,
        at
      })
    }
    return getPerson(db, into)
  })()
}

/**
 * Splits the selected faces off a person into a new (unnamed) person. The faces are confirmed there and
 * "not" the old person, so re-clustering keeps the split.
 */
export function splitPerson(db: Db, id: number, faceIds: readonly number[]): PersonSummary {
  return db.transaction(() => {
    getPerson(db, id)
    requireFaces(db, faceIds)
    const outside = db
      .prepare(
        'SELECT j.value FROM json_each(?) j JOIN faces f ON f.id = j.value WHERE f.person_id IS NOT ? ORDER BY j.key LIMIT 1'
      )
      .pluck()
      .get(idList(faceIds), id) as number | undefined
    if (outside !== undefined) throw new AppError('BAD_ARGS', `Face ${outside} is not in person ${id}.`, 'faceIds')
    const at = new Date().toISOString()
    const newId = Number(db.prepare('INSERT INTO persons (name, created_at) VALUES (NULL, ?)').run(at).lastInsertRowid)
    db.prepare(`UPDATE faces SET person_id = ?, person_confirmed = 1 WHERE id ${IN_IDS}`).run(newId, idList(faceIds))
    linkFaces(db, faceIds, id, at)
    return getPerson(db, newId)
  })()
}

/** Moves faces to a person (confirmed there); any "not this person" link between them is lifted. */
export function moveFaces(db: Db, faceIds: readonly number[], personId: number): PersonSummary {
  return db.transaction(() => {
    getPerson(db, personId)
    requireFaces(db, faceIds)
    const list = idList(faceIds)
    db.prepare(`UPDATE faces SET person_id = ?, person_confirmed = 1 WHERE id ${IN_IDS}`).run(personId, list)
    db.prepare(`DELETE FROM cannot_links WHERE person_id = ? AND face_id ${IN_IDS}`).run(personId, list)
    db.prepare('UPDATE persons SET merged_into = NULL WHERE id = ?').run(personId)
    return getPerson(db, personId)
  })()
}

/** "Not this person": remembered as a cannot-link (survives re-clustering); the faces become unassigned. */
export function notThisPerson(db: Db, personId: number, faceIds: readonly number[]): { removed: number } {
  return db.transaction(() => {
    getPerson(db, personId)
    requireFaces(db, faceIds)
    linkFaces(db, faceIds, personId, new Date().toISOString())
    const leave = db.prepare(
      `UPDATE faces SET person_id = NULL, person_confirmed = 0 WHERE person_id = ? AND id ${IN_IDS}`
    )
    return { removed: leave.run(personId, idList(faceIds)).changes }
  })()
}

/**
 * How far past the clustering threshold a suggestion may reach. Faces left unassigned by clustering are by
 * construction farther than the threshold from every cluster, so a strip limited to the threshold came back empty
 * for a new user; face-api pairs of different people sit mostly above 0.6, so threshold + 0.15 still offers the
 * near misses of a person first and strangers rarely (measured on identity_lfw in people.test.ts).
 */
export const SUGGESTION_REACH = 0.15

/**
 * "Is this Anna?": the faces most likely to belong to a named person, closest first. Candidates are unassigned
 * faces and unconfirmed faces of unnamed persons; each is offered for its nearest named person (RMS distance to
 * the person's faces) that it has no "not this person" link with and that holds no face of the same photo, when
 * that distance is under `threshold` (default: the project's clustering threshold + SUGGESTION_REACH).
 */
export function suggestions(
  db: Db,
  q: { personId?: number | undefined; limit: number; threshold?: number | undefined }
): PersonSuggestion[] {
  const threshold = q.threshold ?? storedThreshold(db) + SUGGESTION_REACH
  const names = new Map(
    (
      db.prepare('SELECT id, name FROM persons WHERE name IS NOT NULL AND merged_into IS NULL').all() as Array<{
        id: number
        name: string
      }>
    ).map((r) => [r.id, r.name])
  )
  if (q.personId !== undefined && !names.has(q.personId)) return []
  const byPerson = descriptorsByPerson(db)
  const summaries: Array<{ id: number; mean: Float64Array; meanSq: number }> = []
  for (const [id, ds] of byPerson) {
    if (!names.has(id) || (q.personId !== undefined && id !== q.personId) || ds.length === 0) continue
    const dim = (ds[0] as Float32Array).length
    const mean = new Float64Array(dim)
    let sq = 0
    for (const d of ds)
      for (let k = 0; k < dim; k++) {
        const x = d[k] as number
        mean[k] = (mean[k] as number) + x
        sq += x * x
      }
    for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) / ds.length
    summaries.push({ id, mean, meanSq: sq / ds.length })
  }
  if (summaries.length === 0) return []
  const cannot = new Set(
    (db.prepare('SELECT face_id, person_id FROM cannot_links').raw().all() as Array<[number, number]>).map(
      ([f, p]) => `${f}:${p}`
    )
  )
  const samePhoto = new Set(
    (
      db
        .prepare(
          `SELECT DISTINCT f.image_id, f.person_id FROM faces f JOIN persons p ON p.id = f.person_id
           WHERE p.name IS NOT NULL`
        )
        .raw()
        .all() as Array<[number, number]>
    ).map(([i, p]) => `${i}:${p}`)
  )
  const rows = db
    .prepare(
      `SELECT f.id, f.image_id, v.vec FROM faces f JOIN face_features v ON v.face_id = f.id AND v.kind = 'identity'
       WHERE f.person_id IS NULL
          OR (f.person_confirmed = 0 AND f.person_id IN (SELECT p.id FROM persons p WHERE p.name IS NULL))`
    )
    .raw()
    .iterate() as IterableIterator<[number, number, Buffer]>
  const out: PersonSuggestion[] = []
  for (const [faceId, imageId, vec] of rows) {
    const x = toFloat32(vec)
    let xx = 0
    for (const v of x) xx += v * v
    let best: { id: number; d: number } | null = null
    for (const s of summaries) {
      if (s.mean.length !== x.length || cannot.has(`${faceId}:${s.id}`) || samePhoto.has(`${imageId}:${s.id}`)) continue
      let dot = 0
      for (let k = 0; k < x.length; k++) dot += (s.mean[k] as number) * (x[k] as number)
      const d = Math.sqrt(Math.max(0, xx + s.meanSq - 2 * dot))
      if (best === null || d < best.d) best = { id: s.id, d }
    }
    if (best && best.d < threshold) {
      out.push({
        faceId,
        thumb: thumbRef(faceId),
        personId: best.id,
        personName: names.get(best.id) ?? '',
        distance: best.d
      })
    }
  }
  out.sort((a, b) => a.distance - b.distance || a.faceId - b.faceId)
  return out.slice(0, q.limit)
}

/** Accept ("yes, this is Anna": the face moves there, confirmed) or reject ("no": a cannot-link). */
export function answerSuggestion(db: Db, faceId: number, personId: number, accept: boolean): void {
  if (accept) {
    moveFaces(db, [faceId], personId)
    return
  }
  db.transaction(() => {
    getPerson(db, personId)
    requireFaces(db, [faceId])
    db.prepare('INSERT OR IGNORE INTO cannot_links (face_id, person_id, created_at) VALUES (?, ?, ?)').run(
      faceId,
      personId,
      new Date().toISOString()
    )
  })()
}
