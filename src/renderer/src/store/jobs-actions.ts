/**
 * Jobs: the session's jobs as job.updated reports them, the toast each finished job gets, cancel, and
 * starting an import. Screens find a job by its kind and what it works on (`latestJob`), never by its title.
 */
import type { CallArgs } from '../../../shared/contract'
import { LATE_CANCEL_MESSAGE, type ClusterSummary, type JobInfo, type JobKind } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from './index'
import { on, onProjectChange, onReconnect, pushToast, request, sameProject } from './client'

const set = useStudio.setState
const get = useStudio.getState

/** A job of kind K, its subject and result typed. */
export type Job<K extends JobKind> = Extract<JobInfo, { kind: K }>

export function isActive(job: JobInfo): boolean {
  return job.status === 'queued' || job.status === 'running'
}

function isKind<K extends JobKind>(job: JobInfo, kind: K): job is Job<K> {
  return job.kind === kind
}

/** The newest job of `kind` for `task` this session knows of (after a reload too), or null. */
export function latestJob<K extends JobKind>(jobs: Record<number, JobInfo>, kind: K, task: string): Job<K> | null {
  let latest: Job<K> | null = null
  for (const job of Object.values(jobs))
    if (isKind(job, kind) && job.task === task && (!latest || job.id > latest.id)) latest = job
  return latest
}

/** Adds a job a call just started, unless job.updated (which can overtake the reply) already brought it. */
export function trackJob(job: JobInfo): void {
  set((s) => ({ jobs: { ...s.jobs, [job.id]: s.jobs[job.id] ?? job } }))
}

const finishedListeners: Array<(job: JobInfo) => void> = []

/** Called once per job when it stops (done, failed or cancelled). */
export function onJobFinished(listener: (job: JobInfo) => void): void {
  finishedListeners.push(listener)
}

export async function loadJobs(): Promise<void> {
  const reply = await request('jobs.list', {}, { failTitle: 'Could not list running jobs' })
  if (reply.ok) set({ jobs: Object.fromEntries(reply.value.map((j) => [j.id, j])) })
}

/** What an earlier run left unfinished in the open project (the notice above every screen lists it). */
export async function loadInterrupted(): Promise<void> {
  const still = sameProject()
  const reply = await request('jobs.interrupted', {}, { failTitle: 'Could not list unfinished jobs' })
  if (reply.ok && still()) set({ interrupted: reply.value })
}

/** The user has read the notice: main stops listing these jobs. */
export async function dismissInterrupted(): Promise<void> {
  const ids = get().interrupted.map((j) => j.id)
  if (ids.length === 0) return
  const reply = await request('jobs.dismissInterrupted', { ids }, { failTitle: 'Could not dismiss the notice' })
  if (reply.ok) set((s) => ({ interrupted: s.interrupted.filter((j) => !ids.includes(j.id)) }))
}

/**
 * What a cancelled job says it kept ("Training cancelled; no version was saved.", "…after 12 of 40 files; the
 * 12 photos … are kept"), or null when it said nothing beyond "Cancelled".
 */
export function cancelledSays(job: JobInfo): string | null {
  if (job.status !== 'cancelled') return null
  const m = job.progress.message
  return m && m !== 'Cancelled' ? m : null
}

function onJobUpdated(job: JobInfo): void {
  const prev = get().jobs[job.id]
  set((s) => ({ jobs: { ...s.jobs, [job.id]: job } }))
  const finished = !isActive(job) && (!prev || isActive(prev))
  if (!finished) return
  for (const l of finishedListeners) l(job)
  // The open Import dialog already shows how its own job ended.
  if (get().dialog === 'import' && get().importJobId === job.id) return
  if (job.status === 'failed') {
    pushToast({
      kind: 'error',
      title: `${job.title} failed`,
      message:
        job.error ?? 'The job stopped without saying why. Try again; if it keeps failing, check the terminal log.'
    })
  } else if (job.status === 'cancelled') {
    pushToast({
      kind: 'info',
      title: `${job.title} cancelled`,
      message: cancelledSays(job) ?? 'What was finished before cancelling is kept.'
    })
  } else if (job.progress.message === LATE_CANCEL_MESSAGE) {
    pushToast({
      kind: 'info',
      title: `${job.title} finished before it could be cancelled`,
      message: `${jobSummary(job)}. The cancel came after the results were saved, so they were kept.`
    })
  } else {
    pushToast({ kind: 'success', title: `${job.title} finished`, message: jobSummary(job) })
  }
}

/** "44 people · 18 singletons · 0.6 s" for a finished clustering job. */
function clusterSummary(r: ClusterSummary): string {
  const parts = [`${r.clusters} ${r.clusters === 1 ? 'person' : 'people'}`, `${r.singletons} singletons`]
  if (r.mode === 'incremental') parts.push(`${r.assigned} new faces placed`)
  parts.push(`${r.seconds.toFixed(1)} s`)
  return parts.join(' · ')
}

/** One line on what a job did, from its result where it has one, else from its progress. */
export function jobSummary(job: JobInfo): string {
  if (job.result) {
    switch (job.kind) {
      case 'cluster':
        return clusterSummary(job.result)
      case 'train':
        return `Saved version ${job.result.version}`
      case 'repredict':
        return `${job.result.faces} faces re-predicted in ${job.result.seconds.toFixed(1)} s`
      case 'curve':
        return `${job.result.points.length} points in ${job.result.seconds.toFixed(1)} s`
      case 'sweep': {
        const picked = job.result.picked
        return `${job.result.points.length} versions trained${picked !== null ? ` · picked v${picked}` : ''}`
      }
      case 'label-errors':
        return `${job.result.suspects.length} possible label errors among ${job.result.n_checked} labels`
      case 'labels-import': {
        const r = job.result
        return r.columns.length > 1
          ? `${r.applied} labels written in ${r.columns.length} tasks`
          : `${r.applied} faces of ${r.task} labelled`
      }
    }
  }
  // Training and re-prediction jobs say what they did in their last progress message ("Saved version 2").
  if ((job.kind === 'train' || job.kind === 'repredict') && job.progress.message) return job.progress.message
  const c = job.progress.counters
  const parts = [`${job.progress.done} of ${job.progress.total} files`]
  if (c.faces !== undefined) parts.push(`${c.faces} faces`)
  if (c.errors) parts.push(`${c.errors} errors`)
  return parts.join(' · ')
}

export async function cancelJob(id: number): Promise<void> {
  const reply = await request('jobs.cancel', { id }, { failTitle: 'Could not cancel the job' })
  if (reply.ok && !reply.value) {
    pushToast({ kind: 'info', title: 'Nothing to cancel', message: 'That job had already finished.' })
  }
}

// ---------------------------------------------------------------- import

export async function startImport(args: CallArgs<'import.start'>): Promise<AppErrorShape | null> {
  const current = sameProject()
  const reply = await request('import.start', args, { inline: true })
  if (!reply.ok) return reply.error
  if (!current()) return null
  set({ importJobId: reply.value.id })
  trackJob(reply.value)
  return null
}

export function requestImport(): void {
  if (!get().project) {
    pushToast({
      kind: 'info',
      title: 'No project open',
      message: 'Create or open a project first, then import photos into it.'
    })
    return
  }
  const current = get().importJobId
  const job = current === null ? undefined : get().jobs[current]
  if (job && !isActive(job)) set({ importJobId: null })
  set({ dialog: 'import', screen: 'library' })
}

// ---------------------------------------------------------------- events

export function registerJobs(): void {
  on('job.updated', onJobUpdated)
  onReconnect(() => void loadJobs())
  onProjectChange(() => {
    set({ interrupted: [] })
    if (get().project) void loadInterrupted()
  })
}
