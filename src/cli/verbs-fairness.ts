/**
 * CLI verbs for fairness (issue 6): `sweep`, `fairness <metrics|compare|probe|thresholds|conflicts>`, and the
 * group options that `eval` (`--group-task`, `--group-column`) and `train` (`--mitigation`) accept.
 */
import path from 'node:path'
import type {
  GroupClassStats,
  GroupMetricsInfo,
  GroupScoreStats,
  JobInfo,
  MitigationSpec,
  SweepSummary
} from '../shared/domain'
import type { AppContext } from '../main/app/context'
import { columnIndex, readLabelTable } from '../main/labels/label-table'
import { csvTruth } from '../main/labels/csv-truth'
import type { EvaluateResult } from '../main/app/evaluation'
import { parseVersionRef } from '../main/models/registry'
import { findConflicts } from '../main/fairness/conflicts'
import { explicitGrouping } from '../main/fairness/groups'
import { DEFAULT_MIN_GROUP_SIZE } from '../main/analysis/group-rates'
import {
  compareGroupMetrics,
  groupingOf,
  groupMetricsOf,
  versionBiasProbe,
  versionGroupMetrics,
  versionGroupThresholds,
  versionReweightPreview,
  applyGroupThresholds,
  clearGroupThresholds
} from '../main/app/fairness'
import { startSweep } from '../main/app/sweep'
import { STRENGTH_SYMBOL } from '../shared/mitigation'
import { resultOf } from '../main/jobs/queue'
import { need, num, parseArgs, str, UsageError, type Parsed } from './args'
import { progressLine, withProject } from './context'
import type { VerbOutput } from './verbs'

type Verb = (argv: string[]) => Promise<VerbOutput>

export const FAIRNESS_HELP: Record<string, string> = {
  sweep:
    'face-studio sweep --project <dir> --task <name> --mitigation reweight|penalty|dro --group-task <task> --values a,b,c|auto [--epochs n] [--seed n] [--budget 0.01] [--gap tpr|accuracy] [--min-group-size 30] [--penalty-mode loss|positive_rate] [--positive <label>] [--json]',
  fairness:
    "face-studio fairness metrics|compare|probe|thresholds|conflicts --project <dir> --task <name> [--version <n|active> | --a <n> --b <n>] [--group-task <task> [--by <task>] [--source annotations|predicted] [--min-group-size n]] [--attribute <task>] [--positive <label> --target tpr|fpr --tolerance 0.02 [--apply | --clear]] [--tasks a,b] [--json]  (thresholds --apply saves them on the version: its predictions then use each face's group label)"
}

/** Options `eval` accepts for per-group metrics. */
export const EVAL_GROUP_FLAGS = ['group-column', 'group-task', 'group-by', 'group-source', 'min-group-size']
/** Options `train` accepts for bias mitigation. */
export const TRAIN_MITIGATION_FLAGS = ['mitigation', 'group-task', 'strength', 'penalty-mode', 'positive']

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? '–' : x.toFixed(digits)
}

function versionOf(p: Parsed, name: string): number | 'active' {
  try {
    return parseVersionRef(need(p, name))
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e))
  }
}

function minGroupSizeOf(p: Parsed): number | undefined {
  const m = num(p, 'min-group-size')
  if (m !== undefined && (!Number.isInteger(m) || m < 1))
    throw new UsageError('--min-group-size must be an integer ≥ 1')
  return m
}

function sourceOf(p: Parsed, name = 'source'): 'annotations' | 'predicted' {
  const s = str(p, name) ?? 'annotations'
  if (s !== 'annotations' && s !== 'predicted') throw new UsageError(`--${name} must be annotations or predicted`)
  return s
}

// ---- eval --group-task / --group-column ----

/** Groups from a CSV column, matched to faces exactly like the truth column (unsure / not applicable / empty: no group). */
function csvGroups(ctx: AppContext, csv: string, column: string, pathColumn: string | undefined): Map<number, string> {
  const table = readLabelTable(path.resolve(csv))
  const ci = columnIndex(table.header, column)
  if (ci < 0) throw new UsageError(`${csv} has no column "${column}" (its columns: ${table.header.join(', ')})`)
  const values = [...new Set(table.rows.map((r) => (r.cells[ci] ?? '').trim()))].filter((v) => v !== '')
  const t = csvTruth(
    ctx.requireProject().db,
    { name: column, kind: 'classification', labels: values, scoreMin: null, scoreMax: null },
    { csv, labelColumn: column, pathColumn }
  )
  return new Map(t.faces.map((f) => [f.faceId, f.value]))
}

/**
 * The per-group fields `eval --json` adds (`per_group`, `max_gap`, `dp_diff`, `eo_diff`, plus `tpr_gap`,
 * `grouping`, `min_group_size`, `small_groups`) and their text lines; null when no group option was given.
 */
export function evalGroupExtras(
  ctx: AppContext,
  p: Parsed,
  r: EvaluateResult
): { json: Record<string, unknown>; lines: string[] } | null {
  const column = str(p, 'group-column')
  const groupTask = str(p, 'group-task')
  if (column === undefined && groupTask === undefined) {
    if (p.flags.has('group-by') || p.flags.has('group-source') || p.flags.has('min-group-size'))
      throw new UsageError('--group-by, --group-source and --min-group-size go with --group-task or --group-column')
    return null
  }
  if (column !== undefined && groupTask !== undefined)
    throw new UsageError('give --group-column or --group-task, not both')
  const csv = str(p, 'csv')
  if (column !== undefined && csv === undefined) throw new UsageError('--group-column goes with --csv')
  const grouping =
    column !== undefined
      ? explicitGrouping(`csv:${column}`, csvGroups(ctx, csv as string, column, str(p, 'path-column')))
      : groupingOf(ctx, { task: r.task, groupTask, by: str(p, 'group-by'), source: sourceOf(p, 'group-source') })
  const m = groupMetricsOf(r, 0, grouping, minGroupSizeOf(p) ?? DEFAULT_MIN_GROUP_SIZE)
  return {
    json: {
      per_group: m.per_group,
      max_gap: m.max_gap,
      dp_diff: m.dp_diff,
      eo_diff: m.eo_diff,
      tpr_gap: m.tpr_gap,
      grouping: m.grouping,
      ungrouped: m.ungrouped,
      min_group_size: m.min_group_size,
      small_groups: m.small_groups
    },
    lines: groupLines(m)
  }
}

function groupLines(m: GroupMetricsInfo): string[] {
  const lines = [
    `per group of ${m.grouping.label} (${m.grouping.source}; ${m.ungrouped} faces without a group; groups under ${m.min_group_size} faces flagged "small", not ranked):`
  ]
  for (const [g, s] of Object.entries(m.per_group)) {
    if ('accuracy' in s) {
      const c = s as GroupClassStats
      const tprs = Object.entries(c.per_class)
        .filter(([, r]) => r.support > 0)
        .map(([l, r]) => `TPR ${l} ${fmt(r.tpr)}`)
        .join('  ')
      lines.push(
        `  ${g.padEnd(20)} n ${String(c.n).padStart(5)}  acc ${fmt(c.accuracy)}  F1 ${fmt(c.macro_f1)}  ${tprs}${c.small ? '  (small)' : ''}`
      )
    } else {
      const sc = s as GroupScoreStats
      lines.push(
        `  ${g.padEnd(20)} n ${String(sc.n).padStart(5)}  MAE ${fmt(sc.mae, 2)}  RMSE ${fmt(sc.rmse, 2)}  r ${fmt(sc.pcc)}${sc.small ? '  (small)' : ''}`
      )
    }
  }
  const gap = (name: string, g: GroupMetricsInfo['max_gap']): string =>
    g ? `${name} ${fmt(g.value)} (${g.metric}: ${g.groups[0]} vs ${g.groups[1]})` : `${name} –`
  lines.push(
    `  ${gap('largest gap', m.max_gap)}; ${gap('TPR gap', m.tpr_gap)}; dp_diff ${fmt(m.dp_diff)}; eo_diff ${fmt(m.eo_diff)}`
  )
  return lines
}

// ---- train --mitigation ----

/** The mitigation a `train` command asks for, or undefined (none given). */
export function mitigationFromArgs(p: Parsed): MitigationSpec | undefined {
  const method = str(p, 'mitigation')
  if (method === undefined) {
    for (const f of ['group-task', 'strength', 'penalty-mode', 'positive'])
      if (p.flags.has(f)) throw new UsageError(`--${f} goes with --mitigation reweight|penalty|dro`)
    return undefined
  }
  if (method !== 'none' && method !== 'reweight' && method !== 'penalty' && method !== 'dro')
    throw new UsageError(`--mitigation must be none, reweight, penalty or dro, got "${method}"`)
  if (method === 'none') return { method: 'none', groupTask: str(p, 'group-task') ?? '', strength: 0 }
  const groupTask = need(p, 'group-task')
  const strength = num(p, 'strength') ?? 1
  const mode = str(p, 'penalty-mode')
  if (mode !== undefined && mode !== 'loss' && mode !== 'positive_rate')
    throw new UsageError('--penalty-mode must be loss or positive_rate')
  const positive = str(p, 'positive')
  return {
    method,
    groupTask,
    strength,
    ...(mode ? { penaltyMode: mode } : {}),
    ...(positive !== undefined ? { positive } : {})
  }
}

// ---- sweep ----

function parseValues(raw: string): number[] {
  const values = raw
    .split(',')
    .filter((v) => v.trim() !== '')
    .map(Number)
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0))
    throw new UsageError(`--values is a comma-separated list of numbers ≥ 0, got "${raw}"`)
  return values
}

export const sweepVerb: Verb = async (argv) => {
  const p = parseArgs(argv, {
    values: [
      'project',
      'task',
      'mitigation',
      'group-task',
      'values',
      'epochs',
      'seed',
      'budget',
      'gap',
      'min-group-size',
      'penalty-mode',
      'positive'
    ],
    booleans: ['json']
  })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const method = need(p, 'mitigation')
  if (method !== 'reweight' && method !== 'penalty' && method !== 'dro')
    throw new UsageError('--mitigation must be reweight, penalty or dro')
  const gapMetric = str(p, 'gap')
  if (gapMetric !== undefined && gapMetric !== 'tpr' && gapMetric !== 'accuracy')
    throw new UsageError('--gap must be tpr or accuracy')
  const groupTask = need(p, 'group-task')
  const rawValues = need(p, 'values')
  // auto: λ chosen from the validation rows (loss penalty only; the app checks).
  const values = rawValues.trim() === 'auto' ? ('auto' as const) : parseValues(rawValues)
  if (method === 'reweight' && values !== 'auto' && values.some((v) => v > 1))
    throw new UsageError('reweighting strengths ω are in [0, 1]')
  const epochs = num(p, 'epochs')
  const seed = num(p, 'seed')
  const mode = str(p, 'penalty-mode')
  if (mode !== undefined && mode !== 'loss' && mode !== 'positive_rate')
    throw new UsageError('--penalty-mode must be loss or positive_rate')
  return withProject(project, false, async (ctx) => {
    if (method === 'reweight') {
      const w = versionReweightPreview(ctx, { task, groupTask })
      if (w.near_one)
        process.stderr.write(
          `note: weights are all ≈ 1 for this grouping (${w.min_weight?.toFixed(2)}–${w.max_weight?.toFixed(2)} at ω = 1 over ${w.grouped_faces} training faces): every ω gives the same version; try --mitigation dro or penalty.\n`
        )
    }
    const { done } = startSweep(ctx, {
      task,
      mitigation: method,
      groupTask,
      values,
      epochs,
      seed,
      accuracyBudget: num(p, 'budget'),
      gapMetric,
      minGroupSize: minGroupSizeOf(p),
      penaltyMode: mode,
      positive: str(p, 'positive')
    })
    const off = ctx.on((event, payload) => {
      if (event !== 'job.updated') return
      const job = payload as JobInfo
      if (job.kind === 'sweep' && job.status === 'running') progressLine(`sweep: ${job.progress.message}`)
    })
    const job = await done
    off()
    if (process.stderr.isTTY) process.stderr.write('\n')
    if (job.status !== 'done') throw new Error(job.error ?? `sweep ${job.status}`)
    const s = resultOf(job)
    const sym = STRENGTH_SYMBOL[method]
    const row = (label: string, pt: SweepSummary['baseline']): string => {
      const q = 'accuracy' in pt.overall ? `acc ${fmt(pt.overall.accuracy)}` : `MAE ${fmt(pt.overall.mae, 2)}`
      const gap = s.gap_metric === 'accuracy' ? pt.accuracy_gap : (pt.tpr_gap ?? pt.max_gap)
      return `  ${label.padEnd(12)} v${String(pt.version).padEnd(4)} ${q}  gap ${fmt(pt.gap)}${gap ? ` (${gap.metric}: ${gap.groups[0]} vs ${gap.groups[1]})` : ''}${pt.picked ? '  ← picked' : pt.value === null || pt.within_budget ? '' : '  (over budget)'}`
    }
    const range = s.penalty_range
      ? [
          `λ chosen from ${s.penalty_range.validation_rows} validation rows under v${s.penalty_range.version}: mean loss ${fmt(s.penalty_range.mean_loss)}, group loss range ${fmt(s.penalty_range.loss_gap)}, scale ${fmt(s.penalty_range.scale)}`
        ]
      : []
    const text = [
      ...range,
      `Sweep of ${s.task} by ${s.group_task} (${s.mitigation}, ${s.seconds.toFixed(1)} s, ${s.backend}); ${s.criterion}:`,
      row('baseline', s.baseline),
      ...s.points.map((pt) => row(`${sym} = ${pt.value}`, pt)),
      s.picked === null
        ? 'No version picked.'
        : `Picked v${s.picked}; activate it with: face-studio activate --project ${project} --task ${s.task} --version ${s.picked}`
    ].join('\n')
    return { json: s, text }
  })
}

// ---- fairness <sub> ----

export const fairnessVerb: Verb = async (argv) => {
  const [sub, ...rest] = argv
  const p = parseArgs(rest, {
    values: [
      'project',
      'task',
      'version',
      'a',
      'b',
      'group-task',
      'by',
      'source',
      'min-group-size',
      'attribute',
      'positive',
      'target',
      'tolerance',
      'tasks',
      'offset',
      'limit'
    ],
    booleans: ['json', 'apply', 'clear']
  })
  const project = path.resolve(need(p, 'project'))
  const group = () => ({
    groupTask: need(p, 'group-task'),
    by: str(p, 'by'),
    source: sourceOf(p),
    minGroupSize: minGroupSizeOf(p)
  })
  switch (sub) {
    case 'metrics': {
      const task = need(p, 'task')
      const version = versionOf(p, 'version')
      const g = group()
      return withProject(project, false, async (ctx) => {
        const m = await versionGroupMetrics(ctx, { task, version, ...g })
        return { json: m, text: [`${m.task} v${m.version} on ${m.n} evaluation faces`, ...groupLines(m)].join('\n') }
      })
    }
    case 'compare': {
      const task = need(p, 'task')
      const a = versionOf(p, 'a')
      const b = versionOf(p, 'b')
      const g = group()
      return withProject(project, false, async (ctx) => {
        const c = await compareGroupMetrics(ctx, { task, a, b, ...g })
        const d = Object.entries(c.summary_deltas).map(
          ([k, v]) => `${k} ${v === null ? '–' : (v >= 0 ? '+' : '') + v.toFixed(3)}`
        )
        return {
          json: c,
          text: [
            `v${c.a.version}:`,
            ...groupLines(c.a),
            `v${c.b.version}:`,
            ...groupLines(c.b),
            `deltas (v${c.b.version} − v${c.a.version}): ${d.join(', ')}`
          ].join('\n')
        }
      })
    }
    case 'probe': {
      const task = need(p, 'task')
      const version = versionOf(p, 'version')
      const attributeTask = need(p, 'attribute')
      return withProject(project, false, async (ctx) => {
        const r = await versionBiasProbe(ctx, {
          task,
          version,
          attributeTask,
          by: str(p, 'by'),
          source: sourceOf(p),
          minGroupSize: minGroupSizeOf(p)
        })
        const lines = [`P(${r.task} prediction | ${r.attribute.label}) with v${r.version} (${r.attribute.source}):`]
        for (const [value, row] of Object.entries(r.rows))
          lines.push(
            `  ${value.padEnd(20)} n ${String(row.n).padStart(5)}  ${r.classes.map((c) => `${c} ${fmt(row.p[c])}`).join('  ')}${row.small ? '  (small)' : ''}`
          )
        if (r.max_diff)
          lines.push(
            `  largest difference: ${r.max_diff.class} ${fmt(r.max_diff.value)} (${r.max_diff.between[0]} vs ${r.max_diff.between[1]})`
          )
        return { json: r, text: lines.join('\n') }
      })
    }
    case 'thresholds': {
      const task = need(p, 'task')
      const version = versionOf(p, 'version')
      if (p.flags.has('clear')) {
        if (p.flags.has('apply')) throw new UsageError('give --apply or --clear, not both')
        return withProject(project, false, async (ctx) => {
          const r = await clearGroupThresholds(ctx, { task, version })
          return {
            json: r,
            text: r.cleared
              ? `Removed the per-group thresholds of ${r.task} v${r.version} (${r.repredicted} faces re-predicted).`
              : `${r.task} v${r.version} had no per-group thresholds.`
          }
        })
      }
      const target = str(p, 'target') ?? 'tpr'
      if (target !== 'tpr' && target !== 'fpr') throw new UsageError('--target must be tpr or fpr')
      const tolerance = num(p, 'tolerance')
      const g = group()
      if (p.flags.has('apply')) {
        const g = group()
        return withProject(project, false, async (ctx) => {
          const a = await applyGroupThresholds(ctx, {
            task,
            version,
            ...g,
            positive: str(p, 'positive'),
            target,
            tolerance
          })
          return {
            json: a,
            text: [
              `Applied to ${a.task} v${a.version}: thresholds on P(${a.positive}) by ${a.group_task}: ${Object.entries(
                a.thresholds
              )
                .map(([k, x]) => `${k} ${fmt(x)}`)
                .join(', ')}`,
              `  accuracy ${fmt(a.accuracy_before)} → ${fmt(a.accuracy_after)} (cost ${fmt(a.accuracy_cost)}); gap ${fmt(a.gap_before)} → ${fmt(a.gap_after)}; ${a.repredicted} faces re-predicted`,
              `  Predictions use each face's ${a.group_task} label at prediction time; faces without one keep the plain decision.`
            ].join('\n')
          }
        })
      }
      return withProject(project, false, async (ctx) => {
        const t = await versionGroupThresholds(ctx, {
          task,
          version,
          ...g,
          positive: str(p, 'positive'),
          target,
          tolerance
        })
        const lines = [
          `Per-group thresholds for "${t.positive}" (${t.target.toUpperCase()} towards ${fmt(t.target_rate)} ± ${t.tolerance}) by ${t.grouping.label}:`,
          ...Object.entries(t.per_group).map(
            ([gname, r]) =>
              `  ${gname.padEnd(20)} n ${String(r.n).padStart(5)}  threshold ${fmt(r.threshold)}  ${t.target} ${fmt(r.rate_before)} → ${fmt(r.rate_after)}${r.within_tolerance ? '' : '  (outside tolerance)'}`
          ),
          `  accuracy ${fmt(t.accuracy_before)} → ${fmt(t.accuracy_after)} (cost ${fmt(t.accuracy_cost)}); gap ${fmt(t.gap_before)} → ${fmt(t.gap_after)}`
        ]
        return { json: t, text: lines.join('\n') }
      })
    }
    case 'conflicts': {
      const tasks = str(p, 'tasks')
        ?.split(',')
        .filter((t) => t.trim() !== '')
      const offset = num(p, 'offset')
      const limit = num(p, 'limit')
      return withProject(project, false, async (ctx) => {
        const r = findConflicts(ctx.requireProject().db, { tasks, offset, limit })
        const lines = [
          `${r.total} conflicts over ${r.persons_checked} persons with ≥ 2 faces (tasks: ${r.tasks.join(', ') || 'none'})`
        ]
        for (const c of r.items)
          lines.push(
            `  ${c.kind === 'contradicts_person_label' ? 'label' : 'disagree'}  ${c.task}  person ${c.personId}${c.personName ? ` (${c.personName})` : ''}: ${c.faces.length}/${c.personFaces} faces ${c.personLabel ? `predicted other than "${c.personLabel}"` : `off the majority "${c.majority}"`} (faces ${c.faces.map((f) => f.faceId).join(', ')})`
          )
        return { json: r, text: lines.join('\n') }
      })
    }
    default:
      throw new UsageError('fairness needs one of: metrics, compare, probe, thresholds, conflicts')
  }
}
