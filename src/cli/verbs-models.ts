/** CLI verbs for training and model versions: train, eval, versions, activate, export-model. */
import path from 'node:path'
import type { ModelVersionInfo } from '../shared/domain'
import { need, num, parseArgs, str, UsageError } from './args'
import { progressLine, withProject } from './context'
import { resultOf } from '../main/jobs/queue'
import { parseLabelMap } from '../main/labels/label-csv'
import { csvTruth } from '../main/labels/csv-truth'
import { isClassificationMetrics } from '../main/models/version-metrics'
import { startActivation } from '../main/app/activation'
import { evaluate } from '../main/app/evaluation'
import { jobFailure } from '../main/app/training'
import { parseVersionRef } from '../main/models/registry'
import { getTask } from '../main/labels/tasks'
import { exportVersion } from '../main/models/export-version'
import { listVersionInfos } from '../main/models/version-info'
import type { VerbOutput } from './verbs'
// fairness (issue 6): eval --group-task/--group-column, train --mitigation.
import { EVAL_GROUP_FLAGS, evalGroupExtras, mitigationFromArgs, TRAIN_MITIGATION_FLAGS } from './verbs-fairness'
import { startMitigatedTraining } from '../main/app/fairness'
import { calibrateBuiltin } from '../main/app/calibration'

type Verb = (argv: string[]) => Promise<VerbOutput>

export const MODELS_HELP: Record<string, string> = {
  train:
    'face-studio train --project <dir> --task <name> [--epochs n] [--seed n] [--hidden units (0 = linear)] [--l2 x] [--learning-rate x] [--heads k (ensemble, default 5)] [--soft-targets (votes / several answers as targets)] [--no-mirror (original views only, in training and prediction)] [--activate (even if worse) | --no-activate] [--mitigation none|reweight|penalty|dro --group-task <task> [--strength x (ω, λ or η, default 1)] [--penalty-mode loss|positive_rate] [--positive <label>]] [--json]',
  eval: 'face-studio eval --project <dir> --task <name> --version <n|active> [--csv <file> --label-column <col> [--map from=to,...] [--path-column path] [--group-column <col>]] [--group-task <task> [--group-by <task>] [--group-source annotations|predicted]] [--min-group-size 30] [--json]',
  versions: 'face-studio versions --project <dir> --task <name> [--json]',
  calibrate:
    "face-studio calibrate --project <dir> --task <name> [--json]  (fits version 0's temperature on the evaluation set)",
  activate: 'face-studio activate --project <dir> --task <name> --version <n> [--json]',
  'export-model': 'face-studio export-model --project <dir> --task <name> --version <n|active> --out <folder> [--json]'
}

function positiveInt(p: ReturnType<typeof parseArgs>, name: string, min: number): number | undefined {
  const v = num(p, name)
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new UsageError(`--${name} must be an integer ≥ ${min}`)
  return v
}

function nonNegative(p: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const v = num(p, name)
  if (v !== undefined && !(v >= 0)) throw new UsageError(`--${name} must be a number ≥ 0`)
  return v
}

function versionFlag(p: ReturnType<typeof parseArgs>): number | 'active' {
  const raw = need(p, 'version')
  try {
    return parseVersionRef(raw)
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e))
  }
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? '–' : x.toFixed(digits)
}

export const trainVerb: Verb = async (argv) => {
  const p = parseArgs(argv, {
    values: ['project', 'task', 'epochs', 'seed', 'hidden', 'l2', 'learning-rate', 'heads', ...TRAIN_MITIGATION_FLAGS],
    booleans: ['json', 'no-activate', 'activate', 'soft-targets', 'no-mirror']
  })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const epochs = positiveInt(p, 'epochs', 1)
  const seed = positiveInt(p, 'seed', 0)
  // Forced head settings; each one fixes that dimension of the capacity search.
  const hidden = positiveInt(p, 'hidden', 0)
  const l2 = nonNegative(p, 'l2')
  const learningRate = nonNegative(p, 'learning-rate')
  const k = positiveInt(p, 'heads', 1)
  const mitigation = mitigationFromArgs(p)
  return withProject(project, false, async (ctx) => {
    const { done } = startMitigatedTraining(ctx, {
      mitigation,
      task,
      ...(epochs !== undefined ? { epochs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(hidden !== undefined ? { hidden } : {}),
      ...(l2 !== undefined ? { l2 } : {}),
      ...(learningRate ? { learningRate } : {}),
      ...(k !== undefined ? { k } : {}),
      ...(p.flags.has('soft-targets') ? { softTargets: true } : {}),
      ...(p.flags.has('no-mirror') ? { mirrored: false } : {}),
      // Default: only when not worse than the active version on the evaluation set; --activate forces it.
      activate: p.flags.has('no-activate') ? false : p.flags.has('activate') ? true : 'auto'
    })
    const off = ctx.on((event, payload) => {
      if (event !== 'training.epoch') return
      const e = payload as {
        totalEpochs: number
        point: { epoch: number; loss: number; val_loss?: number; val_acc?: number }
      }
      progressLine(
        `train: epoch ${e.point.epoch}/${e.totalEpochs} loss ${fmt(e.point.loss)} val_loss ${fmt(e.point.val_loss)} val_acc ${fmt(e.point.val_acc)}`
      )
    })
    const job = await done
    off()
    if (process.stderr.isTTY) process.stderr.write('\n')
    if (job.status !== 'done') throw jobFailure(ctx, job.id) ?? new Error(job.error ?? `training ${job.status}`)
    const s = resultOf(job)
    const json = {
      version: s.version,
      parent: s.parent,
      train_n: s.train_n,
      eval_n: s.eval_n,
      metrics: s.metrics,
      seconds: s.seconds,
      backend: s.backend,
      mirrored: s.recipe?.mirrored ?? null,
      mirrored_rows: s.recipe?.mirroredRows ?? null
    }
    const m = s.metrics
    const head = isClassificationMetrics(m)
      ? `accuracy ${fmt(m.accuracy)}, macro-F1 ${fmt(m.macro_f1)}, ECE ${fmt(m.ece)}`
      : `MAE ${fmt(m.mae, 2)}, RMSE ${fmt(m.rmse, 2)}, r ${fmt(m.pcc)}`
    const recipe = s.recipe
      ? ` Head: ${s.recipe.settings}; ${s.recipe.k} head${s.recipe.k === 1 ? '' : 's'}; temperature ${s.recipe.temperature.toFixed(2)}${typeof s.recipe.softTargets === 'number' ? `; soft targets on ${s.recipe.softTargets} faces` : ''}${s.recipe.mirrored === false ? '; original views only' : s.recipe.mirroredRows ? `; mirrored views of ${s.recipe.mirroredRows} faces as extra rows, predictions averaged over both views` : ''}.`
      : ''
    const text = `Trained ${task} v${s.version} (from v${s.parent ?? '–'}) on ${s.train_n} faces in ${s.seconds.toFixed(1)} s (${s.backend}); evaluation set (${s.eval_n}): ${head}.${recipe}${s.verdict ? ` ${s.verdict.sentence}${s.activated ? '.' : s.verdict.worse ? ': not activated.' : '.'}` : ''}${s.activated ? ' Now active.' : ''}`
    return { json, text }
  })
}

export const evalVerb: Verb = async (argv) => {
  const p = parseArgs(argv, {
    values: ['project', 'task', 'version', 'csv', 'label-column', 'map', 'path-column', ...EVAL_GROUP_FLAGS],
    booleans: ['json']
  })
  const project = path.resolve(need(p, 'project'))
  const taskName = need(p, 'task')
  const version = versionFlag(p)
  const csv = str(p, 'csv')
  if (csv === undefined && (p.flags.has('label-column') || p.flags.has('map') || p.flags.has('path-column')))
    throw new UsageError('--label-column, --map and --path-column go with --csv')
  if (csv !== undefined && !p.flags.has('label-column')) throw new UsageError('--csv needs --label-column')
  return withProject(project, false, async (ctx) => {
    const db = ctx.requireProject().db
    const task = getTask(db, taskName)
    const mapSpec = str(p, 'map')
    const truth =
      csv === undefined
        ? undefined
        : csvTruth(db, task, {
            csv,
            labelColumn: need(p, 'label-column'),
            pathColumn: str(p, 'path-column'),
            map: mapSpec === undefined ? undefined : parseLabelMap(mapSpec)
          })
    const r = await evaluate(ctx, { task: task.name, versions: [version], ...(truth ? { faces: truth.faces } : {}) })
    const v = r.versions[0]
    if (!v) throw new Error('the evaluation returned no version')
    const m = v.metrics
    const groups = evalGroupExtras(ctx, p, r)
    const source = truth
      ? `${truth.faces.length} faces from ${path.basename(csv ?? '')} (${truth.unmatched} unmatched, ${truth.skipped} skipped)`
      : `the evaluation set (${m.n} faces)`
    if (isClassificationMetrics(m)) {
      const json = {
        n: m.n,
        accuracy: m.accuracy,
        macro_f1: m.macro_f1,
        per_class: m.per_class,
        confusion: m.confusion,
        ece: m.ece,
        version: v.version,
        backend: r.backend,
        ...(truth ? { unmatched: truth.unmatched, skipped: truth.skipped, duplicates: truth.duplicates } : {}),
        ...groups?.json
      }
      const lines = [
        `${task.name} v${v.version} on ${source}: accuracy ${fmt(m.accuracy)}, macro-F1 ${fmt(m.macro_f1)}, ECE ${fmt(m.ece)}`,
        ...Object.entries(m.per_class).map(
          ([l, c]) => `  ${l.padEnd(14)} P ${fmt(c.precision)}  R ${fmt(c.recall)}  F1 ${fmt(c.f1)}  n ${c.support}`
        ),
        ...(groups?.lines ?? [])
      ]
      return { json, text: lines.join('\n') }
    }
    const json = {
      n: m.n,
      mae: m.mae,
      rmse: m.rmse,
      pcc: m.pcc,
      version: v.version,
      backend: r.backend,
      ...(truth ? { unmatched: truth.unmatched, skipped: truth.skipped, duplicates: truth.duplicates } : {}),
      ...groups?.json
    }
    return {
      json,
      text: [
        `${task.name} v${v.version} on ${source}: MAE ${fmt(m.mae, 2)}, RMSE ${fmt(m.rmse, 2)}, r ${fmt(m.pcc)}`,
        ...(groups?.lines ?? [])
      ].join('\n')
    }
  })
}

function versionLine(v: ModelVersionInfo): string {
  const h = v.headline
  const metric = !h
    ? ''
    : 'accuracy' in h
      ? ` acc ${fmt(h.accuracy)} F1 ${fmt(h.macro_f1)}`
      : ` MAE ${fmt(h.mae, 2)} r ${fmt(h.pcc)}`
  const from = v.parent === null ? '' : ` ← v${v.parent}`
  const kind = v.builtin ? ' built-in' : ` train ${v.trainN ?? '?'} eval ${v.evalN ?? '?'}${metric} ${v.backend ?? ''}`
  return `${v.active ? '*' : ' '} v${v.version}${from}${kind}  ${v.createdAt}${v.mitigation ? `  mitigation ${v.mitigation.method}` : ''}`
}

export const versionsVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  return withProject(project, false, async (ctx) => {
    const versions = listVersionInfos(ctx.requireProject().db, task)
    return { json: { task, versions }, text: versions.map(versionLine).join('\n') }
  })
}

export const calibrateVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  return withProject(project, false, async (ctx) => {
    const r = await calibrateBuiltin(ctx, task, { force: true })
    if (!r) throw new UsageError(`Task "${task}" has no built-in classification version 0 to calibrate.`)
    const text = r.calibrated
      ? `Version 0 of ${task}: temperature ${r.temperature.toFixed(2)} fitted on ${r.n} evaluation faces; ECE ${fmt(r.ece_before)} → ${fmt(r.ece_after)} (on the same faces).${r.repredicted ? ` ${r.repredicted} faces re-predicted.` : ''}`
      : `Version 0 of ${task} was not calibrated: the evaluation set has ${r.n} labelled faces (30 needed).`
    return { json: r, text }
  })
}

export const activateVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task', 'version'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const version = versionFlag(p)
  return withProject(project, false, async (ctx) => {
    const { done } = startActivation(ctx, { task, version })
    const job = await done
    if (job.status !== 'done') throw jobFailure(ctx, job.id) ?? new Error(job.error ?? `activation ${job.status}`)
    const r = resultOf(job)
    return {
      json: { task: r.task, version: r.version, active: true, faces: r.faces, seconds: r.seconds, backend: r.backend },
      text: `${r.task} v${r.version} is active; ${r.faces} faces re-predicted in ${r.seconds.toFixed(2)} s (${r.backend}).`
    }
  })
}

export const exportModelVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task', 'version', 'out'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const version = versionFlag(p)
  const out = path.resolve(need(p, 'out'))
  return withProject(project, false, async (ctx) => {
    const r = await exportVersion(ctx.requireProject(), { task, version, dir: out })
    if (r.warning) process.stderr.write(`warning: ${r.warning}\n`)
    return {
      json: r,
      text: `Exported to ${r.path} (${r.files.join(', ')})${r.warning ? `\nwarning: ${r.warning}` : ''}`
    }
  })
}
