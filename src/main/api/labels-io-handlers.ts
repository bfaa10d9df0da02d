/**
 * Handlers of Import labels… and Export… (issue 12). The reading, resolving and writing of files runs in an ML
 * worker (worker/labels-io.ts), so a big file never blocks the window; main writes the resolved labels in one
 * transaction as one undoable step.
 */
import { writeLabelImport } from '../labels/label-import'
import type { Handlers } from './handlers'

type LabelsIo = Pick<Handlers, 'labels.preview' | 'labels.import' | 'export.run'>

export function labelsIoHandlers(): LabelsIo {
  return {
    'labels.preview': (a, ctx) =>
      ctx.worker().request('labels.preview', { projectDir: ctx.requireProject().dir, spec: a }),
    'labels.import': async (a, ctx) => {
      const { annotator, ...spec } = a
      const project = ctx.requireProject()
      const resolved = await ctx.worker().request('labels.resolve', { projectDir: project.dir, spec })
      const r = writeLabelImport(project.db, resolved, annotator ?? ctx.annotator)
      if (r.applied > 0) ctx.emit('data.changed', { what: ['annotations'] })
      return r
    },
    'export.run': (a, ctx) => {
      const project = ctx.requireProject()
      const faceIds =
        a.personId !== undefined
          ? (project.db.prepare('SELECT id FROM faces WHERE person_id = ?').pluck().all(a.personId) as number[])
          : a.faceIds
      return ctx.worker().request('export.write', {
        projectDir: project.dir,
        appVersion: ctx.opts.version,
        spec: {
          format: a.format,
          out: a.out,
          tasks: a.tasks,
          feature: a.feature,
          absolutePaths: a.absolutePaths,
          faceIds
        }
      })
    }
  }
}
