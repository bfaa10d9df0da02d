import { it } from 'vitest'
import { benchFit, benchRepredict } from '../src/main/worker/bench'
import { record } from './report'

it('training 10k annotations with capacity search + 5-head ensemble + calibration; predicting 100k with 5 heads (issue 11)', async () => {
  record('fit:10000', { ...(await benchFit(10_000)) })
  record('fit:10000:mirrored', { ...(await benchFit(10_000, { mirrored: true })) })
  record('repredict:100k:5x128', { ...(await benchRepredict(100_000, { hidden: 640 })) })
  record('repredict:100k:5x128:2views', { ...(await benchRepredict(100_000, { hidden: 640, mirrored: true })) })
})
