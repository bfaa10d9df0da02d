/**
 * A fit with a helper thread (head-threads.ts, built as out/main/head-thread.js) trains the same heads as one
 * without: every run is seeded by its fold, so the ensemble, its out-of-fold rows and its temperature are
 * identical; a cancelled fit stops in the thread too.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { fitHeads, type FitOptions } from './fit'
import { HeadThreads, helperCount, trainFoldsSideBySide } from './head-threads'
import { trainKFold, type KFoldOptions } from './k-fold'
import { readHeadWeights } from './head'
import { blobs, useBackend } from './testing'
import { CancelledError } from './train'

const SCRIPT = path.resolve('out/main/head-thread.js')

beforeAll(() => useBackend('cpu'))

describe('helperCount', () => {
  it('gives helpers only to the single-threaded backends', () => {
    expect(helperCount('tensorflow')).toBe(0)
    expect(helperCount('tensorflow-gpu')).toBe(0)
    expect(helperCount(undefined)).toBe(0)
    expect(helperCount('cpu', 1)).toBeLessThanOrEqual(1)
  })
})

describe.skipIf(!fs.existsSync(SCRIPT) || helperCount('cpu') === 0)('fitHeads with a helper thread', () => {
  const d = blobs({ n: 300, dim: 12, classes: ['a', 'b', 'c'], separation: 0.6, seed: 5 })
  // Each face with a second, train-only row (as mirrored views are), so keys and train-only rows cross too.
  const features = [...d.features, ...d.features.map((f) => f.map((v) => v + 0.05))]
  const options: FitOptions = {
    features,
    labels: [...d.labels, ...d.labels],
    ids: [...d.ids, ...d.ids],
    groupKeys: [...d.ids, ...d.ids],
    trainOnly: [...d.ids.map(() => false), ...d.ids.map(() => true)],
    kind: 'classification',
    seed: 3,
    epochs: 8,
    k: 3,
    candidates: [
      { hidden: null, l2: 0.001, learningRate: 0.03, warmStart: false },
      { hidden: 8, l2: 0.01, learningRate: 0.01, warmStart: false },
      { hidden: 16, l2: 0.03, learningRate: 0.01, warmStart: false }
    ]
  }

  it('trains exactly the heads a fit without it trains, in the same order', async () => {
    const alone = await fitHeads(options)
    const threads = HeadThreads.open(SCRIPT, 'cpu')!
    expect(threads).not.toBeNull()
    const epochs: number[] = []
    let both
    try {
      both = await fitHeads({ ...options, runners: threads.runners(), onEpoch: (log) => epochs.push(log.epoch) })
    } finally {
      await threads.close()
    }
    try {
      expect(both.search.map((p) => [p.settings, p.calibrated_val_loss, p.epochs_run])).toEqual(
        alone.search.map((p) => [p.settings, p.calibrated_val_loss, p.epochs_run])
      )
      expect(both.chosen).toEqual(alone.chosen)
      expect(both.heads).toEqual(alone.heads)
      expect(Array.from(both.oof)).toEqual(Array.from(alone.oof))
      expect(both.calibration).toEqual(alone.calibration)
      const w = (m: typeof alone.model): number[] => {
        const h = readHeadWeights(m)
        return [...(h.hidden?.kernel ?? []), ...h.output.kernel, ...h.output.bias]
      }
      expect(w(both.model)).toEqual(w(alone.model))
      // Epochs from both threads still count up one by one for the live chart.
      expect(epochs).toEqual(epochs.map((_, i) => i + 1))
      expect(epochs.length).toBeGreaterThan(0)
    } finally {
      alone.model.dispose()
      both.model.dispose()
    }
  }, 120_000)

  it('spreads a k-fold run over the threads with the same folds, heads and out-of-fold rows (label-error finder)', async () => {
    const kfold: KFoldOptions = {
      features: options.features,
      labels: options.labels,
      ids: options.ids!,
      groupKeys: options.groupKeys!,
      trainOnly: options.trainOnly!,
      kind: 'classification',
      seed: 3,
      epochs: 8,
      hidden: 8,
      l2: 0.01
    }
    const alone = await trainKFold({ ...kfold, k: 4 })
    const threads = HeadThreads.open(SCRIPT, 'cpu')!
    const folds: number[] = []
    let both
    try {
      both = await trainFoldsSideBySide({ ...kfold, k: 4, onFold: (f) => folds.push(f) }, threads.runners())
    } finally {
      await threads.close()
    }
    try {
      expect(both.folds).toEqual([0, 1, 2, 3])
      expect(folds.sort()).toEqual([0, 1, 2, 3])
      expect(Array.from(both.fold)).toEqual(Array.from(alone.fold))
      expect(Array.from(both.oof)).toEqual(Array.from(alone.oof))
      expect(both.heads.map((h) => h.epochsRun)).toEqual(alone.heads.map((h) => h.epochsRun))
    } finally {
      for (const h of [...alone.heads, ...both.heads]) h.model.dispose()
    }
  }, 120_000)

  it('a helper thread that dies fails the fit, and every later run on it, instead of hanging', async () => {
    const threads = HeadThreads.open(SCRIPT, 'cpu')!
    const runners = threads.runners()
    let epochs = 0
    const run = fitHeads({
      ...options,
      epochs: 400,
      runners,
      onEpoch: () => {
        if (++epochs === 3) void threads.close()
      }
    })
    await expect(run).rejects.toThrow(/helper thread (has )?stopped/)
    await expect(fitHeads({ ...options, runners })).rejects.toThrow(/helper thread has stopped/)
  }, 120_000)

  it('a cancelled fit rejects with CancelledError, the thread stopped too', async () => {
    const threads = HeadThreads.open(SCRIPT, 'cpu')!
    const abort = new AbortController()
    let epochs = 0
    try {
      const run = fitHeads({
        ...options,
        epochs: 400,
        runners: threads.runners(),
        signal: abort.signal,
        onEpoch: () => {
          if (++epochs === 3) abort.abort()
        }
      })
      await expect(run).rejects.toBeInstanceOf(CancelledError)
      // The thread stopped: no epoch arrives after the cancel.
      const after = epochs
      await new Promise((r) => setTimeout(r, 300))
      expect(epochs).toBe(after)
    } finally {
      await threads.close()
    }
  }, 120_000)
})
