import os from 'node:os'
import type { AnnotatorProfiles, AppInfo, BackendInfo, JobInfo, ProjectInfo } from '../../shared/domain'
import type { EventName, Events } from '../../shared/contract'
import { AppError } from '../../shared/result'
import { JobQueue } from '../jobs/queue'
import { WorkerPool } from '../jobs/worker-pool'
import type { WorkerClient, WorkerFactory } from '../jobs/worker-client'
import { closeProject, createProject, openProject, projectInfo, type Project } from '../project/project'
import { annotatorCounts } from '../labels/annotations'
import { JobLog, markInterruptedJobs } from './job-log'
import {
  chooseAnnotator,
  defaultAnnotator,
  forgetProject,
  loadSettings,
  osUser,
  rememberProject,
  saveSettings,
  settingsDir,
  type Settings
} from '../project/settings'

export interface ContextOptions {
  mode: 'electron' | 'web' | 'cli'
  version: string
  versions: Record<string, string>
  workerScript: string
  workerFactory: WorkerFactory
  /** Reopen the last project on start (desktop and web app; not the CLI). */
  reopenLast: boolean
}

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void

/**
 * Everything the main process owns: the open project, settings, the job queue and the ML workers.
 * Transports (Electron IPC, web bridge, CLI) all drive this one object.
 */
export class AppContext {
  private projectRef: Project | null = null
  settings: Settings
  readonly jobs: JobQueue
  readonly workers: WorkerPool
  private readonly listeners = new Set<Listener>()
  private backendInfo: BackendInfo | null = null
  private backendProbe: Promise<BackendInfo> | null = null
  private jobLog: JobLog | null = null
  /** How many jobs of dead processes opening the current project found unfinished (the CLI mentions them). */
  interruptedOnOpen = 0

  constructor(readonly opts: ContextOptions) {
    this.settings = loadSettings()
    this.jobs = new JobQueue((job) => this.onJob(job))
    this.workers = new WorkerPool(opts.workerFactory, opts.workerScript, Math.max(1, os.cpus().length))
    if (opts.reopenLast && this.settings.lastProject) {
      try {
        this.openProject(this.settings.lastProject)
      } catch {
        // A last project that moved or broke is not an error at start; the first-run screen lists it.
      }
    }
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload)
  }

  get project(): Project | null {
    return this.projectRef
  }

  requireProject(): Project {
    if (!this.projectRef) throw new AppError('NO_PROJECT', 'Open or create a project first.')
    return this.projectRef
  }

  createProject(dir: string): ProjectInfo {
    return this.setProject(createProject(dir))
  }

  openProject(dir: string): ProjectInfo {
    return this.setProject(openProject(dir))
  }

  async closeProject(): Promise<void> {
    await this.jobs.drain()
    if (this.projectRef) closeProject(this.projectRef)
    this.projectRef = null
    this.jobLog = null
    this.emit('project.changed', null)
  }

  projectInfo(): ProjectInfo | null {
    return this.projectRef ? projectInfo(this.projectRef) : null
  }

  forgetRecent(dir: string): void {
    this.settings = forgetProject(this.settings, dir)
    saveSettings(this.settings)
  }

  get annotator(): string {
    return defaultAnnotator(this.settings)
  }

  profiles(): AnnotatorProfiles {
    // The account name stays offered last, so going back to it is one click.
    const recent = [...new Set([this.annotator, ...this.settings.annotators, osUser()])]
    return {
      current: this.annotator,
      osUser: osUser(),
      recent,
      inProject: this.projectRef ? annotatorCounts(this.projectRef.db) : []
    }
  }

  /** Later annotations (review, CLI, imports of label CSVs) are recorded under this name; earlier ones keep theirs. */
  setAnnotator(name: string): AnnotatorProfiles {
    this.settings = chooseAnnotator(this.settings, name)
    saveSettings(this.settings)
    return this.profiles()
  }

  /** One live ML worker (restarted if it crashed) for a request that needs no parallelism. */
  worker(): WorkerClient {
    const [w] = this.workers.acquire(1)
    if (!w) throw new AppError('WORKER_CRASHED', 'No ML worker could be started.')
    return w
  }

  /** The backend the workers run; probed once in a worker, since tfjs lives there and not in main. */
  backend(): Promise<BackendInfo> {
    this.backendProbe ??= this.workers.probeBackend().then((b) => (this.backendInfo = b))
    return this.backendProbe
  }

  async appInfo(): Promise<AppInfo> {
    let backend = this.backendInfo
    if (!backend) {
      try {
        backend = await Promise.race([this.backend(), new Promise<null>((r) => setTimeout(() => r(null), 15_000))])
      } catch {
        backend = null
      }
    }
    return {
      name: 'Face Studio',
      version: this.opts.version,
      mode: this.opts.mode === 'electron' ? 'electron' : 'web',
      versions: this.opts.versions,
      backend,
      annotator: this.annotator,
      settingsDir: settingsDir()
    }
  }

  async dispose(): Promise<void> {
    await this.jobs.drain()
    await this.workers.shutdown()
    if (this.projectRef) closeProject(this.projectRef)
    this.projectRef = null
    this.jobLog = null
  }

  private setProject(project: Project): ProjectInfo {
    if (this.projectRef && this.projectRef.dir !== project.dir) {
      if (this.jobs.busy) {
        closeProject(project)
        throw new AppError(
          'CONFLICT',
          'A job is still running in the open project. Cancel it before switching projects.'
        )
      }
      closeProject(this.projectRef)
    } else if (this.projectRef) {
      closeProject(this.projectRef)
    }
    this.projectRef = project
    // Rows of jobs a dead process left unfinished; then this session's rows, numbered after the stored ones.
    this.interruptedOnOpen = markInterruptedJobs(project.db)
    this.jobLog = new JobLog(project.db)
    this.settings = rememberProject(this.settings, project.dir, project.name)
    saveSettings(this.settings)
    const info = projectInfo(project)
    this.emit('project.changed', info)
    return info
  }

  private onJob(job: JobInfo): void {
    this.emit('job.updated', job)
    try {
      this.jobLog?.record(job)
    } catch (e) {
      // The row is a record of the job, not the job: a busy or read-only database must not stop it.
      console.error(`Could not record job ${job.id}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
}
