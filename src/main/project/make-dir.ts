import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'

/**
 * `mkdir -p` for folders a user names (a project folder, an export target), without Node's
 * `fs.mkdir(..., { recursive: true })`.
 *
 * Why: Node's recursive mkdir never returns when a parent refuses creation with ENOENT although it
 * exists, as procfs and sysfs do: `fs.mkdirSync('/proc/nope/x', { recursive: true })` climbs to `/proc`
 * (EEXIST, a directory), goes back down to `/proc/nope` (ENOENT again) and loops at 100 % CPU, synchronous
 * or not. Exporting to `/proc/nope` froze the whole app that way. Here each missing level is created once,
 * from the nearest existing ancestor down, and the first refusal is a clear error.
 */
export function makeDirs(dirIn: string, what = 'the folder'): void {
  const dir = path.resolve(dirIn)
  const missing: string[] = []
  let cur = dir
  for (;;) {
    let stat: fs.Stats | undefined
    try {
      stat = fs.statSync(cur)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      // ENOTDIR: a file sits somewhere above; walking up names it below.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw refused(dir, cur, e, what)
    }
    if (stat) {
      if (!stat.isDirectory()) {
        throw new AppError('CONFLICT', `Could not create ${what} ${dir}: ${cur} is a file, not a folder.`)
      }
      break
    }
    missing.push(cur)
    const parent = path.dirname(cur)
    // The root always exists; this guards a platform where it does not stat.
    if (parent === cur) break
    cur = parent
  }
  for (const level of missing.reverse()) {
    try {
      fs.mkdirSync(level)
    } catch (e) {
      // Made meanwhile by someone else (another job creating the same tree): fine if it is a folder.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(level).isDirectory()) continue
      throw refused(dir, level, e, what)
    }
  }
}

function refused(dir: string, at: string, e: unknown, what: string): AppError {
  const err = e as NodeJS.ErrnoException
  const why = err.code ? `${err.code}: ${err.message}` : String(e)
  const where = at === dir ? '' : ` (at ${at})`
  return new AppError('READ_ONLY', `Could not create ${what} ${dir}${where}: ${why}. Choose a folder you can write to.`)
}
