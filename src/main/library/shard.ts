/**
 * `import --shard i/N` (issue 14, docs/scale.md): a stable 1/N of a folder's files, chosen by a hash of each
 * file's path relative to the folder (with forward slashes), so every machine of a cluster computes the same
 * split whatever the mount point or OS, and shards never overlap.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { AppError } from '../../shared/result'

export interface Shard {
  /** 1-based. */
  index: number
  count: number
}

export function parseShard(raw: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(raw.trim())
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || count < 1 || index < 1 || index > count)
    throw new AppError('BAD_ARGS', `A shard is i/N with 1 ≤ i ≤ N (e.g. 2/8), not "${raw}".`, 'shard')
  return { index, count }
}

export function shardOf(root: string, file: string, count: number): number {
  const rel = path.relative(root, file).split(path.sep).join('/')
  return (createHash('sha256').update(rel).digest().readUInt32BE(0) % count) + 1
}

export function inShard(root: string, file: string, shard: Shard | undefined): boolean {
  return !shard || shard.count === 1 || shardOf(root, file, shard.count) === shard.index
}
