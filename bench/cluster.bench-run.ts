import os from 'node:os'
import { it } from 'vitest'
import { runAssignBench, runClusterBench, runClusterPhases } from '../src/main/analysis/cluster-bench'
import { peakRssMiB, record } from './report'

const load = (): string => (os.loadavg()[0] ?? 0).toFixed(1)

it('clustering synthetic descriptors (issues 4, 13)', () => {
  for (const n of [10_000, 100_000]) {
    const loadBefore = load()
    const r = runClusterBench(n)
    record(`cluster:${n}`, { ...r, index: 'usearch HNSW', load_avg: loadBefore, peak_rss_mib: peakRssMiB(process.pid) })
  }
})

it('incremental assignment of new faces to existing persons (issue 13)', () => {
  const loadBefore = load()
  const r = runAssignBench(100_000, 10_000)
  record('cluster:assign', { ...r, index: 'usearch HNSW', load_avg: loadBefore, peak_rss_mib: peakRssMiB(process.pid) })
})

it('where clustering time goes at 100k (issue 13)', () => {
  const loadBefore = load()
  record('cluster:phases', { ...runClusterPhases(100_000), index: 'usearch HNSW', load_avg: loadBefore })
})
