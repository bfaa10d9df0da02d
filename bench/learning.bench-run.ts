import path from 'node:path'
import { it } from 'vitest'
import { benchFit, benchRepredict } from '../src/main/worker/bench'
import { record } from './report'

it('training 10k annotations with capacity search + 5-head ensemble + calibration; predicting 100k with 5 heads (issue 11)', async () => {
  record('fit:10000', { ...(await benchFit(10_000)) })
  record('fit:10000:mirrored', { ...(await benchFit(10_000, { mirrored: true })) })
  // The same fits with the helper thread the app gives a fit on a single-threaded backend (built by npm run bench).
  const threadScript = path.resolve('out/main/head-thread.js')
  record('fit:10000:threads', { ...(await benchFit(10_000, { threadScript })) })
  record('fit:10000:mirrored:threads', { ...(await benchFit(10_000, { mirrored: true, threadScript })) })
  // Not the default (it cost accuracy on FER+): one view per face per epoch.
  record('fit:10000:mirrored:threads:one-view', {
    ...(await benchFit(10_000, { mirrored: true, threadScript, sampleViews: true }))
  })
  record('repredict:100k:5x128', { ...(await benchRepredict(100_000, { hidden: 640 })) })
  record('repredict:100k:5x128:2views', { ...(await benchRepredict(100_000, { hidden: 640, mirrored: true })) })
})
