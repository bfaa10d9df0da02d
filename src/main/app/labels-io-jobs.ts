/**
 * Import labels… and Export… from the window as jobs (progress bar, Cancel): the worker resolves the file or
 * writes the export (worker/labels-io.ts); main writes the resolved labels in one transaction as one undo step.
 * Commit points: an import writes nothing before its transaction, so a cancel before it leaves no label; an
 * export renames its temporary file at the very end, so a cancel before that leaves no file.
 */
import path from 'node:path'
import { plural } from '../../shared/format'
import { AppError } from '../../shared/result'
import { checkExportTarget } from '../library/export-files'
import { writeLabelImport, type LabelImportSpec } from '../labels/label-import'
import { getTask } from '../labels/tasks'
import type { SubmittedJob } from '../jobs/queue'
import type { OpParams } from '../worker/protocol'
import type { AppContext } from './context'

export function startLabelImport(
  ctx: AppContext,
  spec: LabelImportSpec,
  annotator: string | undefined
): SubmittedJob<'labels-import'> {
  const project = ctx.requireProject()
  // An unknown task is the call's error (NOT_FOUND), not a failed job; new tasks are checked by the worker.
  const names =
    spec.columns !== undefined
      ? spec.columns.map((c) => (c.task !== undefined ? getTask(project.db, c.task).name : (c.newTask?.name ?? '')))
      : spec.task !== undefined
        ? [getTask(project.db, spec.task).name]
        : []
  if (names.length === 0) throw new AppError('BAD_ARGS', 'Choose at least one label column to import.', 'columns')
  return ctx.jobs.submit(
    { kind: 'labels-import', task: names.join(', '), title: `Import labels (${names.join(', ')})` },
    async (job) => {
      const resolved = await ctx
        .worker()
        .request(
          'labels.resolve',
          { projectDir: project.dir, spec },
          { signal: job.signal, onProgress: (m) => job.progress(m) }
        )
      // The worker may have answered just as the cancel came: nothing is written yet, so it still cancels.
      if (job.signal.aborted) throw new AppError('CANCELLED', 'Cancelled: no labels were written.')
      const r = writeLabelImport(project.db, resolved, annotator ?? ctx.annotator)
      const created = r.columns.some((c) => c.created)
      if (r.applied > 0) ctx.emit('data.changed', { what: created ? ['annotations', 'tasks'] : ['annotations'] })
      const n = resolved.columns.reduce((s, c) => s + c.values.length, 0)
      job.progress({
        done: n,
        total: n,
        message: resolved.single
          ? `${r.applied} faces labelled`
          : `${r.applied} labels in ${plural(r.columns.length, 'task')}`
      })
      return r
    }
  )
}

export function startExport(ctx: AppContext, spec: OpParams<'export.write'>['spec']): SubmittedJob<'export'> {
  const project = ctx.requireProject()
  // What the worker would refuse at once is refused here, as the call's error rather than a failed job.
  checkExportTarget(path.resolve(spec.out))
  for (const t of spec.tasks ?? []) getTask(project.db, t)
  return ctx.jobs.submit({ kind: 'export', task: null, title: `Export ${spec.format}` }, (job) =>
    ctx
      .worker()
      .request(
        'export.write',
        { projectDir: project.dir, appVersion: ctx.opts.version, spec },
        { signal: job.signal, onProgress: (m) => job.progress(m) }
      )
  )
}
