/** Models actions: every models.* call of the Train, Models and Compare screens goes through here. */
import type { CallArgs, Events } from '../../../shared/contract'
import type { JobInfo, ModelVersionInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from './index'
import { on, onProjectChange, pushToast, ReplyGate, request, sameProject } from './client'
import { isActive, latestJob, trackJob } from './jobs-actions'
import { createModelsSlice } from './models'

const set = useStudio.setState
const get = useStudio.getState

// ---------------------------------------------------------------- tasks, versions, evaluation set

export async function loadModelTasks(): Promise<void> {
  const current = sameProject()
  const reply = await request('tasks.list', {}, { failTitle: 'Could not list the tasks' })
  if (reply.ok && current()) set({ modelTasks: reply.value })
}

const versionReplies = new ReplyGate()

/** Loads the versions and the evaluation set of a task (the active one by default). */
export async function loadVersions(task = get().task): Promise<void> {
  if (!get().project) return
  const current = versionReplies.next()
  if (get().modelVersionsTask !== task) set({ modelVersions: null, evalSet: null, modelVersionsTask: task })
  const [versions, evalSet] = await Promise.all([
    request('models.versions', { task }, { inline: true }),
    request('models.evaluationSet', { task }, { inline: true })
  ])
  if (!current()) return
  if (!versions.ok) {
    set({ modelVersions: [], modelVersionsError: versions.error })
    return
  }
  set({
    modelVersions: versions.value,
    modelVersionsError: null,
    evalSet: evalSet.ok ? evalSet.value : null
  })
}

export function activeVersion(versions: ModelVersionInfo[] | null): ModelVersionInfo | undefined {
  return versions?.find((v) => v.active)
}

// ---------------------------------------------------------------- training

/** Follows the latest training job of the task in this session (after a reload, or a task switch). */
export async function resumeTrainRun(task = get().task): Promise<void> {
  const job = latestJob(get().jobs, 'train', task)
  const run = get().trainRun
  if (run && run.task === task && (!job || run.jobId >= job.id)) return
  if (!job) {
    if (run && run.task !== task) set({ trainRun: null, trainError: null })
    return
  }
  await fetchHistory(job.id)
}

async function fetchHistory(jobId: number): Promise<void> {
  const fresh = sameProject()
  const reply = await request('models.trainingHistory', { jobId }, { inline: true })
  if (!reply.ok || !fresh()) return
  const h = reply.value
  const current = get().trainRun
  // Events that arrived while the history was on its way are kept.
  const extra = current?.jobId === jobId ? current.epochs.filter((p) => !h.epochs.some((q) => q.epoch === p.epoch)) : []
  set({
    trainRun: {
      jobId,
      task: h.task,
      status: h.status,
      totalEpochs: h.totalEpochs,
      epochs: [...h.epochs, ...extra].sort((a, b) => a.epoch - b.epoch),
      result: h.result
    },
    trainError: null
  })
}

export async function startTraining(args: CallArgs<'models.train'>): Promise<void> {
  set({ trainStarting: true, trainError: null })
  const current = sameProject()
  const reply = await request('models.train', args, { inline: true })
  if (!current()) return
  set({ trainStarting: false })
  if (!reply.ok) {
    set({ trainError: reply.error })
    return
  }
  const job = reply.value
  trackJob(job)
  set((s) => ({
    trainRun: {
      jobId: job.id,
      task: typeof args.task === 'string' ? args.task : s.task,
      status: job.status,
      totalEpochs: args.epochs ?? job.progress.total,
      epochs: [],
      result: null
    }
  }))
}

export async function cancelTraining(): Promise<void> {
  const run = get().trainRun
  if (!run) return
  const reply = await request('jobs.cancel', { id: run.jobId }, { failTitle: 'Could not cancel training' })
  if (reply.ok && !reply.value) void fetchHistory(run.jobId)
}

function onTrainingEpoch(e: Events['training.epoch']): void {
  const run = get().trainRun
  if (!run || run.jobId !== e.jobId) {
    // A run started elsewhere (the CLI cannot reach this window; another window can): follow it if it is for the task on screen.
    if (e.task !== get().task || (run && run.jobId > e.jobId && run.task === e.task)) return
    set({
      trainRun: {
        jobId: e.jobId,
        task: e.task,
        status: 'running',
        totalEpochs: e.totalEpochs,
        epochs: [e.point],
        result: null
      }
    })
    return
  }
  if (run.epochs.some((p) => p.epoch === e.point.epoch)) return
  set({
    trainRun: { ...run, status: 'running', totalEpochs: e.totalEpochs, epochs: [...run.epochs, e.point] }
  })
}

function onJobUpdated(job: JobInfo): void {
  const run = get().trainRun
  if (run && job.kind === 'train' && run.jobId === job.id && run.status !== job.status) {
    const result = job.status === 'done' ? (job.result ?? run.result) : run.result
    set({ trainRun: { ...run, status: job.status, result } })
    if (!isActive(job)) void fetchHistory(job.id)
  }
  if (job.kind === 'repredict' && !isActive(job) && job.id === get().activateJobId) void loadVersions()
}

// ---------------------------------------------------------------- activate, export

export async function activateVersion(version: number): Promise<void> {
  const task = get().task
  const current = sameProject()
  const reply = await request('models.activate', { task, version }, { failTitle: `Could not activate v${version}` })
  if (!reply.ok || !current()) return
  // job.updated events (websocket) can overtake this reply (HTTP): a quick job may already be done here, and the
  // reply's 'queued' snapshot must not overwrite that, or the job looks queued forever.
  trackJob(reply.value)
  set({ activateJobId: reply.value.id })
}

export async function exportVersion(
  version: number,
  dir: string
): Promise<{ ok: true; path: string; files: string[] } | { ok: false; error: AppErrorShape }> {
  const reply = await request('models.export', { task: get().task, version, dir }, { inline: true })
  if (!reply.ok) return { ok: false, error: reply.error }
  pushToast({ kind: 'success', title: `Exported v${version}`, message: reply.value.path })
  if (reply.value.warning)
    pushToast({ kind: 'error', title: 'Trained on forgotten data', message: reply.value.warning })
  return { ok: true, ...reply.value }
}

// ---------------------------------------------------------------- compare

export function setCompareVersions(a: number | null, b: number | null): void {
  set({ compareA: a, compareB: b })
}

/** The versions the Compare screen shows: the user's choice, else v0 against the active version. */
export function compareChoice(
  versions: ModelVersionInfo[] | null,
  a: number | null,
  b: number | null
): [number, number] | null {
  if (!versions || versions.length === 0) return null
  const has = (v: number | null): v is number => v !== null && versions.some((x) => x.version === v)
  const active = activeVersion(versions)?.version ?? versions[versions.length - 1]!.version
  const latest = versions[versions.length - 1]!.version
  const first = versions[0]!.version
  const pa = has(a) ? a : first
  const pb = has(b) ? b : active !== pa ? active : latest
  return [pa, pb]
}

const compareReplies = new ReplyGate()

export async function loadComparison(task: string, a: number, b: number, force = false): Promise<void> {
  const key = `${task}:${a}:${b}`
  if (!force && get().comparisonKey === key && (get().comparison || get().compareLoading)) return
  const current = compareReplies.next()
  set({ comparisonKey: key, compareLoading: true, compareError: null })
  const reply = await request('models.compare', { task, a, b }, { inline: true })
  if (!current()) return
  if (!reply.ok) set({ compareLoading: false, compareError: reply.error, comparison: null })
  else set({ compareLoading: false, comparison: reply.value })
}

export function openFlipFace(faceId: number | null): void {
  set({ flipFaceId: faceId })
}

// ---------------------------------------------------------------- wiring

function onDataChanged(what: string[]): void {
  if (!get().project) return
  if (what.includes('versions') || what.includes('annotations')) {
    if (get().modelVersionsTask) void loadVersions(get().modelVersionsTask ?? get().task)
    // The evaluation set or a version changed: the comparison on screen is stale.
    set({ comparisonKey: null })
  }
  if (what.includes('tasks')) void loadModelTasks()
}

/** The events the Train, Models and Compare screens follow. */
export function registerModels(): void {
  on('training.epoch', onTrainingEpoch)
  on('job.updated', onJobUpdated)
  // Unthrottled: a finished training shows its version at once.
  on('data.changed', (d) => onDataChanged(d.what))
  // A different project (or none): nothing of the previous one may stay on screen.
  onProjectChange(() => set(createModelsSlice()))
}
