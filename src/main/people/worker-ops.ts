/** The people ops that run inside the ML worker: clustering reads the project database there, read only. */
import path from 'node:path'
import type { ClusterPreviewRow } from '../../shared/domain'
import { openDatabase } from '../db/open'
import { DB_FILE } from '../project/project'
import { computeClusterPlan, computePreview, type ClusterMode, type ClusterPlan } from './clustering'

export interface ClusterOpParams {
  projectDir: string
  threshold: number
  mode: ClusterMode
}

export interface PreviewOpParams {
  projectDir: string
  thresholds: number[]
}

function withDb<T>(dir: string, fn: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(path.join(dir, DB_FILE), { create: false, readonly: true })
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

export function clusterOp(p: ClusterOpParams): ClusterPlan {
  return withDb(p.projectDir, (db) => computeClusterPlan(db, { threshold: p.threshold, mode: p.mode }))
}

export function previewOp(p: PreviewOpParams): ClusterPreviewRow[] {
  return withDb(p.projectDir, (db) => computePreview(db, p.thresholds))
}
