/**
 * A version's files on disk, without tfjs: the file set, the SHA256SUMS format, verification, listing and
 * removal of interrupted saves. The main process checks and exports versions through this module alone;
 * store.ts (tfjs) serialises and loads them in the worker.
 */
import { constants as fsConstants, promises as fs } from 'node:fs'
import path from 'node:path'
import { taskNameProblem } from '../../shared/task-name'
import { sha256Hex } from './hash'

export const MODEL_FILES = ['model.json', 'weights.bin', 'metadata.json'] as const
export type ModelFile = (typeof MODEL_FILES)[number]
export const SUMS_FILE = 'SHA256SUMS'

/** A version's files do not match the recorded sha256 (or are missing); it must not be loaded. */
export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError'
  constructor(
    readonly versionPath: string,
    /** The file that changed or is missing, or null when it cannot be told (SHA256SUMS altered too). */
    readonly file: string | null,
    detail: string
  ) {
    super(`model ${versionPath}: ${detail}`)
  }
}

const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]+$/
const VERSION_NAME = /^v(0|[1-9]\d*)$/
/** A temp folder whose writer pid is (again) alive is still removed once it is this old (pid reuse). */
const STALE_TEMP_MS = 60 * 60 * 1000

export function versionPath(modelsRoot: string, task: string, versionNumber: number): string {
  checkTask(task)
  if (!Number.isInteger(versionNumber) || versionNumber < 0) throw new RangeError(`bad version number ${versionNumber}`)
  return path.join(modelsRoot, task, `v${versionNumber}`)
}

/**
 * Checks a version's files against `expectedSha256` without loading anything.
 * Returns the file contents so a caller that goes on to load uses exactly the bytes it checked.
 */
export async function verifyVersion(versionDir: string, expectedSha256: string): Promise<Record<ModelFile, Buffer>> {
  const files = {} as Record<ModelFile, Buffer>
  for (const name of MODEL_FILES) {
    try {
      files[name] = await fs.readFile(path.join(versionDir, name))
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new ModelIntegrityError(versionDir, name, `${name} is missing`)
      throw error
    }
  }
  const actual = sumsFile(files)
  if (actual.sha256 === expectedSha256.toLowerCase()) return files

  // Name the culprit from the recorded per-file hashes, but only trust them if SHA256SUMS itself
  // still hashes to the expected value.
  const recorded = await fs.readFile(path.join(versionDir, SUMS_FILE), 'utf8').catch(() => null)
  if (recorded !== null && sha256Hex(recorded) === expectedSha256.toLowerCase()) {
    for (const name of MODEL_FILES) {
      if (!recorded.includes(`${actual.perFile[name]}  ${name}\n`)) {
        throw new ModelIntegrityError(versionDir, name, `${name} does not match its recorded sha256`)
      }
    }
  }
  throw new ModelIntegrityError(
    versionDir,
    null,
    `files do not match the recorded sha256 ${expectedSha256} (got ${actual.sha256}); ${SUMS_FILE} is changed or missing, so the changed file cannot be named`
  )
}

/** Complete versions of a task, oldest first. Temp folders and incomplete folders are not versions. */
export async function listVersions(modelsRoot: string, task: string): Promise<{ version: number; path: string }[]> {
  checkTask(task)
  const dir = path.join(modelsRoot, task)
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return []
    throw error
  })
  const out: { version: number; path: string }[] = []
  for (const entry of entries) {
    const match = VERSION_NAME.exec(entry.name)
    if (!entry.isDirectory() || !match) continue
    const full = path.join(dir, entry.name)
    const complete = await Promise.all([...MODEL_FILES, SUMS_FILE].map((f) => exists(path.join(full, f))))
    if (complete.every(Boolean)) out.push({ version: Number(match[1]), path: full })
  }
  return out.sort((a, b) => a.version - b.version)
}

/**
 * Removes temp folders left by interrupted saves. A folder whose writer process is still alive is
 * kept (it may be mid-save) unless it is older than an hour, which covers pid reuse after a crash.
 */
export async function cleanupTemp(modelsRoot: string, now = Date.now()): Promise<string[]> {
  const entries = await fs.readdir(modelsRoot, { withFileTypes: true }).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return []
    throw error
  })
  const removed: string[] = []
  for (const entry of entries) {
    const match = TEMP_NAME.exec(entry.name)
    if (!entry.isDirectory() || !match) continue
    const full = path.join(modelsRoot, entry.name)
    const age = now - (await fs.stat(full)).mtimeMs
    if (pidAlive(Number(match[1])) && age < STALE_TEMP_MS) continue
    await fs.rm(full, { recursive: true, force: true })
    removed.push(full)
  }
  return removed
}

export function sumsFile(files: Record<ModelFile, Buffer>): {
  text: string
  sha256: string
  perFile: Record<ModelFile, string>
} {
  const perFile = {} as Record<ModelFile, string>
  let text = ''
  for (const name of MODEL_FILES) {
    perFile[name] = sha256Hex(files[name])
    text += `${perFile[name]}  ${name}\n`
  }
  return { text, sha256: sha256Hex(text), perFile }
}

export async function writeDurable(file: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Persists a directory entry (new file or rename). Not possible on Windows, where it is skipped. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | null = null
  try {
    handle = await fs.open(dir, fsConstants.O_RDONLY)
    await handle.sync()
  } catch (error) {
    if (!(isErrno(error, 'EISDIR') || isErrno(error, 'EPERM') || isErrno(error, 'EINVAL'))) throw error
  } finally {
    await handle?.close()
  }
}

function checkTask(task: string): void {
  const problem = taskNameProblem(task)
  if (problem) throw new RangeError(problem)
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p)
    return true
  } catch {
    return false
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(error, 'EPERM')
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}
