/**
 * What batching a photo's faces buys (issue 13 §4): the per-face nets on all faces of each group photo in one
 * pass, against one face at a time, alternating in one process so other load hits both alike.
 */
import fs from 'node:fs'
import path from 'node:path'
import { it } from 'vitest'
import { analyzeLocated, locateThenAnalyze, type LocatedFaces, type RgbImage } from '../src/main/ml/analyze'
import { currentBackend, describeBackend } from '../src/main/ml/backend'
import { decodeImage } from '../src/main/ml/decode'
import { ensureMlReady } from '../src/main/ml/runtime'
import { sharedData } from '../src/test/support'
import { record } from './report'

it('per-face nets: one batch per photo vs one face at a time', async () => {
  await ensureMlReady()
  const dir = path.join(sharedData, 'group_photos', 'images')
  const photos: Array<{ img: RgbImage; located: LocatedFaces }> = []
  for (const f of fs.readdirSync(dir).sort()) {
    const img = await decodeImage(path.join(dir, f), { maxSide: 2560 })
    photos.push({ img, located: (await locateThenAnalyze(img, { detector: 'ssd' }, () => true)).located })
  }
  const faces = photos.reduce((n, p) => n + p.located.faces.length, 0)
  const seconds = { batched: [] as number[], single: [] as number[] }
  for (let round = 0; round < 3; round++) {
    for (const mode of round % 2 ? (['single', 'batched'] as const) : (['batched', 'single'] as const)) {
      const t = performance.now()
      for (const p of photos) {
        if (mode === 'batched') await analyzeLocated(p.img, p.located)
        else for (let i = 0; i < p.located.faces.length; i++) await analyzeLocated(p.img, p.located, [i])
      }
      seconds[mode].push(+((performance.now() - t) / 1000).toFixed(2))
    }
  }
  const best = (xs: number[]): number => Math.min(...xs)
  record('import:face-batch', {
    backend: describeBackend(currentBackend()),
    photos: photos.length,
    faces,
    seconds_batched: seconds.batched,
    seconds_single: seconds.single,
    ms_per_face_batched: +((best(seconds.batched) * 1000) / faces).toFixed(1),
    ms_per_face_single: +((best(seconds.single) * 1000) / faces).toFixed(1),
    speedup: +(best(seconds.single) / best(seconds.batched)).toFixed(2)
  })
})
