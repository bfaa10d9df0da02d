import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCropFaces, readCsv, sharedData, tempDir } from '../../test/support'
import { annotate, currentLabelOf, undo } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { createProject } from '../project/project'
import { adjudicate, agreementReport, disagreementQueue } from './agreement'

function answer(db: ReturnType<typeof createProject>['db'], annotator: string, face: number, value: string): void {
  annotate(db, { task: 'glasses', annotator, items: [{ target: 'face', id: face, value, source: 'correct' }] })
}

describe('agreement on a project (which answers count)', () => {
  const db = createProject(path.join(tempDir('agree'), 'p')).db
  insertCropFaces(db, 5)
  createTask(db, { name: 'glasses', kind: 'classification', labels: ['x', 'y', 'z'] })
  // The hand-computed set of analysis/agreement.test.ts: α = 0.5, κ(a, b) = 0.4.
  answer(db, 'a', 1, 'x')
  answer(db, 'b', 1, 'x')
  answer(db, 'a', 2, 'y')
  answer(db, 'a', 2, 'x') // a changed their mind: only the newest answer counts
  answer(db, 'b', 2, 'y')
  answer(db, 'a', 3, 'y')
  answer(db, 'b', 3, 'y')
  answer(db, 'c', 3, 'y')
  answer(db, 'c', 4, 'x')
  answer(db, 'b', 4, 'unsure') // no label: f4 keeps one answer and is not pairable
  answer(db, 'd', 5, 'z')
  answer(db, 'a', 5, 'x')
  undo(db, 'a') // a's answer on f5 is undone; the undo row (under a's name) is no answer either

  it('computes κ per pair, α and per-class agreement only on faces with ≥ 2 answers', () => {
    const r = agreementReport(db, 'glasses')
    expect(r.n_faces).toBe(3)
    expect(r.n_answers).toBe(7)
    expect(r.alpha).toBeCloseTo(0.5, 12)
    expect(r.pairs.map((p) => [p.a, p.b, p.n])).toEqual([
      ['a', 'b', 3],
      ['a', 'c', 1],
      ['b', 'c', 1]
    ])
    expect(r.pairs[0]?.kappa).toBeCloseTo(0.4, 12)
    expect(r.pairs[1]?.kappa).toBeNull()
    expect(r.per_class.map((c) => [c.label, c.n])).toEqual([
      ['x', 3],
      ['y', 4],
      ['z', 0]
    ])
    expect(r.per_class[0]?.agreement).toBeCloseTo(2 / 3, 12)
    expect(r.disagreements).toBe(1)
  })

  it('queues the disagreement, and an adjudication settles it as its own answer (undo reopens it)', () => {
    const q = disagreementQueue(db, 'glasses', { offset: 0, limit: 10 })
    expect(q.total).toBe(1)
    expect(q.faces[0]?.faceId).toBe(2)
    expect(q.faces[0]?.answers.map((a) => [a.annotator, a.value])).toEqual([
      ['a', 'x'],
      ['b', 'y']
    ])
    adjudicate(db, { task: 'glasses', faceId: 2, value: 'y', annotator: 'lead' })
    expect(currentLabelOf(db, 2, 1 + 3)).toBe('y')
    const row = db.prepare(`SELECT annotator, source FROM annotations ORDER BY id DESC LIMIT 1`).get()
    expect(row).toEqual({ annotator: 'lead', source: 'adjudicate' })
    expect(disagreementQueue(db, 'glasses', { offset: 0, limit: 10 }).total).toBe(0)
    // The adjudication is not counted as a third annotator's answer.
    expect(agreementReport(db, 'glasses').alpha).toBeCloseTo(0.5, 12)
    undo(db, 'lead')
    expect(disagreementQueue(db, 'glasses', { offset: 0, limit: 10 }).total).toBe(1)
    // A new answer after an adjudication reopens the question only if it disagrees again.
    adjudicate(db, { task: 'glasses', faceId: 2, value: 'y', annotator: 'lead' })
    answer(db, 'a', 2, 'z')
    expect(disagreementQueue(db, 'glasses', { offset: 0, limit: 10 }).total).toBe(1)
  })

  it('refuses score tasks with a clear message', () => {
    expect(() => agreementReport(db, 'age')).toThrow(/classification tasks; "age" is a score task/)
  })
})

const FER = path.join(sharedData, 'expression_ferplus', 'labels.csv')
const EMOTIONS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt']

describe.runIf(fs.existsSync(FER))('agreement on FER+ crowd votes expanded into ten annotators', () => {
  it('matches α and per-class agreement computed straight from the vote counts', () => {
    const rows = readCsv(FER)
    const db = createProject(path.join(tempDir('agree-fer'), 'p')).db
    insertCropFaces(db, rows.length)
    createTask(db, { name: 'fer', kind: 'classification', labels: EMOTIONS })
    // Vote k of a face (classes in column order) is annotator r<k+1>'s answer; "unknown" votes are answered
    // unsure and "NF" (not a face) not applicable, so they count as no label.
    const columns = [...EMOTIONS, 'unknown', 'NF']
    const byAnnotator = new Map<string, Array<{ target: 'face'; id: number; value: string; source: 'import' }>>()
    rows.forEach((row, i) => {
      let k = 0
      for (const c of columns) {
        for (let v = 0; v < Number(row[`votes_${c}`]); v++) {
          const who = `r${++k}`
          const value = c === 'unknown' ? 'unsure' : c === 'NF' ? 'not_applicable' : c
          const list = byAnnotator.get(who) ?? []
          list.push({ target: 'face', id: i + 1, value, source: 'import' })
          byAnnotator.set(who, list)
        }
      }
    })
    for (const [annotator, items] of byAnnotator) annotate(db, { task: 'fer', annotator, items })
    const r = agreementReport(db, 'fer')

    // Independently from the counts: coincidences o_cc = n_c(n_c − 1)/(m − 1), o_ck = n_c n_k/(m − 1).
    let faces = 0
    const o = EMOTIONS.map(() => EMOTIONS.map(() => 0))
    for (const row of rows) {
      const n = EMOTIONS.map((c) => Number(row[`votes_${c}`]))
      const m = n.reduce((s, x) => s + x, 0)
      if (m < 2) continue
      faces++
      for (let c = 0; c < n.length; c++)
        for (let k = 0; k < n.length; k++) o[c]![k]! += (c === k ? n[c]! * (n[c]! - 1) : n[c]! * n[k]!) / (m - 1)
    }
    const nc = o.map((row) => row.reduce((s, x) => s + x, 0))
    const total = nc.reduce((s, x) => s + x, 0)
    const diag = o.reduce((s, row, c) => s + row[c]!, 0)
    const alpha = 1 - ((total - 1) * (total - diag)) / (total * total - nc.reduce((s, x) => s + x * x, 0))

    expect(r.n_faces).toBe(faces)
    expect(r.n_faces).toBeGreaterThan(1300)
    expect(r.alpha).toBeCloseTo(alpha, 10)
    expect(r.alpha).toBeGreaterThan(0.2)
    expect(r.alpha).toBeLessThan(0.9)
    r.per_class.forEach((c, i) => {
      expect(c.label).toBe(EMOTIONS[i])
      expect(c.n).toBe(Math.round(nc[i]!))
      if (nc[i]! > 0) expect(c.agreement).toBeCloseTo(o[i]![i]! / nc[i]!, 10)
    })
    // Ten annotators, every pair sharing faces; κ always within [−1, 1], and happiness agreed on more than fear.
    expect(r.annotators.length).toBe(10)
    expect(r.pairs.length).toBe(45)
    for (const p of r.pairs) {
      expect(p.n).toBeGreaterThan(0)
      expect(p.kappa).not.toBeNull()
      expect(Math.abs(p.kappa!)).toBeLessThanOrEqual(1)
    }
    const agreementOf = (label: string): number => r.per_class.find((c) => c.label === label)?.agreement ?? 0
    expect(agreementOf('happiness')).toBeGreaterThan(agreementOf('fear'))
    console.log(
      `FER+ (${faces} faces, ten vote slots as annotators): α = ${r.alpha?.toFixed(4)}; per class ${r.per_class
        .map((c) => `${c.label} ${c.agreement?.toFixed(3)} (${c.n})`)
        .join(', ')}`
    )
  })
})
