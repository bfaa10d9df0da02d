import type { CallName, CallResult, ParsedArgs } from '../../shared/contract'
import { AppError } from '../../shared/result'
import type { AppContext } from '../app/context'
import { recentProjects } from '../project/settings'
import { listImages, imageDetail } from '../library/queries'
import { startImport } from '../library/import-job'

/** What only a transport can do (a native folder dialog exists in Electron, not in a browser). */
export interface Platform {
  pickFolder?: (purpose: 'create' | 'open' | 'import') => Promise<string | null>
}

export type Handlers = {
  [N in CallName]: (args: ParsedArgs<N>, ctx: AppContext, platform: Platform) => Promise<CallResult<N>> | CallResult<N>
}

export const handlers: Handlers = {
  'app.info': (_a, ctx) => ctx.appInfo(),
  'project.current': (_a, ctx) => ctx.projectInfo(),
  'project.create': (a, ctx) => ctx.createProject(a.dir),
  'project.open': (a, ctx) => ctx.openProject(a.dir),
  'project.close': async (_a, ctx) => {
    await ctx.closeProject()
    return null
  },
  'project.recent': (_a, ctx) => recentProjects(ctx.settings),
  'project.forgetRecent': (a, ctx) => {
    ctx.forgetRecent(a.dir)
    return recentProjects(ctx.settings)
  },
  'system.pickFolder': async (a, _ctx, platform) => {
    if (!platform.pickFolder) {
      throw new AppError('UNSUPPORTED', 'This window has no folder picker; type the folder path instead.')
    }
    return platform.pickFolder(a.purpose)
  },
  'jobs.list': (_a, ctx) => ctx.jobs.list(),
  'jobs.cancel': (a, ctx) => ctx.jobs.cancel(a.id),
  'import.start': (a, ctx) => startImport(ctx, a).info,
  'library.images': (a, ctx) => listImages(ctx.requireProject().db, a),
  'library.image': (a, ctx) => imageDetail(ctx.requireProject().db, a.id)
}
