import { it } from 'vitest'
import { benchRepredict, benchTraining } from '../src/main/worker/bench'
import { runClusterBench } from '../src/main/analysis/cluster-bench'
import { peakRssMiB, record } from './report'

it('training 1k / 10k annotations and re-predicting 100k faces (issue 5)', async () => {
  for (const n of [1000, 10_000]) record(`train:${n}`, { ...(await benchTraining(n)) })
  record('repredict:100k', { ...(await benchRepredict(100_000)) })
})

it('clustering synthetic descriptors (issue 4)', () => {
  for (const n of [10_000, 100_000]) {
    const r = runClusterBench(n)
    record(`cluster:${n}`, { ...r, peak_rss_mib: peakRssMiB(process.pid) })
  }
})
