// Shared set-up for the ML tests: real photos from ../shared/data and the verified model folder.
// Not imported by app code.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { initBackend, type BackendInfo } from './backend'
import { loadModels } from './models'

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

export const DATA_DIR = process.env.FACE_STUDIO_DATA ?? resolve(repoRoot, '../shared/data')
export const MODEL_DIR = join(repoRoot, 'resources', 'models')
export const hasData = existsSync(DATA_DIR)

export function dataPath(...parts: string[]): string {
  return join(DATA_DIR, ...parts)
}

/** Minimal CSV reader for the datasets' labels files (no quoted commas occur in them). */
export function readCsv(path: string): Array<Record<string, string>> {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/)
  const cols = (header ?? '').split(',')
  return rows.map((row) => {
    const cells = row.split(',')
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']))
  })
}

let ready: Promise<BackendInfo> | undefined

/** Backend + models, once per test file (each Vitest file runs in its own process). */
export function setupMl(): Promise<BackendInfo> {
  ready ??= initBackend().then(async (info) => {
    await loadModels(MODEL_DIR)
    return info
  })
  return ready
}
