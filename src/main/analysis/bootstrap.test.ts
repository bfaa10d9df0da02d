import { describe, expect, it } from 'vitest'
import { activationVerdict, pairedBootstrap, verdictSentence } from './bootstrap'
import { mulberry32 } from './random'

function correct(n: number, p: number, seed: number): Uint8Array {
  const rng = mulberry32(seed)
  return Uint8Array.from({ length: n }, () => (rng() < p ? 1 : 0))
}

describe('paired bootstrap verdict', () => {
  it('calls a clearly worse version worse, with an interval below zero on many faces', () => {
    const old = correct(800, 0.8, 1)
    // The new version loses 10 % of the faces the old one got right.
    const rng = mulberry32(2)
    const neu = Uint8Array.from(old, (c) => (c && rng() < 0.1 ? 0 : c))
    const v = activationVerdict(pairedBootstrap(old, neu, { seed: 3 }), 'accuracy', 2)
    expect(v.worse).toBe(true)
    expect(v.hi).toBeLessThan(0)
    expect(v.diff).toBeCloseTo(-0.08, 1)
  })

  it('gives a wide interval straddling zero on 24 faces, and the sentence the Train screen shows', () => {
    const old = Uint8Array.from({ length: 24 }, (_, i) => (i < 20 ? 1 : 0))
    const neu = Uint8Array.from({ length: 24 }, (_, i) => (i < 19 ? 1 : 0))
    const v = activationVerdict(pairedBootstrap(old, neu, { seed: 1 }), 'accuracy', 2)
    expect(v.worse).toBe(true)
    expect(v.lo).toBeLessThan(-0.04)
    expect(v.hi).toBeGreaterThanOrEqual(0)
    expect(verdictSentence(3, v)).toMatch(
      /^v3 is 4 points worse than v2 on 24 faces \(95 % interval −\d+ … (0|\+\d+)\)$/
    )
  })

  it('does not call an equal or better version worse; is reproducible by seed', () => {
    const a = correct(300, 0.7, 5)
    expect(activationVerdict(pairedBootstrap(a, a), 'accuracy', 0).worse).toBe(false)
    const b = Uint8Array.from(a, (c, i) => (i % 10 === 0 ? 1 : c))
    const v = pairedBootstrap(a, b, { seed: 9 })
    expect(v.diff).toBeGreaterThan(0)
    expect(pairedBootstrap(a, b, { seed: 9 })).toEqual(v)
    expect(verdictSentence(1, activationVerdict(v, 'accuracy', 0))).toMatch(/^v1 is \d+ points better than v0/)
  })
})
