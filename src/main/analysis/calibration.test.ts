import { describe, expect, it } from 'vitest'
import { applyTemperature, fitTemperature, temperatureOf } from './calibration'
import { classificationMetrics } from './prediction-metrics'
import { mulberry32, normal } from './random'

const LABELS = ['a', 'b', 'c', 'd']

/**
 * A fixed synthetic set with known miscalibration: true class probabilities come from softmax(z); labels are
 * drawn from them; the "model" reports softmax(3z), i.e. it is over-confident by a factor 3 in its logits.
 */
function overconfident(n: number, seed: number, factor = 3): { probs: Float32Array; truth: Int32Array } {
  const rng = mulberry32(seed)
  const w = LABELS.length
  const probs = new Float32Array(n * w)
  const truth = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const z = LABELS.map(() => normal(rng) * 0.8)
    const p = softmax(z)
    let u = rng()
    let t = 0
    while (t < w - 1 && u >= p[t]!) u -= p[t++]!
    truth[i] = t
    softmax(z.map((v) => v * factor)).forEach((q, c) => (probs[i * w + c] = q))
  }
  return { probs, truth }
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

function scored(probs: Float32Array, truth: Int32Array): { ece: number; accuracy: number } {
  const w = LABELS.length
  const pred: string[] = []
  const conf: number[] = []
  for (let i = 0; i < truth.length; i++) {
    const row = Array.from(probs.subarray(i * w, (i + 1) * w))
    const k = row.indexOf(Math.max(...row))
    pred.push(LABELS[k]!)
    conf.push(row[k]!)
  }
  const m = classificationMetrics(
    Array.from(truth, (t) => LABELS[t]!),
    pred,
    LABELS,
    conf
  )
  return { ece: m.ece!, accuracy: m.accuracy }
}

describe('temperature scaling', () => {
  it('brings the ECE of an over-confident model down on held-out rows, accuracy unchanged', () => {
    const fit = overconfident(2000, 1)
    const held = overconfident(2000, 2)
    const t = fitTemperature(fit.probs, LABELS.length, fit.truth, 'probs')
    // The logits were scaled by 3, so the fitted temperature recovers about 3.
    expect(t.temperature).toBeGreaterThan(2.4)
    expect(t.temperature).toBeLessThan(3.6)
    expect(t.nll_after).toBeLessThan(t.nll_before)
    const before = scored(held.probs, held.truth)
    const calibrated = Float32Array.from(held.probs)
    applyTemperature(calibrated, LABELS.length, t.temperature)
    const after = scored(calibrated, held.truth)
    expect(before.ece).toBeGreaterThan(0.15)
    expect(after.ece).toBeLessThan(0.05)
    expect(after.accuracy).toBe(before.accuracy)
  })

  it('also fixes an under-confident model (T < 1) and leaves a calibrated one at T ≈ 1', () => {
    const under = overconfident(2000, 3, 0.4)
    expect(fitTemperature(under.probs, 4, under.truth, 'probs').temperature).toBeLessThan(0.6)
    const fair = overconfident(3000, 4, 1)
    const t = fitTemperature(fair.probs, 4, fair.truth, 'probs').temperature
    expect(Math.abs(t - 1)).toBeLessThan(0.15)
  })

  it('fits the same on log-probabilities, skips rows without truth, keeps zero-probability labels at zero', () => {
    const d = overconfident(500, 5)
    const logp = Float32Array.from(d.probs, (p) => Math.log(p))
    const a = fitTemperature(d.probs, 4, d.truth, 'probs')
    const b = fitTemperature(logp, 4, d.truth)
    expect(b.temperature).toBeCloseTo(a.temperature, 3)
    const skipped = Int32Array.from(d.truth, (t, i) => (i % 2 ? -1 : t))
    expect(fitTemperature(d.probs, 4, skipped, 'probs').n).toBe(250)
    const p = new Float32Array([0.9, 0.1, 0])
    applyTemperature(p, 3, 2)
    expect(p[2]).toBe(0)
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6)
    expect(p[0]).toBeCloseTo(0.75, 6)
    expect(temperatureOf({ calibration: { temperature: 2.5 } })).toBe(2.5)
    expect(temperatureOf({})).toBe(1)
  })
})
