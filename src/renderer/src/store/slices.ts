/** The store's feature slices: each owns its state and plain setters; side effects live in actions.ts. */
import type { StateCreator } from 'zustand'
import type { ConnectionState } from '../api'
import type {
  AnnotatorProfiles,
  AppInfo,
  ImageSummary,
  JobInfo,
  ProjectInfo,
  RecentProject
} from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

export type StudioState = AppSlice & ProjectSlice & JobsSlice & LibrarySlice & UiSlice & ToastSlice
type Slice<T> = StateCreator<StudioState, [], [], T>

// ---- app info / backend / transport ----
export type BackendState = 'starting' | 'ready' | 'unavailable'
export interface AppSlice {
  mode: 'electron' | 'web'
  info: AppInfo | null
  backendState: BackendState
  /** Web mode only: the event socket's state ('open' in Electron). */
  connection: ConnectionState
  authRejected: boolean
  /** Annotator profiles (Settings, first run); null until asked for. */
  profiles: AnnotatorProfiles | null
}
export const createAppSlice: Slice<AppSlice> = () => ({
  mode: 'web',
  info: null,
  backendState: 'starting',
  connection: 'open',
  authRejected: false,
  profiles: null
})

// ---- project + recent projects ----
export type ProjectFormKind = 'create' | 'open' | 'recent'
export interface ProjectSlice {
  project: ProjectInfo | null
  /** False until the first `project.current` answered: avoids flashing the first-run screen. */
  projectKnown: boolean
  recent: RecentProject[]
  /** A create/open request is in flight. */
  projectBusy: boolean
  /** The last create/open failure of each form, shown beside that form. */
  projectErrors: Partial<Record<ProjectFormKind, AppErrorShape>>
}
export const createProjectSlice: Slice<ProjectSlice> = () => ({
  project: null,
  projectKnown: false,
  recent: [],
  projectBusy: false,
  projectErrors: {}
})

// ---- jobs ----
export interface JobsSlice {
  jobs: Record<number, JobInfo>
}
export const createJobsSlice: Slice<JobsSlice> = () => ({ jobs: {} })

// ---- library ----
export type LibraryFilter = 'all' | 'withFaces' | 'errors'
export const LIBRARY_PAGE = 200
export interface LibrarySlice {
  filter: LibraryFilter
  /** Rows matching the filter; null until the first page answered. */
  total: number | null
  /** Loaded pages by page index (LIBRARY_PAGE rows each). */
  pages: Record<number, ImageSummary[]>
  /** Bumped whenever the cached pages are thrown away, so late replies for an old view are ignored. */
  generation: number
  libraryError: AppErrorShape | null
  selectedImageId: number | null
}
export const createLibrarySlice: Slice<LibrarySlice> = () => ({
  filter: 'all',
  total: null,
  pages: {},
  generation: 0,
  libraryError: null,
  selectedImageId: null
})

// ---- ui / navigation ----
export type ScreenId = 'library' | 'people' | 'review' | 'train' | 'models' | 'compare' | 'fairness' | 'settings'
export type DialogId = 'import' | 'about' | 'project-new' | 'project-open' | 'shortcuts'
export interface UiSlice {
  screen: ScreenId
  task: string
  dialog: DialogId | null
  /** The import job the Import dialog follows. */
  importJobId: number | null
  /** The transport has no native folder picker (browser mode): path fields are the way. */
  pickerUnsupported: boolean
}
export const createUiSlice: Slice<UiSlice> = () => ({
  screen: 'library',
  task: 'expression',
  dialog: null,
  importJobId: null,
  pickerUnsupported: false
})

// ---- toasts / errors ----
export interface Toast {
  id: number
  kind: 'error' | 'info' | 'success'
  title: string
  message: string
  code?: string
}
export interface ToastSlice {
  toasts: Toast[]
}
export const createToastSlice: Slice<ToastSlice> = () => ({ toasts: [] })
