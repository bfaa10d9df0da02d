/**
 * "Export this person's data" (a subject access request, issue 14): their faces (thumbnails, photo, box), every
 * label they carry (face-level answers with annotator, time and source, and person-level labels) and every
 * prediction of the active versions, written to `<dir>/person-<id>` (refuses to overwrite).
 */
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import type { PersonExport } from '../../shared/teams'
import type { Project } from '../project/project'
import { toCsv, type ExportRow } from '../library/export'

export function exportPersonData(project: Project, req: { personId: number; dir: string }): PersonExport {
  const db = project.db
  const person = db.prepare('SELECT id, name, created_at FROM persons WHERE id = ?').get(req.personId) as
    { id: number; name: string | null; created_at: string } | undefined
  if (!person) throw new AppError('NOT_FOUND', `There is no person ${req.personId} in this project.`, 'person')
  const out = path.join(path.resolve(req.dir), `person-${person.id}`)
  if (fs.existsSync(out)) throw new AppError('CONFLICT', `${out} already exists; choose another folder.`)
  const faces = db
    .prepare(
      `SELECT f.id, i.path AS photo, f.x, f.y, f.w, f.h, f.thumb FROM faces f JOIN images i ON i.id = f.image_id
       WHERE f.person_id = ? ORDER BY f.id`
    )
    .all(person.id) as Array<{
    id: number
    photo: string
    x: number
    y: number
    w: number
    h: number
    thumb: string | null
  }>
  const answers = db.prepare(
    `SELECT t.name AS task, a.value, a.annotator, a.source, a.created_at FROM annotations a JOIN tasks t ON t.id = a.task_id
     WHERE a.target = 'face' AND a.face_id = ? ORDER BY a.id`
  )
  const preds = db.prepare(
    `SELECT t.name AS task, v.version, p.value, p.confidence FROM predictions p
     JOIN model_versions v ON v.id = p.version_id AND v.active = 1 JOIN tasks t ON t.id = p.task_id
     WHERE p.face_id = ? ORDER BY t.id`
  )
  const personLabels = db
    .prepare(
      `SELECT t.name AS task, a.value, a.annotator, a.source, a.created_at FROM annotations a JOIN tasks t ON t.id = a.task_id
       WHERE a.target = 'person' AND a.person_id = ? ORDER BY a.id`
    )
    .all(person.id) as ExportRow[]
  const tmp = `${out}.tmp-${process.pid}`
  fs.mkdirSync(path.join(tmp, 'faces'), { recursive: true })
  const annotationRows: ExportRow[] = []
  const predictionRows: ExportRow[] = []
  const faceRows: ExportRow[] = []
  try {
    for (const f of faces) {
      let thumb = ''
      if (f.thumb) {
        const src = path.resolve(project.thumbsDir, f.thumb)
        if (src.startsWith(project.thumbsDir + path.sep) && fs.existsSync(src)) {
          thumb = path.join('faces', `face-${f.id}.jpg`)
          fs.copyFileSync(src, path.join(tmp, thumb))
        }
      }
      faceRows.push({ face_id: f.id, photo: f.photo, x: f.x, y: f.y, w: f.w, h: f.h, thumbnail: thumb })
      for (const a of answers.all(f.id) as ExportRow[]) annotationRows.push({ face_id: f.id, ...a })
      for (const p of preds.all(f.id) as ExportRow[]) predictionRows.push({ face_id: f.id, ...p })
    }
    const write = (name: string, columns: string[], rows: ExportRow[]): void =>
      fs.writeFileSync(path.join(tmp, name), toCsv(columns, rows))
    write('faces.csv', ['face_id', 'photo', 'x', 'y', 'w', 'h', 'thumbnail'], faceRows)
    write('labels.csv', ['face_id', 'task', 'value', 'annotator', 'source', 'created_at'], annotationRows)
    write('predictions.csv', ['face_id', 'task', 'version', 'value', 'confidence'], predictionRows)
    fs.writeFileSync(
      path.join(tmp, 'person.json'),
      JSON.stringify(
        {
          person: { id: person.id, name: person.name, created_at: person.created_at },
          faces: faces.length,
          person_labels: personLabels,
          exported_at: new Date().toISOString()
        },
        null,
        1
      )
    )
    fs.renameSync(tmp, out)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  const files = [
    'person.json',
    'faces.csv',
    'labels.csv',
    'predictions.csv',
    ...faceRows.map((r) => String(r.thumbnail ?? '')).filter(Boolean)
  ]
  return {
    path: out,
    faces: faces.length,
    annotations: annotationRows.length,
    predictions: predictionRows.length,
    files
  }
}
