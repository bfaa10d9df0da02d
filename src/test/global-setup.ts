/** Vitest global setup: a folder for this run's shared fixtures (ferplus-cache.ts), removed when the run ends. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-run-'))
  // Forked test workers inherit the environment of the process that runs this.
  process.env.FACE_STUDIO_TEST_RUN_DIR = dir
  return () => fs.rmSync(dir, { recursive: true, force: true })
}
