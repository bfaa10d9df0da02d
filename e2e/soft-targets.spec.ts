/**
 * Soft targets in the UI (issue 11 §2, issue 14 §1): the Train screen offers "Soft targets (from several answers /
 * vote columns)", off by default; checked, a run trains on the spread of two annotators' answers where a face has
 * both, and the result says on how many faces. Set-up as learning.spec.ts: synthetic stored features seeded with
 * the bundled Node, two annotators on 150 of the faces.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, repoRoot, shot, shotsDir, tempDir, test } from './fixtures'
import { api, createProject } from './pages'

const SEED = `
const Database = require(${JSON.stringify(path.join(repoRoot, 'node_modules', 'better-sqlite3'))})
const db = new Database(process.argv[1])
let s = 7
const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd())
const classes = ['calm', 'busy', 'tired']
const means = classes.map(() => Array.from({ length: 128 }, () => normal() * 0.22))
const task = db.prepare("SELECT id FROM tasks WHERE name = 'mood'").pluck().get()
db.prepare("INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/synthetic.jpg', '/', 'synthetic.jpg', 'ok', 'now')").run()
const image = db.prepare('SELECT id FROM images').pluck().get()
const face = db.prepare("INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, ?, 0, 0, 1, 1, 1, 'crop') RETURNING id")
const feat = db.prepare("INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, 'identity', 128, ?)")
const ann = db.prepare("INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at) VALUES ('face', ?, ?, ?, 'e2e', 'import', 'now')")
const ann2 = db.prepare("INSERT INTO annotations (target, face_id, task_id, value, annotator, source, created_at) VALUES ('face', ?, ?, ?, 'bob', 'correct', 'now')")
db.transaction(() => {
  for (let i = 0; i < 360; i++) {
    const c = i % 3
    const id = face.pluck().get(image, i)
    const v = Float32Array.from(means[c], (m) => m + normal())
    feat.run(id, Buffer.from(v.buffer))
    if (i < 330) ann.run(id, task, classes[c])
    // A second annotator on 150 faces, disagreeing on every third: those faces get a soft target.
    if (i < 150) ann2.run(id, task, i % 3 === 0 ? classes[(c + 1) % 3] : classes[c])
  }
})()
db.close()
`

test('soft targets: offered on the Train screen, off by default, recorded on the trained version', async ({
  page,
  server
}) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  const project = path.join(tempDir('soft'), 'p')
  await page.goto(server.url)
  await createProject(page, project)
  await expect(page.getByTestId('status-project')).toBeVisible()
  await api(page, server, 'tasks.create', {
    name: 'mood',
    kind: 'classification',
    labels: ['calm', 'busy', 'tired'],
    featureKind: 'identity'
  })
  execFileSync(path.join(repoRoot, 'node_modules', 'node', 'bin', 'node'), [
    '-e',
    SEED,
    path.join(project, 'studio.db')
  ])
  await page.reload()
  await page.getByTestId('task-picker').selectOption('mood')
  await page.getByTestId('nav-train').click()
  const soft = page.getByTestId('train-soft-targets')
  await expect(soft).not.toBeChecked()
  await soft.scrollIntoViewIfNeeded()
  await shot(page, 'soft-01-train-options')
  await soft.check()
  await page.getByTestId('train-epochs').fill('15')
  await page.getByTestId('train-heads').fill('2')
  await page.getByTestId('train-start').click()
  const run = page.getByTestId('train-run')
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 240_000 })
  await expect(page.getByTestId('train-recipe')).toContainText(/soft targets on \d+ faces/)
  const n = Number(
    /soft targets on (\d+) faces/.exec((await page.getByTestId('train-recipe').textContent()) ?? '')?.[1]
  )
  // Some of the 150 doubly answered faces are in the evaluation set, the rest train with a distribution.
  expect(n).toBeGreaterThan(50)
  expect(n).toBeLessThanOrEqual(150)
  await page.getByTestId('train-recipe').scrollIntoViewIfNeeded()
  await shot(page, 'soft-02-trained')
  const meta = JSON.parse(fs.readFileSync(path.join(project, 'models', 'mood', 'v1', 'metadata.json'), 'utf8')) as {
    recipe: { soft_targets: boolean; soft_target_rows: number }
  }
  expect(meta.recipe).toMatchObject({ soft_targets: true, soft_target_rows: n })

  // Unchecked again, the next run is a hard-label one and says nothing about soft targets.
  await soft.uncheck()
  await page.getByTestId('train-start').click()
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 240_000 })
  await expect(page.getByTestId('train-recipe')).not.toContainText('soft targets')
  expect(fs.existsSync(shotsDir)).toBe(true)
})
