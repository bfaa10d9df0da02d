import type { ReviewCard, ReviewFace, ReviewQueue } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import type { Db } from '../db/open'
import { currentLabels } from './annotations'
import { facesInScope } from './face-scope'
import { answeredBy, overlapFaces } from './overlap'
import { getTask } from './tasks'

export type UncertaintyOrder = 'margin' | 'entropy'

export interface ReviewQuery {
  task: number | string
  order: UncertaintyOrder
  /** Only faces whose active-version confidence is below this (0..1); all faces when absent. */
  below?: number | undefined
  groupBy: 'label' | 'person'
  /** Cards to return. */
  cards: number
  /** Faces per card at most. */
  cardSize: number
  /** Scope: only faces of photos under this folder. */
  folder?: string | undefined
  /** Scope: only faces of the photos one import committed. */
  importId?: string | undefined
  /** Scope: only this person's faces. */
  personId?: number | undefined
  /** Scope: only these faces (a selection on the Map). */
  faceIds?: readonly number[] | undefined
  /**
   * Who is reviewing: with overlap on (labels/overlap.ts), a face another annotator labelled stays in this
   * annotator's queue until they answer it too (and its face carries `blind`).
   */
  annotator?: string | undefined
}

/** The faces a review scope allows, or null for every face. */
function scopeFaces(db: Db, q: ReviewQuery): Set<number> | null {
  const ids = facesInScope(db, { folder: q.folder, importId: q.importId, personId: q.personId, faceIds: q.faceIds })
  return ids === null ? null : new Set(ids)
}

/** 1 − (top1 − top2), in [0, 1]; larger is less sure. */
export function marginUncertainty(p: Float32Array): number {
  let a = -Infinity
  let b = -Infinity
  for (const x of p) {
    if (x > a) {
      b = a
      a = x
    } else if (x > b) b = x
  }
  if (!Number.isFinite(a)) return 1
  return 1 - (a - (Number.isFinite(b) ? b : 0))
}

/** Shannon entropy normalised by log(k), in [0, 1]; larger is less sure. */
export function entropyUncertainty(p: Float32Array): number {
  if (p.length < 2) return 0
  let h = 0
  for (const x of p) if (x > 0) h -= x * Math.log(x)
  return h / Math.log(p.length)
}

function probsOf(blob: Buffer | null): Float32Array | null {
  if (!blob || blob.byteLength % 4 !== 0) return null
  // A view when the bytes are aligned (no copy: this runs once per face, 100k times per queue).
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
  const copy = new Uint8Array(blob.byteLength)
  copy.set(blob)
  return new Float32Array(copy.buffer)
}

interface Candidate {
  faceId: number
  personId: number | null
  predicted: string | null
  confidence: number | null
  uncertainty: number
}

/**
 * The ask-when-unsure queue of a task: faces without a current label (face or person level), under the
 * confidence threshold, least sure first by the active version's margin or entropy, grouped into cards by
 * predicted label or by person. One pass over the task's predictions (no per-face queries): ~100k faces is a
 * single indexed scan plus a sort. A task without predictions yet (new user task) offers every unlabelled face.
 */
export function reviewQueue(db: Db, q: ReviewQuery): ReviewQueue {
  const task = getTask(db, q.task)
  const labelled = currentLabels(db, task.id)
  const inScope = scopeFaces(db, q)
  // Overlap faces this annotator has not answered are asked again, whoever answered them already.
  const second = new Set<number>()
  if (q.annotator && task.level === 'face') {
    const overlap = overlapFaces(db, task.id)
    if (overlap.size > 0) {
      const mine = answeredBy(db, task.id, q.annotator)
      for (const f of overlap) if (labelled.has(f) && !mine.has(f)) second.add(f)
      for (const f of second) labelled.delete(f)
    }
  }
  const version = db.prepare('SELECT id FROM model_versions WHERE task_id = ? AND active = 1').pluck().get(task.id) as
    number | undefined
  const candidates: Candidate[] = []
  const hasPredictions =
    version !== undefined &&
    db.prepare('SELECT 1 FROM predictions WHERE task_id = ? AND version_id = ? LIMIT 1').get(task.id, version) !==
      undefined
  if (hasPredictions) {
    const rows = db
      .prepare(
        `SELECT p.face_id, f.person_id, p.value, p.confidence, p.probs FROM predictions p JOIN faces f ON f.id = p.face_id
         WHERE p.task_id = ? AND p.version_id = ? AND (? IS NULL OR p.confidence < ?)`
      )
      .raw()
      .iterate(task.id, version, q.below ?? null, q.below ?? null) as IterableIterator<
      [number, number | null, string, number | null, Buffer | null]
    >
    for (const [faceId, personId, value, confidence, blob] of rows) {
      if (labelled.has(faceId) || (inScope && !inScope.has(faceId))) continue
      const p = probsOf(blob)
      const uncertainty = p
        ? q.order === 'entropy'
          ? entropyUncertainty(p)
          : marginUncertainty(p)
        : confidence === null
          ? 0
          : 1 - confidence
      candidates.push({ faceId, personId, predicted: value, confidence, uncertainty })
    }
  } else {
    const rows = db.prepare('SELECT id, person_id FROM faces ORDER BY id').raw().iterate() as IterableIterator<
      [number, number | null]
    >
    for (const [faceId, personId] of rows) {
      if (labelled.has(faceId) || (inScope && !inScope.has(faceId))) continue
      candidates.push({ faceId, personId, predicted: null, confidence: null, uncertainty: 1 })
    }
  }
  candidates.sort((a, b) => b.uncertainty - a.uncertainty || a.faceId - b.faceId)

  // Fill cards walking the queue least-sure first; a card closes when full, and the walk stops once enough
  // cards are full (or the queue ends).
  const open = new Map<string, ReviewCard>()
  const full: ReviewCard[] = []
  const names = new Map<number, string | null>()
  const nameOf = db.prepare('SELECT name FROM persons WHERE id = ?').pluck()
  const personName = (id: number | null): string | null => {
    if (id === null) return null
    if (!names.has(id)) names.set(id, (nameOf.get(id) as string | null | undefined) ?? null)
    return names.get(id) ?? null
  }
  for (const c of candidates) {
    if (full.length >= q.cards) break
    const key = q.groupBy === 'label' ? `label:${c.predicted ?? 'none'}` : `person:${c.personId ?? 'none'}`
    let card = open.get(key)
    if (!card) {
      card = {
        key,
        label: q.groupBy === 'label' ? c.predicted : null,
        personId: q.groupBy === 'person' ? c.personId : null,
        personName: q.groupBy === 'person' ? personName(c.personId) : null,
        faces: []
      }
      open.set(key, card)
    }
    const face: ReviewFace = {
      faceId: c.faceId,
      thumb: thumbRef(c.faceId),
      personId: c.personId,
      predicted: c.predicted,
      confidence: c.confidence,
      uncertainty: c.uncertainty,
      ...(second.has(c.faceId) ? { blind: true } : {})
    }
    card.faces.push(face)
    if (card.faces.length >= q.cardSize) {
      full.push(card)
      open.delete(key)
    }
  }
  const cards = [...full, ...open.values()].slice(0, q.cards)
  cards.sort((a, b) => (b.faces[0]?.uncertainty ?? 0) - (a.faces[0]?.uncertainty ?? 0))
  return { taskId: task.id, remaining: candidates.length, cards }
}
