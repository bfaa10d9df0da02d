/**
 * Op `map.project`: the Map's 2-D projection of one feature kind of every face (issue 13 §2), written to the
 * project's cache (library/projection-store.ts) and answered from it when the faces have not changed.
 *
 * PCA is one pass (analysis/projection.ts). UMAP (umap-js) fits its layout on a seeded sample of at most
 * `sample` faces, then places the other faces with `transform` in chunks: fitting all 100,000 faces would take
 * many minutes and memory in plain JavaScript, while transform costs about a millisecond a face. Every epoch
 * batch and chunk yields to the event loop and checks the signal, so a cancel lands within a fraction of a
 * second, and nothing is written before the last check.
 */
import path from 'node:path'
import { setImmediate as yieldLoop } from 'node:timers/promises'
import { UMAP } from 'umap-js'
import { pcaProject } from '../analysis/projection'
import { mulberry32 } from '../analysis/random'
import { count } from '../../shared/format'
import { AppError } from '../../shared/result'
import { allFeatures } from '../library/features'
import {
  CACHE_DIR,
  currentProjectionKey,
  readStoredProjection,
  writeStoredProjection,
  type StoredProjectionMeta
} from '../library/projection-store'
import { projectDb } from './db'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

export interface ProjectionProgress {
  done: number
  total: number
  message: string
}

export type ProjectionOpResult = StoredProjectionMeta & { cached: boolean }

/** Faces placed per transform call: about two seconds of work on a slow core between checks of the signal. */
const TRANSFORM_CHUNK = 2000
/** Epochs run between two yields while fitting. */
const EPOCH_BATCH = 10
/**
 * Progress is counted in work units where one transformed face is one unit: fitting costs about three units per
 * sampled face (measured: 5,000 faces fit in ~15 s, transform ~1 ms a face), so the bar and the ETA move evenly.
 */
const FIT_UNITS = 3

export async function projectionOp(
  p: OpParsed<'map.project'>,
  ctx: OpContext<ProjectionProgress>
): Promise<ProjectionOpResult> {
  const started = performance.now()
  const db = projectDb(p.projectDir)
  const key = currentProjectionKey(db, p.kind, p.method)
  if (!p.force) {
    const stored = readStoredProjection(p.projectDir, p.kind, p.method)
    if (stored && stored.meta.key === key) return { ...stored.meta, cached: true }
  }
  const checkpoint = async (): Promise<void> => {
    await yieldLoop()
    if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Map projection cancelled; the stored map is unchanged.')
  }
  ctx.progress({ done: 0, total: 1, message: `Reading ${p.kind} features…` })
  const feat = allFeatures(db, p.kind)
  const n = feat.faceIds.length
  await checkpoint()
  let xy: Float32Array
  let fitted = n
  if (p.method === 'pca' || n < 3) {
    xy = pcaProject(feat.data, n, feat.dim)
  } else {
    const r = await umapProject(feat.data, n, feat.dim, p, ctx, checkpoint)
    xy = r.xy
    fitted = r.fitted
  }
  await checkpoint()
  const meta: StoredProjectionMeta = {
    kind: p.kind,
    method: p.method,
    key,
    n,
    seed: p.seed,
    fitted,
    seconds: (performance.now() - started) / 1000,
    computedAt: new Date().toISOString()
  }
  try {
    writeStoredProjection(p.projectDir, { meta, ids: Int32Array.from(feat.faceIds), xy })
  } catch (e) {
    throw new AppError(
      'INTERNAL',
      `Could not save the map in ${path.join(p.projectDir, CACHE_DIR)} (${e instanceof Error ? e.message : String(e)}). Check that the project folder is writable, then compute again.`
    )
  }
  ctx.progress({ done: 1, total: 1, message: `${count(n)} faces placed` })
  return { ...meta, cached: false }
}

/** Rows of the packed matrix as the plain arrays umap-js takes. */
function rowsOf(data: Float32Array, dim: number, idx: readonly number[]): number[][] {
  return idx.map((i) => Array.from(data.subarray(i * dim, (i + 1) * dim)))
}

async function umapProject(
  data: Float32Array,
  n: number,
  dim: number,
  p: OpParsed<'map.project'>,
  ctx: OpContext<ProjectionProgress>,
  checkpoint: () => Promise<void>
): Promise<{ xy: Float32Array; fitted: number }> {
  const rng = mulberry32(p.seed)
  // A seeded partial Fisher–Yates: the first `m` of the order are the fitted sample, the rest are transformed.
  const order = Array.from({ length: n }, (_, i) => i)
  const m = Math.min(n, p.sample)
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng() * (n - i))
    const t = order[i] as number
    order[i] = order[j] as number
    order[j] = t
  }
  const sample = order.slice(0, m).sort((a, b) => a - b)
  const rest = order.slice(m).sort((a, b) => a - b)
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, m - 1), random: rng })
  const total = FIT_UNITS * m + rest.length
  ctx.progress({ done: 0, total, message: `Finding neighbours of ${count(m)} faces…` })
  await checkpoint()
  const epochs = umap.initializeFit(rowsOf(data, dim, sample))
  for (let e = 0; e < epochs;) {
    const end = Math.min(epochs, e + EPOCH_BATCH)
    for (; e < end; e++) umap.step()
    ctx.progress({
      done: Math.round((FIT_UNITS * m * e) / epochs),
      total,
      message: `Fitting the layout on ${count(m)} faces: epoch ${e} of ${epochs}`
    })
    await checkpoint()
  }
  const xy = new Float32Array(n * 2)
  umap.getEmbedding().forEach((pt, k) => {
    const i = sample[k] as number
    xy[i * 2] = pt[0] as number
    xy[i * 2 + 1] = pt[1] as number
  })
  for (let c = 0; c < rest.length; c += TRANSFORM_CHUNK) {
    const chunk = rest.slice(c, c + TRANSFORM_CHUNK)
    const coords = umap.transform(rowsOf(data, dim, chunk))
    coords.forEach((pt, k) => {
      const i = chunk[k] as number
      xy[i * 2] = pt[0] as number
      xy[i * 2 + 1] = pt[1] as number
    })
    const placed = m + Math.min(rest.length, c + TRANSFORM_CHUNK)
    ctx.progress({
      done: FIT_UNITS * m + (placed - m),
      total,
      message: `Placing the other faces beside their neighbours: ${count(placed)} of ${count(n)}`
    })
    await checkpoint()
  }
  return { xy, fitted: m }
}
