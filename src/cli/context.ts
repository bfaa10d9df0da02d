import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { AppContext } from '../main/app/context'
import { interruptedJobs } from '../main/app/job-log'
import { forkNodeWorker } from '../main/jobs/worker-client'
import { workerScript } from '../main/paths'
import { DB_FILE } from '../main/project/project'

const require = createRequire(import.meta.url)

export function appVersion(): string {
  return (require('../../package.json') as { version: string }).version
}

/** Opens (or, with `create`, creates) the project for one CLI run and always disposes of workers after. */
export async function withProject<T>(dir: string, create: boolean, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = new AppContext({
    mode: 'cli',
    version: appVersion(),
    versions: { node: process.versions.node },
    workerScript: workerScript(),
    workerFactory: forkNodeWorker,
    reopenLast: false
  })
  try {
    if (create && !fs.existsSync(path.join(dir, DB_FILE))) ctx.createProject(dir)
    else ctx.openProject(dir)
    // A run killed earlier (kill -9, a crash, Ctrl-C) left these unfinished: say so once, on stderr.
    if (ctx.interruptedOnOpen > 0) {
      for (const j of interruptedJobs(ctx.requireProject().db).slice(0, ctx.interruptedOnOpen))
        process.stderr.write(`face-studio: an earlier run did not finish "${j.title}": ${j.note}\n`)
    }
    return await fn(ctx)
  } finally {
    await ctx.dispose()
  }
}

let lastLineMs = 0

/** Progress on stderr: redrawn in place on a terminal, at most one line a second into a log or pipe. */
export function progressLine(text: string, final = false): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${text}`)
    return
  }
  const now = Date.now()
  if (!final && now - lastLineMs < 1000) return
  lastLineMs = now
  process.stderr.write(`${text}\n`)
}
