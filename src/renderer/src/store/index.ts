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

/** The one store, composed of feature slices. Components read it through narrow selectors. */
export const useStudio = create<StudioState>()((...a) => ({
  ...createAppSlice(...a),
  ...createProjectSlice(...a),
  ...createJobsSlice(...a),
  ...createLibrarySlice(...a),
  ...createUiSlice(...a),
  ...createToastSlice(...a)
}))

export type { StudioState } from './slices'
