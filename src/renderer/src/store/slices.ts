/**
 * The app-wide slices of the store (app info, project, jobs, library, navigation, toasts). Pure state: each
 * `createXSlice()` is the slice's initial state, what the store starts with and what a project change
 * resets it to. Side effects live in the matching *-actions.ts modules.
 */
import type { ConnectionState } from '../api'
import type {
  AnnotatorProfiles,
  AppInfo,
  ImageSummary,
  InterruptedJob,
  JobInfo,
  ProjectInfo,
  RecentProject
} from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

export type StudioState = AppSlice & ProjectSlice & JobsSlice & LibrarySlice & UiSlice & ToastSlice

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
  /** The oldest call main has not answered for a few seconds (the busy banner), or null. */
  slowCall: SlowCall | null
}
export interface SlowCall {
  name: string
  /** Date.now() when it was sent. */
  since: number
  /** Calls waiting in all (this one included). */
  waiting: number
}
export const createAppSlice = (): AppSlice => ({
  mode: 'web',
  info: null,
  backendState: 'starting',
  connection: 'open',
  authRejected: false,
  profiles: null,
  slowCall: null
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
export const createProjectSlice = (): ProjectSlice => ({
  project: null,
  projectKnown: false,
  recent: [],
  projectBusy: false,
  projectErrors: {}
})

// ---- jobs ----
export interface JobsSlice {
  jobs: Record<number, JobInfo>
  /** Jobs an earlier run of the app (or the CLI) on this project did not finish, until dismissed. */
  interrupted: InterruptedJob[]
}
export const createJobsSlice = (): JobsSlice => ({ jobs: {}, interrupted: [] })

// ---- library ----
let generations = 0
/**
 * Paged views (library, people, a person's faces) key their pages by a generation that never repeats, not
 * even when a new project starts the slice over: a grid on screen always sees the change and refetches.
 */
export function newGeneration(): number {
  return ++generations
}

export type LibraryFilter = 'all' | 'withFaces' | 'errors'
export const LIBRARY_PAGE = 200
export interface LibrarySlice {
  filter: LibraryFilter
  /** Rows matching the filter; null until the first page answered. */
  total: number | null
  /** Loaded pages by page index (LIBRARY_PAGE rows each). */
  pages: Record<number, ImageSummary[]>
  /** A new number whenever the cached pages are thrown away: the grid asks for the rows on screen again. */
  generation: number
  libraryError: AppErrorShape | null
  selectedImageId: number | null
}
export const createLibrarySlice = (): LibrarySlice => ({
  filter: 'all',
  total: null,
  pages: {},
  generation: newGeneration(),
  libraryError: null,
  selectedImageId: null
})

// ---- ui / navigation ----
export type ScreenId =
  'library' | 'people' | 'review' | 'train' | 'models' | 'compare' | 'fairness' | 'map' | 'settings'
export type DialogId =
  'import' | 'about' | 'project-new' | 'project-open' | 'shortcuts' | 'labels-import' | 'export' | 'merge'
export interface UiSlice {
  screen: ScreenId
  task: string
  dialog: DialogId | null
  /** The import job the Import dialog follows. */
  importJobId: number | null
  /** The transport has no native folder picker (browser mode): path fields are the way. */
  pickerUnsupported: boolean
}
export const createUiSlice = (): UiSlice => ({
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
export const createToastSlice = (): ToastSlice => ({ toasts: [] })
