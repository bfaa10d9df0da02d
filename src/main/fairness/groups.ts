/**
 * Group membership for fairness metrics and mitigation. Groups come from a task's annotations (current
 * labels, person-level labels applied to every face of the person); a task's own predictions are used only
 * when the caller asks for source 'predicted', and every result names the source. Answers that are not a
 * label (unsure, not applicable, skipped) never form a group. Two groupings intersect into "a × b".
 */
import type { GroupingCandidate, GroupingInfo, GroupSource } from '../../shared/domain'
import { AppError } from '../../shared/result'
import { GROUP_JOINER, intersectGroups } from '../analysis/group-rates'
import type { Db } from '../db/open'
import { currentTaskLabels, usableLabels } from '../labels/ground-truth'
import { activeVersion } from '../models/registry'
import { getTask, listTasks, type TaskRow } from '../labels/tasks'

export interface GroupingSpec {
  /** Task whose labels form the groups. */
  task: string | number
  /** Optional second task: groups are the intersections "task × by". */
  by?: string | number | undefined
  source?: GroupSource | undefined
}

export interface Grouping {
  tasks: string[]
  label: string
  source: GroupSource
  /** faceId → group value. */
  groupOf: Map<number, string>
}

/** Score tasks group by decade ("20-29"), so an age score can serve as an age band. */
export function scoreBand(value: number): string {
  const lo = Math.max(0, Math.floor(value / 10) * 10)
  return `${lo}-${lo + 9}`
}

function fromAnnotations(db: Db, task: TaskRow): Map<number, string> {
  const out = new Map<number, string>()
  for (const l of usableLabels(currentTaskLabels(db, task.id), task)) {
    out.set(l.faceId, task.kind === 'score' ? scoreBand(Number(l.value)) : l.value)
  }
  return out
}

function fromPredictions(db: Db, task: TaskRow): Map<number, string> {
  const v = activeVersion(db, task.id)
  if (!v) throw new AppError('NOT_FOUND', `Task "${task.name}" has no active version to take predicted groups from.`)
  const rows = db
    .prepare('SELECT face_id, value FROM predictions WHERE task_id = ? AND version_id = ?')
    .raw()
    .all(task.id, v.id) as Array<[number, string]>
  const out = new Map<number, string>()
  for (const [faceId, value] of rows) {
    if (task.kind === 'score') {
      const n = Number(value)
      if (Number.isFinite(n)) out.set(faceId, scoreBand(n))
    } else out.set(faceId, value)
  }
  return out
}

export function resolveGrouping(db: Db, spec: GroupingSpec): Grouping {
  const source = spec.source ?? 'annotations'
  const read = (ref: string | number): { task: TaskRow; map: Map<number, string> } => {
    const task = getTask(db, ref)
    return { task, map: source === 'predicted' ? fromPredictions(db, task) : fromAnnotations(db, task) }
  }
  const a = read(spec.task)
  if (spec.by === undefined) return { tasks: [a.task.name], label: a.task.name, source, groupOf: a.map }
  const b = read(spec.by)
  if (b.task.id === a.task.id) throw new AppError('BAD_ARGS', 'An intersection needs two different tasks.', 'by')
  return {
    tasks: [a.task.name, b.task.name],
    label: `${a.task.name}${GROUP_JOINER}${b.task.name}`,
    source,
    groupOf: intersectGroups(a.map, b.map)
  }
}

/** Grouping from explicit values (e.g. a CSV column), keyed by face id. */
export function explicitGrouping(label: string, groupOf: Map<number, string>): Grouping {
  return { tasks: [], label, source: 'annotations', groupOf }
}

/** The summary a result carries, counted over the faces actually scored. */
export function groupingInfo(g: Grouping, faceIds: readonly number[]): GroupingInfo {
  const values: Record<string, number> = {}
  let faces = 0
  for (const id of faceIds) {
    const v = g.groupOf.get(id)
    if (v === undefined) continue
    faces++
    values[v] = (values[v] ?? 0) + 1
  }
  const sorted: Record<string, number> = {}
  for (const k of Object.keys(values).sort()) sorted[k] = values[k] as number
  return { tasks: g.tasks, label: g.label, source: g.source, faces, values: sorted }
}

/** Every task as a possible grouping, with how many faces each of its annotated values has. */
export function groupingCandidates(db: Db): GroupingCandidate[] {
  return listTasks(db).map((task) => {
    const map = fromAnnotations(db, task)
    const values: Record<string, number> = {}
    for (const v of map.values()) values[v] = (values[v] ?? 0) + 1
    const sorted: Record<string, number> = {}
    for (const k of Object.keys(values).sort()) sorted[k] = values[k] as number
    return { task: task.name, level: task.level, kind: task.kind, faces: map.size, values: sorted }
  })
}
