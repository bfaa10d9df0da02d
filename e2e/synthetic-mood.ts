/**
 * A project task `mood` (calm / busy / tired) over 360 synthetic identity features, 330 of them labelled by `e2e`:
 * three well-separated seeded clusters, so a head trains in seconds and its quality is predictable. Written
 * straight into studio.db (no photos needed). `secondAnnotator` adds `bob` on the first 150 faces, disagreeing on
 * every third, which gives those faces a soft target.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { repoRoot, type StudioServer } from './fixtures'
import { api } from './pages'

const seedScript = (secondAnnotator: boolean): string => `
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
    if (${secondAnnotator} && i < 150) ann2.run(id, task, i % 3 === 0 ? classes[(c + 1) % 3] : classes[c])
  }
})()
db.close()
`

export async function seedMoodTask(
  page: Page,
  server: StudioServer,
  project: string,
  opts: { secondAnnotator?: boolean } = {}
): Promise<void> {
  await api(page, server, 'tasks.create', {
    name: 'mood',
    kind: 'classification',
    labels: ['calm', 'busy', 'tired'],
    featureKind: 'identity'
  })
  execFileSync(path.join(repoRoot, 'node_modules', 'node', 'bin', 'node'), [
    '-e',
    seedScript(opts.secondAnnotator ?? false),
    path.join(project, 'studio.db')
  ])
}
