import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeSyntheticDescriptors } from '../analysis/synthetic'
import type { Db } from '../db/open'
import { createProject } from '../project/project'
import { tempDir } from '../../test/support'
import { assignFresh, computeClusterPlan } from './cluster-plan'
import { applyClusterPlan } from './clustering'
import { loadIdentities } from './descriptors'
import { INDEX_DIR, syncIdentityIndex } from './identity-index'

/** A project whose faces carry synthetic identities; `photoOf(i)` says which photo face i is in. */
function projectWith(
  n: number,
  people: number,
  photoOf: (i: number) => number
): { dir: string; db: Db; person: number[] } {
  const dir = tempDir('plan')
  const { db } = createProject(dir)
  const faces = makeSyntheticDescriptors(n, people, 7)
  const photos = new Set(faces.map((_, i) => photoOf(i)))
  const img = db.prepare(
    `INSERT INTO images (id, path, root, rel_path, status, imported_at) VALUES (?, ?, '/', ?, 'ok', 'now')`
  )
  const face = db.prepare(
    `INSERT INTO faces (id, image_id, idx, x, y, w, h, score, source) VALUES (?, ?, ?, 0, 0, 1, 1, 1, 'detected')`
  )
  const feat = db.prepare(`INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, 'identity', 128, ?)`)
  db.transaction(() => {
    for (const p of photos) img.run(p + 1, `/p${p}.jpg`, `p${p}.jpg`)
    faces.forEach((f, i) => {
      face.run(i + 1, photoOf(i) + 1, i)
      feat.run(i + 1, Buffer.from(f.descriptor.buffer))
    })
  })()
  return { dir, db, person: faces.map((f) => f.person) }
}

describe('clustering plan', () => {
  it('never puts two faces of one photo in the same cluster', () => {
    // Faces 1..40 are one person; faces 1 and 2 share a photo, so do 3 and 4; everyone else is alone.
    const { db } = projectWith(40, 1, (i) => (i < 2 ? 0 : i < 4 ? 1 : i))
    const plan = computeClusterPlan(db, { threshold: 0.5, mode: 'full' })
    const clusterOf = (id: number): number => plan.clusters.findIndex((c) => c.includes(id))
    expect(plan.clusters.flat().length + plan.singletons.length).toBe(40)
    expect(clusterOf(1) === -1 || clusterOf(1) !== clusterOf(2)).toBe(true)
    expect(clusterOf(3) === -1 || clusterOf(3) !== clusterOf(4)).toBe(true)
    // Without the photo rule it is one cluster of 40.
    const alone = projectWith(40, 1, (i) => i)
    expect(computeClusterPlan(alone.db, { threshold: 0.5, mode: 'full' }).clusters).toEqual([
      Array.from({ length: 40 }, (_, i) => i + 1)
    ])
  })

  it('persists the identity index in the project, keeps it up to date and rebuilds it when missing', () => {
    const { dir, db } = projectWith(600, 30, (i) => i)
    const faces = loadIdentities(db)
    expect(syncIdentityIndex(dir, faces).state).toBe('rebuilt')
    const file = path.join(dir, INDEX_DIR, 'identity.usearch')
    expect(fs.existsSync(file)).toBe(true)
    expect(syncIdentityIndex(dir, faces).state).toBe('loaded')
    const fewer = syncIdentityIndex(dir, faces.slice(0, 500))
    expect(fewer).toMatchObject({ state: 'updated', added: 0, removed: 100 })
    expect(fewer.index.size()).toBe(500)
    expect(syncIdentityIndex(dir, faces)).toMatchObject({ added: 100, removed: 0 })
    fs.rmSync(file)
    expect(syncIdentityIndex(dir, faces).state).toBe('rebuilt')
    fs.writeFileSync(file, 'garbage')
    const again = syncIdentityIndex(dir, faces)
    expect(again.state).toBe('rebuilt')
    expect(again.index.size()).toBe(600)
    // The same plan with the persisted index as with a fresh one.
    expect(computeClusterPlan(db, { threshold: 0.5, mode: 'full', projectDir: dir })).toEqual(
      computeClusterPlan(db, { threshold: 0.5, mode: 'full' })
    )
  })

  it('clusters an empty project to nothing, with and without a saved index', () => {
    const { dir, db } = projectWith(0, 1, (i) => i)
    for (let run = 0; run < 2; run++)
      expect(
        computeClusterPlan(db, { threshold: 0.5, mode: run === 0 ? 'full' : 'incremental', projectDir: dir })
      ).toMatchObject({ clusters: [], singletons: [], assigned: [] })
  })

  it('assigns new faces through the index exactly as scoring every person does', () => {
    const { dir, db, person } = projectWith(2000, 100, (i) => i)
    const later = db.prepare('SELECT vec FROM face_features WHERE face_id > 1500 ORDER BY face_id').pluck().all()
    // The first 1,500 faces are clustered; the rest arrive later.
    db.prepare('DELETE FROM face_features WHERE face_id > 1500').run()
    applyClusterPlan(db, computeClusterPlan(db, { threshold: 0.5, mode: 'full', projectDir: dir }))
    const ins = db.prepare(`INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, 'identity', 128, ?)`)
    later.forEach((vec, i) => ins.run(1501 + i, vec))
    const faces = loadIdentities(db)
    const fresh = faces.filter((f) => f.id > 1500)
    const index = syncIdentityIndex(dir, faces).index
    const viaIndex = assignFresh(db, faces, fresh, 0.5, index)
    const exact = assignFresh(db, faces, fresh, 0.5)
    expect(viaIndex.length).toBeGreaterThan(450)
    expect(viaIndex).toEqual(exact)
    // Each joins the person made of its own synthetic identity.
    const truthOfPerson = new Map(faces.filter((f) => f.personId !== null).map((f) => [f.personId, person[f.id - 1]]))
    expect(viaIndex.every(([f, p]) => truthOfPerson.get(p) === person[f - 1])).toBe(true)
    // And the incremental plan uses the same assignment.
    const plan = computeClusterPlan(db, { threshold: 0.5, mode: 'incremental', projectDir: dir })
    expect(plan.assigned).toEqual(exact)
  })
})
