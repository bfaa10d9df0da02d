/**
 * Import labels… and Export… run here, off the main process's event loop: reading and resolving a big labels
 * file, and gathering and writing an export, take seconds on large projects. The worker only reads the
 * database for these; main writes the resolved labels (annotations are user decisions, main's to write).
 *
 * A cancel message is only read between synchronous stretches, so each op yields to the event loop and checks
 * its signal before its point of no return (handing the values back; writing the export), and resolving a
 * labels file also every few thousand rows (label-columns.ts ROWS_PER_STEP): a cancel during a big file takes
 * effect within a step and leaves nothing behind.
 */
import { setImmediate as yieldLoop } from 'node:timers/promises'
import { AppError } from '../../shared/result'
import type { LabelImportPreview } from '../../shared/labels-io'
import { resolveColumns } from '../labels/label-columns'
import { labelImportSource, previewLabelImport, resolvedImport, type ResolvedLabelImport } from '../labels/label-import'
import { planExport, type ExportSummary } from '../library/export'
import { writeExportFiles } from '../library/export-files'
import { projectDb } from './db'
import type { LabelsIoProgress, OpParsed } from './protocol'
import type { OpContext } from './runtime'

async function checkpoint(signal: AbortSignal, what: string): Promise<void> {
  await yieldLoop()
  if (signal.aborted) throw new AppError('CANCELLED', `Cancelled: ${what}`)
}

export function previewOp(p: OpParsed<'labels.preview'>): LabelImportPreview {
  return previewLabelImport(projectDb(p.projectDir), p.spec)
}

export async function resolveOp(
  p: OpParsed<'labels.resolve'>,
  ctx: OpContext<LabelsIoProgress>
): Promise<ResolvedLabelImport> {
  ctx.progress({ done: 0, total: 0, message: 'Reading the labels file…' })
  await checkpoint(ctx.signal, 'no labels were written.')
  const db = projectDb(p.projectDir)
  const source = labelImportSource(db, p.spec)
  await checkpoint(ctx.signal, 'no labels were written.')
  const steps = resolveColumns(db, source.src)
  let step = steps.next()
  while (!step.done) {
    const { done, total, column } = step.value
    ctx.progress({ done, total, message: `Resolving "${column}": ${done} of ${total} rows` })
    await checkpoint(ctx.signal, 'no labels were written.')
    step = steps.next()
  }
  const r = resolvedImport(db, source, step.value.columns)
  const rows = step.value.columns.reduce((n, c) => n + c.applied + c.unmatched + c.invalid + c.duplicates + c.empty, 0)
  const faces = r.columns.reduce((n, c) => n + c.values.length, 0)
  ctx.progress({ done: rows, total: rows, message: `${rows} rows resolved, ${faces} labels to write` })
  await checkpoint(ctx.signal, 'no labels were written.')
  return r
}

export async function exportOp(p: OpParsed<'export.write'>, ctx: OpContext<LabelsIoProgress>): Promise<ExportSummary> {
  ctx.progress({ done: 0, total: 0, message: 'Gathering faces…' })
  await checkpoint(ctx.signal, 'no export file was written.')
  const plan = planExport(projectDb(p.projectDir), p.spec, { appVersion: p.appVersion })
  const n = plan.summary.faces
  ctx.progress({ done: 0, total: n, message: `Writing ${n} faces…` })
  await checkpoint(ctx.signal, 'no export file was written.')
  const files = writeExportFiles(plan.files)
  ctx.progress({ done: n, total: n, message: `${n} faces written` })
  return { ...plan.summary, files }
}
