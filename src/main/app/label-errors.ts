/**
 * The label-error finder as main runs it: the task's usable labels (labels/ground-truth.ts) go to one ML worker
 * (`labels.errors`: out-of-fold probabilities + confident learning) as a job with progress and cancel; main adds
 * what the screen and CLI show (photo path, thumbnail, who gave the label and when, counts per class) and keeps
 * the latest result per task for the Review queue "Possible label errors".
 */
import type { LabelErrorsSummary, LabelErrorSuspect } from '../../shared/domain'
import { thumbRef } from '../../shared/media'
import type { Db } from '../db/open'
import { currentTaskLabels, usableLabels } from '../labels/ground-truth'
import { getTask } from '../labels/tasks'
import type { Project } from '../project/project'
import type { SubmittedJob } from '../jobs/queue'
import type { OpResult } from '../worker/protocol'
import type { AppContext } from './context'

export const LABEL_ERROR_FOLDS = 5
export const LABEL_ERROR_SEED = 13

const latest = new WeakMap<Project, Map<string, LabelErrorsSummary>>()

export interface LabelErrorsOptions {
  task: string | number
  k?: number | undefined
  seed?: number | undefined
}

export function startLabelErrors(ctx: AppContext, opts: LabelErrorsOptions): SubmittedJob<'label-errors'> {
  const project = ctx.requireProject()
  const task = getTask(project.db, opts.task)
  const k = opts.k ?? LABEL_ERROR_FOLDS
  return ctx.jobs.submit(
    { kind: 'label-errors', task: task.name, title: `Find possible label errors (${task.name})` },
    async (job) => {
      const rows = usableLabels(currentTaskLabels(project.db, task.id), task)
      job.progress({ done: 0, total: k, message: `Checking ${rows.length} labels…` })
      const r = await ctx
        .worker()
        .request(
          'labels.errors',
          { projectDir: project.dir, task: task.name, rows, k, seed: opts.seed ?? LABEL_ERROR_SEED },
          { signal: job.signal, onProgress: (m) => job.progress({ done: m.fold, total: m.folds, message: m.message }) }
        )
      const summary = summarise(project.db, r)
      let perProject = latest.get(project)
      if (!perProject) latest.set(project, (perProject = new Map()))
      perProject.set(task.name, summary)
      job.progress({ done: k, total: k, message: `${summary.suspects.length} possible label errors` })
      return summary
    }
  )
}

function summarise(db: Db, r: OpResult<'labels.errors'>): LabelErrorsSummary {
  const pathOf = db.prepare('SELECT i.path FROM faces f JOIN images i ON i.id = f.image_id WHERE f.id = ?').pluck()
  const lastLabel = db.prepare(
    `SELECT a.annotator, a.created_at FROM annotations a JOIN tasks t ON t.id = a.task_id
     WHERE t.name = ? AND (a.face_id = ? OR a.person_id = (SELECT person_id FROM faces WHERE id = ?))
     ORDER BY a.id DESC LIMIT 1`
  )
  const suspects: LabelErrorSuspect[] = r.suspects.map((s) => {
    const who = lastLabel.get(r.task, s.faceId, s.faceId) as { annotator: string; created_at: string } | undefined
    return {
      faceId: s.faceId,
      path: pathOf.get(s.faceId) as string,
      thumb: thumbRef(s.faceId),
      given: s.given,
      suggested: s.suggested,
      score: s.score,
      probability: s.probability,
      annotator: who?.annotator ?? null,
      labelledAt: who?.created_at ?? null
    }
  })
  const task = getTask(db, r.task)
  const checked = new Map<string, number>()
  for (const l of usableLabels(currentTaskLabels(db, task.id), task))
    checked.set(l.value, (checked.get(l.value) ?? 0) + 1)
  const perClass = task.labels.map((label) => ({
    label,
    checked: checked.get(label) ?? 0,
    suspects: suspects.filter((s) => s.given === label).length
  }))
  return {
    task: r.task,
    n_checked: r.n_checked,
    k: r.k,
    reusedVersion: r.reused_version,
    suspects,
    perClass,
    seconds: r.seconds,
    backend: r.backend,
    at: new Date().toISOString()
  }
}

/**
 * The latest search of a task, minus the faces answered since (keep, fix) and those whose label changed: what
 * the Review queue still has to show. null when the task was not searched in this session.
 */
export function labelErrorQueue(ctx: AppContext, taskRef: string | number): LabelErrorsSummary | null {
  const project = ctx.requireProject()
  const task = getTask(project.db, taskRef)
  const s = latest.get(project)?.get(task.name)
  if (!s) return null
  const current = new Map(currentTaskLabels(project.db, task.id).map((l) => [l.faceId, l.value]))
  const answered = new Set(
    project.db
      .prepare(`SELECT face_id FROM annotations WHERE task_id = ? AND target = 'face' AND created_at > ?`)
      .pluck()
      .all(task.id, s.at) as number[]
  )
  const open = s.suspects.filter((x) => current.get(x.faceId) === x.given && !answered.has(x.faceId))
  return {
    ...s,
    suspects: open,
    perClass: s.perClass.map((c) => ({ ...c, suspects: open.filter((x) => x.given === c.label).length }))
  }
}
