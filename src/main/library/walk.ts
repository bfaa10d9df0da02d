import type { Dirent } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'

/** Extensions tried as images; other files (labels.csv, README.md…) are counted as ignored, not as errors. */
export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
  '.bmp'
])

export interface WalkResult {
  files: string[]
  ignored: number
  errors: Array<{ path: string; error: string }>
}

function isValidUtf8Name(raw: Buffer): boolean {
  return Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)
}

/**
 * Lists image files under `root`, recursively and in a stable order. Symlinked folders are followed once
 * (by real path), so a symlink loop ends instead of recursing forever; unreadable folders and names that
 * are not valid UTF-8 become per-path errors.
 */
export async function walkImages(root: string, signal?: AbortSignal): Promise<WalkResult> {
  const out: WalkResult = { files: [], ignored: 0, errors: [] }
  const seen = new Set<string>()
  const visit = async (dir: string): Promise<void> => {
    if (signal?.aborted) return
    let real: string
    try {
      real = await fs.realpath(dir)
    } catch (e) {
      out.errors.push({ path: dir, error: `Cannot resolve this folder: ${(e as Error).message}` })
      return
    }
    if (seen.has(real)) {
      if (dir !== real)
        out.errors.push({ path: dir, error: 'Symlink loop: this folder links back to one already imported; skipped.' })
      return
    }
    seen.add(real)
    let entries: Array<Dirent<Buffer>>
    try {
      entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' })
    } catch (e) {
      out.errors.push({
        path: dir,
        error: `Cannot read this folder (${(e as NodeJS.ErrnoException).code ?? 'error'}); check its permissions.`
      })
      return
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name))
    for (const entry of entries) {
      const name = entry.name.toString('utf8')
      const full = path.join(dir, name)
      if (!isValidUtf8Name(entry.name)) {
        out.errors.push({ path: full, error: 'The file name is not valid UTF-8; rename it to import it.' })
        continue
      }
      if (name.startsWith('.')) continue
      let kind: 'dir' | 'file' | 'other' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other'
      if (entry.isSymbolicLink()) {
        try {
          const st = await fs.stat(full)
          kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other'
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code
          out.errors.push({
            path: full,
            error:
              code === 'ELOOP' ? 'Symlink loop: the link points back at itself.' : `Broken link (${code ?? 'error'}).`
          })
          continue
        }
      }
      if (kind === 'dir') await visit(full)
      else if (kind === 'file') {
        if (IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())) out.files.push(full)
        else out.ignored++
      }
    }
  }
  await visit(path.resolve(root))
  return out
}
