/** Helpers for tests: temp folders, the shared real-data sets, and an AppContext wired to built workers. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { expect } from 'vitest'
import { dispatch } from '../main/api/dispatch'
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

/**
 * An AppContext like the web/CLI ones, with settings in a fresh temp folder and the built worker script.
 * `relaunch`: the app started again on the same machine (the current settings folder; the last project reopens).
 */
export function testContext(opts: { relaunch?: boolean } = {}): AppContext {
  if (!fs.existsSync(builtWorker)) throw new Error(`Build first (npm run build): ${builtWorker} is missing`)
  if (!opts.relaunch || !process.env.FACE_STUDIO_HOME) process.env.FACE_STUDIO_HOME = tempDir('home')
  return new AppContext({
    mode: 'cli',
    version: 'test',
    versions: {},
    workerScript: builtWorker,
    workerFactory: forkNodeWorker,
    reopenLast: opts.relaunch === true
  })
}

export interface CliResult {
  status: number | null
  /** stdout parsed as JSON when it is JSON (with --json), else {}. */
  json: Record<string, unknown>
  stdout: string
  stderr: string
}

/** Runs the built CLI as a lab script would, with its own settings folder. */
export function runCli(home: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'face-studio.cjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, FACE_STUDIO_HOME: home },
    maxBuffer: 64 * 1024 * 1024
  })
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>
  } catch {
    // Not JSON: the caller asserts on status and stderr.
  }
  return { status: r.status, json, stdout: r.stdout, stderr: r.stderr }
}

/** The JSON of a CLI run that must have succeeded (its stderr is the failure message). */
export function cliOk(r: CliResult): Record<string, unknown> {
  expect(r.status, r.stderr).toBe(0)
  return r.json
}

/** The value of an app call that must succeed, through the same dispatch every transport uses. */
export async function callOk<T>(ctx: AppContext, name: string, args: unknown = {}): Promise<T> {
  const r = await dispatch(ctx, {}, name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`)
  return r.value as T
}

/** One placeholder image with `n` crop faces (ids 1..n in a fresh project): rows for tests that need no pixels. */
export function insertCropFaces(db: Database.Database, n: number): void {
  db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/a.jpg', '/', 'a.jpg', 'ok', 'now')`
  ).run()
  const ins = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, ?, 0, 0, 1, 1, 1, 'crop')`
  )
  for (let i = 0; i < n; i++) ins.run(i)
}
