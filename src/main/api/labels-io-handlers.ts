/**
 * Handlers of Import labels… and Export… (issue 12). The reading, resolving and writing of files runs in an ML
 * worker (worker/labels-io.ts) as a job with progress and cancel (app/labels-io-jobs.ts); the call answers
 * with the queued job.
 */
import { startExport, startLabelImport } from '../app/labels-io-jobs'
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
      const project = ctx.requireProject()
      const faceIds =
        a.personId !== undefined
          ? (project.db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck().all(a.personId) as number[])
          : a.faceIds
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
