/**
 * Import labels… and Export… run here, off the main process's event loop: reading and resolving a big labels
 * file, and gathering and writing an export, take seconds on large projects. The worker only reads the
 * database for these; main writes the resolved labels (annotations are user decisions, main's to write).
 */
import type { LabelImportPreview } from '../../shared/labels-io'
import { previewLabelImport, resolveLabelImport, type ResolvedLabelImport } from '../labels/label-import'
import { runExport, type ExportSummary } from '../library/export'
import { projectDb } from './db'
import type { OpParsed } from './protocol'

export function previewOp(p: OpParsed<'labels.preview'>): LabelImportPreview {
  return previewLabelImport(projectDb(p.projectDir), p.spec)
}

export function resolveOp(p: OpParsed<'labels.resolve'>): ResolvedLabelImport {
  return resolveLabelImport(projectDb(p.projectDir), p.spec)
}

export function exportOp(p: OpParsed<'export.write'>): ExportSummary {
  return runExport(projectDb(p.projectDir), p.spec, { appVersion: p.appVersion })
}
