import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { candidateSettings, combine, fitHeads, trainingSchedule } from './fit'
import { buildHead } from './head'
import { predictRaw } from './predict'
import { blobs, useBackend } from './testing'

beforeAll(() => useBackend('cpu'))

describe('combine', () => {
  it('is one head whose softmax is that of the mean of the heads’ logits', async () => {
    const labels = ['a', 'b', 'c']
    const heads = [1, 2, 3].map((seed) => buildHead({ inputDim: 6, labels, hidden: 4, seed }))
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 9) as tf.Tensor2D
    const logits = heads.map((h) => tf.log(h.predict(x) as tf.Tensor2D))
    // log-softmax differs from the logits by a per-row constant, which the softmax of the mean ignores.
    const expected = tf.softmax(tf.div(tf.addN(logits), 3)).arraySync() as number[][]
    const combined = combine(heads, 6, labels)
    const got = (await predictRaw(combined, { data: x.dataSync() as Float32Array, dim: 6 }, 'classification')).values
    expected.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5))
    const linear = [4, 5].map((seed) => buildHead({ inputDim: 6, labels, seed }))
    expect(combine(linear, 6, labels).layers).toHaveLength(1)
    tf.dispose([x, ...logits])
    for (const m of [...heads, ...linear, combined]) m.dispose()
  })
})

describe('candidateSettings', () => {
  it('offers fine-tuning only for a linear parent and lets forced settings fix their dimension', () => {
    expect(candidateSettings({ warmStartable: false }).some((c) => c.warmStart)).toBe(false)
    expect(candidateSettings({ warmStartable: true })[0]?.warmStart).toBe(true)
    const forced = candidateSettings({ warmStartable: true, forced: { hidden: 64, l2: 0.02, learningRate: 0.005 } })
    expect(forced).toEqual([{ hidden: 64, l2: 0.02, learningRate: 0.005, warmStart: false }])
    const onlyHidden = candidateSettings({ warmStartable: false, forced: { hidden: 32 } })
    expect(onlyHidden.every((c) => c.hidden === 32)).toBe(true)
    expect(new Set(onlyHidden.map((c) => c.l2)).size).toBeGreaterThan(1)
  })
})

describe('trainingSchedule', () => {
  it('keeps the defaults for small sets and grows the batch, caps epochs and scales the rate for large ones', () => {
    // FER+-sized sets train exactly as before.
    expect(trainingSchedule(599, 5, { epochs: 50 })).toEqual({
      epochs: 50,
      batchSize: 128,
      earlyStoppingPatience: 5,
      learningRateScale: 1
    })
    // 10k rows: 8,000 training rows per head → batch 512 (about 16 steps an epoch), lr × √4.
    expect(trainingSchedule(10_000, 5, { epochs: 50 })).toEqual({
      epochs: 25,
      batchSize: 512,
      earlyStoppingPatience: 3,
      learningRateScale: 2
    })
    expect(trainingSchedule(1_000_000, 5, {}).batchSize).toBe(1024)
    // What the caller states wins, and an explicit batch is not rescaled.
    expect(trainingSchedule(10_000, 5, { epochs: 10, batchSize: 64, earlyStoppingPatience: 7 })).toEqual({
      epochs: 10,
      batchSize: 64,
      earlyStoppingPatience: 7,
      learningRateScale: 1
    })
  })
})

describe('fitHeads', () => {
  it('searches on the validation fold, ensembles k heads and calibrates on out-of-fold rows', async () => {
    const d = blobs({ n: 400, dim: 10, classes: ['a', 'b', 'c'], separation: 0.5, seed: 21 })
    const stages: string[] = []
    const epochs: number[] = []
    const heads = new Set<number | undefined>()
    const r = await fitHeads({
      features: d.features,
      labels: d.labels,
      ids: d.ids,
      kind: 'classification',
      seed: 4,
      epochs: 15,
      k: 3,
      candidates: [
        { hidden: null, l2: 0, learningRate: 0.03, warmStart: false },
        { hidden: 16, l2: 0.01, learningRate: 0.01, warmStart: false }
      ],
      onStage: (m) => stages.push(m),
      onEpoch: (log) => {
        epochs.push(log.epoch)
        heads.add(log.head)
      }
    })
    try {
      // Each epoch names its head (the chart draws a line per head): 2 candidates × 2 search folds + 1 more fold.
      expect(heads.size).toBe(5)
      expect(heads.has(undefined)).toBe(false)
      expect(r.search).toHaveLength(2)
      const bestLoss = Math.min(...r.search.map((p) => p.calibrated_val_loss!))
      expect(r.search.find((p) => p.settings === r.chosen)?.calibrated_val_loss).toBe(bestLoss)
      expect(r.heads.map((h) => h.fold)).toEqual([0, 1, 2])
      // Every row has its out-of-fold prediction.
      for (let i = 0; i < 400; i++) expect(Number.isNaN(r.oof[i * 3]!)).toBe(false)
      expect(r.calibration?.n).toBe(400)
      expect(r.calibration!.nll_after).toBeLessThanOrEqual(r.calibration!.nll_before)
      // Epochs are numbered across every head, for one live chart.
      expect(epochs).toEqual(epochs.map((_, i) => i + 1))
      expect(stages.some((s) => s.includes('ensemble'))).toBe(true)
      const hiddenOf = (r.model.layers[0]!.getConfig() as { units: number }).units
      expect(r.model.layers.length === 1 || hiddenOf === 48).toBe(true)
    } finally {
      r.model.dispose()
    }
    expect(tf.memory().numTensors).toBeLessThan(20)
  })
})
