/**
 * One import per test run of a data set that several test files need whole (FER+ crops, identity_lfw): the
 * import costs minutes of both cores, and each file used to pay it again. The first test to ask builds the
 * project under the run's folder (global-setup.ts) while holding a lock (an atomic mkdir); the others wait for
 * it and copy it. Outside `vitest` (no global setup) each caller builds its own.
 */
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCli, tempDir } from './support'

const WAIT_LIMIT_MS = 1_500_000

export interface SharedImport {
  /** The folder that was imported. */
  images: string
  /** The imported project; copy it before writing (sharedProjectCopy). */
  proj: string
  /** The import's JSON summary (`face-studio import --json`). */
  summary: Record<string, unknown>
}

function runDir(): string {
  const dir = process.env.FACE_STUDIO_TEST_RUN_DIR
  if (dir && fs.existsSync(dir)) return dir
  return tempDir('shared-run')
}

function read(dir: string): SharedImport {
  return {
    images: fs.readFileSync(path.join(dir, 'folder'), 'utf8'),
    proj: path.join(dir, 'proj'),
    summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>
  }
}

/**
 * The run's import of a folder, built once through the built CLI (`face-studio import <folder> --project proj
 * [flags]`): `source` is that folder, or fills a fresh `imgs` folder (symlinks) to import.
 */
export async function sharedImport(
  key: string,
  source: string | ((imgs: string) => void),
  flags: string[]
): Promise<SharedImport> {
  const dir = path.join(runDir(), key)
  const ready = path.join(dir, 'ready')
  const failed = path.join(dir, 'failed')
  try {
    fs.mkdirSync(dir) // atomic: whoever creates it builds
  } catch {
    const started = Date.now()
    while (!fs.existsSync(ready)) {
      if (fs.existsSync(failed)) throw new Error(fs.readFileSync(failed, 'utf8'))
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`shared import ${dir} was never finished`)
      await sleep(1000)
    }
    return read(dir)
  }
  try {
    let folder = path.join(dir, 'imgs')
    if (typeof source === 'string') folder = source
    else {
      fs.mkdirSync(folder)
      source(folder)
    }
    fs.writeFileSync(path.join(dir, 'folder'), folder)
    const home = path.join(dir, 'home')
    fs.mkdirSync(home)
    const r = runCli(home, ['import', folder, '--project', path.join(dir, 'proj'), ...flags, '--json'])
    if (r.status !== 0) throw new Error(`shared import ${key} failed (${r.status}): ${r.stderr}`)
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(r.json))
  } catch (e) {
    fs.writeFileSync(failed, String(e instanceof Error ? e.message : e))
    throw e
  }
  fs.writeFileSync(ready, '')
  return read(dir)
}

/** A private, writable copy of a shared import's project at `dest`. */
export async function sharedProjectCopy(shared: Promise<SharedImport>, dest: string): Promise<SharedImport> {
  const s = await shared
  fs.cpSync(s.proj, dest, { recursive: true })
  return s
}
