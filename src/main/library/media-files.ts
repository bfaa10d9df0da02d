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
