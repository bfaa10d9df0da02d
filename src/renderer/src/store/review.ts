/** Review slice: tasks, the ask-when-unsure queue of the active task, the card being answered and a face's history. Pure state; side effects live in review-actions.ts. */
import type { HistoryEntry, LabelErrorsSummary, ReviewCard, TaskInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

export type ReviewGroupBy = 'label' | 'person'
/** Which queue Review shows: ask-when-unsure, or the label-error finder's suspects. */
export type ReviewMode = 'unsure' | 'errors'

/** Which unlabelled faces Review asks about: all, one import, a folder, or one person. */
export type ReviewScope =
  | { kind: 'all' }
  | { kind: 'import'; importId: string }
  | { kind: 'folder'; folder: string }
  | { kind: 'person'; personId: number }
  /** A selection from the Map, named for the scope picker. */
  | { kind: 'faces'; faceIds: number[]; name: string }

/** The request fields that limit review.queue or export.run to a scope (none for every face). */
export function scopeFields(scope: ReviewScope): {
  folder?: string
  importId?: string
  personId?: number
  faceIds?: number[]
} {
  switch (scope.kind) {
    case 'import':
      return { importId: scope.importId }
    case 'folder':
      return { folder: scope.folder }
    case 'person':
      return { personId: scope.personId }
    case 'faces':
      return { faceIds: scope.faceIds }
    default:
      return {}
  }
}

export interface ReviewSlice {
  /** Every task of the project (built-in first); null until loaded. */
  tasks: TaskInfo[] | null
  /** Cards still to answer, least sure first (skipped and answered faces already left out). */
  reviewCards: ReviewCard[]
  /** Faces left below the threshold (from the last queue answer, minus what was answered since). */
  reviewRemaining: number | null
  reviewLoading: boolean
  reviewError: AppErrorShape | null
  /** Only ask below this confidence (1 = every unlabelled face). */
  reviewBelow: number
  reviewGroupBy: ReviewGroupBy
  reviewScope: ReviewScope
  /** Index of the focused face in the current card. */
  reviewFocus: number
  /** Faces of the current card marked wrong: faceId → the label given (null: waiting for a label key). */
  reviewMarked: Record<number, string | null>
  /** Faces answered or skipped this session. */
  reviewAnswered: number
  reviewSkipped: number
  reviewHelp: boolean
  /** What Ctrl+Z / Ctrl+Shift+Z would do now. */
  undoLabel: string | null
  redoLabel: string | null
  /** History panel: the face shown and its rows (newest first). */
  historyFaceId: number | null
  history: HistoryEntry[] | null
  reviewMode: ReviewMode
  /** The active task's latest label-error search minus what was answered (null: not searched this session). */
  labelErrors: LabelErrorsSummary | null
  labelErrorsLoading: boolean
  /** Suspects skipped this session (they come back after a reload). */
  labelErrorsSkipped: number[]
}

export function createReviewSlice(): ReviewSlice {
  return {
    tasks: null,
    reviewCards: [],
    reviewRemaining: null,
    reviewLoading: false,
    reviewError: null,
    reviewBelow: 0.8,
    reviewGroupBy: 'label',
    reviewScope: { kind: 'all' },
    reviewFocus: 0,
    reviewMarked: {},
    reviewAnswered: 0,
    reviewSkipped: 0,
    reviewHelp: false,
    undoLabel: null,
    redoLabel: null,
    historyFaceId: null,
    history: null,
    reviewMode: 'unsure',
    labelErrors: null,
    labelErrorsLoading: false,
    labelErrorsSkipped: []
  }
}
