/** CLI verbs for people and labels: cluster, label (CSV), task create / task list. */
import path from 'node:path'
import { RESERVED_ANSWERS } from '../shared/answers'
import { need, num, parseArgs, str, UsageError } from './args'
import { withProject } from './context'
import { startClustering } from '../main/app/clustering'
import { resultOf } from '../main/jobs/queue'
import { applyLabelFile, parseLabelMap } from '../main/labels/label-csv'
import { parseDelimiter } from '../main/labels/label-table'
import { createTask, listTasks } from '../main/labels/tasks'
import type { VerbOutput } from './verbs'

type Verb = (argv: string[]) => Promise<VerbOutput>

export const PEOPLE_HELP: Record<string, string> = {
  cluster: 'face-studio cluster --project <dir> [--threshold t] [--incremental] [--json]',
  label:
    'face-studio label --project <dir> --task <name> (--csv <file> [--delimiter ,|;|tab] [--path-column path] [--label-column label] | --file <file> --format labelstudio|coco) [--map from=to,...] [--votes (store votes_<label> columns for soft targets)] [--annotator name] [--json]',
  task: 'face-studio task create --project <dir> --name <name> (--labels a,b,c | --score min,max) [--level face|person] [--json]\n  face-studio task list --project <dir> [--json]'
}

export const clusterVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'threshold'], booleans: ['json', 'incremental'] })
  const project = path.resolve(need(p, 'project'))
  const threshold = num(p, 'threshold')
  if (threshold !== undefined && !(threshold > 0 && threshold < 4))
    throw new UsageError('--threshold must be between 0 and 4')
  return withProject(project, false, async (ctx) => {
    const { done } = startClustering(ctx, { threshold, mode: p.flags.has('incremental') ? 'incremental' : 'full' })
    const job = await done
    if (job.status !== 'done') throw new Error(job.error ?? `clustering ${job.status}`)
    const s = resultOf(job)
    return {
      json: { clusters: s.clusters, singletons: s.singletons, seconds: s.seconds },
      text: `${s.clusters} clusters and ${s.singletons} singletons at threshold ${s.threshold} in ${s.seconds.toFixed(2)} s (${s.mode}).`
    }
  })
}

export const labelVerb: Verb = async (argv) => {
  const p = parseArgs(argv, {
    values: [
      'project',
      'task',
      'csv',
      'file',
      'format',
      'delimiter',
      'path-column',
      'label-column',
      'map',
      'annotator'
    ],
    booleans: ['json', 'votes']
  })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const csv = str(p, 'csv')
  if (p.flags.has('votes') && csv === undefined) throw new UsageError('--votes reads votes_<label> columns of --csv')
  const file = str(p, 'file')
  if ((csv === undefined) === (file === undefined))
    throw new UsageError('give --csv <file> or --file <file> --format labelstudio|coco')
  const format = file === undefined ? 'csv' : (str(p, 'format') ?? 'csv')
  if (format !== 'csv' && format !== 'labelstudio' && format !== 'coco')
    throw new UsageError(`--format must be labelstudio or coco (or csv), got "${format}"`)
  if (csv !== undefined && p.flags.has('format')) throw new UsageError('--format goes with --file; --csv is always CSV')
  if (format !== 'csv' && (p.flags.has('path-column') || p.flags.has('label-column') || p.flags.has('delimiter')))
    throw new UsageError('--path-column, --label-column and --delimiter are for CSV files')
  const mapSpec = str(p, 'map')
  const delimiterSpec = str(p, 'delimiter')
  return withProject(project, false, async (ctx) => {
    const r = applyLabelFile(ctx.requireProject().db, {
      task,
      file: path.resolve(csv ?? file ?? ''),
      format,
      pathColumn: str(p, 'path-column'),
      labelColumn: str(p, 'label-column'),
      delimiter: delimiterSpec === undefined ? undefined : parseDelimiter(delimiterSpec),
      map: mapSpec === undefined ? undefined : parseLabelMap(mapSpec),
      annotator: str(p, 'annotator') ?? ctx.annotator,
      ...(p.flags.has('votes') ? { votes: true } : {})
    })
    const lines = [
      `Applied labels to ${r.applied} faces of ${task}; ${r.unmatched} rows unmatched, ${r.invalid} invalid, ${r.duplicates} duplicates (the last row wins)${r.empty > 0 ? `, ${r.empty} without a label` : ''}.`
    ]
    if (r.votes !== undefined) lines.push(`Stored vote distributions (soft targets) of ${r.votes} faces.`)
    for (const u of r.unmatchedExamples) lines.push(`  unmatched line ${u.line}: ${u.path} (${u.reason})`)
    for (const u of r.invalidExamples) lines.push(`  invalid line ${u.line}: ${u.path}: ${u.reason}`)
    return {
      json: {
        applied: r.applied,
        unmatched: r.unmatched,
        invalid: r.invalid,
        duplicates: r.duplicates,
        ...(r.votes !== undefined ? { votes: r.votes } : {})
      },
      text: lines.join('\n')
    }
  })
}

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim())
}

export const taskVerb: Verb = async (argv) => {
  const [sub, ...rest] = argv
  if (sub === 'list') {
    const p = parseArgs(rest, { values: ['project'], booleans: ['json'] })
    const project = path.resolve(need(p, 'project'))
    return withProject(project, false, async (ctx) => {
      const tasks = listTasks(ctx.requireProject().db)
      const text = tasks
        .map((t) =>
          t.kind === 'score'
            ? `${t.name} (score ${t.scoreMin}..${t.scoreMax}, ${t.level})`
            : `${t.name} (${t.labels.join(', ')} + ${RESERVED_ANSWERS.join(', ')}; ${t.level})`
        )
        .join('\n')
      return { json: tasks, text }
    })
  }
  if (sub !== 'create') throw new UsageError('use "task create" or "task list"')
  const p = parseArgs(rest, { values: ['project', 'name', 'labels', 'score', 'level'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const name = need(p, 'name')
  const labels = str(p, 'labels')
  const score = str(p, 'score')
  if ((labels === undefined) === (score === undefined))
    throw new UsageError('give exactly one of --labels a,b,c or --score min,max')
  const level = str(p, 'level') ?? 'face'
  if (level !== 'face' && level !== 'person') throw new UsageError(`--level must be face or person, got "${level}"`)
  let range: [number, number] | undefined
  if (score !== undefined) {
    const parts = splitList(score).map(Number)
    if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n)))
      throw new UsageError('--score needs two numbers: min,max')
    range = [parts[0] as number, parts[1] as number]
  }
  return withProject(project, false, async (ctx) => {
    const t = createTask(ctx.requireProject().db, {
      name,
      kind: range ? 'score' : 'classification',
      labels: labels === undefined ? undefined : labels === '' ? [] : splitList(labels),
      scoreMin: range?.[0],
      scoreMax: range?.[1],
      level
    })
    return { json: t, text: `Created task ${t.name} (${t.kind}, ${t.level}).` }
  })
}
