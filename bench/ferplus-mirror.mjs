#!/usr/bin/env node
/**
 * Issue 11 §2 on the shared FER+ set, through the CLI: what mirrored features buy. Same 60 / 40 seeded protocol as
 * bench/ferplus-targets.mjs (sha256 of "split:<path>"): import as crops (both views stored), label the 60 %, then on
 * the held-out 40 % (never labelled, never trained on, never used to choose anything):
 * - v0 on the original view only (a copy of the project without the mirrored rows) and v0 averaged over both views;
 * - a version trained with `--no-mirror` (original rows only, single-view predictions) and one trained by default
 *   (mirrored views as extra rows of the same face, predictions averaged), same seed and settings otherwise.
 * The held-out faces' own mirrored views are used only at prediction (test-time averaging), never as labels.
 *
 *   node bench/ferplus-mirror.mjs [--work <dir>] [--seed 7]
 * Reuses <work>/proj-base (imported + labelled) when it exists; prints one BENCH line.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// better-sqlite3 is built for the Node the CLI runs on (bin/face-studio.cjs: >= 22, else the bundled one).
if (Number(process.versions.node.split('.')[0]) < 22) {
  const bundled = path.join(root, 'node_modules', 'node', 'bin', 'node')
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}
const { default: Database } = await import('better-sqlite3')
const fer = path.resolve(root, '..', 'shared', 'data', 'expression_ferplus')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const work = path.resolve(flag('work', path.join(os.tmpdir(), 'fs-ferplus-mirror')))
const seed = flag('seed', '7')
const MAP = 'neutral=neutral,happiness=happy,surprise=surprised,sadness=sad,anger=angry,disgust=disgusted,fear=fearful'
const USABLE = new Set(['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear'])
const home = path.join(work, 'home')

function cli(...a) {
  const out = execFileSync(process.execPath, [path.join(root, 'bin', 'face-studio.cjs'), ...a, '--json'], {
    env: { ...process.env, FACE_STUDIO_HOME: home },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return JSON.parse(out)
}

const unit = (s) => createHash('sha256').update(s).digest().readUInt32BE(0) / 4294967296
fs.mkdirSync(path.join(work, 'imgs'), { recursive: true })
const lines = fs.readFileSync(path.join(fer, 'labels.csv'), 'utf8').trim().split('\n')
const header = lines[0].split(',')
const col = (n) => header.indexOf(n)
const labelled = []
const heldout = []
for (const line of lines.slice(1)) {
  const cells = line.split(',')
  const rel = cells[col('path')]
  const label = cells[col('label_plurality')]
  if (!USABLE.has(label)) continue
  const link = path.join(work, 'imgs', path.basename(rel))
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(fer, rel), link)
  ;(unit(`split:${rel}`) < 0.6 ? labelled : heldout).push(`${link},${label}`)
}
for (const [name, rows] of [
  ['labelled.csv', labelled],
  ['heldout.csv', heldout]
])
  fs.writeFileSync(path.join(work, name), `path,label_plurality\n${rows.join('\n')}\n`)

const base = path.join(work, 'proj-base')
let imported = null
if (!fs.existsSync(path.join(base, 'studio.db'))) {
  imported = cli('import', path.join(work, 'imgs'), '--project', base, '--crops')
  const csv = ['--csv', path.join(work, 'labelled.csv'), '--label-column', 'label_plurality', '--map', MAP]
  cli('label', '--project', base, '--task', 'expression', ...csv)
}
const copy = (name) => {
  const dir = path.join(work, `${name}-${Date.now()}`)
  fs.cpSync(base, dir, { recursive: true })
  return dir
}
const heldoutEval = (project, version) =>
  cli(
    'eval',
    '--project',
    project,
    '--task',
    'expression',
    '--version',
    String(version),
    '--csv',
    path.join(work, 'heldout.csv'),
    '--label-column',
    'label_plurality',
    '--map',
    MAP
  )
const pick = (e) => ({ accuracy: e.accuracy, ece: e.ece, macro_f1: e.macro_f1, n: e.n })

// v0 on one view: the same project without its mirrored rows (as a project imported before they existed).
const single = copy('single')
const db = new Database(path.join(single, 'studio.db'))
db.prepare(`DELETE FROM face_features WHERE kind IN ('expression_mirror', 'age_gender_mirror')`).run()
db.close()
const v0Single = heldoutEval(single, 0)
fs.rmSync(single, { recursive: true, force: true })

const project = copy('run')
const v0Both = heldoutEval(project, 0)
const t0 = Date.now()
const plain = cli('train', '--project', project, '--task', 'expression', '--seed', seed, '--no-mirror', '--no-activate')
const plainSeconds = (Date.now() - t0) / 1000
const t1 = Date.now()
const mirrored = cli('train', '--project', project, '--task', 'expression', '--seed', seed, '--no-activate')
const mirroredSeconds = (Date.now() - t1) / 1000
const line = {
  name: 'ferplus-mirror',
  labelled: labelled.length,
  heldout: heldout.length,
  import: imported ? { images: imported.images, seconds: imported.seconds, backend: imported.backend } : null,
  v0_single_view: pick(v0Single),
  v0_averaged: pick(v0Both),
  trained_single_view: {
    version: plain.version,
    ...pick(heldoutEval(project, plain.version)),
    train_seconds: plainSeconds
  },
  trained_mirrored: {
    version: mirrored.version,
    mirrored_rows: mirrored.mirrored_rows,
    ...pick(heldoutEval(project, mirrored.version)),
    train_seconds: mirroredSeconds
  },
  train_n: mirrored.train_n,
  eval_n: mirrored.eval_n,
  backend: mirrored.backend,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
  load: os.loadavg()[0],
  at: new Date().toISOString()
}
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true })
fs.appendFileSync(path.join(root, 'bench', 'results', 'latest.jsonl'), `${JSON.stringify(line)}\n`)
console.log(`BENCH ${JSON.stringify(line)}`)
fs.rmSync(project, { recursive: true, force: true })
