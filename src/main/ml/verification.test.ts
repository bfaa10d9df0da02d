import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeImage } from './analyze'
import { describeBackend } from './backend'
import { decodeImage } from './decode'
import { dataPath, hasData, readCsv, setupMl } from './test-support'

interface ScoredPair {
  distance: number
  same: boolean
}

function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2
  return Math.sqrt(s)
}

function accuracyAt(pairs: ScoredPair[], threshold: number): number {
  return pairs.filter((p) => p.distance < threshold === p.same).length / pairs.length
}

/** Best accuracy over all thresholds "same person iff distance < t" (t between consecutive distances). */
function bestThreshold(pairs: ScoredPair[]): { threshold: number; accuracy: number } {
  const cuts = [...new Set(pairs.map((p) => p.distance))].sort((a, b) => a - b)
  let best = { threshold: 0, accuracy: accuracyAt(pairs, 0) }
  cuts.forEach((d, i) => {
    const t = i + 1 < cuts.length ? (d + cuts[i + 1]!) / 2 : d + 1e-6
    const accuracy = accuracyAt(pairs, t)
    if (accuracy > best.accuracy) best = { threshold: t, accuracy }
  })
  return best
}

describe.skipIf(!hasData)('identity verification on identity_deepface pairs', () => {
  beforeAll(async () => {
    await setupMl()
  })

  it('separates same-person from different-person pairs by descriptor distance', async () => {
    const pairs = readCsv(dataPath('identity_deepface', 'pairs.csv'))
    const paths = [...new Set(pairs.flatMap((p) => [p.path_a!, p.path_b!]))]
    const descriptors = new Map<string, Float32Array>()
    let wholeImage = 0
    for (const path of paths) {
      // Crops mode keeps the best face per photo (these are single-person photos).
      const [face] = await analyzeImage(await decodeImage(dataPath('identity_deepface', path), { maxSide: 640 }), {
        detector: 'ssd',
        crops: true
      })
      descriptors.set(path, face!.descriptor)
      if (face!.source === 'whole-image') wholeImage++
    }
    const scored: ScoredPair[] = pairs.map((p) => ({
      distance: euclidean(descriptors.get(p.path_a!)!, descriptors.get(p.path_b!)!),
      same: p.same_person === '1'
    }))
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const sameMean = mean(scored.filter((p) => p.same).map((p) => p.distance))
    const diffMean = mean(scored.filter((p) => !p.same).map((p) => p.distance))
    const best = bestThreshold(scored)
    console.log(
      `[${describeBackend()}] verification over ${scored.length} pairs (${paths.length} photos, ${wholeImage} without a detection): ` +
        `best-threshold accuracy ${best.accuracy.toFixed(4)} at distance ${best.threshold.toFixed(3)}; ` +
        `accuracy at face-api's 0.6: ${accuracyAt(scored, 0.6).toFixed(4)}; mean distance same ${sameMean.toFixed(3)}, different ${diffMean.toFixed(3)}`
    )
    expect(sameMean).toBeLessThan(diffMean)
    expect(best.accuracy).toBeGreaterThanOrEqual(0.85)
  })
})
