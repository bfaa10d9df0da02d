import { clusterFaces, pairwisePrecisionRecall } from './cluster'
import { makeSyntheticDescriptors } from './synthetic'

export interface ClusterBenchResult {
  n: number
  people: number
  seconds: number
  clusters: number
  singletons: number
  precision: number
  recall: number
}

/**
 * Times clusterFaces on n synthetic descriptors (about 20 faces per person) and scores it against the known
 * people. Pure so `npm run bench` can wrap it with its own memory probe and output format.
 */
export function runClusterBench(n: number, seed = 1): ClusterBenchResult {
  const people = Math.max(1, Math.round(n / 20))
  const faces = makeSyntheticDescriptors(n, people, seed)
  const start = performance.now()
  const result = clusterFaces(faces)
  const seconds = (performance.now() - start) / 1000
  const pred = new Map<number, number>()
  result.clusters.forEach((c, ci) => c.forEach((id) => pred.set(id, ci)))
  result.singletons.forEach((id) => pred.set(id, -1 - id))
  const { precision, recall } = pairwisePrecisionRecall(pred, new Map(faces.map((f) => [f.id, f.person])))
  return {
    n,
    people,
    seconds,
    clusters: result.clusters.length,
    singletons: result.singletons.length,
    precision,
    recall
  }
}
