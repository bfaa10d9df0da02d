import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import WebSocket from 'ws'
import type { AppContext } from '../app/context'
import { startWebServer } from './server'
import { insertCropFaces, tempDir, testContext } from '../../test/support'

let ctx: AppContext
let server: Awaited<ReturnType<typeof startWebServer>>
const token = 'test-token-0123456789abcdef'
let base: string
const META_CSP = "default-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'"

// In the bridge process an error escaping a request handler is uncaught and ends the server with every
// job; Vitest would catch it, so it is recorded here and fails the test that caused it.
const escaped: unknown[] = []
const onUncaught = (e: unknown): void => {
  escaped.push(e)
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught)
  ctx = testContext()
  const renderer = tempDir('renderer')
  fs.writeFileSync(
    path.join(renderer, 'index.html'),
    `<!doctype html><meta\n  http-equiv="Content-Security-Policy"\n  content="${META_CSP}"\n/><title>Face Studio</title>`
  )
  server = await startWebServer(ctx, { port: 0, token, rendererDir: renderer })
  base = `http://127.0.0.1:${server.port}`
})

afterAll(async () => {
  process.off('uncaughtException', onUncaught)
  await server.close()
  await ctx.dispose()
})

/** A request with exactly these headers (fetch would add or refuse some, such as Origin). */
function raw(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, method, headers }, (res) => {
      let data = ''
      res.on('data', (d: Buffer) => (data += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }))
      res.on('error', reject)
    })
    req.on('error', reject)
    // A request the server never answers (it crashed on it) fails here instead of at the test timeout.
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${method} ${pathname}`)))
    req.end(body)
  })
}

/** What a WebSocket handshake to /events gets: 'open' or the refusing HTTP status. */
function socketOutcome(query: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events${query}`, origin ? { origin } : {})
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.on('open', () => {
      ws.close()
      resolve('open')
    })
    ws.on('error', () => resolve('error'))
  })
}

/** The bridge answers the next call, and nothing escaped the requests before it (which would end it). */
async function stillAnswers(): Promise<void> {
  const r = await post('project.current', {}, { 'x-studio-token': token })
  expect(r.status).toBe(200)
  expect(((await r.json()) as { ok: boolean }).ok).toBe(true)
  expect(escaped.splice(0).map(String), 'an error escaped a request').toEqual([])
}

function post(name: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body)
  })
}

describe('web bridge', () => {
  it('prints a loopback URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${token}`)
  })

  it('refuses API calls without the token or with a wrong one (403)', async () => {
    expect((await post('project.current', {})).status).toBe(403)
    expect((await post('project.current', {}, { 'x-studio-token': 'wrong-token-0123456789abcd' })).status).toBe(403)
  })

  it('answers calls with the token, through the same contract as IPC', async () => {
    const r = await post('project.create', { dir: path.join(tempDir('web'), 'p') }, { 'x-studio-token': token })
    expect(r.status).toBe(200)
    const reply = (await r.json()) as { ok: boolean; value: { counts: { tasks: number } } }
    expect(reply.ok).toBe(true)
    expect(reply.value.counts.tasks).toBe(3)
  })

  it('validates arguments and names the failing one', async () => {
    const reply = (await (await post('project.open', { dir: 42 }, { 'x-studio-token': token })).json()) as {
      ok: boolean
      error: { code: string; path: string }
    }
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_ARGS', path: 'dir' } })
    const unknown = (await (await post('nope.nothing', {}, { 'x-studio-token': token })).json()) as {
      error: { code: string }
    }
    expect(unknown.error.code).toBe('UNKNOWN_CALL')
  })

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/app.info',
          method: 'POST',
          headers: { host: 'evil.example:80', 'x-studio-token': token }
        },
        (res) => resolve(res.statusCode ?? 0)
      )
      req.end('{}')
    })
    expect(status).toBe(421)
  })

  it('guards the media route and the event socket with the token', async () => {
    expect((await fetch(`${base}/media/thumb/1`)).status).toBe(403)
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`)
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
      ws.on('open', () => resolve('open'))
      ws.on('error', () => resolve('error'))
    })
    expect(refused).toBe('403')
    const events: string[] = []
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${token}`)
    await new Promise((r) => ws.on('open', r))
    ws.on('message', (m) => events.push((JSON.parse(String(m)) as { event: string }).event))
    await post('project.create', { dir: path.join(tempDir('web'), 'q') }, { 'x-studio-token': token })
    await new Promise((r) => setTimeout(r, 200))
    ws.close()
    expect(events).toContain('project.changed')
  })

  it('serves the renderer and never files outside it', async () => {
    expect(await (await fetch(`${base}/`)).text()).toContain('Face Studio')
    expect((await fetch(`${base}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404)
  })

  it('survives a media file that fails after it was opened, and keeps answering', async () => {
    await post('project.create', { dir: path.join(tempDir('web'), 'media') }, { 'x-studio-token': token })
    const project = ctx.project
    if (!project) throw new Error('no project')
    insertCropFaces(project.db, 1)
    // The fault as found: a face whose thumbnail path names a folder (open succeeds, the read fails).
    fs.mkdirSync(path.join(project.thumbsDir, 'faces'), { recursive: true })
    project.db.prepare(`UPDATE faces SET thumb = 'faces' WHERE id = 1`).run()
    const r = await raw('GET', `/media/thumb/1?token=${token}`)
    expect(r.status).toBe(404)
    await stillAnswers()
    // A real thumbnail is still served.
    fs.writeFileSync(path.join(project.thumbsDir, 'faces', 'one.jpg'), 'jpeg bytes')
    project.db.prepare(`UPDATE faces SET thumb = 'faces/one.jpg' WHERE id = 1`).run()
    const ok = await raw('GET', `/media/thumb/1?token=${token}`)
    expect(ok).toMatchObject({ status: 200, body: 'jpeg bytes' })
    expect(ok.headers['content-type']).toBe('image/jpeg')
  })

  // /proc/self/mem is a regular file that opens and then fails its first read (EIO): with the project's
  // thumbs/ folder a link to /proc/self, a read error after the 200 went out, which must cut that one
  // response short and nothing else.
  it.skipIf(process.platform !== 'linux')(
    'cuts off a response whose read fails after its headers were sent',
    async () => {
      await post('project.create', { dir: path.join(tempDir('web'), 'unreadable') }, { 'x-studio-token': token })
      const project = ctx.project
      if (!project) throw new Error('no project')
      insertCropFaces(project.db, 1)
      fs.rmSync(project.thumbsDir, { recursive: true })
      fs.symlinkSync('/proc/self', project.thumbsDir)
      project.db.prepare(`UPDATE faces SET thumb = 'mem' WHERE id = 1`).run()
      const r = await raw('GET', `/media/thumb/1?token=${token}`).catch((e: Error) => e)
      if (!(r instanceof Error)) expect(r.status).toBe(200)
      await stillAnswers()
    }
  )

  it('answers malformed percent-encoding with 400, not 500', async () => {
    for (const p of ['/api/%E0%A4%A', '/api/%c0%ae'])
      expect((await raw('POST', p, { 'x-studio-token': token }, '{}')).status, p).toBe(400)
    for (const p of ['/%c0%ae', '/%E0%A4%A', '/assets/%ff']) expect((await raw('GET', p)).status, p).toBe(400)
    await stillAnswers()
  })

  it('refuses calls and event sockets from pages of another origin', async () => {
    const own = `http://127.0.0.1:${server.port}`
    for (const origin of ['http://evil.example', 'null', 'http://localhost:9999', `https://127.0.0.1:${server.port}`]) {
      const r = await raw('POST', '/api/project.current', { 'x-studio-token': token, origin }, '{}')
      expect(r.status, origin).toBe(403)
      expect(await socketOutcome(`?token=${token}`, origin), origin).toBe('403')
    }
    for (const origin of [own, `http://localhost:${server.port}`]) {
      expect((await raw('POST', '/api/project.current', { 'x-studio-token': token, origin }, '{}')).status).toBe(200)
      expect(await socketOutcome(`?token=${token}`, origin)).toBe('open')
    }
    // Clients that are not browsers send no Origin; they still need the token.
    expect(await socketOutcome(`?token=${token}`)).toBe('open')
    expect((await raw('POST', '/api/project.current', {}, '{}')).status).toBe(403)
  })

  it("sends the page's CSP as a header too, with frame-ancestors 'none'", async () => {
    const r = await raw('GET', '/')
    expect(r.status).toBe(200)
    expect(r.headers['content-security-policy']).toBe(`${META_CSP}; frame-ancestors 'none'`)
    expect(r.headers['x-frame-options']).toBe('DENY')
  })
})
