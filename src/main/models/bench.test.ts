/** `FACE_STUDIO_BENCH=1 npx vitest run src/main/models/bench.test.ts`: issue 5's training and re-prediction timings. */
import { describe, expect, it } from 'vitest'
import { benchRepredict, benchTraining } from './bench'

describe.skipIf(!process.env.FACE_STUDIO_BENCH)('models benchmarks', () => {
  it('trains 1k and 10k annotations and re-predicts 100k faces', async () => {
    for (const n of [1000, 10_000]) {
      const r = await benchTraining(n)
      console.log(`BENCH train ${JSON.stringify(r)}`)
      expect(r.seconds).toBeGreaterThan(0)
    }
    const p = await benchRepredict(100_000)
    console.log(`BENCH repredict ${JSON.stringify(p)}`)
    expect(p.faces).toBe(100_000)
  }, 600_000)
})
