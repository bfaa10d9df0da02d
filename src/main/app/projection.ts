/**
 * The Map (issue 13 §2) as main runs it: a projection job hands one feature kind to an ML worker (`map.project`,
 * which computes and stores the coordinates, or finds them already stored for the same faces); `map.get` reads
 * the stored map and says whether faces changed since; `map.colours` gives each face of the map its colour value
 * (a task's current label or active prediction, the prediction's confidence, the person).
 */
import type {
  MapColourBy,
  MapColouring,
  MapFeatureKind,
  MapMethod,
  MapProjection,
  ProjectionSummary
} from '../../shared/domain'
import { count } from '../../shared/format'
import { AppError } from '../../shared/result'
import { encodeCoords } from '../analysis/projection'
import type { Db } from '../db/open'
import { currentTaskLabels } from '../labels/ground-truth'
import { getTask } from '../labels/tasks'
import { currentProjectionKey, readStoredProjection } from '../library/projection-store'
import { activeVersion } from '../models/registry'
import type { SubmittedJob } from '../jobs/queue'
import type { AppContext } from './context'

export const MAP_SEED = 42
/** UMAP's fitted sample: about 15 s of fitting on one slow core; the rest is placed by transform. */
export const UMAP_SAMPLE = 5000

export interface ProjectionOptions {
  kind: MapFeatureKind
  method: MapMethod
  force?: boolean | undefined
  sample?: number | undefined
}

export function startProjection(ctx: AppContext, opts: ProjectionOptions): SubmittedJob<'projection'> {
  const project = ctx.requireProject()
  const title = `Map ${opts.kind.replace('_', '/')} features (${opts.method.toUpperCase()})`
  return ctx.jobs.submit({ kind: 'projection', task: null, title }, async (job) => {
    job.progress({ done: 0, total: 1, message: 'Starting…' })
    const r = await ctx.worker().request(
      'map.project',
      {
        projectDir: project.dir,
        kind: opts.kind,
        method: opts.method,
        seed: MAP_SEED,
        sample: opts.sample ?? UMAP_SAMPLE,
        force: opts.force
      },
      { signal: job.signal, onProgress: (m) => job.progress(m) }
    )
    const summary: ProjectionSummary = {
      kind: r.kind,
      method: r.method,
      key: r.key,
      n: r.n,
      fitted: r.fitted,
      seed: r.seed,
      seconds: r.seconds,
      computedAt: r.computedAt,
      cached: r.cached
    }
    job.progress({
      done: Math.max(1, r.n),
      total: Math.max(1, r.n),
      message: r.cached ? `${count(r.n)} faces: the stored map is up to date` : `${count(r.n)} faces placed`
    })
    return summary
  })
}

/** The stored map of a feature kind and method, or null when none was computed. */
export function mapProjection(ctx: AppContext, kind: MapFeatureKind, method: MapMethod): MapProjection | null {
  const project = ctx.requireProject()
  const stored = readStoredProjection(project.dir, kind, method)
  if (!stored) return null
  const { meta } = stored
  return {
    kind: meta.kind,
    method: meta.method,
    key: meta.key,
    n: meta.n,
    fitted: meta.fitted,
    seed: meta.seed,
    seconds: meta.seconds,
    computedAt: meta.computedAt,
    ids: encodeCoords(stored.ids),
    xy: encodeCoords(stored.xy),
    stale: meta.key !== currentProjectionKey(project.db, kind, method)
  }
}

export interface ColourOptions {
  kind: MapFeatureKind
  method: MapMethod
  by: MapColourBy
  task?: string | number | undefined
}

/** Each face of the stored map's colour value, in the map's order. */
export function mapColouring(ctx: AppContext, opts: ColourOptions): MapColouring {
  const project = ctx.requireProject()
  const stored = readStoredProjection(project.dir, opts.kind, opts.method)
  if (!stored) throw new AppError('NOT_FOUND', 'Compute the map first.')
  const ids = stored.ids
  const db = project.db
  if (opts.by === 'person') return categories('person', 'Person', ids, personNames(db))
  if (opts.task === undefined) throw new AppError('BAD_ARGS', 'Choose a task to colour by.', 'task')
  const task = getTask(db, opts.task)
  let values: Map<number, string>
  let title: string
  if (opts.by === 'label') {
    values = new Map(currentTaskLabels(db, task.id).map((l) => [l.faceId, l.value]))
    title = `${task.name}: current label`
  } else {
    const v = activeVersion(db, task.id)
    const rows = v
      ? (db
          .prepare('SELECT face_id, value, confidence FROM predictions WHERE task_id = ? AND version_id = ?')
          .raw()
          .all(task.id, v.id) as Array<[number, string, number | null]>)
      : []
    if (opts.by === 'confidence') {
      const conf = new Map(rows.filter((r) => r[2] !== null).map((r) => [r[0], r[2] as number]))
      return numbers('confidence', `${task.name}: confidence of v${v?.version ?? '?'}`, ids, conf)
    }
    values = new Map(rows.map((r) => [r[0], r[1]]))
    title = `${task.name}: prediction of v${v?.version ?? '?'}`
  }
  if (task.kind === 'score') {
    const nums = new Map<number, number>()
    for (const [id, s] of values) if (s.trim() !== '' && Number.isFinite(Number(s))) nums.set(id, Number(s))
    return numbers(opts.by, title, ids, nums)
  }
  return categories(opts.by, title, ids, values)
}

function personNames(db: Db): Map<number, string> {
  const rows = db
    .prepare('SELECT f.id, p.id, p.name FROM faces f JOIN persons p ON p.id = f.person_id')
    .raw()
    .all() as Array<[number, number, string | null]>
  return new Map(rows.map(([face, person, name]) => [face, name ?? `Person #${person}`]))
}

function categories(by: MapColourBy, title: string, ids: Int32Array, of: Map<number, string>): MapColouring {
  const count = new Map<string, number>()
  for (const id of ids) {
    const v = of.get(id)
    if (v !== undefined) count.set(v, (count.get(v) ?? 0) + 1)
  }
  const order = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const index = new Map(order.map(([v], i) => [v, i]))
  const codes = new Int32Array(ids.length)
  let none = 0
  ids.forEach((id, i) => {
    const v = of.get(id)
    const c = v === undefined ? -1 : (index.get(v) as number)
    if (c < 0) none++
    codes[i] = c
  })
  return {
    by,
    type: 'category',
    title,
    categories: order.map(([v]) => v),
    counts: order.map(([, c]) => c),
    codes: encodeCoords(codes),
    none
  }
}

function numbers(by: MapColourBy, title: string, ids: Int32Array, of: Map<number, number>): MapColouring {
  const values = new Float32Array(ids.length)
  let min = Infinity
  let max = -Infinity
  let none = 0
  ids.forEach((id, i) => {
    const v = of.get(id)
    if (v === undefined) {
      values[i] = NaN
      none++
      return
    }
    values[i] = v
    if (v < min) min = v
    if (v > max) max = v
  })
  if (min > max) [min, max] = [0, 1]
  return { by, type: 'number', title, values: encodeCoords(values), min, max, none }
}
