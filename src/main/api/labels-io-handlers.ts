/**
 * Handlers of Import labels… and Export… (issue 12). The reading, resolving and writing of files runs in an ML
 * worker (worker/labels-io.ts) as a job with progress and cancel (app/labels-io-jobs.ts); the call answers
 * with the queued job.
 */
import { AppError } from '../../shared/result'
import { startExport, startLabelImport } from '../app/labels-io-jobs'
import { facesInScope } from '../labels/face-scope'
import type { Handlers } from './handlers'

type LabelsIo = Pick<Handlers, 'labels.preview' | 'labels.import' | 'export.run'>

export function labelsIoHandlers(): LabelsIo {
  return {
    'labels.preview': (a, ctx) =>
      ctx.worker().request('labels.preview', { projectDir: ctx.requireProject().dir, spec: a }),
    'labels.import': (a, ctx) => {
      const { annotator, ...spec } = a
      return startLabelImport(ctx, spec, annotator).info
    },
    'export.run': (a, ctx) => {
      const db = ctx.requireProject().db
      const faceIds =
        facesInScope(db, {
          personId: a.personId,
          faceIds: a.faceIds,
          folder: a.folder,
          importId: a.importId,
          unlabelledFor: a.unlabelledFor
        }) ?? undefined
      if (faceIds !== undefined && faceIds.length === 0)
        throw new AppError('NOT_FOUND', 'No faces in this scope: nothing to export. Choose another scope or All faces.')
      // A script may want a file with headers only; a person pressing Export on an empty project wants to be told.
      if (faceIds === undefined && db.prepare('SELECT 1 FROM faces LIMIT 1').get() === undefined)
        throw new AppError('NOT_FOUND', 'This project has no faces yet: import photos first. Nothing was written.')
      return startExport(ctx, {
        format: a.format,
        out: a.out,
        tasks: a.tasks,
        feature: a.feature,
        absolutePaths: a.absolutePaths,
        faceIds
      }).info
    }
  }
}
