import fs from 'node:fs'
import path from 'node:path'
import { parseMediaRef } from '../../shared/media'
import type { Project } from '../project/project'

/**
 * Maps a media reference to a file on disk, or null. Only thumbnails inside the project's thumbs/ folder
 * and photos recorded in its database are ever served, whatever the renderer asks for.
 */
export function resolveMedia(project: Project, ref: string): { file: string; mime: string } | null {
  const parsed = parseMediaRef(ref)
  if (!parsed) return null
  if (parsed.kind === 'thumb') {
    const thumb = project.db.prepare('SELECT thumb FROM faces WHERE id = ?').pluck().get(parsed.id) as
      string | null | undefined
    if (!thumb) return null
    const file = path.resolve(project.thumbsDir, thumb)
    if (!file.startsWith(project.thumbsDir + path.sep)) return null
    return { file, mime: 'image/jpeg' }
  }
  // Photos are served as the upright JPEG preview written at import: browsers cannot show every format
  // sharp reads (TIFF, HEIF) and would ignore EXIF orientation in some.
  const preview = project.db
    .prepare(`SELECT preview FROM images WHERE id = ? AND status = 'ok'`)
    .pluck()
    .get(parsed.id) as string | null | undefined
  if (!preview) return null
  const file = path.resolve(project.thumbsDir, preview)
  if (!file.startsWith(project.thumbsDir + path.sep)) return null
  return { file, mime: 'image/jpeg' }
}

export interface OpenedMedia {
  stream: fs.ReadStream
  size: number
  mime: string
}

/**
 * Opens what `resolveMedia` names, without blocking: null when it is missing, not a regular file (a folder,
 * a FIFO) or, through a symbolic link, outside the project's thumbs/ folder, so every transport can answer
 * 404 before it has sent anything. Read errors after this surface on the stream, which the transport ends.
 */
export async function openMedia(project: Project, ref: string): Promise<OpenedMedia | null> {
  const media = resolveMedia(project, ref)
  if (!media) return null
  try {
    const [file, root] = await Promise.all([fs.promises.realpath(media.file), fs.promises.realpath(project.thumbsDir)])
    if (!file.startsWith(root + path.sep)) return null
    // stat before open: opening a FIFO would wait for a writer.
    if (!(await fs.promises.stat(file)).isFile()) return null
    const handle = await fs.promises.open(file, 'r')
    const stat = await handle.stat().catch(async (e: unknown) => {
      await handle.close()
      throw e
    })
    if (!stat.isFile()) {
      await handle.close()
      return null
    }
    return { stream: handle.createReadStream(), size: stat.size, mime: media.mime }
  } catch {
    return null
  }
}
