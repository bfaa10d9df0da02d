import { averageLinkage } from './average-linkage'
import { DEFAULT_K, DEFAULT_THRESHOLD } from './cluster-defaults'
import { thresholdKnn, type KnnGraph, type VectorIndex } from './knn'

export { pairwisePrecisionRecall, type PairwisePrecisionRecall } from './pairwise'

export interface FaceDescriptorItem {
  id: number
  descriptor: Float32Array
}

export interface ClusterOptions {
  /** Euclidean distance; face-api same-person pairs are mostly below 0.5, different people above 0.6. */
  threshold?: number
  /** Neighbours kept per face in the candidate graph. */
  k?: number
  /** Face id pairs that must never share a cluster (e.g. a review said "not the same person"). */
  cannotLink?: Array<[number, number]>
  /** Face id pairs that always share a cluster (e.g. a confirmed identity). */
  mustLink?: Array<[number, number]>
  /** An index holding exactly these faces under their ids (the project's persisted one); built when absent. */
  index?: VectorIndex
}

export interface ClusterResult {
  /** Face ids per cluster of 2 or more, ids ascending, clusters largest first. */
  clusters: number[][]
  singletons: number[]
}

export interface ThresholdPreviewRow {
  threshold: number
  clusters: number
  singletons: number
  largest: number
}

export { DEFAULT_K, DEFAULT_THRESHOLD }

/**
 * Identity clusters: a threshold kNN graph (approximate, HNSW) and average linkage over it (see
 * average-linkage.ts for why not connected components or Chinese whispers).
 */
export function clusterFaces(items: readonly FaceDescriptorItem[], opts: ClusterOptions = {}): ClusterResult {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD
  const graph = thresholdKnn(
    items.map((f) => f.descriptor),
    opts.k ?? DEFAULT_K,
    threshold,
    indexOpts(items, opts)
  )
  return clusterOverGraph(items, graph, threshold, opts)
}

/**
 * What each threshold would give, for a slider in the UI. The graph is built once at the largest threshold;
 * a row's neighbours are sorted nearest first, so its prefix below a smaller threshold is exactly the graph
 * that threshold would have built.
 */
export function thresholdPreview(
  items: readonly FaceDescriptorItem[],
  thresholds: readonly number[],
  opts: Omit<ClusterOptions, 'threshold'> = {}
): ThresholdPreviewRow[] {
  if (thresholds.length === 0) return []
  const graph = thresholdKnn(
    items.map((f) => f.descriptor),
    opts.k ?? DEFAULT_K,
    Math.max(...thresholds),
    indexOpts(items, opts)
  )
  return thresholds.map((threshold) => {
    const { clusters, singletons } = clusterOverGraph(items, graph, threshold, opts)
    return { threshold, clusters: clusters.length, singletons: singletons.length, largest: clusters[0]?.length ?? 0 }
  })
}

function indexOpts(
  items: readonly FaceDescriptorItem[],
  opts: Pick<ClusterOptions, 'index'>
): { index?: VectorIndex; ids?: number[] } {
  return opts.index ? { index: opts.index, ids: items.map((f) => f.id) } : {}
}

function clusterOverGraph(
  items: readonly FaceDescriptorItem[],
  graph: KnnGraph,
  threshold: number,
  opts: ClusterOptions
): ClusterResult {
  const indexOf = new Map<number, number>()
  items.forEach((f, i) => {
    if (indexOf.has(f.id)) throw new Error(`duplicate face id ${f.id}`)
    indexOf.set(f.id, i)
  })
  // Constraints naming faces outside this batch cannot affect it and are dropped.
  const toIndices = (pairs: Array<[number, number]> | undefined): Array<[number, number]> =>
    (pairs ?? []).flatMap(([a, b]) => {
      const ia = indexOf.get(a)
      const ib = indexOf.get(b)
      return ia === undefined || ib === undefined || ia === ib ? [] : [[ia, ib] as [number, number]]
    })
  const roots = averageLinkage(
    items.map((f) => f.descriptor),
    graph,
    threshold,
    toIndices(opts.mustLink),
    toIndices(opts.cannotLink)
  )
  const groups = new Map<number, number[]>()
  roots.forEach((r, i) => {
    const g = groups.get(r)
    const id = (items[i] as FaceDescriptorItem).id
    if (g) g.push(id)
    else groups.set(r, [id])
  })
  const clusters: number[][] = []
  const singletons: number[] = []
  for (const g of groups.values()) {
    if (g.length >= 2) clusters.push(g.sort((a, b) => a - b))
    else singletons.push(g[0] as number)
  }
  clusters.sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number))
  singletons.sort((a, b) => a - b)
  return { clusters, singletons }
}

export interface ExistingCluster<K> {
  key: K
  descriptors: readonly Float32Array[]
}

export interface IncrementalAssignment<K> {
  id: number
  /** The cluster joined, or null when no cluster is within the threshold. */
  cluster: K | null
  /** Root-mean-square distance from the face to that cluster's members (to the nearest cluster when null). */
  distance: number | null
}

export interface AssignOptions<K> {
  /** Clusters worth scoring for the i-th new face (e.g. the clusters of its index neighbours); all when absent. */
  candidates?: (i: number) => Iterable<K>
  /** False where the face may not join that cluster (a cannot-link, or a face of the same photo already there). */
  allowed?: (faceId: number, cluster: K) => boolean
}

/**
 * Puts new faces into existing clusters without touching those clusters: each face joins the allowed cluster with
 * the smallest RMS distance to its members if that is below the threshold — the same rule clusterFaces uses to add
 * one face to a cluster — so an import does not reshuffle what the user already reviewed. Faces are assigned
 * independently (they do not join each other); cluster the unassigned ones with clusterFaces. With `candidates`,
 * only those clusters are scored: a cluster whose RMS distance is under the threshold has a member closer than
 * that, so the clusters of a face's nearest neighbours are where its answer lies.
 */
export function incrementalAssign<K>(
  newItems: readonly FaceDescriptorItem[],
  existingClusters: ReadonlyArray<ExistingCluster<K>>,
  threshold = DEFAULT_THRESHOLD,
  opts: AssignOptions<K> = {}
): Array<IncrementalAssignment<K>> {
  const summaries = new Map<K, { mean: Float64Array; meanSq: number }>()
  for (const c of existingClusters) {
    if (c.descriptors.length === 0) continue
    const dim = (c.descriptors[0] as Float32Array).length
    const mean = new Float64Array(dim)
    let meanSq = 0
    for (const d of c.descriptors) {
      for (let k = 0; k < dim; k++) {
        const x = d[k] as number
        mean[k] = (mean[k] as number) + x
        meanSq += x * x
      }
    }
    for (let k = 0; k < dim; k++) mean[k] = (mean[k] as number) / c.descriptors.length
    summaries.set(c.key, { mean, meanSq: meanSq / c.descriptors.length })
  }

  return newItems.map((f, i) => {
    let best: { key: K; d2: number } | null = null
    let sq = 0
    for (const x of f.descriptor) sq += x * x
    const keys = opts.candidates ? new Set(opts.candidates(i)) : summaries.keys()
    for (const key of keys) {
      const s = summaries.get(key)
      if (!s || (opts.allowed && !opts.allowed(f.id, key))) continue
      if (s.mean.length !== f.descriptor.length) throw new Error(`face ${f.id}: descriptor length mismatch`)
      let dot = 0
      for (let k = 0; k < s.mean.length; k++) dot += (s.mean[k] as number) * (f.descriptor[k] as number)
      // E|x−b|² over the members b = |x|² + E|b|² − 2x·μ
      const d2 = Math.max(0, sq + s.meanSq - 2 * dot)
      if (best === null || d2 < best.d2) best = { key, d2 }
    }
    if (best === null) return { id: f.id, cluster: null, distance: null }
    const distance = Math.sqrt(best.d2)
    return { id: f.id, cluster: distance < threshold ? best.key : null, distance }
  })
}
