/** Domain types shared by main, renderer and CLI. Pure data: no behaviour, no imports from other layers. */

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'

export interface BackendInfo {
  name: BackendName
  simd: boolean
  threads: number
  workers: number
  /** Human-readable, e.g. "wasm · SIMD · 2 workers". */
  label: string
}

export interface ProjectCounts {
  images: number
  imageErrors: number
  faces: number
  persons: number
  annotations: number
  tasks: number
}

export interface ProjectInfo {
  dir: string
  name: string
  schemaVersion: number
  createdAt: string
  counts: ProjectCounts
}

export interface RecentProject {
  dir: string
  name: string
  openedAt: string
  exists: boolean
}

export interface AppInfo {
  name: string
  version: string
  mode: 'electron' | 'web'
  versions: Record<string, string>
  backend: BackendInfo | null
  annotator: string
  settingsDir: string
}

export type JobKind = 'import' | 'cluster' | 'train' | 'repredict' | 'sweep'
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

export interface JobProgress {
  done: number
  total: number
  /** Items per second over the job so far. */
  rate: number
  etaSeconds: number | null
  message: string
  /** Job-specific counters (faces found, errors so far, epoch, loss...). */
  counters: Record<string, number>
}

export interface JobInfo {
  id: number
  kind: JobKind
  title: string
  status: JobStatus
  progress: JobProgress
  error: string | null
  startedAt: string
  endedAt: string | null
  result: unknown
}

export interface ImageSummary {
  id: number
  relPath: string
  root: string
  width: number | null
  height: number | null
  status: 'ok' | 'error'
  error: string | null
  faceCount: number
}

export interface FaceBox {
  x: number
  y: number
  w: number
  h: number
}

export interface FaceSummary {
  id: number
  imageId: number
  box: FaceBox
  score: number
  source: 'detected' | 'crop'
  personId: number | null
  /** A MediaRef (see media.ts); the renderer's API turns it into a URL. */
  thumb: string
}
