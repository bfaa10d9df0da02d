import { clusterFaces, incrementalAssign, pairwisePrecisionRecall } from './cluster'
import { DEFAULT_THRESHOLD } from './cluster-defaults'
import { addToIndex, createIndex, searchIndex, thresholdKnn } from './knn'
import { makeSyntheticDescriptors } from './synthetic'

export interface ClusterBenchResult {
  n: number
  people: number
  /** Wall time of clusterFaces; the index is built inside (no persisted one). */
  seconds: number
  /** CPU time of this process over the same span (usearch uses every core; the linkage is one thread). */
  cpu_seconds: number
  clusters: number
  singletons: number
  precision: number
  recall: number
}

function cpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/**
 * Times clusterFaces on n synthetic descriptors (about 20 faces per person) and scores it against the known
 * people. Pure so `npm run bench` can wrap it with its own memory probe and output format.
 */
export function runClusterBench(n: number, seed = 1): ClusterBenchResult {
  const people = Math.max(1, Math.round(n / 20))
  const faces = makeSyntheticDescriptors(n, people, seed)
  const start = performance.now()
  const cpu0 = cpuSeconds()
  const result = clusterFaces(faces)
  const seconds = (performance.now() - start) / 1000
  const cpu = cpuSeconds() - cpu0
  const pred = new Map<number, number>()
  result.clusters.forEach((c, ci) => c.forEach((id) => pred.set(id, ci)))
  result.singletons.forEach((id) => pred.set(id, -1 - id))
  const { precision, recall } = pairwisePrecisionRecall(pred, new Map(faces.map((f) => [f.id, f.person])))
  return {
    n,
    people,
    seconds,
    cpu_seconds: cpu,
    clusters: result.clusters.length,
    singletons: result.singletons.length,
    precision,
    recall
  }
}

export interface ClusterPhases {
  n: number
  /** CPU seconds of each phase (index build uses every core, the rest one). */
  build_cpu: number
  search_cpu: number
  linkage_cpu: number
  build_s: number
  search_s: number
  linkage_s: number
}

/** Where clustering time goes: building the index, the threshold-kNN search over it, average linkage. */
export function runClusterPhases(n: number, seed = 1): ClusterPhases {
  const faces = makeSyntheticDescriptors(n, Math.max(1, Math.round(n / 20)), seed)
  const span = <T>(fn: () => T): { value: T; s: number; cpu: number } => {
    const t = performance.now()
    const c = cpuSeconds()
    const value = fn()
    return { value, s: (performance.now() - t) / 1000, cpu: cpuSeconds() - c }
  }
  const ids = faces.map((f) => f.id)
  const build = span(() => {
    const index = createIndex(128)
    addToIndex(
      index,
      ids,
      faces.map((f) => f.descriptor)
    )
    return index
  })
  const search = span(() =>
    thresholdKnn(
      faces.map((f) => f.descriptor),
      10,
      DEFAULT_THRESHOLD,
      { index: build.value, ids }
    )
  )
  const full = span(() => clusterFaces(faces, { index: build.value }))
  return {
    n,
    build_cpu: build.cpu,
    search_cpu: search.cpu,
    linkage_cpu: Math.max(0, full.cpu - search.cpu),
    build_s: build.s,
    search_s: search.s,
    linkage_s: Math.max(0, full.s - search.s)
  }
}

export interface AssignBenchResult {
  existing: number
  persons: number
  fresh: number
  /** Search of the (already built, as persisted) index + scoring the candidate persons. */
  seconds: number
  faces_per_second: number
  /** Share of new faces that joined the person of their own synthetic identity. */
  correct: number
  /** The same faces scored against every person (the rule without an index). */
  exhaustive_faces_per_second: number
}

/**
 * Incremental assignment: `existing` faces already in persons (one per synthetic identity) and an index over
 * them, as the project keeps it; then `fresh` new faces of the same people arrive.
 */
export function runAssignBench(existing: number, fresh: number, seed = 1): AssignBenchResult {
  const persons = Math.max(1, Math.round(existing / 20))
  const all = makeSyntheticDescriptors(existing + fresh, persons, seed)
  const old = all.slice(0, existing)
  const incoming = all.slice(existing)
  const index = createIndex(128)
  addToIndex(
    index,
    old.map((f) => f.id),
    old.map((f) => f.descriptor)
  )
  const byPerson = new Map<number, Float32Array[]>()
  for (const f of old) {
    const list = byPerson.get(f.person)
    if (list) list.push(f.descriptor)
    else byPerson.set(f.person, [f.descriptor])
  }
  const clusters = [...byPerson].map(([key, descriptors]) => ({ key, descriptors }))
  const personOf = new Map(old.map((f) => [f.id, f.person]))

  const start = performance.now()
  const rows = searchIndex(
    index,
    incoming.map((f) => f.descriptor),
    16
  )
  const assigned = incrementalAssign(incoming, clusters, DEFAULT_THRESHOLD, {
    candidates: (i) => (rows[i] ?? []).flatMap(([id, d]) => (d < DEFAULT_THRESHOLD ? [personOf.get(id) ?? -1] : []))
  })
  const seconds = (performance.now() - start) / 1000
  const correct = assigned.filter((a, i) => a.cluster === (incoming[i] as { person: number }).person).length

  const sample = incoming.slice(0, Math.min(incoming.length, 1000))
  const t0 = performance.now()
  incrementalAssign(sample, clusters, DEFAULT_THRESHOLD)
  const exhaustive = (performance.now() - t0) / 1000
  return {
    existing,
    persons,
    fresh,
    seconds,
    faces_per_second: fresh / seconds,
    correct: correct / fresh,
    exhaustive_faces_per_second: sample.length / exhaustive
  }
}
