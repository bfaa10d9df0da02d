/**
 * One import of the FER+ crops per test run, shared by the tests that need the whole labelled set
 * (models/ferplus, app/label-errors, app/soft-targets-ferplus). Importing 1,341 crops costs about two
 * minutes of both cores; each test used to pay it again. The first test to ask builds the cache under the
 * run's folder (global-setup.ts) while holding a lock; the others wait for it and copy the project.
 *
 * FACE_STUDIO_TEST_FERPLUS_DIR=<dir> (a dev shortcut) points at an existing <dir>/imgs + <dir>/proj instead.
 */
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { readCsv, runCli, sharedData, tempDir } from './support'

export const FERPLUS = path.join(sharedData, 'expression_ferplus')
/** FER+ plurality labels that map onto the built-in expression task (contempt, unknown and not-a-face do not). */
export const FERPLUS_USABLE = new Set(['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear'])

export interface FerplusCache {
  /** Folder of symlinks to the usable FER+ images, one per row, named as in labels.csv. */
  imgs: string
  /** A project with every image of `imgs` imported as a crop; copy it before writing. */
  proj: string
  /** The import's JSON summary, so a test can still assert on it. */
  summary: Record<string, unknown>
}

const WAIT_LIMIT_MS = 1_500_000

function runDir(): string {
  const dir = process.env.FACE_STUDIO_TEST_RUN_DIR
  if (dir && fs.existsSync(dir)) return dir
  // Outside `vitest` (no global setup): a private folder, so nothing is shared and nothing is stale.
  return tempDir('ferplus-run')
}

function build(dir: string): void {
  const imgs = path.join(dir, 'imgs')
  const proj = path.join(dir, 'proj')
  fs.mkdirSync(imgs, { recursive: true })
  for (const r of readCsv(path.join(FERPLUS, 'labels.csv'))) {
    if (!FERPLUS_USABLE.has(r.label_plurality ?? '')) continue
    fs.symlinkSync(path.join(FERPLUS, r.path ?? ''), path.join(imgs, path.basename(r.path ?? '')))
  }
  const home = path.join(dir, 'home')
  fs.mkdirSync(home, { recursive: true })
  const r = runCli(home, ['import', imgs, '--project', proj, '--crops', '--json'])
  if (r.status !== 0) throw new Error(`FER+ cache import failed (${r.status}): ${r.stderr}`)
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(r.json))
}

function read(dir: string): FerplusCache {
  return {
    imgs: path.join(dir, 'imgs'),
    proj: path.join(dir, 'proj'),
    summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>
  }
}

export async function ferplusCache(): Promise<FerplusCache> {
  const dev = process.env.FACE_STUDIO_TEST_FERPLUS_DIR
  if (dev && fs.existsSync(path.join(dev, 'proj', 'studio.db')) && fs.existsSync(path.join(dev, 'imgs'))) {
    return { imgs: path.join(dev, 'imgs'), proj: path.join(dev, 'proj'), summary: { errors: [] } }
  }
  const dir = path.join(runDir(), 'ferplus')
  const ready = path.join(dir, 'ready')
  const failed = path.join(dir, 'failed')
  try {
    fs.mkdirSync(dir) // atomic: whoever creates it builds
  } catch {
    const started = Date.now()
    while (!fs.existsSync(ready)) {
      if (fs.existsSync(failed)) throw new Error(fs.readFileSync(failed, 'utf8'))
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`FER+ cache in ${dir} was never finished`)
      await sleep(1000)
    }
    return read(dir)
  }
  try {
    build(dir)
  } catch (e) {
    fs.writeFileSync(failed, String(e instanceof Error ? e.message : e))
    throw e
  }
  fs.writeFileSync(ready, '')
  return read(dir)
}

/** A private, writable copy of the cached project at `dest`. */
export async function ferplusProject(dest: string): Promise<FerplusCache> {
  const cache = await ferplusCache()
  fs.cpSync(cache.proj, dest, { recursive: true })
  return cache
}
