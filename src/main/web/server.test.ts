import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AppContext } from '../app/context'
import { startWebServer } from './server'
import { tempDir, testContext } from '../../test/support'

let ctx: AppContext
let server: Awaited<ReturnType<typeof startWebServer>>
const token = 'test-token-0123456789abcdef'
let base: string

beforeAll(async () => {
  ctx = testContext()
  const renderer = tempDir('renderer')
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Face Studio</title>')
  server = await startWebServer(ctx, { port: 0, token, rendererDir: renderer })
  base = `http://127.0.0.1:${server.port}`
})

afterAll(async () => {
  await server.close()
  await ctx.dispose()
})

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
    const http = await import('node:http')
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
})
