import { DEFAULT_THRESHOLD } from '../analysis/cluster-defaults'
import type { Db } from '../db/open'

export type ClusterMode = 'full' | 'incremental'

/** What the worker computed (cluster-plan.ts); main applies it in one transaction (see applyClusterPlan). */
export interface ClusterPlan {
  mode: ClusterMode
  threshold: number
  /** Highest face id the plan looked at: the next incremental run starts after it. */
  maxFaceId: number
  /** Groups of 2 or more faces, largest first (full: every face; incremental: the unassigned pool). */
  clusters: number[][]
  singletons: number[]
  /** Incremental: new faces that join an existing person. */
  assigned: Array<[faceId: number, personId: number]>
}

export const META_THRESHOLD = 'cluster_threshold'
export const META_MAX_FACE = 'cluster_max_face_id'

export function storedThreshold(db: Db): number {
  const v = db.prepare('SELECT value FROM project_meta WHERE key = ?').pluck().get(META_THRESHOLD) as string | undefined
  const n = v === undefined ? NaN : Number(v)
  return Number.isFinite(n) ? n : DEFAULT_THRESHOLD
}

export function lastClusteredFace(db: Db): number | null {
  const v = db.prepare('SELECT value FROM project_meta WHERE key = ?').pluck().get(META_MAX_FACE) as string | undefined
  return v === undefined ? null : Number(v)
}

/**
 * Writes a plan as persons, in one transaction. Full runs keep the user's work: a cluster holding confirmed faces
 * belongs to their person (to the person with most confirmed faces there, if several; confirmed faces never move),
 * an unconfirmed cluster reuses the unnamed person it overlaps most so ids stay stable, and singletons become
 * unassigned. Unnamed persons left empty, with no annotations, are deleted.
 */
export function applyClusterPlan(
  db: Db,
  plan: ClusterPlan
): { clusters: number; singletons: number; assigned: number } {
  const tx = db.transaction(() => {
    const now = new Date().toISOString()
    const newPerson = db.prepare('INSERT INTO persons (name, created_at) VALUES (NULL, ?)')
    const setPerson = db.prepare('UPDATE faces SET person_id = ? WHERE id = ?')
    const create = (): number => Number(newPerson.run(now).lastInsertRowid)
    let assignedCount = 0
    if (plan.mode === 'incremental') {
      const exists = db.prepare('SELECT 1 FROM persons WHERE id = ?').pluck()
      const setIfFree = db.prepare('UPDATE faces SET person_id = ? WHERE id = ? AND person_id IS NULL')
      for (const [faceId, personId] of plan.assigned) {
        if (exists.get(personId)) assignedCount += setIfFree.run(personId, faceId).changes
      }
      for (const c of plan.clusters) {
        const p = create()
        for (const f of c) setIfFree.run(p, f)
      }
    } else {
      const info = new Map<number, { personId: number | null; confirmed: boolean }>()
      for (const [id, personId, confirmed] of db
        .prepare('SELECT id, person_id, person_confirmed FROM faces')
        .raw()
        .iterate() as IterableIterator<[number, number | null, number]>) {
        info.set(id, { personId, confirmed: confirmed === 1 })
      }
      const anchoredPersons = new Set<number>()
      for (const v of info.values()) if (v.confirmed && v.personId !== null) anchoredPersons.add(v.personId)
      const named = new Set(db.prepare('SELECT id FROM persons WHERE name IS NOT NULL').pluck().all() as number[])
      const claimed = new Set<number>()
      const target = new Map<number, number | null>()
      const groups = [...plan.clusters, ...plan.singletons.map((s) => [s])]
      for (const g of groups) {
        const anchors = new Map<number, number>()
        for (const f of g) {
          const i = info.get(f)
          if (i?.confirmed && i.personId !== null) anchors.set(i.personId, (anchors.get(i.personId) ?? 0) + 1)
        }
        if (anchors.size > 0) {
          const dominant = [...anchors].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] as number
          for (const f of g) {
            const i = info.get(f)
            if (!i) continue
            target.set(f, i.confirmed && i.personId !== null ? i.personId : dominant)
          }
          for (const p of anchors.keys()) claimed.add(p)
          continue
        }
        if (g.length < 2) {
          if (info.has(g[0] as number)) target.set(g[0] as number, null)
          continue
        }
        const overlap = new Map<number, number>()
        for (const f of g) {
          const p = info.get(f)?.personId
          if (p === null || p === undefined || claimed.has(p) || anchoredPersons.has(p) || named.has(p)) continue
          overlap.set(p, (overlap.get(p) ?? 0) + 1)
        }
        const best = [...overlap].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0]
        const p = best ?? create()
        claimed.add(p)
        for (const f of g) if (info.has(f)) target.set(f, p)
      }
      for (const [f, p] of target) {
        if (info.get(f)?.personId !== p) setPerson.run(p, f)
      }
    }
    db.prepare(
      `DELETE FROM persons WHERE name IS NULL AND merged_into IS NULL
         AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = persons.id)
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.person_id = persons.id)`
    ).run()
    const setMeta = db.prepare('INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)')
    setMeta.run(META_THRESHOLD, String(plan.threshold))
    const prevMax = lastClusteredFace(db) ?? 0
    setMeta.run(META_MAX_FACE, String(Math.max(prevMax, plan.maxFaceId)))
    return { clusters: plan.clusters.length, singletons: plan.singletons.length, assigned: assignedCount }
  })
  return tx()
}
