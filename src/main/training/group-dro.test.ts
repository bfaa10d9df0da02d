import type * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../analysis/random'
import { groupDroStep, worstGroupPenaltyStep } from './group-step'
import { predictRaw } from './predict'
import { useBackend } from './testing'
import { trainHead, type TrainOptions } from './train'

beforeAll(() => useBackend('cpu'))

/**
 * A majority group A (90 %) whose label follows dimension 0 and a minority group B (10 %) whose label follows
 * dimension 1: one linear head cannot serve both perfectly, and plain training serves the majority.
 */
function minoritySet(): { features: Float32Array[]; labels: string[]; groups: string[] } {
  const rng = mulberry32(21)
  const features: Float32Array[] = []
  const labels: string[] = []
  const groups: string[] = []
  for (let i = 0; i < 2000; i++) {
    const group = rng() < 0.9 ? 'A' : 'B'
    const positive = rng() < 0.5
    const s = positive ? 1 : -1
    features.push(
      Float32Array.from(
        { length: 6 },
        (_, d) => normal(rng) * 0.8 + (d === 0 && group === 'A' ? s : d === 1 && group === 'B' ? s : 0)
      )
    )
    labels.push(positive ? 'pos' : 'neg')
    groups.push(group)
  }
  return { features, labels, groups }
}

/** Mean cross-entropy per group over the given rows. */
async function groupLosses(
  model: tf.LayersModel,
  set: ReturnType<typeof minoritySet>,
  rows: readonly number[]
): Promise<Record<string, number>> {
  const { values } = await predictRaw(
    model,
    rows.map((i) => set.features[i]!),
    'classification'
  )
  const sum: Record<string, number> = {}
  const count: Record<string, number> = {}
  rows.forEach((row, k) => {
    const g = set.groups[row]!
    const p = values[k * 2 + (set.labels[row] === 'pos' ? 1 : 0)]!
    sum[g] = (sum[g] ?? 0) - Math.log(Math.max(p, 1e-12))
    count[g] = (count[g] ?? 0) + 1
  })
  return Object.fromEntries(Object.keys(sum).map((g) => [g, sum[g]! / count[g]!]))
}

describe('Group DRO', () => {
  it('lowers the worst group’s training loss against plain training on a set with a minority group', async () => {
    const set = minoritySet()
    const base: TrainOptions = {
      features: set.features,
      labels: set.labels,
      labelSet: ['neg', 'pos'],
      kind: 'classification',
      seed: 3,
      epochs: 30,
      learningRate: 1e-2,
      classWeights: 'none'
    }
    const plain = await trainHead(base)
    const dro = await trainHead({ ...base, groupDro: { groups: set.groups, eta: 1 } })
    const plainLoss = await groupLosses(plain.model, set, plain.trainIdx)
    const droLoss = await groupLosses(dro.model, set, dro.trainIdx)
    plain.model.dispose()
    dro.model.dispose()
    const worst = (l: Record<string, number>): number => Math.max(...Object.values(l))
    // Plain training serves the majority: the minority is the worst group by a clear margin.
    expect(plainLoss['B']!).toBeGreaterThan(plainLoss['A']! + 0.1)
    expect(worst(droLoss)).toBeLessThan(worst(plainLoss) - 0.05)
    // The weights moved towards the minority, and the history reports the robust validation objective.
    expect(dro.groupWeights?.['B']).toBeGreaterThan(0.5)
    expect(dro.history.at(-1)?.val_worst_group_loss).toBeDefined()
    expect(plain.history.at(-1)?.val_worst_group_loss).toBeUndefined()
  })

  it('updates q by exponentiated gradient and keeps each group’s share of the step', () => {
    const step = groupDroStep({ groups: ['a', 'a', 'b', null], eta: 2 })
    const base = new Float32Array([1, 1, 1, 1])
    // Losses: group a 1.0, group b 0.5 → q ∝ (e^2, e^1).
    const { w } = step.reweigh([0, 1, 2, 3], [1, 1, 0.5, 0.3], base)
    const qa = Math.exp(2) / (Math.exp(2) + Math.exp(1))
    expect(step.weights()['a']).toBeCloseTo(qa, 9)
    // Three grouped rows out of four: a's two rows share 3 · q_a, b's one row 3 · q_b; the ungrouped row keeps 1.
    expect(w[0]).toBeCloseTo((3 * qa) / 2, 6)
    expect(w[2]).toBeCloseTo(3 * (1 - qa), 6)
    expect(w[3]).toBe(1)
  })

  it('the loss penalty only pushes the worst group: best group rows keep their weight', () => {
    const step = worstGroupPenaltyStep(['a', 'a', 'b', 'b'], 2)
    const loss = [1, 1, 0.2, 0.4]
    const { w, offset } = step.reweigh([0, 1, 2, 3], loss, new Float32Array([1, 1, 1, 1]))
    expect([w[2], w[3]]).toEqual([1, 1])
    // mean(loss · w) + offset = main + λ · (L_a − L_b).
    const value = loss.reduce((s, l, i) => s + l * w[i]!, 0) / 4 + offset
    expect(value).toBeCloseTo(0.65 + 2 * (1 - 0.3), 6)
  })
})
