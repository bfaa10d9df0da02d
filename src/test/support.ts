/** Helpers for tests: temp folders, the shared real-data sets, and an AppContext wired to built workers. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppContext } from '../main/app/context'
import { forkNodeWorker } from '../main/jobs/worker-client'

export const repoRoot = path.resolve(__dirname, '..', '..')
/** Real face photos, read in place (never copied into the repo). */
export const sharedData = path.resolve(repoRoot, '..', 'shared', 'data')
export const builtWorker = path.join(repoRoot, 'out', 'main', 'worker.js')

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fs-${prefix}-`))
}

export function readCsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/)
  const cols = (header ?? '').split(',')
  return lines.map((line) => {
    const cells = line.split(',')
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']))
  })
}

/** An AppContext like the web/CLI ones, with settings in a temp folder and the built worker script. */
export function testContext(): AppContext {
  if (!fs.existsSync(builtWorker)) throw new Error(`Build first (npm run build): ${builtWorker} is missing`)
  process.env.FACE_STUDIO_HOME = tempDir('home')
  return new AppContext({
    mode: 'cli',
    version: 'test',
    versions: {},
    workerScript: builtWorker,
    workerFactory: forkNodeWorker,
    reopenLast: false
  })
}
