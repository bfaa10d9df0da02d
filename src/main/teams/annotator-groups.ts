/**
 * Annotator profiles and the annotator × subject-group analysis (issue 14): how often each annotator (or each
 * value of an annotator attribute, e.g. a self-declared group) gives each label to faces of each subject group —
 * the bias in human annotations that would otherwise flow straight into a model. Counted answers only (see
 * teams/agreement.ts); subject groups come from the grouping task's annotations, never from predictions.
 */
import { AppError } from '../../shared/result'
import type {
  AnnotatorGroupCell,
  AnnotatorGroupGap,
  AnnotatorGroupReport,
  AnnotatorProfileInfo
} from '../../shared/teams'
import type { Db } from '../db/open'
import { resolveGrouping } from '../fairness/groups'
import { getTask } from '../labels/tasks'
import { answersByFace } from './agreement'

const NOT_GIVEN = '(not given)'

function attributesOf(db: Db): Map<string, Record<string, string>> {
  const rows = db.prepare('SELECT name, attributes FROM annotator_profiles').all() as Array<{
    name: string
    attributes: string
  }>
  const out = new Map<string, Record<string, string>>()
  for (const r of rows) {
    try {
      out.set(r.name, JSON.parse(r.attributes) as Record<string, string>)
    } catch {
      out.set(r.name, {})
    }
  }
  return out
}

/** Everyone who answered in the project or has a profile, with their attributes. */
export function annotatorProfiles(db: Db): AnnotatorProfileInfo[] {
  const counts = db
    .prepare(`SELECT annotator, COUNT(*) AS n FROM annotations WHERE source NOT IN ('undo', 'redo') GROUP BY annotator`)
    .all() as Array<{ annotator: string; n: number }>
  const attrs = attributesOf(db)
  const names = new Set([...counts.map((c) => c.annotator), ...attrs.keys()])
  const answers = new Map(counts.map((c) => [c.annotator, c.n]))
  return [...names]
    .sort((a, b) => a.localeCompare(b))
    .map((name) => ({ name, answers: answers.get(name) ?? 0, attributes: attrs.get(name) ?? {} }))
}

/** Sets (replaces) an annotator's attributes; empty values are dropped, and no attributes removes the profile. */
export function setAnnotatorAttributes(db: Db, name: string, attributes: Record<string, string>): AnnotatorProfileInfo {
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(attributes)) {
    const key = k.trim()
    const value = v.trim()
    if (key && value) clean[key] = value
  }
  if (Object.keys(clean).length === 0) db.prepare('DELETE FROM annotator_profiles WHERE name = ?').run(name)
  else
    db.prepare('INSERT OR REPLACE INTO annotator_profiles (name, attributes, updated_at) VALUES (?, ?, ?)').run(
      name,
      JSON.stringify(clean),
      new Date().toISOString()
    )
  return annotatorProfiles(db).find((p) => p.name === name) ?? { name, answers: 0, attributes: {} }
}

const pct = (x: number): string => `${Math.round(x * 100)}%`

export function annotatorGroupRates(
  db: Db,
  req: { task: string | number; groupTask: string | number; by?: string | undefined; minAnswers?: number | undefined }
): AnnotatorGroupReport {
  const task = getTask(db, req.task)
  if (task.kind !== 'classification')
    throw new AppError('UNSUPPORTED', `Label rates need a classification task; "${task.name}" is a score task.`)
  const grouping = resolveGrouping(db, { task: req.groupTask })
  const group = getTask(db, req.groupTask)
  if (group.id === task.id) throw new AppError('BAD_ARGS', 'Group the subjects by another task.', 'groupTask')
  const by = req.by?.trim() || 'annotator'
  const minAnswers = req.minAnswers ?? 5
  const attrs = attributesOf(db)
  const unitOf = (who: string): string => (by === 'annotator' ? who : (attrs.get(who)?.[by] ?? NOT_GIVEN))
  const cells = new Map<string, { unit: string; group: string; n: number; counts: Map<string, number> }>()
  for (const [face, answers] of answersByFace(db, task.id)) {
    const g = grouping.groupOf.get(face)
    if (g === undefined) continue
    for (const [who, a] of answers) {
      const unit = unitOf(who)
      const key = `${unit}\u0000${g}`
      let c = cells.get(key)
      if (!c) cells.set(key, (c = { unit, group: g, n: 0, counts: new Map() }))
      c.n++
      c.counts.set(a.value, (c.counts.get(a.value) ?? 0) + 1)
    }
  }
  const labels = task.labels
  const out: AnnotatorGroupCell[] = [...cells.values()]
    .map((c) => ({
      unit: c.unit,
      group: c.group,
      n: c.n,
      rates: Object.fromEntries(labels.map((l) => [l, (c.counts.get(l) ?? 0) / c.n]))
    }))
    .sort((a, b) => a.unit.localeCompare(b.unit) || a.group.localeCompare(b.group))
  const units = [...new Set(out.map((c) => c.unit))]
  const groups = [...new Set(out.map((c) => c.group))].sort()
  let largest: AnnotatorGroupGap | null = null
  for (const unit of units) {
    const mine = out.filter((c) => c.unit === unit && c.n >= minAnswers)
    if (mine.length < 2) continue
    for (const label of labels) {
      const sorted = [...mine].sort((a, b) => (b.rates[label] ?? 0) - (a.rates[label] ?? 0))
      const hi = sorted[0]!
      const lo = sorted[sorted.length - 1]!
      const d = (hi.rates[label] ?? 0) - (lo.rates[label] ?? 0)
      if (!largest || d > largest.difference + 1e-12)
        largest = {
          unit,
          label,
          high: { group: hi.group, rate: hi.rates[label] ?? 0, n: hi.n },
          low: { group: lo.group, rate: lo.rates[label] ?? 0, n: lo.n },
          difference: d
        }
    }
  }
  const who = (u: string): string => (by === 'annotator' ? u : `Annotators with ${by} “${u}”`)
  const sentence = largest
    ? `${who(largest.unit)} answered “${largest.label}” on ${pct(largest.high.rate)} of ${largest.high.group} faces (${largest.high.n} answers) but on ${pct(largest.low.rate)} of ${largest.low.group} faces (${largest.low.n}): a ${Math.round(largest.difference * 100)}-point difference, the largest of any ${by === 'annotator' ? 'annotator' : by} and label.`
    : `Nothing to compare yet: each ${by === 'annotator' ? 'annotator' : `${by} value`} needs at least ${minAnswers} answers in two ${group.name} groups.`
  return {
    task: task.name,
    grouping: grouping.label,
    by,
    labels,
    units,
    groups,
    cells: out,
    minAnswers,
    largest,
    sentence
  }
}
