import { create } from 'zustand'
import {
  createAppSlice,
  createJobsSlice,
  createLibrarySlice,
  createProjectSlice,
  createToastSlice,
  createUiSlice,
  type StudioState
} from './slices'
import { createPeopleSlice, type PeopleSlice } from './people'
import { createReviewSlice, type ReviewSlice } from './review'
import { createModelsSlice, type ModelsSlice } from './models'
import { createFairnessSlice, type FairnessSlice } from './fairness'
import { createMapSlice, type MapSlice } from './map'

/**
 * The one store, composed of the slices' initial states (pure state modules only, so every action module can
 * import it without a cycle). Components read it through narrow selectors.
 */
export const useStudio = create<StudioState & PeopleSlice & ReviewSlice & ModelsSlice & FairnessSlice & MapSlice>()(
  () => ({
    ...createAppSlice(),
    ...createProjectSlice(),
    ...createJobsSlice(),
    ...createLibrarySlice(),
    ...createUiSlice(),
    ...createToastSlice(),
    ...createPeopleSlice(),
    ...createReviewSlice(),
    ...createModelsSlice(),
    ...createFairnessSlice(),
    ...createMapSlice()
  })
)

export type { StudioState } from './slices'
