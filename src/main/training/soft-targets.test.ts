import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../analysis/random'
import { predictRaw } from './predict'
import { useBackend } from './testing'
import { trainHead } from './train'

beforeAll(() => useBackend('cpu'))

const LABELS = ['a', 'b', 'c'] as const

/**
 * Rows whose true class distribution is a softmax of a random linear map (so the classes overlap), ten "votes"
 * drawn from it per row, and the hard label = the plurality vote (what a majority label keeps).
 */
function voted(n: number, dim: number, seed: number) {
  const rng = mulberry32(seed)
  const w = Array.from({ length: dim * LABELS.length }, () => normal(rng) * 0.6)
  const features: Float32Array[] = []
  const hard: string[] = []
  const dists: Record<string, number>[] = []
  for (let i = 0; i < n; i++) {
    const x = Float32Array.from({ length: dim }, () => normal(rng))
    const z = LABELS.map((_, c) => x.reduce((s, v, d) => s + v * w[d * LABELS.length + c]!, 0))
    const m = Math.max(...z)
    const e = z.map((v) => Math.exp(v - m))
    const sum = e.reduce((a, b) => a + b, 0)
    const votes = [0, 0, 0]
    for (let v = 0; v < 10; v++) {
      let u = rng() * sum
      let c = 0
      while (c < 2 && u >= e[c]!) u -= e[c++]!
      votes[c]!++
    }
    const top = votes.indexOf(Math.max(...votes))
    features.push(x)
    hard.push(LABELS[top]!)
    dists.push(Object.fromEntries(LABELS.map((l, c) => [l, votes[c]!])))
  }
  return { features, hard, dists }
}

async function crossEntropy(model: Awaited<ReturnType<typeof trainHead>>['model'], d: ReturnType<typeof voted>) {
  const dim = d.features[0]!.length
  const data = new Float32Array(d.features.length * dim)
  d.features.forEach((f, i) => data.set(f, i * dim))
  const out = await predictRaw(model, { data, dim }, 'classification')
  let ce = 0
  d.dists.forEach((dist, i) => {
    const total = LABELS.reduce((s, l) => s + dist[l]!, 0)
    LABELS.forEach((l, c) => (ce -= (dist[l]! / total) * Math.log(Math.max(out.values[i * out.width + c]!, 1e-12))))
  })
  return ce / d.dists.length
}

describe('soft targets', () => {
  it('reach a lower cross-entropy to the vote distributions on held-out rows than hard labels', async () => {
    const train = voted(300, 8, 5)
    const held = voted(600, 8, 5)
    // Same generator seed ⇒ same linear map; held-out rows are the second half of a longer draw.
    const test = { features: held.features.slice(300), hard: held.hard.slice(300), dists: held.dists.slice(300) }
    const common = {
      features: train.features,
      labels: train.hard,
      labelSet: [...LABELS],
      kind: 'classification' as const,
      seed: 3,
      epochs: 40,
      learningRate: 0.01,
      validationFraction: 0
    }
    const hard = await trainHead(common)
    const soft = await trainHead({ ...common, softTargets: train.dists })
    const ceHard = await crossEntropy(hard.model, test)
    const ceSoft = await crossEntropy(soft.model, test)
    expect(ceSoft).toBeLessThan(ceHard - 0.02)
    hard.model.dispose()
    soft.model.dispose()
  })

  it('keeps one-hot targets for rows without a distribution, and rejects unknown labels', async () => {
    const d = voted(60, 4, 9)
    const none = d.hard.map(() => null)
    const base = { features: d.features, labels: d.hard, labelSet: [...LABELS], kind: 'classification' as const }
    const opts = { ...base, seed: 1, epochs: 3, validationFraction: 0 }
    const a = await trainHead(opts)
    const b = await trainHead({ ...opts, softTargets: none })
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss))
    await expect(trainHead({ ...opts, softTargets: d.hard.map(() => ({ zz: 1 })) })).rejects.toThrow(/labelSet/)
    a.model.dispose()
    b.model.dispose()
  })
})
