/**
 * The one IPC contract between renderer and main (Electron IPC or the web bridge): every call's
 * argument schema and result type, and every event's payload, declared once.
 */
import { z } from 'zod'
import type { AppInfo, FaceSummary, ImageSummary, JobInfo, ProjectInfo, RecentProject } from './domain'

/** Phantom marker carrying a result type; the value is never read at run time. */
declare const resultBrand: unique symbol
export interface ResultOf<T> {
  readonly [resultBrand]?: T
}
function returns<T>(): ResultOf<T> {
  return {}
}

function call<A extends z.ZodType, R>(args: A, result: ResultOf<R>) {
  return { args, result }
}

const none = z.object({}).strict()
const absoluteDir = z.string().trim().min(1, 'a folder path is required').max(4096)
const id = z.number().int().nonnegative()

export const calls = {
  'app.info': call(none, returns<AppInfo>()),
  'project.current': call(none, returns<ProjectInfo | null>()),
  'project.create': call(z.object({ dir: absoluteDir }).strict(), returns<ProjectInfo>()),
  'project.open': call(z.object({ dir: absoluteDir }).strict(), returns<ProjectInfo>()),
  'project.close': call(none, returns<null>()),
  'project.recent': call(none, returns<RecentProject[]>()),
  'project.forgetRecent': call(z.object({ dir: absoluteDir }).strict(), returns<RecentProject[]>()),
  'system.pickFolder': call(
    z.object({ purpose: z.enum(['create', 'open', 'import']) }).strict(),
    returns<string | null>()
  ),
  'jobs.list': call(none, returns<JobInfo[]>()),
  'jobs.cancel': call(z.object({ id }).strict(), returns<boolean>()),
  'import.start': call(
    z
      .object({
        folder: absoluteDir,
        crops: z.boolean().default(false),
        detector: z.enum(['ssd', 'tiny']).default('ssd')
      })
      .strict(),
    returns<JobInfo>()
  ),
  'library.images': call(
    z
      .object({
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(200),
        filter: z.enum(['all', 'errors', 'withFaces']).default('all')
      })
      .strict(),
    returns<{ total: number; items: ImageSummary[] }>()
  ),
  'library.image': call(
    z.object({ id }).strict(),
    returns<{ image: ImageSummary; media: string; faces: FaceSummary[] }>()
  )
} as const

export type Calls = typeof calls
export type CallName = keyof Calls
/** What a caller passes (defaults may be omitted). */
export type CallArgs<N extends CallName> = z.input<Calls[N]['args']>
/** What a handler receives after validation (defaults filled in). */
export type ParsedArgs<N extends CallName> = z.output<Calls[N]['args']>
export type CallResult<N extends CallName> = Calls[N]['result'] extends ResultOf<infer R> ? R : never

export interface Events {
  'job.updated': JobInfo
  'project.changed': ProjectInfo | null
  /** Something in the open project changed; screens showing `what` refetch. */
  'data.changed': { what: Array<'images' | 'faces' | 'persons' | 'annotations' | 'tasks' | 'versions'> }
  /** A native menu item was chosen (Electron); the renderer performs the action. */
  menu: { action: MenuAction }
}

export type MenuAction = 'project.new' | 'project.open' | 'import' | 'undo' | 'redo' | 'about'
export type EventName = keyof Events

export const eventNames: readonly EventName[] = ['job.updated', 'project.changed', 'data.changed', 'menu']

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name)
}

export function isEventName(name: string): name is EventName {
  return (eventNames as readonly string[]).includes(name)
}
