import type { Op } from '../jobs/worker-runtime'
import type { BackendInfo } from '../../shared/domain'
import type { ImportFileParams } from '../library/import-file'

/** Filled in as features land: each op is one unit of long work the main process can delegate. */
export const workerOps: Record<string, Op> = {
  'backend.info': async (): Promise<Omit<BackendInfo, 'workers' | 'label'> & { detail: string }> => {
    const { initBackend } = await import('./backend')
    const b = await initBackend()
    return { name: b.name, simd: b.simd, threads: b.threads, detail: b.detail }
  },
  'import.file': async (params, ctx) => {
    const { importFile } = await import('../library/import-file')
    return importFile(params as ImportFileParams, ctx.signal)
  }
}
