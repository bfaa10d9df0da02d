import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../app/context'
import { startImport, type ImportSummary } from '../app/import-job'
import { sharedData, tempDir, testContext } from '../../test/support'

/** The group photos with the most faces (solvay1927 has 28): exactly the ones split across workers. */
const PHOTOS = ['solvay1927.jpg', 'group-3.jpg', 'stock-group-1.jpg']

const contexts: AppContext[] = []
afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

interface StoredFace {
  image: string
  idx: number
  box: number[]
  score: number
  identity: Float32Array
  expression: Float32Array
  mirror: Float32Array
  thumb: string | null
  predicted: string
}

async function importInto(
  folder: string,
  splitFaces: boolean
): Promise<{ summary: ImportSummary; faces: StoredFace[] }> {
  const ctx = testContext()
  contexts.push(ctx)
  ctx.createProject(path.join(tempDir('split'), 'p'))
  const job = await startImport(ctx, { folder, crops: false, detector: 'ssd', splitFaces }).done
  if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error}`)
  const db = ctx.requireProject().db
  const rows = db
    .prepare(
      `SELECT i.rel_path AS image, f.idx, f.x, f.y, f.w, f.h, f.score, f.thumb,
         (SELECT vec FROM face_features WHERE face_id = f.id AND kind = 'identity') AS identity,
         (SELECT vec FROM face_features WHERE face_id = f.id AND kind = 'expression') AS expression,
         (SELECT vec FROM face_features WHERE face_id = f.id AND kind = 'age_gender_mirror') AS mirror,
         (SELECT p.value FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE p.face_id = f.id AND t.name = 'expression') AS predicted
       FROM faces f JOIN images i ON i.id = f.image_id ORDER BY i.rel_path, f.idx`
    )
    .all() as Array<Record<string, unknown>>
  const f32 = (b: unknown): Float32Array => {
    const buf = b as Buffer
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
  }
  return {
    summary: job.result as ImportSummary,
    faces: rows.map((r) => ({
      image: r.image as string,
      idx: r.idx as number,
      box: [r.x, r.y, r.w, r.h] as number[],
      score: r.score as number,
      identity: f32(r.identity),
      expression: f32(r.expression),
      mirror: f32(r.mirror),
      thumb: r.thumb as string | null,
      predicted: r.predicted as string
    }))
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

describe('a many-face photo split across workers', () => {
  it('stores the same faces, features and predictions as one worker analysing it alone', async () => {
    const folder = tempDir('split-photos')
    for (const f of PHOTOS) fs.symlinkSync(path.join(sharedData, 'group_photos', 'images', f), path.join(folder, f))

    const split = await importInto(folder, true)
    const alone = await importInto(folder, false)
    expect(alone.summary.splitPhotos).toBe(0)
    // solvay1927 has far more than the split threshold; the test machine runs at least two workers.
    expect(split.summary.splitPhotos).toBeGreaterThanOrEqual(1)
    expect(split.summary.errors).toEqual([])
    expect(split.summary.images).toBe(PHOTOS.length)
    expect(split.summary.faces).toBe(alone.summary.faces)
    expect(split.faces.filter((f) => f.image === 'solvay1927.jpg').length).toBeGreaterThanOrEqual(20)

    expect(split.faces.map((f) => `${f.image}#${f.idx}`)).toEqual(alone.faces.map((f) => `${f.image}#${f.idx}`))
    for (const [i, a] of alone.faces.entries()) {
      const s = split.faces[i]!
      const where = `${a.image} face ${a.idx}`
      expect(maxAbsDiff(s.box, a.box), where).toBeLessThan(1e-6)
      expect(s.score, where).toBeCloseTo(a.score, 6)
      expect(maxAbsDiff(s.identity, a.identity), where).toBeLessThan(1e-5)
      expect(maxAbsDiff(s.expression, a.expression), where).toBeLessThan(1e-5)
      expect(s.mirror, where).toHaveLength(512)
      expect(maxAbsDiff(s.mirror, a.mirror), where).toBeLessThan(1e-5)
      expect(s.predicted, where).toBe(a.predicted)
      expect(s.thumb, where).not.toBeNull()
    }
  })
})
