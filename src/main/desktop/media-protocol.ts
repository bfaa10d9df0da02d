import { Readable } from 'node:stream'
import type { Project } from '../project/project'
import { openMedia } from '../library/media-files'

/**
 * The studio-media: protocol's answer for `url` ("studio-media://thumb/12"): the file streamed from disk
 * (the main process never waits on a read), or a plain 404 for anything the open project does not serve.
 */
export async function mediaResponse(project: Project | null, url: string): Promise<Response> {
  let ref: string
  try {
    const u = new URL(url)
    ref = `${u.hostname}${u.pathname}`
  } catch {
    ref = ''
  }
  const media = project && ref ? await openMedia(project, ref) : null
  if (!media) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } })
  return new Response(Readable.toWeb(media.stream) as ReadableStream<Uint8Array>, {
    headers: { 'content-type': media.mime, 'content-length': String(media.size) }
  })
}
