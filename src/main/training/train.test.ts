import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DenseWeights } from './head'
import { predictRaw } from './predict'
import { mulberry32, normal } from '../analysis/random'
import { saveVersion } from './store'
import { CancelledError, trainHead, type TrainOptions } from './train'
import { blobs, useBackend } from './testing'

let root: string
beforeAll(async () => {
  await useBackend('cpu')
  root = await mkdtemp(path.join(os.tmpdir(), 'fs-train-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

const data = blobs({ n: 600, dim: 16, classes: ['a', 'b', 'c'], separation: 0.6, seed: 11 })
const base: TrainOptions = {
  features: data.features,
  labels: data.labels,
  ids: data.ids,
  kind: 'classification',
  seed: 1,
  epochs: 8,
  classWeights: 'none'
}

let saves = 0
async function weightsBin(options: TrainOptions): Promise<Buffer> {
  const { model } = await trainHead(options)
  const saved = await saveVersion(root, {
    task: 'repro',
    versionNumber: ++saves,
    model,
    metadata: {
      kind: 'classification',
      labels: ['a', 'b', 'c'],
      feature_kind: 'test',
      input_dim: 16,
      parent_version: null,
      hyperparameters: {},
      seed: options.seed,
      training_set_hash: '',
      counts: {},
      duration_ms: 0,
      metrics: {},
      mitigation: null
    }
  })
  model.dispose()
  return readFile(path.join(saved.path, 'weights.bin'))
}

/** Mean predicted probability of `positive` per group, over all rows. */
async function positiveRateGap(
  model: tf.LayersModel,
  features: Float32Array[],
  groups: string[],
  positive: number,
  width: number
): Promise<number> {
  const { values } = await predictRaw(model, features, 'classification')
  const sum = new Map<string, number>()
  const count = new Map<string, number>()
  groups.forEach((g, i) => {
    sum.set(g, (sum.get(g) ?? 0) + values[i * width + positive]!)
    count.set(g, (count.get(g) ?? 0) + 1)
  })
  const means = [...sum].map(([g, s]) => s / count.get(g)!)
  return Math.max(...means) - Math.min(...means)
}

describe('trainHead', () => {
  it('is reproducible: same seed, data and backend give byte-identical weights.bin', async () => {
    const a = await weightsBin(base)
    const b = await weightsBin({ ...base, features: [...data.features], groupPenalty: undefined })
    expect(a.equals(b)).toBe(true)
    const c = await weightsBin({ ...base, seed: 2 })
    expect(a.equals(c)).toBe(false)
  })

  it('learns separable classes, reports history, and leaks no tensors', async () => {
    const before = tf.memory().numTensors
    const epochs: number[] = []
    const result = await trainHead({ ...base, hidden: 8, learningRate: 1e-2, onEpoch: (e) => epochs.push(e.epoch) })
    expect(result.epochsRun).toBe(result.history.length)
    expect(epochs).toEqual(result.history.map((h) => h.epoch))
    const last = result.history[result.history.length - 1]!
    expect(last.val_acc).toBeGreaterThan(0.8)
    expect(result.trainIdx.length + result.valIdx.length).toBe(600)
    expect(result.valIdx.length).toBe(120)
    result.model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('stops early on a rising validation loss and restores the best epoch', async () => {
    // Random labels: the model can only overfit, so validation loss rises after the first epochs.
    const rng = mulberry32(5)
    const noise = Array.from({ length: 200 }, () => Float32Array.from({ length: 64 }, () => normal(rng)))
    const labels = noise.map(() => (rng() < 0.5 ? 'x' : 'y'))
    const result = await trainHead({
      features: noise,
      labels,
      kind: 'classification',
      seed: 3,
      epochs: 200,
      batchSize: 16,
      learningRate: 0.05,
      hidden: 32,
      earlyStoppingPatience: 3,
      classWeights: 'none'
    })
    expect(result.stoppedEarly).toBe(true)
    expect(result.epochsRun).toBeLessThan(200)
    const valLosses = result.history.map((h) => h.val_loss!)
    expect(result.bestEpoch).toBe(valLosses.indexOf(Math.min(...valLosses)) + 1)
    expect(result.epochsRun - result.bestEpoch).toBe(3)
    // The returned weights are the best epoch's: recompute its validation loss from predictions.
    const valRows = result.valIdx.map((i) => noise[i]!)
    const { values } = await predictRaw(result.model, valRows, 'classification')
    const ce =
      result.valIdx.reduce((s, row, r) => s - Math.log(values[r * 2 + (labels[row] === 'x' ? 0 : 1)]!), 0) /
      valRows.length
    expect(ce).toBeCloseTo(Math.min(...valLosses), 4)
    result.model.dispose()
  })

  it('cancels between batches with a CancelledError and releases its tensors', async () => {
    const before = tf.memory().numTensors
    const controller = new AbortController()
    const run = trainHead({
      ...base,
      epochs: 50,
      signal: controller.signal,
      onEpoch: (e) => e.epoch === 2 && controller.abort()
    })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(tf.memory().numTensors).toBe(before)
    await expect(trainHead({ ...base, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError)
  })

  it('yields to the event loop often enough for a timer-driven abort to land mid-training', async () => {
    const controller = new AbortController()
    const epochsSeen: number[] = []
    setTimeout(() => controller.abort(), 30)
    const run = trainHead({
      ...base,
      epochs: 10_000,
      batchSize: 8,
      earlyStoppingPatience: 10_000,
      signal: controller.signal,
      onEpoch: (e) => epochsSeen.push(e.epoch)
    })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(epochsSeen.length).toBeLessThan(10_000)
  })

  it("'balanced' class weights raise the minority class's recall", async () => {
    const skewed = blobs({
      n: 1500,
      dim: 8,
      classes: ['common', 'rare'],
      separation: 0.35,
      seed: 4,
      weights: [0.93, 0.07]
    })
    const recall = async (classWeights: 'balanced' | 'none'): Promise<number> => {
      const r = await trainHead({
        features: skewed.features,
        labels: skewed.labels,
        kind: 'classification',
        seed: 1,
        epochs: 30,
        learningRate: 1e-2,
        classWeights,
        validationFraction: 0
      })
      const { values } = await predictRaw(r.model, skewed.features, 'classification')
      r.model.dispose()
      const rare = skewed.labels.flatMap((l, i) => (l === 'rare' ? [i] : []))
      expect(r.classWeights['rare']).toBe(classWeights === 'balanced' ? r.trainIdx.length / (2 * r.counts['rare']!) : 1)
      return rare.filter((i) => values[i * 2 + 1]! > values[i * 2]!).length / rare.length
    }
    const none = await recall('none')
    const balanced = await recall('balanced')
    expect(balanced).toBeGreaterThan(none + 0.2)
  })

  it('the positive-rate penalty shrinks the per-group gap on a biased dataset', async () => {
    // Group A is labelled positive far more often than B, and dimension 0 reveals the group, so an
    // unconstrained model learns the group itself as a shortcut.
    const rng = mulberry32(8)
    const features: Float32Array[] = []
    const labels: string[] = []
    const groups: string[] = []
    for (let i = 0; i < 2000; i++) {
      const group = i % 2 === 0 ? 'A' : 'B'
      const positive = rng() < (group === 'A' ? 0.75 : 0.25)
      features.push(
        Float32Array.from(
          { length: 8 },
          (_, d) => normal(rng) + (d === 0 ? (group === 'A' ? 1.5 : -1.5) : d === 1 ? (positive ? 0.7 : -0.7) : 0)
        )
      )
      labels.push(positive ? 'pos' : 'neg')
      groups.push(group)
    }
    const gapWith = async (lambda: number): Promise<number> => {
      const r = await trainHead({
        features,
        labels,
        labelSet: ['neg', 'pos'],
        kind: 'classification',
        seed: 1,
        epochs: 20,
        learningRate: 1e-2,
        classWeights: 'none',
        groupPenalty: { groups, lambda, mode: 'positive_rate' }
      })
      const gap = await positiveRateGap(r.model, features, groups, 1, 2)
      const last = r.history[r.history.length - 1]!
      expect(last.val_group_gap).toBeDefined()
      r.model.dispose()
      return gap
    }
    const unconstrained = await gapWith(0)
    const penalised = await gapWith(3)
    expect(unconstrained).toBeGreaterThan(0.3)
    expect(penalised).toBeLessThan(unconstrained / 2)
  })

  it('the loss-gap penalty runs for regression, which learns a linear target', async () => {
    const rng = mulberry32(9)
    const features = Array.from({ length: 800 }, () => Float32Array.from({ length: 4 }, () => normal(rng)))
    const ages = features.map((f) => 30 + 10 * f[0]! - 5 * f[1]!)
    const r = await trainHead({
      features,
      labels: ages,
      kind: 'regression',
      seed: 1,
      epochs: 100,
      batchSize: 32,
      learningRate: 0.3,
      groupPenalty: {
        groups: features.map((_, i) => (i % 2 ? 'g' : 'h')),
        lambda: 0.1,
        mode: 'loss',
        spread: 'variance'
      }
    })
    const last = r.history[r.history.length - 1]!
    expect(last.val_loss).toBeLessThan(5)
    expect(r.labels).toEqual([])
    r.model.dispose()
  })

  it('fine-tunes from built-in weights with an added label', async () => {
    const init: DenseWeights = {
      kernel: new Float32Array(16 * 2).fill(0.01),
      kernelShape: [16, 2],
      bias: Float32Array.of(0, 0),
      labels: ['a', 'b']
    }
    const r = await trainHead({ ...base, init, labelSet: ['a', 'b', 'c'], learningRate: 1e-2 })
    expect(r.model.outputs[0]!.shape).toEqual([null, 3])
    expect(r.history[r.history.length - 1]!.val_acc).toBeGreaterThan(0.8)
    r.model.dispose()
    await expect(trainHead({ ...base, labelSet: ['a', 'b'] })).rejects.toThrow(/not in labelSet/)
  })

  it('is reproducible on wasm too', async () => {
    await useBackend('wasm')
    try {
      const a = await weightsBin(base)
      const b = await weightsBin(base)
      expect(a.equals(b)).toBe(true)
    } finally {
      await useBackend('cpu')
    }
  })
})
