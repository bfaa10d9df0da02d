#!/usr/bin/env node
/**
 * Issue 11 target on the shared UTKFace set, through the CLI as a user would run it:
 *   gender presentation and race labelled on a seeded 60 % of the 800 faces; the other 40 % held out (never
 *   labelled in the project, never used to choose anything). Sweeps by race (reweighting ω, the loss penalty
 *   with λ chosen from the validation rows, Group DRO η) fine-tune from v0 and pick on the project's own
 *   evaluation set (inside the 60 %). Every version is then scored on the held-out 40 %: overall accuracy and
 *   the largest race accuracy gap (groups of ≥ 20 held-out faces).
 *
 * Usage: node scripts/measure-utkface-fairness.mjs --cache <dir holding proj/ (an import of the 800 crops)>
 *          [--imgs <dir the crops were imported from; default <cache>/imgs>] [--out result.json] [--epochs n]
 * Import once: face-studio import <dir of the 800 crops> --project <cache>/proj --crops
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const UTK = path.resolve(root, '..', 'shared', 'data', 'demographics_utkface')
const RACES = ['White', 'Black', 'Asian', 'Indian', 'Others']
const MAP = 'male=masculine,female=feminine'
const MIN_HELD = 20
const SEED = 11

const argv = process.argv.slice(2)
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : dflt
}
const cache = arg('cache')
if (!cache || !fs.existsSync(path.join(cache, 'proj', 'studio.db'))) {
  console.error('give --cache <dir> with proj/studio.db (an import of the 800 UTKFace crops)')
  process.exit(2)
}
const outFile = arg('out')
const epochs = arg('epochs')

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'utk-fair-'))
const project = path.join(work, 'proj')
fs.cpSync(path.join(cache, 'proj'), project, { recursive: true })
const home = path.join(work, 'home')

function cli(...args) {
  const out = execFileSync(process.execPath, [path.join(root, 'bin', 'face-studio.cjs'), ...args, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, FACE_STUDIO_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024
  })
  return JSON.parse(out)
}

// The seeded 60 / 40 split of labels.csv (mulberry32, the app's PRNG, re-stated so the script stands alone).
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const lines = fs.readFileSync(path.join(UTK, 'labels.csv'), 'utf8').trim().split('\n')
const header = lines[0]
const rows = lines.slice(1)
const rng = mulberry32(SEED)
const order = rows.map((r, i) => ({ r, k: rng(), i })).sort((a, b) => a.k - b.k)
const cut = Math.round(rows.length * 0.6)
// Paths point at the imported files (the cache's imgs/ folder of symlinks), so the CSVs can live anywhere.
const imgs = path.resolve(arg('imgs', path.join(cache, 'imgs')))
const absolute = (r) => {
  const [p, ...rest] = r.split(',')
  return [path.join(imgs, path.basename(p)), ...rest].join(',')
}
const labelled = order.slice(0, cut).map((o) => absolute(o.r))
const held = order.slice(cut).map((o) => absolute(o.r))
const labelledCsv = path.join(work, 'labelled.csv')
const heldCsv = path.join(work, 'heldout.csv')
fs.writeFileSync(labelledCsv, [header, ...labelled].join('\n') + '\n')
fs.writeFileSync(heldCsv, [header, ...held].join('\n') + '\n')

const P = ['--project', project]
cli('task', 'create', ...P, '--name', 'race', '--labels', RACES.join(','), '--level', 'face')
cli('label', ...P, '--task', 'race', '--csv', labelledCsv, '--label-column', 'race')
cli('label', ...P, '--task', 'gender_presentation', '--csv', labelledCsv, '--label-column', 'gender', '--map', MAP)

/** Held-out accuracy and largest race accuracy gap of one version. */
function heldOut(version) {
  const r = cli(
    'eval',
    ...P,
    '--task',
    'gender_presentation',
    '--version',
    String(version),
    '--csv',
    heldCsv,
    '--label-column',
    'gender',
    '--map',
    MAP,
    '--group-column',
    'race',
    '--min-group-size',
    String(MIN_HELD)
  )
  const groups = Object.entries(r.per_group).filter(([, g]) => g.n >= MIN_HELD)
  const accs = groups.map(([name, g]) => ({ name, acc: g.accuracy }))
  const hi = accs.reduce((a, b) => (b.acc > a.acc ? b : a))
  const lo = accs.reduce((a, b) => (b.acc < a.acc ? b : a))
  return {
    version,
    n: r.n,
    accuracy: r.accuracy,
    race_gap: hi.acc - lo.acc,
    between: [hi.name, lo.name],
    per_race: Object.fromEntries(groups.map(([name, g]) => [name, { n: g.n, accuracy: g.accuracy }]))
  }
}

const started = Date.now()
const v0 = heldOut(0)
console.error(
  `v0 held-out: acc ${v0.accuracy.toFixed(3)} race gap ${v0.race_gap.toFixed(3)} (${v0.between.join(' vs ')})`
)

const sweeps = [
  { mitigation: 'reweight', values: '0,0.5,1' },
  { mitigation: 'penalty', values: 'auto' },
  { mitigation: 'dro', values: '0,0.1,0.3,1,3' }
]
const results = []
for (const s of sweeps) {
  const t0 = Date.now()
  const r = cli(
    'sweep',
    ...P,
    '--task',
    'gender_presentation',
    '--mitigation',
    s.mitigation,
    '--group-task',
    'race',
    '--values',
    s.values,
    '--gap',
    'accuracy',
    '--min-group-size',
    '15',
    ...(epochs ? ['--epochs', epochs] : [])
  )
  const points = r.points.map((p) => ({
    value: p.value,
    version: p.version,
    eval_set: { accuracy: p.overall.accuracy, gap: p.gap },
    held_out: heldOut(p.version),
    picked: p.picked
  }))
  const picked = r.picked === null ? null : r.picked === r.baseline.version ? v0 : points.find((p) => p.picked).held_out
  results.push({
    mitigation: s.mitigation,
    values: r.values,
    penalty_range: r.penalty_range ?? null,
    eval_set_baseline: { accuracy: r.baseline.overall.accuracy, gap: r.baseline.gap, n: r.baseline.overall.n },
    picked: r.picked,
    picked_held_out: picked,
    points,
    seconds: (Date.now() - t0) / 1000,
    backend: r.backend
  })
  for (const p of points)
    console.error(
      `${s.mitigation} ${p.value}: v${p.version} eval-set acc ${p.eval_set.accuracy?.toFixed(3)} gap ${p.eval_set.gap?.toFixed(3)} | held-out acc ${p.held_out.accuracy.toFixed(3)} race gap ${p.held_out.race_gap.toFixed(3)}${p.picked ? '  ← picked' : ''}`
    )
}

const meets = (h) => h && h.race_gap <= v0.race_gap / 2 && h.accuracy >= v0.accuracy
const summary = {
  data: 'demographics_utkface, 800 crops; seeded 60 % labelled (gender, race), 40 % held out',
  seed: SEED,
  labelled: labelled.length,
  held_out: held.length,
  min_group_held_out: MIN_HELD,
  v0,
  sweeps: results,
  target_met_by_pick: results.some((r) => meets(r.picked_held_out)),
  any_point_meets_target: results.some((r) => r.points.some((p) => meets(p.held_out))),
  seconds: (Date.now() - started) / 1000,
  machine: `${os.cpus().length} vCPUs, load ${os.loadavg()[0].toFixed(1)}, Node ${process.versions.node}`
}
const json = JSON.stringify(summary, null, 2)
if (outFile) fs.writeFileSync(outFile, json + '\n')
console.log(json)
fs.rmSync(work, { recursive: true, force: true })
