import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The one page the desktop window shows: the built renderer (file://…/out/renderer/index.html), or in
 * development the dev server at ELECTRON_RENDERER_URL, which a packaged app ignores so an inherited
 * environment variable can never point the window (and its IPC rights) at another server.
 */
export interface AppPage {
  readonly devUrl: string | null
  readonly rendererIndex: string
  /** Whether a frame or request at `url` is this page (any hash or query). */
  isAppUrl(url: string): boolean
  /** Whether a requesting origin (permission checks) is this page's. */
  isAppOrigin(origin: string): boolean
}

export function appPage(opts: { packaged: boolean; devUrl: string | undefined; rendererIndex: string }): AppPage {
  const devOrigin = !opts.packaged && opts.devUrl ? originOf(opts.devUrl) : null
  const rendererIndex = path.resolve(opts.rendererIndex)
  return {
    devUrl: devOrigin ? (opts.devUrl ?? null) : null,
    rendererIndex,
    isAppUrl(url) {
      let u: URL
      try {
        u = new URL(url)
      } catch {
        return false
      }
      if (devOrigin) return u.origin === devOrigin
      if (u.protocol !== 'file:' || u.host !== '') return false
      u.hash = ''
      u.search = ''
      return path.resolve(fileURLToPath(u)) === rendererIndex
    },
    isAppOrigin(origin) {
      if (devOrigin) return origin === devOrigin
      return origin === 'file://' || origin === 'file:///'
    }
  }
}

function originOf(url: string): string | null {
  try {
    const o = new URL(url).origin
    return o === 'null' ? null : o
  } catch {
    return null
  }
}
