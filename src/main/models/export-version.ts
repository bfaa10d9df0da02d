import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/result'
import { getTask } from '../labels/tasks'
import { makeDirs } from '../project/make-dir'
import type { Project } from '../project/project'
import { MODEL_FILES, ModelIntegrityError, SUMS_FILE, verifyVersion } from '../training/version-files'
import { forgottenDataOf, isBuiltinV0, resolveVersion, versionDir } from './registry'

/**
 * Copies a version's folder (model.json, weights.bin, metadata.json, SHA256SUMS) to `<dir>/<task>-v<N>`,
 * after checking its files against the recorded sha256. Version 0 has no files to export.
 */
export async function exportVersion(
  project: Project,
  req: { task: string | number; version: number | 'active'; dir: string }
): Promise<{ path: string; files: string[]; warning?: string }> {
  const task = getTask(project.db, req.task)
  const v = resolveVersion(project.db, task, req.version)
  if (isBuiltinV0(v) || !v.sha256) {
    throw new AppError(
      'UNSUPPORTED',
      `Version 0 of "${task.name}" is face-api's built-in head; it ships with the app and has no files to export.`
    )
  }
  const src = versionDir(project.dir, v)
  let files: Record<string, Buffer>
  try {
    files = await verifyVersion(src, v.sha256)
  } catch (e) {
    if (e instanceof ModelIntegrityError) {
      throw new AppError(
        'MODEL_INTEGRITY',
        `Version ${v.version} of "${task.name}" failed its integrity check (${e.message}); not exported.`
      )
    }
    throw e
  }
  const dir = path.resolve(req.dir)
  const out = path.join(dir, `${task.name}-v${v.version}`)
  if (fs.existsSync(out)) throw new AppError('CONFLICT', `${out} already exists; choose another folder.`)
  makeDirs(dir, 'the export folder')
  const tmp = `${out}.tmp-${process.pid}`
  try {
    fs.mkdirSync(tmp)
    for (const name of MODEL_FILES) fs.writeFileSync(path.join(tmp, name), files[name]!)
    fs.copyFileSync(path.join(src, SUMS_FILE), path.join(tmp, SUMS_FILE))
    fs.renameSync(tmp, out)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    const err = e as NodeJS.ErrnoException
    throw new AppError(
      'READ_ONLY',
      `Could not write the export to ${dir} (${err.code ? `${err.code}: ` : ''}${err.message}). Choose a folder you can write to.`
    )
  }
  const forgotten = forgottenDataOf(v)
  // Exporting is allowed (the user may need the old model to compare), but never silently.
  const warning = forgotten
    ? `Version ${v.version} of "${task.name}" was trained on data of a person forgotten on ${forgotten.at.slice(0, 10)}; retrain it without them before sharing this model.`
    : undefined
  return { path: out, files: [...MODEL_FILES, SUMS_FILE], ...(warning ? { warning } : {}) }
}
