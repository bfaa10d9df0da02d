/**
 * Computing a clustering plan (worker only: it loads the native vector index). Main applies the plan with
 * applyClusterPlan in clustering.ts.
 */
import { clusterFaces, incrementalAssign, thresholdPreview, type FaceDescriptorItem } from '../analysis/cluster'
import { searchIndex } from '../analysis/knn'
import type { ClusterPreviewRow } from '../../shared/domain'
import type { Db } from '../db/open'
import { lastClusteredFace, type ClusterMode, type ClusterPlan } from './clustering'
import { loadIdentities, type FaceIdentity } from './descriptors'
import { syncIdentityIndex } from './identity-index'

interface Constraints {
  mustLink: Array<[number, number]>
  cannotLink: Array<[number, number]>
}

/** Neighbours looked at per new face when picking the persons to score it against. */
const ASSIGN_NEIGHBOURS = 16

/**
 * The user's decisions, and what a photo says, as clustering constraints. Confirmed faces of one person are
 * chained by must-links, so named persons and moved faces stay together. "Not this person" (face X, person P)
 * becomes a cannot-link from X to P's confirmed group (one pair is enough: the group is one cluster from the
 * start), or to each of P's current faces when P has none confirmed. Two faces of the same photo are two people
 * (a cannot-link), unless the user confirmed both as one person.
 */
export function constraintsFor(db: Db, faces: readonly FaceIdentity[]): Constraints {
  const confirmed = new Map<number, number[]>()
  const current = new Map<number, number[]>()
  for (const f of faces) {
    if (f.personId === null) continue
    const m = f.confirmed ? confirmed : current
    const list = m.get(f.personId)
    if (list) list.push(f.id)
    else m.set(f.personId, [f.id])
  }
  const mustLink: Array<[number, number]> = []
  for (const ids of confirmed.values())
    for (let i = 1; i < ids.length; i++) mustLink.push([ids[0] as number, ids[i] as number])
  const confirmedOf = new Map<number, number>()
  for (const f of faces) if (f.confirmed && f.personId !== null) confirmedOf.set(f.id, f.personId)
  const cannotLink: Array<[number, number]> = []
  const links = db.prepare('SELECT face_id, person_id FROM cannot_links').raw().all() as Array<[number, number]>
  for (const [faceId, personId] of links) {
    if (confirmedOf.get(faceId) === personId) continue
    const anchors = confirmed.get(personId)
    if (anchors && anchors.length > 0) {
      cannotLink.push([faceId, anchors[0] as number])
    } else {
      for (const other of current.get(personId) ?? []) if (other !== faceId) cannotLink.push([faceId, other])
    }
  }
  const byImage = new Map<number, number[]>()
  for (const f of faces) {
    const list = byImage.get(f.imageId)
    if (list) list.push(f.id)
    else byImage.set(f.imageId, [f.id])
  }
  for (const ids of byImage.values()) {
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i] as number
        const b = ids[j] as number
        const pa = confirmedOf.get(a)
        if (pa !== undefined && pa === confirmedOf.get(b)) continue
        cannotLink.push([a, b])
      }
  }
  return { mustLink, cannotLink }
}

function asItems(faces: readonly FaceIdentity[]): FaceDescriptorItem[] {
  return faces.map((f) => ({ id: f.id, descriptor: f.descriptor }))
}

export interface PlanOptions {
  threshold: number
  mode: ClusterMode
  /** The project folder: its persisted identity index is used and kept up to date (none in pure tests). */
  projectDir?: string
}

/**
 * Pure compute over the database (read only; the index file is the worker's): runs in the ML worker so main's
 * event loop stays free. Full: every face, honouring the user's constraints. Incremental: faces imported since the
 * last run join the nearest existing person when within the threshold (never a person already holding a face of
 * the same photo, nor one the face was said not to be); the rest and earlier singletons are clustered together.
 */
export function computeClusterPlan(db: Db, opts: PlanOptions): ClusterPlan {
  const { threshold } = opts
  const faces = loadIdentities(db)
  const synced = opts.projectDir ? syncIdentityIndex(opts.projectDir, faces) : null
  if (opts.mode === 'full') {
    const { mustLink, cannotLink } = constraintsFor(db, faces)
    const r = clusterFaces(asItems(faces), {
      threshold,
      mustLink,
      cannotLink,
      ...(synced ? { index: synced.index } : {})
    })
    return {
      mode: 'full',
      threshold,
      maxFaceId: faces.reduce((m, f) => Math.max(m, f.id), 0),
      clusters: r.clusters,
      singletons: r.singletons,
      assigned: []
    }
  }
  const after = lastClusteredFace(db) ?? 0
  const unassigned = faces.filter((f) => f.personId === null)
  const fresh = unassigned.filter((f) => f.id > after)
  const assigned = assignFresh(db, faces, fresh, threshold, synced?.index)
  const joined = new Set(assigned.map(([f]) => f))
  const pool = unassigned.filter((f) => !joined.has(f.id))
  const { cannotLink } = constraintsFor(db, pool)
  const r = clusterFaces(asItems(pool), { threshold, cannotLink })
  return {
    mode: 'incremental',
    threshold,
    maxFaceId: unassigned.reduce((m, f) => Math.max(m, f.id), after),
    clusters: r.clusters,
    singletons: r.singletons,
    assigned
  }
}

/**
 * New faces → existing persons. With the index, each face is scored only against the persons of its nearest
 * indexed faces (a person within the threshold has a member nearer than the threshold), which keeps assignment
 * fast however many persons there are; without it, against every person.
 */
export function assignFresh(
  db: Db,
  faces: readonly FaceIdentity[],
  fresh: readonly FaceIdentity[],
  threshold: number,
  index?: Parameters<typeof searchIndex>[0]
): Array<[number, number]> {
  const byPerson = new Map<number, Float32Array[]>()
  const personOf = new Map<number, number>()
  const photosOf = new Map<number, Set<number>>()
  for (const f of faces) {
    if (f.personId === null) continue
    personOf.set(f.id, f.personId)
    const list = byPerson.get(f.personId)
    if (list) list.push(f.descriptor)
    else byPerson.set(f.personId, [f.descriptor])
    const photos = photosOf.get(f.personId)
    if (photos) photos.add(f.imageId)
    else photosOf.set(f.personId, new Set([f.imageId]))
  }
  const cannot = new Set(
    (db.prepare('SELECT face_id, person_id FROM cannot_links').raw().all() as Array<[number, number]>).map(
      ([f, p]) => `${f}:${p}`
    )
  )
  const imageOf = new Map(fresh.map((f) => [f.id, f.imageId]))
  const neighbours = index
    ? searchIndex(
        index,
        fresh.map((f) => f.descriptor),
        ASSIGN_NEIGHBOURS
      )
    : null
  const existing = [...byPerson].map(([key, descriptors]) => ({ key, descriptors }))
  const result = incrementalAssign(asItems(fresh), existing, threshold, {
    ...(neighbours
      ? {
          candidates: (i: number) =>
            (neighbours[i] ?? []).flatMap(([id, d]) => {
              const p = d < threshold ? personOf.get(id) : undefined
              return p === undefined ? [] : [p]
            })
        }
      : {}),
    allowed: (faceId, personId) =>
      !cannot.has(`${faceId}:${personId}`) && !photosOf.get(personId)?.has(imageOf.get(faceId) ?? -1)
  })
  const out: Array<[number, number]> = []
  for (const a of result) {
    if (a.cluster === null) continue
    // Two new faces of one photo never join the same person either: the later one stays in the pool.
    const photos = photosOf.get(a.cluster)
    const image = imageOf.get(a.id) ?? -1
    if (photos?.has(image)) continue
    photos?.add(image)
    out.push([a.id, a.cluster])
  }
  return out
}

/** Clusters / singletons / largest per threshold, with the same constraints as a full run. */
export function computePreview(db: Db, thresholds: readonly number[], projectDir?: string): ClusterPreviewRow[] {
  const faces = loadIdentities(db)
  const synced = projectDir ? syncIdentityIndex(projectDir, faces) : null
  const { mustLink, cannotLink } = constraintsFor(db, faces)
  return thresholdPreview(asItems(faces), thresholds, {
    mustLink,
    cannotLink,
    ...(synced ? { index: synced.index } : {})
  })
}
