/** CLI verbs for teams and privacy (issue 14): agreement, forget, export-person, merge. */
import path from 'node:path'
import { need, num, parseArgs, str, UsageError } from './args'
import { withProject } from './context'
import { jobFailure } from '../main/app/training'
import { mergeFrom, startRetrainWithoutForgotten } from '../main/app/teams'
import { resultOf } from '../main/jobs/queue'
import { parseVersionRef } from '../main/models/registry'
import { agreementReport } from '../main/teams/agreement'
import { annotatorGroupRates, annotatorProfiles, setAnnotatorAttributes } from '../main/teams/annotator-groups'
import { exportPersonData } from '../main/teams/export-person'
import { forgetPerson } from '../main/teams/forget'
import type { VerbOutput } from './verbs'

type Verb = (argv: string[]) => Promise<VerbOutput>

export const TEAMS_HELP: Record<string, string> = {
  agreement: 'face-studio agreement --project <dir> --task <name> [--json]',
  merge: 'face-studio merge --project <dir> --from <other project or shard> [--json]',
  annotators: 'face-studio annotators --project <dir> [--set <name> --attr key=value,...] [--json]',
  'annotator-groups':
    'face-studio annotator-groups --project <dir> --task <name> --group-task <name> [--by annotator|<attribute>] [--min-answers n] [--json]',
  forget: 'face-studio forget --project <dir> --person <id> [--json]',
  'export-person': 'face-studio export-person --project <dir> --person <id> --out <folder> [--json]',
  retrain:
    'face-studio retrain --project <dir> --task <name> --version <n> [--json]   (a version trained on forgotten data)'
}

function personId(raw: string): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--person must be a person id (a positive integer), got "${raw}"`)
  return n
}

const fmt = (x: number | null): string => (x === null ? 'undefined' : x.toFixed(3))

export const agreementVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  return withProject(project, false, async (ctx) => {
    const r = agreementReport(ctx.requireProject().db, task)
    const json = {
      n_faces: r.n_faces,
      pairs: r.pairs.map(({ a, b, n, kappa }) => ({ a, b, n, kappa })),
      alpha: r.alpha,
      per_class: r.per_class
    }
    const lines = [
      `${r.task}: ${r.n_faces} faces with ≥ 2 answers (${r.n_answers} answers), Krippendorff α = ${fmt(r.alpha)}, ${r.disagreements} open disagreements`,
      ...r.pairs.map(
        (q) => `  κ(${q.a}, ${q.b}) = ${fmt(q.kappa)} on ${q.n} faces (${Math.round(q.observed * 100)}% same)`
      ),
      ...r.per_class.filter((c) => c.n > 0).map((c) => `  ${c.label}: ${fmt(c.agreement)} over ${c.n} answers`)
    ]
    return { json, text: lines.join('\n') }
  })
}

export const forgetVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'person'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const person = personId(need(p, 'person'))
  return withProject(project, false, async (ctx) => {
    const r = forgetPerson(ctx.requireProject(), { personId: person, by: ctx.annotator })
    const json = { faces: r.faces, annotations: r.annotations, files: r.files, versions_flagged: r.versions_flagged }
    const text = [
      `Forgot person ${person}: ${r.faces} faces, ${r.annotations} annotations, ${r.files} files removed; photos untouched and excluded from re-import.`,
      ...r.versions.map(
        (v) =>
          `  ${v.task} v${v.version} is now marked "trained on forgotten data" (face-studio retrain --task ${v.task} --version ${v.version})`
      )
    ].join('\n')
    return { json, text }
  })
}

export const exportPersonVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'person', 'out'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const person = personId(need(p, 'person'))
  const out = path.resolve(need(p, 'out'))
  return withProject(project, false, async (ctx) => {
    const r = exportPersonData(ctx.requireProject(), { personId: person, dir: out })
    return {
      json: r,
      text: `Wrote ${r.faces} faces, ${r.annotations} labels and ${r.predictions} predictions of person ${person} to ${r.path}`
    }
  })
}

export const retrainVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task', 'version'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const version = parseVersionRef(need(p, 'version'))
  return withProject(project, false, async (ctx) => {
    const { done } = startRetrainWithoutForgotten(ctx, { task, version })
    const job = await done
    if (job.status !== 'done') throw jobFailure(ctx, job.id) ?? new Error(job.error ?? `training ${job.status}`)
    const s = resultOf(job)
    return {
      json: { task: s.task, version: s.version, parent: s.parent, train_n: s.train_n, activated: s.activated },
      text: `Retrained ${s.task} without forgotten data: version ${s.version} on ${s.train_n} faces${s.activated ? ' (active)' : ''}.`
    }
  })
}

export const mergeVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'from'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const from = path.resolve(need(p, 'from'))
  return withProject(project, false, async (ctx) => {
    const r = await mergeFrom(ctx, from)
    return {
      json: {
        matched: r.matched,
        unmatched: r.unmatched,
        conflicts: r.conflicts,
        added: r.added,
        photos: r.photos,
        faces: r.faces,
        import_id: r.importId
      },
      text: `Merged ${from}: ${r.added} answers added (${r.matched} matched, ${r.unmatched} unmatched, ${r.conflicts} faces in conflict); ${r.photos} photos with ${r.faces} faces brought over.`
    }
  })
}

export const annotatorsVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'set', 'attr'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const name = str(p, 'set')
  const attr = str(p, 'attr')
  if ((name === undefined) !== (attr === undefined))
    throw new UsageError('give --set <name> and --attr key=value together')
  return withProject(project, false, async (ctx) => {
    const db = ctx.requireProject().db
    if (name !== undefined && attr !== undefined) {
      const attributes: Record<string, string> = {}
      for (const pair of attr.split(',')) {
        if (!pair.trim()) continue
        const eq = pair.indexOf('=')
        if (eq <= 0) throw new UsageError(`--attr takes key=value pairs, got "${pair}"`)
        attributes[pair.slice(0, eq).trim()] = pair.slice(eq + 1)
      }
      setAnnotatorAttributes(db, name, attributes)
    }
    const all = annotatorProfiles(db)
    const text = all
      .map(
        (a) =>
          `${a.name}: ${a.answers} answers${
            Object.keys(a.attributes).length
              ? ` (${Object.entries(a.attributes)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')})`
              : ''
          }`
      )
      .join('\n')
    return { json: all, text: text || 'No annotators yet.' }
  })
}

export const annotatorGroupsVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task', 'group-task', 'by', 'min-answers'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const groupTask = need(p, 'group-task')
  const minAnswers = num(p, 'min-answers')
  return withProject(project, false, async (ctx) => {
    const r = annotatorGroupRates(ctx.requireProject().db, { task, groupTask, by: str(p, 'by'), minAnswers })
    const lines = [
      r.sentence,
      ...r.cells.map(
        (c) =>
          `  ${c.unit} × ${c.group} (${c.n}): ${r.labels.map((l) => `${l} ${Math.round((c.rates[l] ?? 0) * 100)}%`).join(', ')}`
      )
    ]
    return { json: r, text: lines.join('\n') }
  })
}
