/**
 * Review's "Possible label errors" queue: start the finder (a job with progress and cancel), load what is left of
 * its result, and answer a suspect — keep (records a confirm of the given label), fix (records a correction to
 * the suggested label) or skip.
 */
import type { LabelErrorSuspect } from '../../../shared/domain'
import { useStudio } from './index'
import { onProjectChange, ReplyGate, request, sameProject } from './client'
import { onJobFinished, trackJob } from './jobs-actions'
import { loadUndoState } from './review-actions'
import type { ReviewMode } from './review'

const set = useStudio.setState
const get = useStudio.getState
const replies = new ReplyGate()

export function setReviewMode(mode: ReviewMode): void {
  set({ reviewMode: mode })
  if (mode === 'errors') void loadLabelErrors()
}

export async function loadLabelErrors(): Promise<void> {
  const { task, project } = get()
  if (!project) return
  const current = replies.next()
  set({ labelErrorsLoading: true })
  const reply = await request('labelErrors.queue', { task }, { failTitle: 'Could not load the label-error queue' })
  if (!current()) return
  set({ labelErrorsLoading: false, ...(reply.ok ? { labelErrors: reply.value } : {}) })
}

export async function findLabelErrors(): Promise<void> {
  const current = sameProject()
  const reply = await request('labelErrors.start', { task: get().task }, { failTitle: 'Could not start the search' })
  if (reply.ok && current()) trackJob(reply.value)
}

/** The suspects still to show: the queue minus this session's skips. */
export function openSuspects(): LabelErrorSuspect[] {
  const { labelErrors, labelErrorsSkipped } = get()
  if (!labelErrors) return []
  const skipped = new Set(labelErrorsSkipped)
  return labelErrors.suspects.filter((s) => !skipped.has(s.faceId))
}

export async function answerSuspect(action: 'keep' | 'fix' | 'skip'): Promise<void> {
  const first = openSuspects()[0]
  if (!first) return
  if (action === 'skip') {
    set((s) => ({ labelErrorsSkipped: [...s.labelErrorsSkipped, first.faceId] }))
    return
  }
  // Optimistic: the next suspect shows at once; the queue is reloaded from main after the answer is stored.
  set((s) =>
    s.labelErrors
      ? {
          labelErrors: {
            ...s.labelErrors,
            suspects: s.labelErrors.suspects.filter((x) => x.faceId !== first.faceId),
            perClass: s.labelErrors.perClass.map((c) =>
              c.label === first.given ? { ...c, suspects: Math.max(0, c.suspects - 1) } : c
            )
          },
          reviewAnswered: s.reviewAnswered + 1
        }
      : {}
  )
  const value = action === 'keep' ? first.given : first.suggested
  await request(
    'annotations.add',
    {
      task: get().task,
      entries: [{ target: 'face', ids: [first.faceId], value, source: action === 'keep' ? 'confirm' : 'correct' }]
    },
    { failTitle: 'Could not save the answer' }
  )
  void loadUndoState()
  void loadLabelErrors()
}

export function registerLabelErrors(): void {
  onProjectChange(() => replies.drop())
  onJobFinished((job) => {
    if (job.kind === 'label-errors' && job.task === get().task && get().reviewMode === 'errors') void loadLabelErrors()
  })
}
