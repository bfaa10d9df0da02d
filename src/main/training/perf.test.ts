/**
 * Timing checks for the training budget (10k × 256-d in < 5 s on wasm, 2 cores) and 100k-row
 * re-prediction. Opt-in (FACE_STUDIO_BENCH=1, optionally FACE_STUDIO_BENCH_BACKEND=cpu|wasm) because
 * wall-clock assertions are flaky on shared CI machines; the numbers are printed for docs/.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead } from './head'
import { predictRaw } from './predict'
import { trainHead } from './train'
import { blobs, useBackend } from './testing'

const enabled = process.env['FACE_STUDIO_BENCH'] === '1'
const backend = process.env['FACE_STUDIO_BENCH_BACKEND'] === 'cpu' ? 'cpu' : 'wasm'
const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

describe.skipIf(!enabled)(`performance on ${backend}`, () => {
  beforeAll(() => useBackend(backend))

  it('trains 10k × 256 within budget', async () => {
    const data = blobs({ n: 10_000, dim: 256, classes: EXPRESSIONS, separation: 0.15, seed: 1 })
    for (const batchSize of [32, 128]) {
      const result = await trainHead({
        features: data.features,
        labels: data.labels,
        ids: data.ids,
        kind: 'classification',
        seed: 1,
        batchSize,
        classWeights: 'balanced',
        earlyStoppingPatience: 1000
      })
      const last = result.history[result.history.length - 1]
      console.log(
        `[bench] ${tf.getBackend()} train 10k×256 batch=${batchSize} epochs=${result.epochsRun}: ${result.durationMs.toFixed(0)} ms` +
          ` (${(result.durationMs / result.epochsRun).toFixed(1)} ms/epoch) val_acc=${last?.val_acc?.toFixed(3)}`
      )
      if (backend === 'wasm' && batchSize === 128) expect(result.durationMs).toBeLessThan(5000)
      result.model.dispose()
    }
    const deep = await trainHead({ features: data.features, labels: data.labels, ids: data.ids, kind: 'classification', seed: 1, hidden: 64, classWeights: 'balanced', earlyStoppingPatience: 1000 })
    console.log(`[bench] ${tf.getBackend()} train 10k×256 hidden=64 batch=128 epochs=${deep.epochsRun}: ${deep.durationMs.toFixed(0)} ms`)
    deep.model.dispose()
    const penalised = await trainHead({
      features: data.features,
      labels: data.labels,
      ids: data.ids,
      kind: 'classification',
      seed: 1,
      batchSize: 128,
      classWeights: 'balanced',
      earlyStoppingPatience: 1000,
      groupPenalty: { groups: data.ids.map((_, i) => (i % 3 === 0 ? 'g1' : 'g2')), lambda: 1, mode: 'loss' }
    })
    console.log(
      `[bench] ${tf.getBackend()} train 10k×256 batch=128 +group penalty epochs=${penalised.epochsRun}: ${penalised.durationMs.toFixed(0)} ms`
    )
    penalised.model.dispose()
  })

  it('predicts 100k × 256', async () => {
    const n = 100_000
    const data = new Float32Array(n * 256)
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37)
    const model = buildHead({ inputDim: 256, labels: EXPRESSIONS, seed: 1 })
    const t0 = performance.now()
    const out = await predictRaw(model, { data, dim: 256 }, 'classification')
    const ms = performance.now() - t0
    console.log(`[bench] ${tf.getBackend()} predict 100k×256→7: ${ms.toFixed(0)} ms`)
    expect(out.rows).toBe(n)
    model.dispose()
  })
})
