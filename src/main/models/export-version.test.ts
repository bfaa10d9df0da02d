/**
 * Exporting a version to a folder that cannot be made (issue 9 §3): `/proc/nope` used to send Node's
 * recursive mkdir into an endless loop and freeze the app. It must answer a clear error at once.
 * The export runs in the built CLI with a time limit, so a regression fails the test instead of hanging it.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, tempDir, testContext } from '../../test/support'
import { dispatch } from '../api/dispatch'
import { getTask } from '../labels/tasks'
import { closeProject, createProject } from '../project/project'
import { buildHead } from '../training/head'
import { saveVersion } from '../training/store'
import { useBackend } from '../training/testing'
import { trainingSetHash } from '../training/hash'
import { insertVersion } from './registry'

const LABELS = ['neutral', 'happy', 'sad']

/** A project whose "expression" task has a saved version 1 (a tiny untrained head: only its files matter). */
async function projectWithVersion(): Promise<string> {
  const dir = path.join(tempDir('export'), 'proj')
  const project = createProject(dir)
  const model = buildHead({ inputDim: 8, labels: LABELS, hidden: 4, seed: 1 })
  const saved = await saveVersion(project.modelsDir, {
    task: 'expression',
    versionNumber: 1,
    model,
    metadata: {
      kind: 'classification',
      labels: LABELS,
      feature_kind: 'expression',
      input_dim: 8,
      parent_version: 0,
      hyperparameters: { epochs: 1, batchSize: 8, learningRate: 1e-3 },
      seed: 1,
      training_set_hash: trainingSetHash([{ id: 'a', value: 'happy' }]),
      counts: { neutral: 0, happy: 1, sad: 0 },
      duration_ms: 1,
      metrics: {},
      mitigation: null
    }
  })
  model.dispose()
  const task = getTask(project.db, 'expression')
  insertVersion(project.db, {
    taskId: task.id,
    version: 1,
    parentId: null,
    path: path.relative(dir, saved.path),
    sha256: saved.sha256,
    metadata: {}
  })
  closeProject(project)
  return dir
}

function exportCli(home: string, project: string, out: string) {
  return spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'face-studio.cjs'),
      'export-model',
      '--project',
      project,
      '--task',
      'expression',
      '--version',
      '1',
      '--out',
      out,
      '--json'
    ],
    { encoding: 'utf8', env: { ...process.env, FACE_STUDIO_HOME: home }, timeout: 30_000, killSignal: 'SIGKILL' }
  )
}

describe('models export to a folder that cannot be made', () => {
  let project: string
  let cliAnswered = false
  const home = tempDir('export-home')
  beforeAll(async () => {
    await useBackend('cpu')
    project = await projectWithVersion()
  })

  it.skipIf(!fs.existsSync('/proc/self'))('answers a clear error for /proc/nope instead of spinning', () => {
    const r = exportCli(home, project, '/proc/nope')
    expect(r.signal, 'the export never returned (killed after 30 s)').toBeNull()
    expect(r.status).toBe(1)
    const err = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
    expect(err.code).toBe('READ_ONLY')
    expect(err.message).toMatch(/Could not create the export folder \/proc\/nope/)
    cliAnswered = true
  })

  it.skipIf(!fs.existsSync('/proc/self'))('answers the same through the handler (models.export)', async () => {
    // Only once the CLI run above proved it returns: in this process a regression would spin forever.
    if (!cliAnswered) throw new Error('skipped: the CLI export to /proc/nope did not answer')
    const ctx = testContext()
    try {
      await dispatch(ctx, {}, 'project.open', { dir: project })
      const r = await dispatch(ctx, {}, 'models.export', { task: 'expression', version: 1, dir: '/proc/nope/deeper' })
      expect(r).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } })
      if (!r.ok)
        expect(r.error.message).toContain('Could not create the export folder /proc/nope/deeper (at /proc/nope)')
    } finally {
      await ctx.dispose()
    }
  })

  it('makes missing parent folders of a normal target, and refuses a file in the way', async () => {
    const ctx = testContext()
    try {
      await dispatch(ctx, {}, 'project.open', { dir: project })
      const out = path.join(tempDir('export-out'), 'a', 'b')
      const ok = await dispatch(ctx, {}, 'models.export', { task: 'expression', version: 1, dir: out })
      expect(ok).toMatchObject({ ok: true, value: { path: path.join(out, 'expression-v1') } })
      expect(fs.readdirSync(out)).toEqual(['expression-v1'])

      const file = path.join(tempDir('export-file'), 'f')
      fs.writeFileSync(file, 'x')
      const bad = await dispatch(ctx, {}, 'models.export', { task: 'expression', version: 1, dir: `${file}/sub` })
      expect(bad).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
      if (!bad.ok) expect(bad.error.message).toContain(`${file} is a file, not a folder`)
    } finally {
      await ctx.dispose()
    }
  })
})
