import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../app/context'
import { startImport } from '../app/import-job'
import { EXPRESSION_LABELS, ageHeadV0, expressionHeadV0 } from '../ml/heads'
import { setupMl } from '../ml/test-support'
import { sharedData, tempDir, testContext } from '../../test/support'
import { allFeatures, mirrorCoverage } from './features'

const examples = path.join(sharedData, 'expression_faceapi_examples', 'images')
let ctx: AppContext

beforeAll(async () => {
  await setupMl()
  ctx = testContext()
  ctx.createProject(path.join(tempDir('mirror-import'), 'p'))
  const job = await startImport(ctx, { folder: examples, crops: false, detector: 'ssd' }).done
  if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error}`)
})
afterAll(async () => ctx?.dispose())

function f32(b: Buffer): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

describe('import stores the mirrored views (issue 11 §2)', () => {
  it('stores both kinds for every face, different from the originals', () => {
    const db = ctx.requireProject().db
    const faces = db.prepare('SELECT COUNT(*) FROM faces').pluck().get() as number
    expect(faces).toBeGreaterThanOrEqual(6)
    expect(mirrorCoverage(db, 'expression')).toEqual({ faces, mirrored: faces })
    expect(mirrorCoverage(db, 'age_gender')).toEqual({ faces, mirrored: faces })
    const f = allFeatures(db, 'expression')
    expect(f.mirror?.count).toBe(faces)
    let differs = 0
    for (let i = 0; i < faces; i++) {
      const a = f.data.subarray(i * f.dim, (i + 1) * f.dim)
      const b = f.mirror!.data.subarray(i * f.dim, (i + 1) * f.dim)
      if (a.some((v, k) => Math.abs(v - b[k]!) > 1e-3)) differs++
    }
    expect(differs).toBe(faces)
    expect(allFeatures(db, 'expression', { mirror: false }).mirror).toBeUndefined()
  })

  it("stores v0 predictions that average the two views' probabilities", () => {
    const db = ctx.requireProject().db
    const labels = JSON.parse(
      db.prepare(`SELECT labels FROM tasks WHERE name = 'expression'`).pluck().get() as string
    ) as string[]
    const rows = db
      .prepare(
        `SELECT p.face_id, p.value, p.probs, t.name FROM predictions p JOIN tasks t ON t.id = p.task_id
         WHERE t.name IN ('expression', 'age')`
      )
      .all() as Array<{ face_id: number; value: string; probs: Buffer | null; name: string }>
    const vec = db.prepare('SELECT vec FROM face_features WHERE face_id = ? AND kind = ?').pluck()
    const view = (id: number, kind: string): Float32Array => f32(vec.get(id, kind) as Buffer)
    let checked = 0
    let differsFromOriginal = 0
    for (const r of rows) {
      if (r.name === 'age') {
        const mean = (ageHeadV0(view(r.face_id, 'age_gender')) + ageHeadV0(view(r.face_id, 'age_gender_mirror'))) / 2
        expect(Number(r.value)).toBeCloseTo(mean, 1)
        continue
      }
      const a = expressionHeadV0(view(r.face_id, 'expression'))
      const b = expressionHeadV0(view(r.face_id, 'expression_mirror'))
      const stored = f32(r.probs!)
      labels.forEach((l, j) => {
        const k = EXPRESSION_LABELS.indexOf(l as (typeof EXPRESSION_LABELS)[number])
        expect(stored[j]).toBeCloseTo((a[k]! + b[k]!) / 2, 5)
      })
      if (Math.abs(stored[0]! - a[EXPRESSION_LABELS.indexOf(labels[0] as 'neutral')]!) > 1e-4) differsFromOriginal++
      checked++
    }
    expect(checked).toBeGreaterThanOrEqual(6)
    expect(differsFromOriginal).toBeGreaterThan(0)
  })
})
