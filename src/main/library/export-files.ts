/**
 * Writes the files of one export so that a failure leaves nothing behind: each file goes to a temp name next
 * to its target and is renamed into place once all are written. A target that is a folder, or a folder that
 * does not exist, is a clear BAD_ARGS error before anything is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'

export interface ExportFile {
  path: string
  data: string | Buffer
}

export function checkExportTarget(out: string): void {
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(out)
  } catch {
    stat = undefined
  }
  if (stat?.isDirectory()) {
    throw new AppError(
      'BAD_ARGS',
      `${out} is a folder; the export needs a file name, e.g. ${path.join(out, 'faces.csv')}.`,
      'out'
    )
  }
  const dir = path.dirname(out)
  let dirStat: fs.Stats | undefined
  try {
    dirStat = fs.statSync(dir)
  } catch {
    dirStat = undefined
  }
  if (!dirStat?.isDirectory()) throw new AppError('BAD_ARGS', `The folder ${dir} does not exist.`, 'out')
}

export function writeExportFiles(files: readonly ExportFile[]): string[] {
  for (const f of files) checkExportTarget(f.path)
  const tmps: string[] = []
  try {
    for (const f of files) {
      const tmp = `${f.path}.${process.pid}.tmp`
      tmps.push(tmp)
      fs.writeFileSync(tmp, f.data)
    }
    files.forEach((f, i) => fs.renameSync(tmps[i] as string, f.path))
  } catch (e) {
    for (const t of tmps) fs.rmSync(t, { force: true })
    const err = e as NodeJS.ErrnoException
    throw new AppError('READ_ONLY', `Could not write the export (${err.code ?? err.message}).`, 'out')
  }
  return files.map((f) => f.path)
}
