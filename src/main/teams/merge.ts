/**
 * Merging another project into this one (issue 14): another copy's annotations of the same photos, or a shard of
 * a split import (docs/scale.md). Photos match by content hash; faces on them by box overlap (IoU ≥ 0.5, the best
 * match). A photo this project lacks is brought over whole: image row, faces, features, predictions of versions
 * both projects have (task name + version number), thumbnails and preview. Answers are appended (annotations are
 * append-only, so a merge is a union) keeping annotator, time and source; an answer already present (same face,
 * task, annotator, value, time and source) is not added again, so merging twice adds nothing. Tasks match by name;
 * a task whose kind, level or label set differs stops the merge before anything is written. Forgotten photos and
 * faces stay forgotten. Runs in the ML worker (op `teams.merge`): it writes photo rows and may copy many files.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/result'
import type { MergeResult } from '../../shared/teams'
import { iou, type Box } from '../analysis/boxes'
import { schemaVersion } from '../db/migrate'
import type { Db } from '../db/open'
import { annotationWriter } from '../labels/annotations'
import { createTask, listTasks, type TaskRow } from '../labels/tasks'
import { insertMergedPhoto, type MergedPhoto } from '../library/photo-rows'
import { DB_FILE } from '../project/project'

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')

/** Source task id → target task, creating the tasks this project lacks; refuses differing definitions. */
function matchTasks(db: Db, src: Database.Database): Map<number, TaskRow> {
  const mine = new Map(listTasks(db).map((t) => [t.name.toLowerCase(), t]))
  const theirs = listTasks(src as unknown as Db)
  const problems: string[] = []
  for (const t of theirs) {
    const m = mine.get(t.name.toLowerCase())
    if (!m) continue
    if (m.kind !== t.kind || m.level !== t.level)
      problems.push(`"${t.name}" is a ${t.kind} ${t.level} task there, ${m.kind} ${m.level} here`)
    else if (t.kind === 'classification' && !sameSet(m.labels, t.labels))
      problems.push(`"${t.name}" has labels [${t.labels.join(', ')}] there but [${m.labels.join(', ')}] here`)
    else if (t.kind === 'score' && (m.scoreMin !== t.scoreMin || m.scoreMax !== t.scoreMax))
      problems.push(`"${t.name}" scores ${t.scoreMin}..${t.scoreMax} there but ${m.scoreMin}..${m.scoreMax} here`)
  }
  if (problems.length > 0)
    throw new AppError(
      'CONFLICT',
      `The projects define tasks differently, so nothing was merged: ${problems.join('; ')}. Add the missing labels to one of them (Train → task → add labels) and merge again.`
    )
  const out = new Map<number, TaskRow>()
  for (const t of theirs) {
    const m =
      mine.get(t.name.toLowerCase()) ??
      createTask(db, {
        name: t.name,
        kind: t.kind,
        labels: t.labels,
        scoreMin: t.scoreMin ?? undefined,
        scoreMax: t.scoreMax ?? undefined,
        level: t.level,
        featureKind: t.featureKind as 'identity' | 'expression' | 'age_gender',
        note: t.note ?? undefined
      })
    out.set(t.id, m)
  }
  return out
}

/** The source project's image row: what a merged photo carries, plus its id there. */
type SrcImage = MergedPhoto['image'] & { id: number }

interface SrcFace extends Box {
  id: number
  idx: number
  score: number
  source: string
  landmarks: Buffer | null
  thumb: string | null
}

function copyInto(fromDir: string, toDir: string, rel: string | null): void {
  if (!rel) return
  const from = path.resolve(fromDir, rel)
  const to = path.resolve(toDir, rel)
  if (!from.startsWith(fromDir + path.sep) || !to.startsWith(toDir + path.sep)) return
  if (fs.existsSync(to) || !fs.existsSync(from)) return
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.copyFileSync(from, to)
}

export function mergeProject(db: Db, projectDir: string, fromDir: string): MergeResult {
  const from = path.resolve(fromDir)
  if (path.resolve(projectDir) === from)
    throw new AppError('BAD_ARGS', 'A project cannot be merged into itself.', 'from')
  const file = path.join(from, DB_FILE)
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `There is no Face Studio project in ${from}.`, 'from')
  const src = new Database(file, { readonly: true, fileMustExist: true })
  try {
    if (schemaVersion(src) !== schemaVersion(db))
      throw new AppError(
        'UNSUPPORTED',
        `${from} was saved with database schema ${schemaVersion(src)}, this project has ${schemaVersion(db)}: open it once with this version of Face Studio, then merge.`
      )
    const thumbsFrom = path.join(from, 'thumbs')
    const thumbsTo = path.join(projectDir, 'thumbs')
    const files: Array<string | null> = []
    const importId = randomUUID()
    const result = db.transaction((): MergeResult => {
      const tasks = matchTasks(db, src)
      // Versions both projects have, for predictions: "task\0version" → target version id.
      const versionOf = new Map<number, number>()
      const targetVersion = db.prepare('SELECT id FROM model_versions WHERE task_id = ? AND version = ?').pluck()
      for (const v of src.prepare('SELECT id, task_id, version FROM model_versions').all() as Array<{
        id: number
        task_id: number
        version: number
      }>) {
        const t = tasks.get(v.task_id)
        const id = t ? (targetVersion.get(t.id, v.version) as number | undefined) : undefined
        if (id !== undefined) versionOf.set(v.id, id)
      }

      const faceMap = new Map<number, number>()
      let photos = 0
      let faces = 0
      const targetImages = db.prepare(`SELECT id FROM images WHERE content_hash = ? AND status = 'ok'`).pluck()
      const targetFaces = db.prepare('SELECT id, x, y, w, h FROM faces WHERE image_id = ?')
      const pathTaken = db.prepare('SELECT 1 FROM images WHERE path = ?').pluck()
      const wholeForgotten = db.prepare('SELECT 1 FROM forget_exclusions WHERE content_hash = ? AND x IS NULL').pluck()
      const forgottenBoxes = db.prepare(
        'SELECT x, y, w, h FROM forget_exclusions WHERE content_hash = ? AND x IS NOT NULL'
      )
      const srcFaces = src.prepare(
        'SELECT id, idx, x, y, w, h, score, source, landmarks, thumb FROM faces WHERE image_id = ? ORDER BY idx'
      )
      const srcFeatures = src.prepare('SELECT kind, dim, vec FROM face_features WHERE face_id = ?')
      const srcPredictions = src.prepare(
        'SELECT task_id, version_id, value, confidence, probs FROM predictions WHERE face_id = ?'
      )
      const insPrediction = db.prepare(
        'INSERT OR IGNORE INTO predictions (face_id, task_id, version_id, value, confidence, probs) VALUES (?, ?, ?, ?, ?, ?)'
      )
      for (const img of src
        .prepare(`SELECT * FROM images WHERE status = 'ok' AND content_hash IS NOT NULL ORDER BY id`)
        .iterate() as IterableIterator<SrcImage>) {
        const list = srcFaces.all(img.id) as SrcFace[]
        const here = targetImages.all(img.content_hash) as number[]
        if (here.length > 0) {
          const candidates = here.flatMap((i) => targetFaces.all(i) as Array<Box & { id: number }>)
          for (const f of list) {
            let best: { id: number; iou: number } | null = null
            for (const c of candidates) {
              const o = iou(f, c)
              if (o >= 0.5 && (!best || o > best.iou)) best = { id: c.id, iou: o }
            }
            if (best) faceMap.set(f.id, best.id)
          }
          continue
        }
        if (wholeForgotten.get(img.content_hash) !== undefined || pathTaken.get(img.path) !== undefined) continue
        const excluded = forgottenBoxes.all(img.content_hash) as Box[]
        const kept = list.filter((f) => !excluded.some((b) => iou(b, f) >= 0.5))
        const photo: MergedPhoto = {
          image: img,
          faces: kept.map((f) => ({
            ...f,
            features: srcFeatures.all(f.id) as Array<{ kind: string; dim: number; vec: Buffer }>
          }))
        }
        const ids = insertMergedPhoto(db, photo, importId)
        photos++
        faces += ids.length
        files.push(img.preview)
        kept.forEach((f, k) => {
          const id = ids[k]!
          faceMap.set(f.id, id)
          files.push(f.thumb)
          for (const p of srcPredictions.all(f.id) as Array<{
            task_id: number
            version_id: number
            value: string
            confidence: number | null
            probs: Buffer | null
          }>) {
            const t = tasks.get(p.task_id)
            const v = versionOf.get(p.version_id)
            if (t && v !== undefined) insPrediction.run(id, t.id, v, p.value, p.confidence, p.probs)
          }
        })
      }

      // Answers: real ones only (undo/redo are bookkeeping; an undone answer stays undone), appended in their order.
      const existing = new Set<string>()
      const key = (face: number, task: number, who: string, value: string | null, at: string, source: string): string =>
        `${face}\u0000${task}\u0000${who}\u0000${value ?? ''}\u0000${at}\u0000${source}`
      for (const r of db
        .prepare(`SELECT face_id, task_id, annotator, value, created_at, source FROM annotations WHERE target = 'face'`)
        .raw()
        .iterate() as IterableIterator<[number, number, string, string | null, string, string]>)
        existing.add(key(...r))
      const current = db.prepare(
        `SELECT value FROM annotations WHERE target = 'face' AND face_id = ? AND task_id = ? ORDER BY id DESC LIMIT 1`
      )
      const write = annotationWriter(db)
      let matched = 0
      let unmatched = 0
      let added = 0
      const conflicted = new Set<string>()
      for (const r of src
        .prepare(
          `SELECT a.target, a.face_id, a.task_id, a.value, a.annotator, a.source, a.created_at FROM annotations a
           LEFT JOIN annotation_actions x ON x.id = a.action_id
           WHERE a.source NOT IN ('undo', 'redo') AND (x.state IS NULL OR x.state NOT IN ('undone', 'dropped'))
           ORDER BY a.id`
        )
        .iterate() as IterableIterator<{
        target: 'face' | 'person'
        face_id: number | null
        task_id: number
        value: string | null
        annotator: string
        source: string
        created_at: string
      }>) {
        const face = r.target === 'face' && r.face_id !== null ? faceMap.get(r.face_id) : undefined
        const task = tasks.get(r.task_id)
        if (face === undefined || !task) {
          unmatched++
          continue
        }
        matched++
        const k = key(face, task.id, r.annotator, r.value, r.created_at, r.source)
        if (existing.has(k)) continue
        const previous = (current.get(face, task.id) as { value: string | null } | undefined)?.value ?? null
        if (previous !== null && r.value !== null && previous !== r.value) conflicted.add(`${face}\u0000${task.id}`)
        write({
          target: 'face',
          id: face,
          taskId: task.id,
          value: r.value,
          previous,
          annotator: r.annotator,
          source: r.source,
          actionId: null,
          at: r.created_at
        })
        existing.add(k)
        added++
      }
      return {
        matched,
        unmatched,
        conflicts: conflicted.size,
        added,
        photos,
        faces,
        importId: photos > 0 ? importId : null
      }
    })()
    for (const rel of files) copyInto(thumbsFrom, thumbsTo, rel)
    return result
  } finally {
    src.close()
  }
}
