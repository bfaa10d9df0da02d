import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { biasProbe, groupMetrics, intersectGroups, WIDE_INTERVAL, wilsonInterval } from './group-rates'
import { perGroupThresholds } from './group-thresholds'
import { reweightSampleWeights } from './reweight'

const labels = ['pos', 'neg']

describe('groupMetrics', () => {
  // Group A: 4 pos (3 right), 4 neg (all right). Group B: 2 pos (1 right), 6 neg (5 right).
  const rows = [
    ...['pos', 'pos', 'pos', 'neg', 'neg', 'neg', 'neg', 'neg'].map((pred, i) => ({
      truth: i < 4 ? 'pos' : 'neg',
      pred,
      group: 'A'
    })),
    ...['pos', 'neg', 'pos', 'neg', 'neg', 'neg', 'neg', 'neg'].map((pred, i) => ({
      truth: i < 2 ? 'pos' : 'neg',
      pred,
      group: 'B'
    }))
  ]

  it('counts one-vs-rest cells per group exactly', () => {
    const m = groupMetrics(rows, labels, { minGroupSize: 1 })
    expect(m.per_group.A!.per_class.pos).toMatchObject({
      tpr: 0.75,
      fpr: 0,
      tnr: 1,
      fnr: 0.25,
      support: 4,
      tp: 3,
      fp: 0,
      tn: 4,
      fn: 1
    })
    expect(m.per_group.B!.per_class.pos).toMatchObject({
      tpr: 0.5,
      fpr: 1 / 6,
      tnr: 5 / 6,
      fnr: 0.5,
      support: 2,
      tp: 1,
      fp: 1,
      tn: 5,
      fn: 1
    })
    expect(m.per_group.A!.accuracy).toBe(7 / 8)
    // 95 % Wilson intervals on every rate: TPR 3/4 in A is [0.301, 0.954] (the textbook value).
    expect(m.per_group.A!.per_class.pos!.tpr_ci![0]).toBeCloseTo(0.3006, 3)
    expect(m.per_group.A!.per_class.pos!.tpr_ci![1]).toBeCloseTo(0.9544, 3)
    expect(m.per_group.A!.accuracy_ci).toEqual(wilsonInterval(7, 8))
    // Eight faces: an interval far wider than ± 10 points, so the group is flagged by its interval.
    expect(m.per_group.A!.wide).toBe(true)
    expect(m.per_group.B!.accuracy).toBe(6 / 8)
    expect(m.max_gap).toEqual({ metric: 'tpr:pos', value: 0.25, groups: ['A', 'B'] })
    // P(pred=pos): A 3/8, B 2/8 → 1/8; P(pred=neg) the mirror
    expect(m.dp_diff).toBeCloseTo(1 / 8)
    // pos: TPR gap .25, FPR gap 1/6; neg: TPR (=TNR of pos) gap 1/6, FPR gap .25
    expect(m.eo_diff).toBeCloseTo(0.25)
  })

  it('marks small groups and leaves them out of gaps', () => {
    const m = groupMetrics(rows, labels, { minGroupSize: 30 })
    expect(m.per_group.A!.small).toBe(true)
    expect(m).toMatchObject({ max_gap: null, dp_diff: null, eo_diff: null })
  })

  it('gives null rates for a class with no support in a group and handles all-correct', () => {
    const m = groupMetrics(
      [
        { truth: 'neg', pred: 'neg', group: 'C' },
        { truth: 'pos', pred: 'pos', group: 'D' },
        { truth: 'neg', pred: 'neg', group: 'D' }
      ],
      labels,
      { minGroupSize: 1 }
    )
    expect(m.per_group.C!.per_class.pos).toMatchObject({ tpr: null, fnr: null, fpr: 0, support: 0 })
    expect(m.per_group.C!.accuracy).toBe(1)
    expect(m.max_gap).toBeNull()
    expect(m.eo_diff).toBe(0)
    expect(groupMetrics([], labels)).toEqual({ per_group: {}, max_gap: null, dp_diff: null, eo_diff: null })
  })

  it('reproduces independently counted cells on UTKFace gender labels per race', () => {
    const csv = readFileSync(join(__dirname, '../../../../shared/data/demographics_utkface/labels.csv'), 'utf8')
    const [header, ...lines] = csv.trim().split('\n')
    const cols = header!.split(',')
    const gi = cols.indexOf('gender')
    const ri = cols.indexOf('race')
    const data = lines.map((l) => l.split(','))
    // Deterministic stand-in for a model: every 7th row's gender flipped.
    const rows = data.map((r, i) => {
      const truth = r[gi]!
      const pred = i % 7 === 0 ? (truth === 'male' ? 'female' : 'male') : truth
      return { truth, pred, group: r[ri]! }
    })
    const m = groupMetrics(rows, ['female', 'male'])
    const races = [...new Set(data.map((r) => r[ri]!))].sort()
    expect(Object.keys(m.per_group)).toEqual(races)
    for (const race of races) {
      let tp = 0
      let fn = 0
      let fp = 0
      let tn = 0
      data.forEach((r, i) => {
        if (r[ri] !== race) return
        const isFemale = r[gi] === 'female'
        const flipped = i % 7 === 0
        if (isFemale && !flipped) tp++
        else if (isFemale) fn++
        else if (flipped) fp++
        else tn++
      })
      expect(m.per_group[race]!.per_class.female).toMatchObject({ tp, fn, fp, tn, support: tp + fn })
      expect(m.per_group[race]!.n).toBe(tp + fn + fp + tn)
      expect(m.per_group[race]!.accuracy).toBeCloseTo((tp + tn) / (tp + fn + fp + tn))
    }
    expect(m.per_group.White!.n).toBe(160)
  })
})

describe('intersectGroups', () => {
  it('joins ids present in both', () => {
    const out = intersectGroups(
      new Map([
        [1, 'female'],
        [2, 'male']
      ]),
      new Map([
        [1, 'Black'],
        [3, 'White']
      ])
    )
    expect([...out]).toEqual([[1, 'female × Black']])
  })
})

describe('biasProbe', () => {
  it('tabulates P(pred | attribute)', () => {
    const probe = biasProbe([
      { pred: 'happy', attribute: 'f' },
      { pred: 'happy', attribute: 'f' },
      { pred: 'angry', attribute: 'f' },
      { pred: 'angry', attribute: 'm' }
    ])
    expect(probe.classes).toEqual(['angry', 'happy'])
    expect(probe.rows.f).toEqual({ n: 3, p: { angry: 1 / 3, happy: 2 / 3 } })
    expect(probe.rows.m).toEqual({ n: 1, p: { angry: 1, happy: 0 } })
  })
})

describe('reweightSampleWeights', () => {
  const rows = [
    { label: 'a', group: 'g1' },
    { label: 'a', group: 'g1' },
    { label: 'a', group: 'g1' },
    { label: 'b', group: 'g1' },
    { label: 'a', group: 'g2' },
    { label: 'b', group: 'g2' }
  ]
  const total = (w: number[], pick: (r: (typeof rows)[number]) => boolean): number =>
    w.reduce((s, x, i) => s + (pick(rows[i]!) ? x : 0), 0)

  it('is all ones at ω = 0', () => {
    expect(reweightSampleWeights(rows, 0)).toEqual([1, 1, 1, 1, 1, 1])
  })

  it('balances groups and classes within groups at ω = 1, with mean 1', () => {
    const w = reweightSampleWeights(rows, 1)
    expect(total(w, () => true)).toBeCloseTo(6)
    expect(total(w, (r) => r.group === 'g1')).toBeCloseTo(total(w, (r) => r.group === 'g2'))
    expect(total(w, (r) => r.group === 'g1' && r.label === 'a')).toBeCloseTo(
      total(w, (r) => r.group === 'g1' && r.label === 'b')
    )
  })

  it('interpolates geometrically in between', () => {
    const w1 = reweightSampleWeights(rows, 1)
    const wh = reweightSampleWeights(rows, 0.5)
    // Ratios between rows scale as (balanced ratio)^ω.
    expect(wh[3]! / wh[0]!).toBeCloseTo(Math.sqrt(w1[3]! / w1[0]!))
  })
})

describe('perGroupThresholds', () => {
  it('moves each group to the pooled TPR and reports accuracy before and after', () => {
    const scores = [
      // Group A scores its positives high: TPR 1 at 0.5.
      { score: 0.9, truth: true, group: 'A' },
      { score: 0.8, truth: true, group: 'A' },
      { score: 0.2, truth: false, group: 'A' },
      { score: 0.1, truth: false, group: 'A' },
      // Group B scores its positives low: TPR 0 at 0.5.
      { score: 0.4, truth: true, group: 'B' },
      { score: 0.35, truth: true, group: 'B' },
      { score: 0.1, truth: false, group: 'B' },
      { score: 0.05, truth: false, group: 'B' }
    ]
    const r = perGroupThresholds(scores, { target: 'tpr', tolerance: 0.01 })
    expect(r.target_rate).toBe(0.5)
    expect(r.accuracy_before).toBe(6 / 8)
    expect(r.per_group.A).toMatchObject({ threshold: 0.9, rate_before: 1, rate_after: 0.5, within_tolerance: true })
    expect(r.per_group.B).toMatchObject({ threshold: 0.4, rate_before: 0, rate_after: 0.5, within_tolerance: true })
    expect(r.accuracy_after).toBe(6 / 8)
  })
})

describe('wilsonInterval', () => {
  it('stays inside [0, 1] at 0/n and n/n and narrows with n', () => {
    const zero = wilsonInterval(0, 10)!
    expect(zero[0]).toBe(0)
    expect(zero[1]).toBeCloseTo(0.2775, 3)
    expect(wilsonInterval(10, 10)![1]).toBe(1)
    expect(wilsonInterval(0, 0)).toBeNull()
    const w = (n: number): number => {
      const [lo, hi] = wilsonInterval(Math.round(n * 0.9), n)!
      return hi - lo
    }
    expect(w(400)).toBeLessThan(w(40))
    // 90 % of 200 faces: ± 4 points, not wide; of 30 faces: ± 11, wide.
    expect(w(200)).toBeLessThan(WIDE_INTERVAL)
    expect(w(30)).toBeGreaterThan(WIDE_INTERVAL)
  })
})
