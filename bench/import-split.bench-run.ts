/**
 * What spreading a many-face photo's faces over the workers buys (ImportOptions.splitFaces): the same
 * import with and without it, alternating, on warm workers — all group photos, and the 28-face one alone.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, it } from 'vitest'
import { startImport } from '../src/main/app/import-job'
import { sharedData, tempDir, testContext } from '../src/test/support'
import type { AppContext } from '../src/main/app/context'
import { record } from './report'

const images = path.join(sharedData, 'group_photos', 'images')
const contexts: AppContext[] = []
afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

it('import with and without splitting many-face photos across workers (issue 3)', async () => {
  const ctx = testContext()
  contexts.push(ctx)
  ctx.createProject(path.join(tempDir('split-bench'), 'p'))
  const backend = (await ctx.backend()).label
  await ctx.workers.warmUp()
  for (const [name, files] of [
    ['group_photos (10 photos, 81 faces)', fs.readdirSync(images)],
    ['solvay1927.jpg alone (28 faces)', ['solvay1927.jpg']]
  ] as const) {
    const folder = tempDir('split-bench-photos')
    for (const f of files) fs.symlinkSync(path.join(images, f), path.join(folder, f))
    const seconds: Record<'split' | 'whole', number[]> = { split: [], whole: [] }
    for (let k = 0; k < 4; k++) {
      for (const split of k % 2 ? [true, false] : [false, true]) {
        ctx.createProject(path.join(tempDir('split-bench'), 'p'))
        const t = performance.now()
        await startImport(ctx, { folder, crops: false, detector: 'ssd', splitFaces: split }).done
        seconds[split ? 'split' : 'whole'].push(+((performance.now() - t) / 1000).toFixed(2))
        while (ctx.jobs.busy) await new Promise((r) => setTimeout(r, 20))
      }
    }
    record('import:split', {
      set: name,
      backend,
      workers: ctx.workers.size,
      seconds_split: seconds.split,
      seconds_whole: seconds.whole,
      median_split: median(seconds.split),
      median_whole: median(seconds.whole),
      speedup: +(median(seconds.whole) / median(seconds.split)).toFixed(2)
    })
  }
})
