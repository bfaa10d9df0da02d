#!/usr/bin/env node
/**
 * Issue 11 targets on the shared FER+ set, through the CLI (the same services the app uses):
 * 60 % labelled / 40 % held out (sha256 of "split:<path>", as src/main/models/ferplus.test.ts), import as crops,
 * label the 60 % from label_plurality, then on the held-out 40 %: v0, v0 calibrated (temperature fitted on the
 * evaluation set), and the trained version (capacity search, 5 heads, temperature). Held-out faces are never
 * labelled, never trained on and never used to choose anything.
 *
 *   node bench/ferplus-targets.mjs [--work <dir>] [--seed 7]
 * Reuses <work>/proj-base (imported + labelled) when it exists; prints one BENCH line.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fer = path.resolve(root, '..', 'shared', 'data', 'expression_ferplus')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const work = path.resolve(flag('work', path.join(os.tmpdir(), 'fs-ferplus-targets')))
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
if (!fs.existsSync(path.join(base, 'studio.db'))) {
  cli('import', path.join(work, 'imgs'), '--project', base, '--crops')
  const csv = ['--csv', path.join(work, 'labelled.csv'), '--label-column', 'label_plurality', '--map', MAP]
  cli('label', '--project', base, '--task', 'expression', ...csv)
}
const project = path.join(work, `run-${Date.now()}`)
fs.cpSync(base, project, { recursive: true })
const heldoutEval = (version) =>
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
const v0 = heldoutEval(0)
const cal = cli('calibrate', '--project', project, '--task', 'expression')
const v0c = heldoutEval(0)
const t0 = Date.now()
const trained = cli('train', '--project', project, '--task', 'expression', '--seed', seed, '--activate')
const trainSeconds = (Date.now() - t0) / 1000
const v1 = heldoutEval(trained.version)
const line = {
  name: 'ferplus-targets',
  labelled: labelled.length,
  heldout: heldout.length,
  train_n: trained.train_n,
  eval_n: trained.eval_n,
  v0: { accuracy: v0.accuracy, ece: v0.ece },
  v0_calibrated: { accuracy: v0c.accuracy, ece: v0c.ece, temperature: cal.temperature },
  trained: { version: trained.version, accuracy: v1.accuracy, ece: v1.ece, macro_f1: v1.macro_f1 },
  gain_points: Math.round((v1.accuracy - v0.accuracy) * 1000) / 10,
  train_seconds: trainSeconds,
  backend: trained.backend,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
  load: os.loadavg()[0],
  at: new Date().toISOString()
}
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true })
fs.appendFileSync(path.join(root, 'bench', 'results', 'latest.jsonl'), `${JSON.stringify(line)}\n`)
console.log(`BENCH ${JSON.stringify(line)}`)
fs.rmSync(project, { recursive: true, force: true })
