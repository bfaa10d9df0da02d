/** Handlers of Import labels… and Export… (issue 12): thin over labels/label-import.ts and library/export.ts. */
import type { AppContext } from '../app/context'
import { applyLabelImport, previewLabelImport } from '../labels/label-import'
import { runExport } from '../library/export'
import type { Handlers } from './handlers'

type LabelsIo = Pick<Handlers, 'labels.preview' | 'labels.import' | 'export.run'>

export function labelsIoHandlers(): LabelsIo {
  return {
    'labels.preview': (a, ctx) => previewLabelImport(ctx.requireProject().db, a),
    'labels.import': (a, ctx: AppContext) => {
      const { annotator, ...spec } = a
      const r = applyLabelImport(ctx.requireProject().db, spec, annotator ?? ctx.annotator)
      if (r.applied > 0) ctx.emit('data.changed', { what: ['annotations'] })
      return r
    },
    'export.run': (a, ctx) => {
      const db = ctx.requireProject().db
      const faceIds =
        a.personId !== undefined
          ? (db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck().all(a.personId) as number[])
          : a.faceIds
      return runExport(
        db,
        {
          format: a.format,
          out: a.out,
          tasks: a.tasks,
          feature: a.feature,
          absolutePaths: a.absolutePaths,
          faceIds
        },
        { appVersion: ctx.opts.version }
      )
    }
  }
}
