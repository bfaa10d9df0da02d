import path from 'node:path'
import type { JobInfo } from '../shared/domain'
import { need, num, parseArgs, str, UsageError } from './args'
import { facesInScope } from '../main/labels/face-scope'
import { progressLine, withProject } from './context'
import { startImport } from '../main/app/import-job'
import { startAugment } from '../main/app/augment'
import { parseShard } from '../main/library/shard'
import { resultOf } from '../main/jobs/queue'
import { EXPORT_FORMATS, FEATURE_KINDS, runExport, type ExportFormat, type FeatureKind } from '../main/library/export'
import { checkExportTarget } from '../main/library/export-files'
import { projectStats } from '../main/library/stats'
import { clusterVerb, labelVerb, PEOPLE_HELP, taskVerb } from './verbs-people'
import {
  activateVerb,
  calibrateVerb,
  evalVerb,
  exportModelVerb,
  MODELS_HELP,
  trainVerb,
  versionsVerb
} from './verbs-models'
import { LABELS_HELP, labelErrorsVerb } from './verbs-labels'
import { FAIRNESS_HELP, fairnessVerb, sweepVerb } from './verbs-fairness'
import {
  agreementVerb,
  annotatorGroupsVerb,
  annotatorsVerb,
  exportPersonVerb,
  forgetVerb,
  mergeVerb,
  retrainVerb,
  TEAMS_HELP
} from './verbs-teams'

export interface VerbOutput {
  json: unknown
  text: string
  exitCode?: number
}

type Verb = (argv: string[]) => Promise<VerbOutput>

const HELP: Record<string, string> = {
  import: 'face-studio import <folder> --project <dir> [--crops] [--detector ssd|tiny] [--shard i/N] [--json]',
  stats: 'face-studio stats --project <dir> [--json]',
  augment:
    'face-studio augment --project <dir> [--json]  (mirrored features of faces imported before they were stored)',
  export:
    'face-studio export --project <dir> --format csv|json|coco|labelstudio|npy --out <file> [--task a,b] [--feature identity|expression|age_gender] [--absolute-paths] [--folder <dir>] [--import <id>] [--person <id>] [--unlabelled-for <task>] [--json]',
  ...PEOPLE_HELP,
  ...MODELS_HELP,
  ...LABELS_HELP,
  ...FAIRNESS_HELP,
  ...TEAMS_HELP
}

export function usage(verb?: string): string {
  const lines = verb && HELP[verb] ? [HELP[verb]] : Object.values(HELP)
  return `Usage:\n${lines.map((l) => `  ${l}`).join('\n')}\n`
}

const importVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'detector', 'shard'], booleans: ['crops', 'json'] })
  const folder = p.positional[0]
  if (!folder || p.positional.length > 1) throw new UsageError('give exactly one folder to import')
  const project = path.resolve(need(p, 'project'))
  const detector = str(p, 'detector') ?? 'ssd'
  if (detector !== 'ssd' && detector !== 'tiny')
    throw new UsageError(`--detector must be ssd or tiny, got "${detector}"`)
  const shardFlag = str(p, 'shard')
  const shard = shardFlag === undefined ? undefined : parseShard(shardFlag)
  return withProject(project, true, async (ctx) => {
    const { done } = startImport(ctx, { folder: path.resolve(folder), crops: p.flags.has('crops'), detector, shard })
    const off = ctx.on((event, payload) => {
      if (event !== 'job.updated') return
      const job = payload as JobInfo
      const pr = job.progress
      if (job.status === 'running' && pr.total > 0) {
        const eta = pr.etaSeconds === null ? '' : `, ETA ${Math.round(pr.etaSeconds)} s`
        progressLine(
          `import: ${pr.done}/${pr.total} files, ${pr.counters.faces ?? 0} faces, ${pr.counters.errors ?? 0} errors, ${pr.rate.toFixed(1)} files/s${eta}`
        )
      }
    })
    const job = await done
    off()
    if (process.stderr.isTTY) process.stderr.write('\n')
    if (job.status !== 'done') throw new Error(job.error ?? `import ${job.status}`)
    const s = resultOf(job)
    const json = {
      images: s.images,
      faces: s.faces,
      skipped: s.skipped,
      errors: s.errors,
      backend: s.backend,
      seconds: s.seconds,
      ignored: s.ignored,
      // `export --import <id>` takes it: the photos this run committed.
      import_id: s.importId
    }
    const text =
      `Imported ${s.images} images with ${s.faces} faces in ${s.seconds.toFixed(1)} s (${s.skipped} unchanged skipped, ${s.errors.length} errors, backend ${s.backend}).` +
      s.errors.map((e) => `\n  error: ${e.path}: ${e.error}`).join('')
    return { json, text }
  })
}

const augmentVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  return withProject(project, false, async (ctx) => {
    const { done } = startAugment(ctx)
    const off = ctx.on((event, payload) => {
      if (event !== 'job.updated') return
      const job = payload as JobInfo
      if (job.kind === 'augment' && job.status === 'running' && job.progress.total > 0)
        progressLine(`augment: ${job.progress.done}/${job.progress.total} faces`)
    })
    const job = await done
    off()
    if (process.stderr.isTTY) process.stderr.write('\n')
    if (job.status !== 'done') throw new Error(job.error ?? `augment ${job.status}`)
    const s = resultOf(job)
    const json = {
      faces: s.faces,
      augmented: s.augmented,
      skipped: s.skipped,
      already: s.already,
      problems: s.problems,
      repredicted: s.repredicted,
      seconds: s.seconds,
      backend: s.backend
    }
    const text =
      `Mirrored features: computed for ${s.augmented} faces, ${s.already} had them, ${s.skipped} skipped, of ${s.faces} (${s.seconds.toFixed(1)} s, ${s.backend}).` +
      (s.repredicted.length > 0 ? ` Predictions re-computed for ${s.repredicted.join(', ')}.` : '') +
      s.problems.map((e) => `\n  skipped: ${e.path}: ${e.reason}`).join('')
    return { json, text }
  })
}

const statsVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  return withProject(project, false, async (ctx) => {
    const backend = await ctx.backend()
    const stats = { ...projectStats(ctx.requireProject().db), backend: backend.label }
    const text = [
      `${stats.images} images, ${stats.faces} faces, ${stats.persons} persons, ${stats.annotations} annotations`,
      `tasks: ${stats.tasks.map((t) => t.name).join(', ')}`,
      `backend: ${stats.backend}`
    ].join('\n')
    return { json: stats, text }
  })
}

const exportVerb: Verb = async (argv) => {
  const p = parseArgs(argv, {
    values: ['project', 'format', 'out', 'task', 'feature', 'folder', 'import', 'person', 'unlabelled-for'],
    booleans: ['json', 'absolute-paths']
  })
  const person = num(p, 'person')
  if (person !== undefined && !(Number.isInteger(person) && person > 0))
    throw new UsageError(`--person must be a person id (a positive whole number), got "${str(p, 'person')}"`)
  const folder = str(p, 'folder')
  const project = path.resolve(need(p, 'project'))
  const format = need(p, 'format')
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be ${EXPORT_FORMATS.join(', ')}; got "${format}"`)
  const feature = str(p, 'feature')
  if (feature !== undefined && !(FEATURE_KINDS as readonly string[]).includes(feature))
    throw new UsageError(`--feature must be ${FEATURE_KINDS.join(', ')}; got "${feature}"`)
  if (feature !== undefined && format !== 'npy') throw new UsageError('--feature goes with --format npy')
  const tasks = str(p, 'task')
  const out = path.resolve(need(p, 'out'))
  checkExportTarget(out)
  return withProject(project, false, async (ctx) => {
    const db = ctx.requireProject().db
    // The window's scopes (labels/face-scope.ts), so a script exports exactly what Export… would.
    const faceIds = facesInScope(db, {
      folder: folder === undefined ? undefined : path.resolve(folder),
      importId: str(p, 'import'),
      personId: person,
      unlabelledFor: str(p, 'unlabelled-for')
    })
    if (faceIds !== null && faceIds.length === 0) throw new UsageError('no faces in the scope given: nothing to export')
    const s = runExport(
      db,
      {
        faceIds: faceIds ?? undefined,
        format: format as ExportFormat,
        out,
        tasks: tasks === undefined ? undefined : tasks.split(',').filter((t) => t.trim() !== ''),
        feature: feature as FeatureKind | undefined,
        absolutePaths: p.flags.has('absolute-paths')
      },
      { appVersion: ctx.opts.version }
    )
    return {
      json: { format: s.format, faces: s.faces, images: s.images, out: s.out, files: s.files },
      text: `Wrote ${s.faces} faces of ${s.images} photos as ${s.format}: ${s.files.join(', ')}`
    }
  })
}

export const verbs: Record<string, Verb> = {
  import: importVerb,
  stats: statsVerb,
  augment: augmentVerb,
  export: exportVerb,
  cluster: clusterVerb,
  label: labelVerb,
  task: taskVerb,
  train: trainVerb,
  eval: evalVerb,
  versions: versionsVerb,
  calibrate: calibrateVerb,
  activate: activateVerb,
  'export-model': exportModelVerb,
  sweep: sweepVerb,
  fairness: fairnessVerb,
  agreement: agreementVerb,
  forget: forgetVerb,
  'export-person': exportPersonVerb,
  retrain: retrainVerb,
  merge: mergeVerb,
  annotators: annotatorsVerb,
  'annotator-groups': annotatorGroupsVerb,
  'label-errors': labelErrorsVerb
}
