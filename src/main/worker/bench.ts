/**
 * Benchmark helpers for `npm run bench` (issue 5): training time for N annotations and re-prediction
 * (activation) time for N faces, on synthetic features, through the same code the worker runs.
 * Each returns plain numbers plus the tfjs backend they ran on. They run in the calling process:
 * call them from a bench file (a Vitest fork), not from the Electron main process.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { openDatabase } from '../db/open'
import { initBackend } from '../ml/backend'
import { DB_FILE } from '../project/project'
import { buildHead, readHeadWeights } from '../training/head'
import { describeSettings, fitHeads } from '../training/fit'
import { HeadThreads } from '../training/head-threads'
import { mulberry32, normal } from '../analysis/random'
import { saveVersion } from '../training/store'
import { trainHead } from '../training/train'
import { getTask } from '../labels/tasks'
import { insertVersion } from '../models/registry'
import { predictTaskOp } from './predict'
import { expandRows, withMirroredRows } from '../training/mirrored-rows'

const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']
const DIM = 256

function synthetic(n: number, seed: number): { data: Float32Array; labels: string[] } {
  const rng = mulberry32(seed)
  const means = LABELS.map(() => Float32Array.from({ length: DIM }, () => normal(rng) * 0.3))
  const data = new Float32Array(n * DIM)
  const labels: string[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * LABELS.length)
    labels[i] = LABELS[c]!
    const m = means[c]!
    for (let d = 0; d < DIM; d++) data[i * DIM + d] = m[d]! + normal(rng)
  }
  return { data, labels }
}

export interface TrainBench {
  annotations: number
  seconds: number
  epochsRun: number
  backend: string
}

/** Training as the app runs it (balanced class weights, 50 epochs max, early stopping), 256-d → 7 classes. */
export async function benchTraining(
  annotations: number,
  opts: { epochs?: number; seed?: number } = {}
): Promise<TrainBench> {
  const backend = (await initBackend()).name
  const { data, labels } = synthetic(annotations, opts.seed ?? 1)
  const t0 = performance.now()
  const r = await trainHead({
    features: { data, dim: DIM },
    labels,
    labelSet: LABELS,
    kind: 'classification',
    classWeights: 'balanced',
    seed: opts.seed ?? 1,
    ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {})
  })
  const seconds = (performance.now() - t0) / 1000
  r.model.dispose()
  return { annotations, seconds, epochsRun: r.epochsRun, backend }
}

export interface FitBench {
  annotations: number
  /** Helper threads that trained heads beside this one (training/head-threads.ts). */
  helpers: number
  /** Whether each epoch trained one view per face (fit.ts sampleViews). */
  sampledViews: boolean
  /** Mean validation accuracy of the ensemble's heads on their own folds (same rows in every variant). */
  valAcc: number
  seconds: number
  cpuSeconds: number
  /** Heads trained: the search's (2 folds per candidate) and the rest of the ensemble. */
  headsTrained: number
  candidates: number
  /** Epochs each search candidate ran, then each ensemble head (early stopping ends most before the limit). */
  searchEpochs: number[]
  headEpochs: number[]
  chosen: string
  temperature: number
  backend: string
}

/**
 * Training as the app runs it since issue 11 (training/fit.ts): capacity search over the default candidates
 * (fine-tuning a linear parent included), a 5-head ensemble and temperature scaling, 256-d → 7 classes.
 */
export async function benchFit(
  annotations: number,
  opts: { seed?: number; mirrored?: boolean; threadScript?: string; sampleViews?: boolean } = {}
): Promise<FitBench> {
  const backend = (await initBackend()).name
  const { data, labels } = synthetic(annotations, opts.seed ?? 1)
  // Mirrored rows as the app adds them (worker/train.ts): a second, train-only row per face, grouped by face.
  // The synthetic mirrored view is the face's vector plus noise, so the row costs what a real one does.
  let mirror: { data: Float32Array; has: Uint8Array } | undefined
  if (opts.mirrored) {
    const rng = mulberry32((opts.seed ?? 1) + 100)
    mirror = { data: Float32Array.from(data, (v) => v + 0.3 * normal(rng)), has: new Uint8Array(annotations).fill(1) }
  }
  const expanded = withMirroredRows({ data, dim: DIM, mirror })
  const ids = Array.from({ length: annotations }, (_, i) => i)
  const parent = buildHead({ inputDim: DIM, labels: LABELS, seed: 3 })
  const init = readHeadWeights(parent).output
  parent.dispose()
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const threads = opts.threadScript ? HeadThreads.open(opts.threadScript, backend) : null
  const r = await fitHeads({
    runners: threads?.runners() ?? [],
    ...(opts.sampleViews !== undefined ? { sampleViews: opts.sampleViews } : {}),
    features: expanded.features,
    labels: expandRows(labels, expanded.source),
    ...(expanded.added > 0
      ? {
          ids: expandRows(ids, expanded.source),
          groupKeys: expandRows(ids, expanded.source),
          trainOnly: expanded.trainOnly
        }
      : {}),
    labelSet: LABELS,
    kind: 'classification',
    classWeights: 'none',
    seed: opts.seed ?? 1,
    parent: { ...init, labels: LABELS },
    parentLinear: true
  })
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await threads?.close()
  r.model.dispose()
  return {
    annotations,
    helpers: threads?.runners().length ?? 0,
    sampledViews: r.sampledViews,
    valAcc: r.heads.reduce((a, h) => a + (h.val_acc ?? 0), 0) / r.heads.length,
    seconds,
    // CPU time of this process: what the run costs when the machine is shared (wall time waits for other jobs).
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    headsTrained: r.heads.length + r.search.length - 1,
    candidates: r.search.length,
    searchEpochs: r.search.map((p) => p.epochs_run),
    headEpochs: r.heads.map((h) => h.epochsRun),
    chosen: describeSettings(r.chosen),
    temperature: r.calibration?.temperature ?? 1,
    backend
  }
}

export interface RepredictBench {
  faces: number
  /** Whole activation: load + verify the version, read features, predict, write predictions + active flag. */
  seconds: number
  /** The head's forward pass alone. */
  predictSeconds: number
  /** CPU time of the whole activation (wall time on a shared machine waits for other jobs). */
  cpuSeconds: number
  backend: string
}

/**
 * Activation of a trained version over `faces` faces with synthetic 256-d features, in a throwaway
 * project (predict.task exactly as the worker runs it).
 */
export async function benchRepredict(
  faces: number,
  opts: { hidden?: number; mirrored?: boolean } = {}
): Promise<RepredictBench> {
  await initBackend()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-bench-repredict-'))
  try {
    fs.mkdirSync(path.join(dir, 'models'))
    const db = openDatabase(path.join(dir, DB_FILE), { create: true })
    const { data } = synthetic(faces, 2)
    db.transaction(() => {
      db.prepare(
        `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES ('/x.jpg', '/', 'x.jpg', 'ok', 'now')`
      ).run()
      const face = db.prepare(
        `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (1, ?, 0, 0, 1, 1, 1, 'crop')`
      )
      const feat = db.prepare(`INSERT INTO face_features (face_id, kind, dim, vec) VALUES (?, ?, ${DIM}, ?)`)
      for (let i = 0; i < faces; i++) {
        const id = face.run(i).lastInsertRowid as number
        const vec = Buffer.from(data.buffer, i * DIM * 4, DIM * 4)
        feat.run(id, 'expression', vec)
        // The mirrored view (issue 11): every prediction then averages both; any vector serves for timing.
        if (opts.mirrored) feat.run(id, 'expression_mirror', vec)
      }
    })()
    // hidden 640 = the combined 5-head ensemble of 128-unit heads (training/fit.ts combine).
    const model = buildHead({
      inputDim: DIM,
      labels: LABELS,
      seed: 1,
      ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {})
    })
    const saved = await saveVersion(path.join(dir, 'models'), {
      task: 'expression',
      versionNumber: 1,
      model,
      metadata: {
        kind: 'classification',
        labels: LABELS,
        feature_kind: 'expression',
        input_dim: DIM,
        parent_version: 0,
        hyperparameters: {},
        seed: 1,
        training_set_hash: 'bench',
        counts: {},
        duration_ms: 0,
        metrics: {},
        mitigation: null
      }
    })
    model.dispose()
    insertVersion(db, {
      taskId: getTask(db, 'expression').id,
      version: 1,
      parentId: null,
      path: 'models/expression/v1',
      sha256: saved.sha256,
      metadata: {}
    })
    db.close()
    const cpu0 = process.cpuUsage()
    const r = await predictTaskOp(
      { projectDir: dir, task: 'expression', version: 1, activate: true },
      { signal: new AbortController().signal, progress: () => undefined }
    )
    const cpu = process.cpuUsage(cpu0)
    return {
      faces: r.faces,
      seconds: r.seconds,
      predictSeconds: r.predictSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      backend: tf.getBackend()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
