/**
 * What one writer costs where (docs/architecture.md): the commit of one version's predictions for 100k faces
 * (activation, or training with activate), the commit of one imported photo, and the structured-clone copy a
 * 100k-face prediction set would take to cross from a worker to main. Through the modules the worker commits
 * with, on a throwaway project with synthetic rows.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { it } from 'vitest'
import { mulberry32 } from '../src/main/analysis/random'
import { openDatabase } from '../src/main/db/open'
import { getTask } from '../src/main/labels/tasks'
import { commitPhoto, type FaceToStore } from '../src/main/library/photo-rows'
import type { TaskPredictions } from '../src/main/models/predictions'
import { insertVersion, versionByNumber } from '../src/main/models/registry'
import { commitPredictions } from '../src/main/models/version-commits'
import { DB_FILE } from '../src/main/project/project'
import { insertCropFaces } from '../src/test/support'
import { record } from './report'

const FACES = 100_000
const RUNS = 3

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

function syntheticFace(rng: () => number): FaceToStore {
  const vec = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng() - 0.5)
  return {
    box: { x: 10, y: 10, w: 50, h: 50 },
    score: 0.9,
    source: 'detector',
    landmarks: vec(136),
    descriptor: vec(128),
    expressionFeatures: vec(256),
    ageGenderFeatures: vec(512)
  }
}

it('commit costs of the one writer: 100k predictions, one photo, and a 100k prediction set over IPC', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-bench-commit-'))
  try {
    const db = openDatabase(path.join(dir, DB_FILE), { create: true })
    const task = getTask(db, 'expression')
    const w = task.labels.length
    const rng = mulberry32(3)
    db.transaction(() => insertCropFaces(db, FACES))()
    const faceIds = Array.from({ length: FACES }, (_, i) => i + 1)
    const probs = Float32Array.from({ length: FACES * w }, () => rng())
    const predictions: TaskPredictions = {
      values: faceIds.map((_, i) => task.labels[i % w] as string),
      numbers: null,
      confidence: faceIds.map(() => rng()),
      probs
    }

    const clone: number[] = []
    let bytes = 0
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now()
      const wire = serialize({ faceIds, predictions })
      deserialize(wire)
      clone.push(performance.now() - t0)
      bytes = wire.length
    }

    const fresh: number[] = []
    const replace: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const id = insertVersion(db, {
        taskId: task.id,
        version: r + 1,
        parentId: versionByNumber(db, task.id, 0)?.id ?? null,
        path: `models/expression/v${r + 1}`,
        sha256: 'bench',
        metadata: {}
      })
      let t0 = performance.now()
      commitPredictions(db, task, id, { faceIds, predictions }, { activate: true })
      fresh.push(performance.now() - t0)
      t0 = performance.now()
      commitPredictions(db, task, id, { faceIds, predictions }, { activate: true })
      replace.push(performance.now() - t0)
    }

    const photo: number[] = []
    for (let r = 0; r < 20; r++) {
      const faces = Array.from({ length: 5 }, () => syntheticFace(rng))
      const t0 = performance.now()
      commitPhoto(db, {
        path: `/bench/photo-${r}.jpg`,
        root: '/bench',
        hash: `hash-${r}`,
        bytes: 1,
        mtimeMs: 0,
        width: 640,
        height: 480,
        scale: 1,
        crops: false,
        detector: 'ssd',
        preview: `previews/${r}.jpg`,
        faces,
        thumbs: faces.map((_, i) => `faces/${r}_${i}.jpg`),
        predictions: [
          {
            task,
            versionId: versionByNumber(db, task.id, 0)!.id,
            predictions: {
              ...predictions,
              values: predictions.values.slice(0, 5),
              confidence: predictions.confidence.slice(0, 5),
              probs: probs.slice(0, 5 * w)
            }
          }
        ]
      })
      photo.push(performance.now() - t0)
    }
    db.close()
    record('commit:predictions-100k', {
      faces: FACES,
      insert_ms: Math.round(median(fresh)),
      replace_ms: Math.round(median(replace)),
      runs: RUNS
    })
    record('ipc:predictions-100k', { faces: FACES, bytes, serialize_deserialize_ms: Math.round(median(clone)) })
    record('commit:photo-5-faces', { faces: 5, ms: Number(median(photo).toFixed(2)), runs: photo.length })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
