import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { timingSafeEqual } from 'node:crypto'
import { pipeline } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppContext } from '../app/context'
import { dispatch } from '../api/dispatch'
import type { Platform } from '../api/handlers'
import { openMedia } from '../library/media-files'

export interface WebServerOptions {
  port: number
  token: string
  rendererDir: string
}

const MAX_BODY_BYTES = 8 * 1024 * 1024
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm'
}

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Only loopback names are accepted in Host, which defeats DNS-rebinding pages that resolve to 127.0.0.1. */
function loopbackHost(host: string | undefined): boolean {
  if (!host) return false
  const name = host.replace(/:\d+$/, '')
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

/**
 * Browsers send Origin on every POST and WebSocket handshake; a page of another origin (another local
 * server, a file:// or sandboxed page with Origin "null") is refused even before the token is checked. No
 * Origin at all means a client that is not a browser (the CLI, tests, curl): it cannot be a page riding on
 * the user's browser, and it still needs the token.
 */
function ownOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(origin)
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing URIError. */
function decodePath(s: string): string | null {
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}

function badRequest(res: http.ServerResponse, message: string): void {
  sendJson(res, 400, { ok: false, error: { code: 'BAD_ARGS', message } })
}

/** The renderer's own CSP (its meta tag), sent as a header too, which can also forbid framing. */
function contentSecurityPolicy(rendererDir: string): string {
  let meta: string | undefined
  try {
    const html = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8')
    meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1]
  } catch {
    meta = undefined
  }
  // A meta CSP cannot carry frame-ancestors; only the header keeps other pages from framing the app.
  return `${(meta ?? "default-src 'self'; object-src 'none'; base-uri 'none'").trim().replace(/;$/, '')}; frame-ancestors 'none'`
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(data)
}

function forbidden(res: http.ServerResponse): void {
  sendJson(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: 'Missing or wrong token.' } })
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The browser-mode bridge: the same services as the Electron main process behind HTTP (calls), a
 * WebSocket (events) and a media route, on loopback only, every data route guarded by a per-launch token.
 */
export function startWebServer(
  ctx: AppContext,
  opts: WebServerOptions
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const platform: Platform = {}
  const root = path.resolve(opts.rendererDir)

  const csp = contentSecurityPolicy(root)
  let port = opts.port

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!loopbackHost(req.headers.host)) {
      res.writeHead(421).end('misdirected request')
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1')
    } catch {
      return badRequest(res, 'Unreadable request URL.')
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end()
        return
      }
      if (!ownOrigin(req.headers.origin, port))
        return sendJson(res, 403, {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the Face Studio page.' }
        })
      if (!tokenMatches(opts.token, req.headers['x-studio-token'] as string | undefined)) return forbidden(res)
      const name = decodePath(url.pathname.slice(5))
      if (name === null) return badRequest(res, 'Malformed percent-encoding in the call name.')
      let args: unknown
      try {
        const body = await readBody(req)
        args = body ? JSON.parse(body) : {}
      } catch (e) {
        return badRequest(res, `Unreadable request: ${(e as Error).message}`)
      }
      sendJson(res, 200, await dispatch(ctx, platform, name, args))
      return
    }
    if (url.pathname.startsWith('/media/')) {
      if (!tokenMatches(opts.token, url.searchParams.get('token'))) return forbidden(res)
      const project = ctx.project
      const media = project ? await openMedia(project, url.pathname.slice(7)) : null
      if (!media) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, {
        'content-type': media.mime,
        'content-length': media.size,
        'cache-control': 'private, max-age=3600',
        'x-content-type-options': 'nosniff'
      })
      // A read that fails once the headers are out can only cut the response short.
      pipeline(media.stream, res, (e) => {
        if (e) res.destroy()
      })
      return
    }
    await serveStatic(root, url.pathname, res, csp)
  }

  // The error boundary of every request: whatever one request does wrong, it answers 500 (or is cut off
  // when its headers were already sent); it never reaches the process, which would end every job with it.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(e) } })
    })
  })

  const wss = new WebSocketServer({ noServer: true })
  const sockets = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    let url: URL | null
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1')
    } catch {
      url = null
    }
    if (
      url?.pathname !== '/events' ||
      !loopbackHost(req.headers.host) ||
      !ownOrigin(req.headers.origin, port) ||
      !tokenMatches(opts.token, url.searchParams.get('token'))
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
    })
  })
  const unsubscribe = ctx.on((event, payload) => {
    const msg = JSON.stringify({ event, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg)
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', () => {
      const address = server.address()
      port = typeof address === 'object' && address ? address.port : opts.port
      resolve({
        url: `http://127.0.0.1:${port}/#token=${opts.token}`,
        port,
        close: () =>
          new Promise<void>((res) => {
            unsubscribe()
            for (const ws of sockets) ws.terminate()
            wss.close()
            server.close(() => res())
            server.closeAllConnections()
          })
      })
    })
  })
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse, csp: string): Promise<void> {
  const decoded = pathname === '/' ? 'index.html' : decodePath(pathname)
  if (decoded === null) return badRequest(res, 'Malformed percent-encoding in the path.')
  const rel = decoded.replace(/^\/+/, '')
  const file = path.resolve(root, rel)
  const stat = file.startsWith(root + path.sep) ? await fs.promises.stat(file).catch(() => null) : null
  if (!stat?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'cache-control': rel === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable'
  })
  pipeline(fs.createReadStream(file), res, (e) => {
    if (e) res.destroy()
  })
}
