#!/usr/bin/env node
/**
 * Soft targets vs hard labels on the shared FER+ set (issue 11 §2), through the CLI. Same split as
 * bench/ferplus-targets.mjs: 60 % labelled (sha256 of "split:<path>") with label_plurality and its ten crowd votes
 * (`label --votes`), 40 % held out (never labelled, trained on or used to choose anything). Two versions from the
 * same project copy and seed: hard labels, and `--soft-targets`; both scored on the held-out 40 %.
 *
 *   node bench/ferplus-soft-targets.mjs [--work <dir>] [--seed 7] [--base <project imported from <work>/imgs>]
 * Prints one BENCH line and appends it to bench/results/latest.jsonl.
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
const work = path.resolve(flag('work', path.join(os.tmpdir(), 'fs-ferplus-soft')))
const imgs = path.resolve(flag('imgs', path.join(work, 'imgs')))
const seed = flag('seed', '7')
const MAP = 'neutral=neutral,happiness=happy,surprise=surprised,sadness=sad,anger=angry,disgust=disgusted,fear=fearful'
const USABLE = new Set(['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear'])
const home = path.join(work, 'home')
fs.mkdirSync(home, { recursive: true })

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
fs.mkdirSync(imgs, { recursive: true })
const lines = fs.readFileSync(path.join(fer, 'labels.csv'), 'utf8').trim().split('\n')
const header = lines[0].split(',')
const col = (n) => header.indexOf(n)
const voteCols = header.filter((h) => h.startsWith('votes_'))
const labelled = []
const heldout = []
for (const line of lines.slice(1)) {
  const cells = line.split(',')
  const rel = cells[col('path')]
  const label = cells[col('label_plurality')]
  if (!USABLE.has(label)) continue
  const link = path.join(imgs, path.basename(rel))
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(fer, rel), link)
  if (unit(`split:${rel}`) < 0.6) labelled.push([link, label, ...voteCols.map((c) => cells[col(c)])].join(','))
  else heldout.push(`${link},${label}`)
}
fs.writeFileSync(
  path.join(work, 'labelled.csv'),
  `path,label_plurality,${voteCols.join(',')}\n${labelled.join('\n')}\n`
)
fs.writeFileSync(path.join(work, 'heldout.csv'), `path,label_plurality\n${heldout.join('\n')}\n`)

const base = path.resolve(flag('base', path.join(work, 'proj-base')))
const project = path.join(work, `run-${Date.now()}`)
if (fs.existsSync(path.join(base, 'studio.db'))) fs.cpSync(base, project, { recursive: true })
else cli('import', imgs, '--project', project, '--crops')
const csv = ['--csv', path.join(work, 'labelled.csv'), '--label-column', 'label_plurality', '--map', MAP]
const labels = cli('label', '--project', project, '--task', 'expression', ...csv, '--votes')
const heldoutEval = (version) =>
  cli(
    ...['eval', '--project', project, '--task', 'expression', '--version', String(version)],
    ...['--csv', path.join(work, 'heldout.csv'), '--label-column', 'label_plurality', '--map', MAP]
  )
const train = (...extra) => {
  const t0 = Date.now()
  const r = cli('train', '--project', project, '--task', 'expression', '--seed', seed, '--no-activate', ...extra)
  const e = heldoutEval(r.version)
  return {
    version: r.version,
    train_n: r.train_n,
    eval_n: r.eval_n,
    accuracy: e.accuracy,
    ece: e.ece,
    macro_f1: e.macro_f1,
    seconds: (Date.now() - t0) / 1000,
    backend: r.backend
  }
}
const hard = train()
const soft = train('--soft-targets')
const line = {
  name: 'ferplus-soft-targets',
  labelled: labelled.length,
  labelled_with_votes: labels.votes,
  heldout: heldout.length,
  seed: Number(seed),
  hard,
  soft,
  gain_points: Math.round((soft.accuracy - hard.accuracy) * 1000) / 10,
  backend: soft.backend,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
  load: os.loadavg()[0],
  at: new Date().toISOString()
}
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true })
fs.appendFileSync(path.join(root, 'bench', 'results', 'latest.jsonl'), `${JSON.stringify(line)}\n`)
console.log(`BENCH ${JSON.stringify(line)}`)
fs.rmSync(project, { recursive: true, force: true })
