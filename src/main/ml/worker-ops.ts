import type { Op } from '../jobs/worker-runtime'
import type { BackendInfo } from '../../shared/domain'
import type { AnalyzedAt, ImportFacesParams, ImportFileParams } from '../library/import-file'
import type { TrainParams } from '../models/train-op'
import type { EvaluateParams, PredictParams } from '../models/predict-op'
import type { ClusterOpParams, PreviewOpParams } from '../people/worker-ops'

/** Filled in as features land: each op is one unit of long work the main process can delegate. */
export const workerOps: Record<string, Op> = {
  'backend.info': async (): Promise<Omit<BackendInfo, 'workers' | 'label'> & { detail: string }> => {
    const { initBackend } = await import('./backend')
    const b = await initBackend()
    return { name: b.name, simd: b.simd, threads: b.threads, detail: b.detail }
  },
  'ml.warmup': async () => {
    const { ensureMlReady, warmNets } = await import('./runtime')
    await ensureMlReady()
    await warmNets()
    return null
  },
  'import.file': async (params, ctx) => {
    const { importFile } = await import('../library/import-file')
    return importFile(params as ImportFileParams, ctx.signal)
  },
  'import.faces': async (params, ctx) => {
    const { importFaces } = await import('../library/import-file')
    return importFaces(params as ImportFacesParams, ctx.signal)
  },
  'import.commit': async (params) => {
    const { commitSplit } = await import('../library/import-file')
    return commitSplit(params as { file: string; faces: AnalyzedAt })
  },
  'people.cluster': async (params) => (await import('../people/worker-ops')).clusterOp(params as ClusterOpParams),
  'people.preview': async (params) => (await import('../people/worker-ops')).previewOp(params as PreviewOpParams),
  'train.head': async (params, ctx) => (await import('../models/train-op')).trainTaskOp(params as TrainParams, ctx),
  'predict.task': async (params, ctx) =>
    (await import('../models/predict-op')).predictTaskOp(params as PredictParams, ctx.signal),
  'models.evaluate': async (params) => (await import('../models/predict-op')).evaluateOp(params as EvaluateParams)
}
