/**
 * The Map's projections (issue 13 §2) on real features: one import of identity_lfw (40 people), projected by the
 * built worker through the job and the contract calls the screen uses. Same-person faces must land closer
 * together than different-person faces (the shuffled control shows the ratio can fail); the stored map is reused
 * for the same faces and goes stale when one is removed; a cancel leaves the stored map as it was.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobInfo, MapColouring, MapProjection, ProjectionSummary } from '../../shared/domain'
import { decodeCoords } from '../analysis/projection'
import { mulberry32 } from '../analysis/random'
import { annotate } from '../labels/annotations'
import { DB_FILE } from '../project/project'
import { callOk, readCsv, sharedData, tempDir, testContext } from '../../test/support'
import { lfwProject } from '../../test/lfw-cache'
import { groupDistanceRatio } from '../../test/group-distance'
import type { AppContext } from './context'
import { startProjection, type ProjectionOptions } from './projection'

const lfw = path.join(sharedData, 'identity_lfw')
const contexts: AppContext[] = []
let projectDir: string

beforeAll(async () => {
  const ctx = testContext()
  contexts.push(ctx)
  projectDir = tempDir('map-lfw')
  // Dev shortcut (as in people.test.ts): FACE_STUDIO_TEST_LFW_DB=<studio.db of an identity_lfw import>.
  const cached = process.env.FACE_STUDIO_TEST_LFW_DB
  if (cached && fs.existsSync(cached)) {
    for (const sub of ['thumbs', 'models']) fs.mkdirSync(path.join(projectDir, sub), { recursive: true })
    fs.copyFileSync(cached, path.join(projectDir, DB_FILE))
    ctx.openProject(projectDir)
  } else {
    // The run's one import of identity_lfw (src/test/lfw-cache.ts), shared with the other suites that need it.
    const imported = await lfwProject(projectDir)
    expect(imported.summary.errors).toEqual([])
    ctx.openProject(projectDir)
  }
  ctx.requireProject().db.pragma('wal_checkpoint(TRUNCATE)')
}, 1_800_000) // an import of 332 photos; minutes when other jobs share the cores

afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

/** A context on a fresh copy of the imported project (tests that change faces or the cache stay independent). */
function openCopy(): AppContext {
  const dir = tempDir('map-copy')
  fs.copyFileSync(path.join(projectDir, DB_FILE), path.join(dir, DB_FILE))
  for (const sub of ['thumbs', 'models']) fs.mkdirSync(path.join(dir, sub))
  const c = testContext()
  contexts.push(c)
  c.openProject(dir)
  return c
}

async function project(c: AppContext, opts: ProjectionOptions): Promise<ProjectionSummary> {
  const job = await startProjection(c, opts).done
  if (job.status !== 'done') throw new Error(`projection ${job.status}: ${job.error}`)
  return job.result as ProjectionSummary
}

function decodeIds(b64: string): Int32Array {
  const f = decodeCoords(b64)
  return new Int32Array(f.buffer, f.byteOffset, f.length)
}

/**
 * The largest face of each photo → the photo's LFW identity (other faces in a loose crop are bystanders). Matched
 * on the path inside images/, so a dev-shortcut database imported from another checkout matches too.
 */
function truthByFace(c: AppContext): Map<number, string> {
  const identity = new Map(readCsv(path.join(lfw, 'labels.csv')).map((r) => [r.path ?? '', r.identity ?? '']))
  const rows = c
    .requireProject()
    .db.prepare(
      `SELECT f.id, 'images/' || i.rel_path AS path FROM faces f JOIN images i ON i.id = f.image_id
       WHERE f.id = (SELECT g.id FROM faces g WHERE g.image_id = f.image_id ORDER BY g.w * g.h DESC LIMIT 1)`
    )
    .all() as Array<{ id: number; path: string }>
  return new Map(rows.flatMap((r) => (identity.has(r.path) ? [[r.id, identity.get(r.path) as string]] : [])))
}

/** The map's coordinates and identities of the faces whose identity is known. */
function labelled(m: MapProjection, truth: Map<number, string>): { xy: Float32Array; who: string[] } {
  const ids = decodeIds(m.ids)
  const all = decodeCoords(m.xy)
  const xy: number[] = []
  const who: string[] = []
  ids.forEach((id, i) => {
    const t = truth.get(id)
    if (t === undefined) return
    xy.push(all[i * 2] as number, all[i * 2 + 1] as number)
    who.push(t)
  })
  return { xy: Float32Array.from(xy), who }
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = mulberry32(seed)
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe('Map projections of identity_lfw (issue 13 §2)', () => {
  it('PCA and UMAP put same-person faces closer together than faces of different people', async () => {
    const ctx = contexts[0] as AppContext
    const truth = truthByFace(ctx)
    expect(truth.size).toBeGreaterThan(300)
    const ratios: Record<string, number> = {}
    // UMAP fitted on 200 faces: the other ~120 are placed by transform, the path 100,000-face maps take.
    for (const [method, sample] of [
      ['pca', undefined],
      ['umap', 200]
    ] as const) {
      const s = await project(ctx, { kind: 'identity', method, sample })
      expect(s.cached).toBe(false)
      const m = await callOk<MapProjection>(ctx, 'map.get', { kind: 'identity', method })
      expect(m.stale).toBe(false)
      expect(m.n).toBe(s.n)
      expect(decodeCoords(m.xy).every(Number.isFinite)).toBe(true)
      const { xy, who } = labelled(m, truth)
      ratios[method] = groupDistanceRatio(xy, who)
      // The control: the same points with identities shuffled are no closer within "people" than across.
      ratios[`${method} shuffled`] = groupDistanceRatio(xy, shuffled(who, 5))
      if (method === 'umap') expect(s.fitted).toBe(200)
    }
    console.log(`identity_lfw map, same-person / different-person mean distance: ${JSON.stringify(ratios)}`)
    expect(ratios.pca).toBeLessThan(0.4)
    expect(ratios.umap).toBeLessThan(0.4)
    expect(ratios['pca shuffled']).toBeGreaterThan(0.9)
    expect(ratios['umap shuffled']).toBeGreaterThan(0.9)
  }, 600_000)

  it('reuses the stored map for the same faces and shows it stale once a photo is removed', async () => {
    const c = openCopy()
    const dir = c.requireProject().dir
    const first = await project(c, { kind: 'identity', method: 'pca' })
    const bin = path.join(dir, 'cache', 'projection-identity-pca.bin')
    const bytes = fs.readFileSync(bin)
    const again = await project(c, { kind: 'identity', method: 'pca' })
    expect(again.cached).toBe(true)
    expect(again.key).toBe(first.key)
    expect(fs.readFileSync(bin).equals(bytes)).toBe(true)
    // Each kind and method has its own map.
    expect(await callOk(c, 'map.get', { kind: 'expression', method: 'pca' })).toBeNull()

    const db = c.requireProject().db
    const image = db.prepare('SELECT image_id FROM faces ORDER BY id DESC LIMIT 1').pluck().get() as number
    const removed = db.prepare('SELECT COUNT(*) FROM faces WHERE image_id = ?').pluck().get(image) as number
    db.prepare('DELETE FROM images WHERE id = ?').run(image)
    const stale = await callOk<MapProjection>(c, 'map.get', { kind: 'identity', method: 'pca' })
    expect(stale.stale).toBe(true)
    expect(stale.n).toBe(first.n)

    const fresh = await project(c, { kind: 'identity', method: 'pca' })
    expect(fresh.cached).toBe(false)
    expect(fresh.n).toBe(first.n - removed)
    expect(fresh.key).not.toBe(first.key)
    const now = await callOk<MapProjection>(c, 'map.get', { kind: 'identity', method: 'pca' })
    expect(now.stale).toBe(false)
    expect(decodeIds(now.ids)).toHaveLength(fresh.n)
  }, 300_000)

  it('a cancel while UMAP runs stores nothing and leaves the previous map as it was', async () => {
    const c = openCopy()
    await project(c, { kind: 'identity', method: 'umap', sample: 150 })
    const file = path.join(c.requireProject().dir, 'cache', 'projection-identity-umap.bin')
    const before = fs.readFileSync(file)
    let cancelled = false
    const off = c.on((event, payload) => {
      const job = payload as JobInfo
      // Cancel once the layout is being fitted (after the neighbour search), in the middle of the work.
      if (cancelled || event !== 'job.updated' || job.kind !== 'projection' || job.progress.done === 0) return
      cancelled = true
      c.jobs.cancel(job.id)
    })
    const job = await startProjection(c, { kind: 'identity', method: 'umap', sample: 150, force: true }).done
    off()
    expect(cancelled).toBe(true)
    expect(job.status).toBe('cancelled')
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  }, 300_000)

  it('colours the map by a task’s labels and by the active prediction, in the map’s face order', async () => {
    const c = openCopy()
    await project(c, { kind: 'expression', method: 'pca' })
    const m = await callOk<MapProjection>(c, 'map.get', { kind: 'expression', method: 'pca' })
    const ids = decodeIds(m.ids)
    const db = c.requireProject().db
    annotate(db, {
      task: 'expression',
      annotator: 'test',
      items: [
        { target: 'face', id: ids[0] as number, value: 'happy', source: 'correct' },
        { target: 'face', id: ids[1] as number, value: 'happy', source: 'correct' },
        { target: 'face', id: ids[2] as number, value: 'sad', source: 'correct' }
      ]
    })
    const byLabel = await callOk<MapColouring>(c, 'map.colours', {
      kind: 'expression',
      method: 'pca',
      by: 'label',
      task: 'expression'
    })
    if (byLabel.type !== 'category') throw new Error('labels are categories')
    expect(byLabel.categories).toEqual(['happy', 'sad'])
    expect(byLabel.counts).toEqual([2, 1])
    expect(byLabel.none).toBe(ids.length - 3)
    const codes = decodeIds(byLabel.codes)
    expect(Array.from(codes.slice(0, 4))).toEqual([0, 0, 1, -1])

    const predicted = await callOk<MapColouring>(c, 'map.colours', {
      kind: 'expression',
      method: 'pca',
      by: 'prediction',
      task: 'expression'
    })
    if (predicted.type !== 'category') throw new Error('predictions are categories')
    // Every imported face has the built-in version's prediction.
    expect(predicted.none).toBe(0)
    const stored = new Map(
      db
        .prepare(
          `SELECT p.face_id, p.value FROM predictions p JOIN model_versions v ON v.id = p.version_id
           JOIN tasks t ON t.id = p.task_id WHERE t.name = 'expression' AND v.active = 1`
        )
        .raw()
        .all() as Array<[number, string]>
    )
    const pc = decodeIds(predicted.codes)
    ids.forEach((id, i) => expect(predicted.categories[pc[i] as number]).toBe(stored.get(id)))

    const conf = await callOk<MapColouring>(c, 'map.colours', {
      kind: 'expression',
      method: 'pca',
      by: 'confidence',
      task: 'expression'
    })
    if (conf.type !== 'number') throw new Error('confidence is a number')
    expect(conf.min).toBeGreaterThan(0)
    expect(conf.max).toBeLessThanOrEqual(1)
  }, 300_000)
})
