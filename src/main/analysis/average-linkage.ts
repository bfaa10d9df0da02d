import type { KnnGraph } from './knn'

/**
 * Agglomerative clustering with average linkage on squared Euclidean distance, restricted to clusters joined
 * by an edge of the threshold kNN graph. The mean squared distance between all members of A and B is exact
 * from running sums: E|a−b|² = E|a|² + E|b|² − 2·μA·μB, so a sparse graph never hides a far pair the way
 * single linkage (connected components) does, and big clusters stop growing before they chain two people.
 * Merges happen closest-first while sqrt(E|a−b|²) < threshold. Must-link groups start as one cluster; a merge
 * that would put a cannot-link pair together is refused, so those pairs can never end up together.
 *
 * Returns one root index per input (members of a cluster share it).
 */
export function averageLinkage(
  vectors: readonly Float32Array[],
  graph: KnnGraph,
  threshold: number,
  mustLink: ReadonlyArray<readonly [number, number]>,
  cannotLink: ReadonlyArray<readonly [number, number]>
): Int32Array {
  const n = vectors.length
  const dim = n > 0 ? (vectors[0] as Float32Array).length : 0
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (x: number): number => {
    let r = x
    while ((parent[r] as number) !== r) r = parent[r] as number
    while ((parent[x] as number) !== r) {
      const next = parent[x] as number
      parent[x] = r
      x = next
    }
    return r
  }

  for (const [a, b] of mustLink) {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  for (const [a, b] of cannotLink) {
    if (find(a) === find(b)) throw new Error(`faces at ${a} and ${b} are both must-link and cannot-link`)
  }

  const size = new Int32Array(n)
  const sumSq = new Float64Array(n)
  const sums = new Map<number, Float64Array>()
  const forbidden = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const r = find(i)
    const v = vectors[i] as Float32Array
    let s = sums.get(r)
    if (!s) sums.set(r, (s = new Float64Array(dim)))
    let sq = 0
    for (let k = 0; k < dim; k++) {
      const x = v[k] as number
      s[k] = (s[k] as number) + x
      sq += x * x
    }
    sumSq[r] = (sumSq[r] as number) + sq
    size[r] = (size[r] as number) + 1
  }
  for (const [a, b] of cannotLink) {
    pushTo(forbidden, find(a), b)
    pushTo(forbidden, find(b), a)
  }

  const adjacency = new Map<number, Set<number>>()
  for (let i = 0; i < n; i++) {
    const ri = find(i)
    for (let s = 0; s < graph.k; s++) {
      const j = graph.neighbours[i * graph.k + s] as number
      if (j < 0 || (graph.distances[i * graph.k + s] as number) >= threshold) break
      const rj = find(j)
      if (ri === rj) continue
      setOf(adjacency, ri).add(rj)
      setOf(adjacency, rj).add(ri)
    }
  }

  const t2 = threshold * threshold
  const meanSquared = (a: number, b: number): number => {
    const sa = sums.get(a) as Float64Array
    const sb = sums.get(b) as Float64Array
    let dot = 0
    for (let k = 0; k < dim; k++) dot += (sa[k] as number) * (sb[k] as number)
    const na = size[a] as number
    const nb = size[b] as number
    return (sumSq[a] as number) / na + (sumSq[b] as number) / nb - (2 * dot) / (na * nb)
  }
  const version = new Int32Array(n)
  const heap = new PairHeap()
  const offer = (a: number, b: number): void => {
    const d = meanSquared(a, b)
    if (d < t2) heap.push(d, a, b, version[a] as number, version[b] as number)
  }
  for (const [a, nbs] of adjacency) for (const b of nbs) if (a < b) offer(a, b)

  const conflicts = (a: number, b: number): boolean => {
    const fa = forbidden.get(a)
    const fb = forbidden.get(b)
    const [list, other] = (fa?.length ?? 0) <= (fb?.length ?? 0) ? [fa, b] : [fb, a]
    return list !== undefined && list.some((x) => find(x) === other)
  }

  for (let top = heap.pop(); top; top = heap.pop()) {
    const { a, b } = top
    if ((parent[a] as number) !== a || (parent[b] as number) !== b) continue
    if (top.va !== version[a] || top.vb !== version[b]) continue
    if (conflicts(a, b)) continue
    // Union by size keeps find() short and lets the smaller adjacency be folded into the larger.
    const [big, small] = (size[a] as number) >= (size[b] as number) ? [a, b] : [b, a]
    parent[small] = big
    size[big] = (size[big] as number) + (size[small] as number)
    sumSq[big] = (sumSq[big] as number) + (sumSq[small] as number)
    const sBig = sums.get(big) as Float64Array
    const sSmall = sums.get(small) as Float64Array
    for (let k = 0; k < dim; k++) sBig[k] = (sBig[k] as number) + (sSmall[k] as number)
    sums.delete(small)
    const fSmall = forbidden.get(small)
    if (fSmall) {
      for (const x of fSmall) pushTo(forbidden, big, x)
      forbidden.delete(small)
    }
    const adjBig = setOf(adjacency, big)
    for (const nb of adjacency.get(small) ?? []) {
      const adjNb = setOf(adjacency, nb)
      adjNb.delete(small)
      if (nb === big) continue
      adjNb.add(big)
      adjBig.add(nb)
    }
    adjBig.delete(small)
    adjacency.delete(small)
    version[big] = (version[big] as number) + 1
    for (const nb of adjBig) offer(big, nb)
  }

  const roots = new Int32Array(n)
  for (let i = 0; i < n; i++) roots[i] = find(i)
  return roots
}

function pushTo(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function setOf(map: Map<number, Set<number>>, key: number): Set<number> {
  let s = map.get(key)
  if (!s) map.set(key, (s = new Set()))
  return s
}

interface HeapEntry {
  d: number
  a: number
  b: number
  va: number
  vb: number
}

/** Min-heap of candidate merges; stale entries are skipped on pop via the version stamps. */
class PairHeap {
  private items: HeapEntry[] = []

  push(d: number, a: number, b: number, va: number, vb: number): void {
    const items = this.items
    const e = { d, a, b, va, vb }
    let pos = items.length
    items.push(e)
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      const p = items[parent] as HeapEntry
      if (!before(e, p)) break
      items[pos] = p
      pos = parent
    }
    items[pos] = e
  }

  pop(): HeapEntry | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let pos = 0
    for (;;) {
      const left = 2 * pos + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && before(items[right] as HeapEntry, items[left] as HeapEntry) ? right : left
      if (!before(items[child] as HeapEntry, last)) break
      items[pos] = items[child] as HeapEntry
      pos = child
    }
    items[pos] = last
    return top
  }
}

// Ties broken by indices so the merge order, and so the result, never depends on insertion order.
function before(x: HeapEntry, y: HeapEntry): boolean {
  return x.d < y.d || (x.d === y.d && (x.a < y.a || (x.a === y.a && x.b < y.b)))
}
