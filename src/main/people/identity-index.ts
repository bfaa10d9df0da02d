import fs from 'node:fs'
import path from 'node:path'
import { addToIndex, createIndex, toKeys, type VectorIndex } from '../analysis/knn'

/**
 * The project's persisted HNSW index of identity descriptors, keyed by face id: `index/identity.usearch` plus
 * `index/identity.keys` (per face: id and a hash of its descriptor, so the worker can tell which faces the file
 * holds without asking the index). Loaded and brought up to date before each clustering run; rebuilt from the
 * database when missing, unreadable or of another dimension. Only the worker loads it (native module).
 */
export const INDEX_DIR = 'index'
const INDEX_FILE = 'identity.usearch'
const KEYS_FILE = 'identity.keys'

export interface IndexedFace {
  id: number
  descriptor: Float32Array
}

export interface SyncedIndex {
  index: VectorIndex
  /** How the file was brought up to date. */
  state: 'loaded' | 'updated' | 'rebuilt'
  added: number
  removed: number
}

/** FNV-1a over the descriptor's bytes: a changed vector under a known id is re-added. */
export function descriptorHash(v: Float32Array): number {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  return h >>> 0
}

function readKeys(file: string): Map<number, number> | null {
  if (!fs.existsSync(file)) return null
  const buf = fs.readFileSync(file)
  if (buf.byteLength % 8 !== 0) return null
  const words = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
  const out = new Map<number, number>()
  for (let i = 0; i < words.length; i += 2) out.set(words[i] as number, words[i + 1] as number)
  return out
}

/**
 * Loads the project's index and makes it hold exactly `faces` (adding new faces, removing deleted or changed
 * ones), or builds it from scratch; then saves it. Returns the index ready for search.
 */
export function syncIdentityIndex(projectDir: string, faces: readonly IndexedFace[]): SyncedIndex {
  const dir = path.join(projectDir, INDEX_DIR)
  const indexFile = path.join(dir, INDEX_FILE)
  const keysFile = path.join(dir, KEYS_FILE)
  const dim = faces.length > 0 ? (faces[0] as IndexedFace).descriptor.length : 128
  const hashes = faces.map((f) => descriptorHash(f.descriptor))

  let index: VectorIndex | null = null
  let known = readKeys(keysFile)
  if (known && fs.existsSync(indexFile)) {
    try {
      index = createIndex(dim)
      index.load(indexFile)
      if (index.size() !== known.size) index = null
    } catch {
      index = null
    }
  }
  let state: SyncedIndex['state'] = 'loaded'
  let added = 0
  let removed = 0
  if (!index || !known) {
    index = createIndex(dim)
    addToIndex(
      index,
      faces.map((f) => f.id),
      faces.map((f) => f.descriptor)
    )
    state = 'rebuilt'
    added = faces.length
    known = null
  } else {
    const wanted = new Map<number, number>()
    faces.forEach((f, i) => wanted.set(f.id, hashes[i] as number))
    const gone: number[] = []
    for (const [id, h] of known) if (wanted.get(id) !== h) gone.push(id)
    if (gone.length > 0) index.remove(toKeys(gone))
    const fresh = faces.filter((f, i) => known?.get(f.id) !== hashes[i])
    addToIndex(
      index,
      fresh.map((f) => f.id),
      fresh.map((f) => f.descriptor)
    )
    added = fresh.length
    removed = gone.length
    if (added + removed > 0) state = 'updated'
  }
  if (state !== 'loaded') save(index, dir, indexFile, keysFile, faces, hashes)
  return { index, state, added, removed }
}

// Written to temporary names and renamed, so a crash mid-save leaves the previous pair (or none) and never a
// keys file that describes another index.
function save(
  index: VectorIndex,
  dir: string,
  indexFile: string,
  keysFile: string,
  faces: readonly IndexedFace[],
  hashes: readonly number[]
): void {
  fs.mkdirSync(dir, { recursive: true })
  const words = new Uint32Array(faces.length * 2)
  faces.forEach((f, i) => {
    words[2 * i] = f.id
    words[2 * i + 1] = hashes[i] as number
  })
  fs.rmSync(keysFile, { force: true })
  index.save(`${indexFile}.tmp`)
  fs.renameSync(`${indexFile}.tmp`, indexFile)
  fs.writeFileSync(`${keysFile}.tmp`, Buffer.from(words.buffer))
  fs.renameSync(`${keysFile}.tmp`, keysFile)
}
