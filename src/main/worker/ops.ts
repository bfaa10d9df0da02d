/**
 * The worker's implementation of every op in protocol.ts (the compiler checks the map is complete and each
 * handler's params, result and progress). Heavy modules load on first use, so a worker answers
 * `backend.info` without loading the face models.
 */
import type { OpHandlers } from './runtime'

export const ops: OpHandlers = {
  'backend.info': async () => {
    const { initBackend } = await import('../ml/backend')
    const b = await initBackend()
    return { name: b.name, simd: b.simd, threads: b.threads, detail: b.detail }
  },
  'ml.warmup': async () => {
    const { ensureMlReady, warmNets } = await import('../ml/runtime')
    await ensureMlReady()
    await warmNets()
    return null
  },
  'import.file': async (p, ctx) => (await import('./import-file')).importFile(p, ctx.signal),
  'import.faces': async (p, ctx) => (await import('./import-file')).importFaces(p, ctx.signal),
  'import.commit': async (p) => (await import('./import-file')).commitSplit(p),
  'import.errors': async (p) => (await import('./import-file')).recordErrors(p),
  'features.augment': async (p, ctx) => (await import('./augment')).augmentOp(p, ctx),
  'people.cluster': async (p) => (await import('./cluster')).clusterOp(p),
  'people.preview': async (p) => (await import('./cluster')).previewOp(p),
  'train.head': async (p, ctx) => (await import('./train')).trainTaskOp(p, ctx),
  'labels.errors': async (p, ctx) => (await import('./label-errors')).labelErrorsOp(p, ctx),
  'map.project': async (p, ctx) => (await import('./projection')).projectionOp(p, ctx),
  'predict.task': async (p, ctx) => (await import('./predict')).predictTaskOp(p, ctx),
  'models.evaluate': async (p) => (await import('./predict')).evaluateOp(p),
  'labels.preview': async (p) => (await import('./labels-io')).previewOp(p),
  'labels.resolve': async (p, ctx) => (await import('./labels-io')).resolveOp(p, ctx),
  'export.write': async (p, ctx) => (await import('./labels-io')).exportOp(p, ctx),
  'teams.merge': async (p) => {
    const [{ mergeProject }, { projectDb }] = await Promise.all([import('../teams/merge'), import('./db')])
    return mergeProject(projectDb(p.projectDir), p.projectDir, p.from)
  },
  'models.learningCurve': async (p, ctx) => (await import('./curve')).learningCurveOp(p, ctx),
  'models.calibrate': async (p) => (await import('./predict')).calibrateOp(p)
}
