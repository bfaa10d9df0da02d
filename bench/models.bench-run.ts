import { it } from 'vitest'
import { benchRepredict, benchTraining } from '../src/main/worker/bench'
import { record } from './report'

it('training 1k / 10k annotations and re-predicting 100k faces (issue 5)', async () => {
  for (const n of [1000, 10_000]) record(`train:${n}`, { ...(await benchTraining(n)) })
  record('repredict:100k', { ...(await benchRepredict(100_000)) })
})
