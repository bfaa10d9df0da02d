/** People slice: identity clusters, the open person page, its face selection and "Is this Anna?" suggestions. Pure state; side effects live in people-actions.ts. */
import type { ClusterPreviewRow, PersonFace, PersonSuggestion, PersonSummary } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { newGeneration } from './slices'

export const PEOPLE_PAGE = 500
export const FACES_PAGE = 500
/** The pseudo-person id of the "Unassigned faces" page (faces in no person). */
export const UNASSIGNED = -1

export interface PeopleSlice {
  /** Persons in the project; null until the first page answered. */
  peopleTotal: number | null
  /** Faces in no person. */
  peopleUnassigned: number
  /** Loaded pages of persons, largest first (PEOPLE_PAGE each). */
  peoplePages: Record<number, PersonSummary[]>
  /** A new number whenever cached pages are dropped: the grid asks for the persons on screen again. */
  peopleGeneration: number
  peopleError: AppErrorShape | null
  /** The open person page (UNASSIGNED for faces in no person), or null for the grid. */
  openPersonId: number | null
  openPerson: PersonSummary | null
  /** Faces of the open person: total and loaded pages (FACES_PAGE each). */
  personFaceTotal: number
  personFacePages: Record<number, PersonFace[]>
  personGeneration: number
  /** Selected face ids on the person page, and the last clicked index (shift-click anchor). */
  selectedFaces: Record<number, true>
  selectionAnchor: number | null
  suggestions: PersonSuggestion[]
  /** The clustering side panel: open, slider value, and what each threshold would give. */
  clusterPanel: boolean
  clusterThreshold: number
  clusterPreview: ClusterPreviewRow[] | null
  clusterPreviewError: AppErrorShape | null
  /** The job started from the panel (its progress shows in the status bar). */
  clusterJobId: number | null
  /** "Merge with…" / "Move to…" picker. */
  personPicker: 'merge' | 'move' | null
}

export function createPeopleSlice(): PeopleSlice {
  return {
    peopleTotal: null,
    peopleUnassigned: 0,
    peoplePages: {},
    peopleGeneration: newGeneration(),
    peopleError: null,
    openPersonId: null,
    openPerson: null,
    personFaceTotal: 0,
    personFacePages: {},
    personGeneration: newGeneration(),
    selectedFaces: {},
    selectionAnchor: null,
    suggestions: [],
    clusterPanel: false,
    clusterThreshold: 0.5,
    clusterPreview: null,
    clusterPreviewError: null,
    clusterJobId: null,
    personPicker: null
  }
}
