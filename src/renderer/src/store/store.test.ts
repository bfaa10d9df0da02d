/**
 * The store against a scripted main: calls wait until the test answers them and events arrive when the
 * test sends them, so the order of replies and project changes is the test's to choose.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { ConnectedApi } from '../api'
import type { CallName, EventName, Events } from '../../../shared/contract'
import {
  LATE_CANCEL_MESSAGE,
  type InterruptedJob,
  type JobInfo,
  type JobKind,
  type JobOf,
  type ProjectInfo,
  type VersionComparison
} from '../../../shared/domain'
import type { Reply } from '../../../shared/result'
import { useStudio } from './index'
import { initStudio } from './init'
import { createFairnessSlice } from './fairness'
import { createModelsSlice } from './models'
import { createPeopleSlice } from './people'
import { createReviewSlice } from './review'
import { createLibrarySlice } from './slices'
import { reviewConflict, setFairness } from './fairness-actions'
import { dismissInterrupted, latestJob } from './jobs-actions'
import { setLibraryFilter } from './library-actions'
import { loadComparison, openFlipFace, resumeTrainRun } from './models-actions'
import { setClusterPanel, setClusterThreshold } from './people-actions'
import { setReviewBelow, setReviewHelp } from './review-actions'
import { navigate, runMenuAction } from './ui-actions'

interface Pending {
  name: CallName
  args: unknown
  resolve: (reply: Reply<unknown>) => void
}

const pending: Pending[] = []
const listeners = new Map<EventName, Array<(payload: unknown) => void>>()

const fakeMain = {
  mode: 'electron',
  call: (name: CallName, args: unknown) => new Promise((resolve) => pending.push({ name, args, resolve })),
  on: (event: EventName, listener: (payload: unknown) => void) => {
    listeners.set(event, [...(listeners.get(event) ?? []), listener])
    return () => undefined
  },
  mediaUrl: (ref: string) => `studio-media://${ref}`
} as unknown as ConnectedApi

function emit<E extends EventName>(event: E, payload: Events[E]): void {
  for (const l of listeners.get(event) ?? []) l(payload)
}

function waiting(name: CallName): Pending[] {
  return pending.filter((p) => p.name === name)
}

/** Answers the oldest call to `name` still waiting. */
function answer(name: CallName, value: unknown): void {
  const i = pending.findIndex((p) => p.name === name)
  if (i < 0) throw new Error(`nothing waits for ${name}`)
  const [p] = pending.splice(i, 1)
  p!.resolve({ ok: true, value })
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

function project(dir: string): ProjectInfo {
  return {
    dir,
    name: dir.slice(1),
    schemaVersion: 4,
    createdAt: '2025-01-01T00:00:00Z',
    counts: { images: 3, imageErrors: 0, faces: 5, persons: 2, annotations: 0, tasks: 3 }
  }
}

function job<K extends JobKind>(spec: Omit<JobOf<K>, 'progress' | 'error' | 'startedAt' | 'endedAt'>): JobInfo {
  return {
    progress: { done: 1, total: 1, rate: 1, etaSeconds: null, message: '', counters: {} },
    error: null,
    startedAt: '2025-01-01T00:00:00Z',
    endedAt: null,
    ...spec
  } as JobInfo
}

/** The fields a slice starts with, minus the generations (new numbers on every reset, by design). */
function initial(slice: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(slice).filter(([k]) => !/generation$/i.test(k)))
}

function current(slice: object): Record<string, unknown> {
  const s = useStudio.getState() as unknown as Record<string, unknown>
  return Object.fromEntries(Object.keys(initial(slice)).map((k) => [k, s[k]]))
}

const comparison = { task: 'expression', a: 0, b: 1 } as unknown as VersionComparison

beforeAll(async () => {
  initStudio(fakeMain)
  answer('project.current', project('/a'))
  await settle()
})

describe('renderer store', () => {
  it('starts every feature over on a project change and drops the replies about the old project', async () => {
    expect(useStudio.getState().project?.dir).toBe('/a')
    setFairness({ fairTab: 'probe', fairMinGroup: 5 })
    setReviewHelp(true)
    setReviewBelow(0.5)
    setClusterThreshold(0.7)
    setClusterPanel(true)
    openFlipFace(12)
    setLibraryFilter('errors')
    void loadComparison('expression', 0, 1)
    expect(useStudio.getState().filter).toBe('errors')
    expect(useStudio.getState().compareLoading).toBe(true)

    emit('project.changed', project('/b'))
    // Replies to questions asked about /a arrive after /b opened.
    answer('models.compare', comparison)
    answer('library.images', { total: 1, items: [{ id: 1 }] })
    answer('people.thresholdPreview', [{ threshold: 0.5, clusters: 1, singletons: 0, largest: 5 }])
    await settle()

    expect(useStudio.getState().project?.dir).toBe('/b')
    expect(current(createModelsSlice())).toEqual(initial(createModelsSlice()))
    expect(current(createFairnessSlice())).toEqual(initial(createFairnessSlice()))
    expect(current(createReviewSlice())).toEqual(initial(createReviewSlice()))
    expect(current(createLibrarySlice())).toEqual(initial(createLibrarySlice()))
    expect(current(createPeopleSlice())).toEqual(initial(createPeopleSlice()))
    // The debounced queue reload of the threshold slider was for /a: it never goes out.
    await new Promise((r) => setTimeout(r, 250))
    expect(waiting('review.queue')).toHaveLength(0)
  })

  it('keeps only the latest answer when a question is asked again', async () => {
    void loadComparison('expression', 0, 1)
    void loadComparison('expression', 0, 2)
    answer('models.compare', comparison)
    await settle()
    expect(useStudio.getState().comparison).toBeNull()
    expect(useStudio.getState().comparisonKey).toBe('expression:0:2')
    const latest = { ...comparison, b: 2 } as unknown as VersionComparison
    answer('models.compare', latest)
    await settle()
    expect(useStudio.getState().comparison).toBe(latest)
  })

  it('finds jobs by kind and task, whatever their title says', async () => {
    emit(
      'job.updated',
      job<'train'>({ id: 5, kind: 'train', task: 'expression', title: 'Retrain', status: 'running', result: null })
    )
    emit(
      'job.updated',
      job<'train'>({ id: 6, kind: 'train', task: 'age', title: 'Train expression', status: 'running', result: null })
    )
    emit(
      'job.updated',
      job<'sweep'>({ id: 7, kind: 'sweep', task: 'age', title: 'Train expression', status: 'queued', result: null })
    )
    const jobs = useStudio.getState().jobs
    expect(latestJob(jobs, 'train', 'expression')?.id).toBe(5)
    expect(latestJob(jobs, 'train', 'age')?.id).toBe(6)
    expect(latestJob(jobs, 'sweep', 'expression')).toBeNull()
    void resumeTrainRun('expression')
    expect(waiting('models.trainingHistory').map((p) => p.args)).toEqual([{ jobId: 5 }])
  })

  it('says what a finished job did from its typed result', async () => {
    emit(
      'job.updated',
      job<'cluster'>({
        id: 8,
        kind: 'cluster',
        task: null,
        title: 'Cluster people',
        status: 'done',
        result: { clusters: 3, singletons: 1, seconds: 0.5, mode: 'incremental', threshold: 0.5, assigned: 2 }
      })
    )
    expect(useStudio.getState().toasts.at(-1)).toMatchObject({
      kind: 'success',
      title: 'Cluster people finished',
      message: '3 people · 1 singletons · 2 new faces placed · 0.5 s'
    })
  })

  it('says what a cancelled job kept, and that a job cancelled too late was saved', async () => {
    const progress = { done: 1, total: 1, rate: 1, etaSeconds: null, counters: {} }
    emit('job.updated', {
      ...job<'train'>({
        id: 9,
        kind: 'train',
        task: 'expression',
        title: 'Train expression',
        status: 'cancelled',
        result: null
      }),
      progress: { ...progress, message: 'Training cancelled; no version was saved.' }
    })
    expect(useStudio.getState().toasts.at(-1)).toMatchObject({
      kind: 'info',
      title: 'Train expression cancelled',
      message: 'Training cancelled; no version was saved.'
    })
    emit('job.updated', {
      ...job<'repredict'>({
        id: 10,
        kind: 'repredict',
        task: 'expression',
        version: 2,
        title: 'Activate expression v2',
        status: 'done',
        result: { task: 'expression', version: 2, faces: 40, seconds: 1, predictSeconds: 0.5, backend: 'wasm' }
      }),
      progress: { ...progress, message: LATE_CANCEL_MESSAGE }
    })
    expect(useStudio.getState().toasts.at(-1)).toMatchObject({
      kind: 'info',
      title: 'Activate expression v2 finished before it could be cancelled',
      message: expect.stringMatching(/^40 faces re-predicted .*the cancel came after the results were saved/i)
    })
  })

  it('lists what an earlier run left unfinished in the open project, and dismisses it', async () => {
    const unfinished = (id: number, title: string): InterruptedJob => ({
      id,
      kind: 'import',
      title,
      task: null,
      startedAt: '2025-01-01T00:00:00Z',
      foundAt: '2025-01-01T00:01:00Z',
      started: true,
      done: 4,
      total: 10,
      note: 'Stopped after at least 4 of 10 files.'
    })
    emit('project.changed', project('/c'))
    // Lists asked about earlier projects arrive late and are dropped; the one about /c is kept.
    while (waiting('jobs.interrupted').length > 1)
      answer('jobs.interrupted', [unfinished(1, 'Import of an old project')])
    answer('jobs.interrupted', [unfinished(7, 'Import photos')])
    await settle()
    expect(useStudio.getState().interrupted.map((j) => j.title)).toEqual(['Import photos'])
    void dismissInterrupted()
    expect(waiting('jobs.dismissInterrupted').map((p) => p.args)).toEqual([{ ids: [7] }])
    answer('jobs.dismissInterrupted', 1)
    await settle()
    expect(useStudio.getState().interrupted).toEqual([])
  })

  it('undoes the stack of the screen on show: people changes on People, answers elsewhere', async () => {
    navigate('people')
    runMenuAction('undo')
    navigate('review')
    runMenuAction('redo')
    navigate('library')
    runMenuAction('undo')
    expect(pending.map((p) => p.name).filter((n) => n.endsWith('undo') || n.endsWith('redo'))).toEqual([
      'people.undo',
      'annotations.redo',
      'annotations.undo'
    ])
  })

  it("opens the conflict's person on Review, with the conflict's task active", async () => {
    navigate('fairness')
    reviewConflict('expression', 7)
    await settle()
    const s = useStudio.getState()
    expect(s.screen).toBe('people')
    expect(s.openPersonId).toBe(7)
    expect(s.task).toBe('expression')
    expect(waiting('review.queue')).toHaveLength(0)
    expect(waiting('people.get').length).toBeGreaterThan(0)
  })
})
