/**
 * IPC fuzz (issue 9 §4): for every call of the contract, seeded random and mutated payloads through the
 * dispatcher (what Electron IPC calls) and through the web bridge (HTTP). Whatever arrives, main must answer
 * with a reply: never INTERNAL, never a 5xx, nothing escaping to the process, and the project's database
 * passes `PRAGMA integrity_check` afterwards.
 *
 * Payloads are built from the contract's own zod schemas (plausible values, so many reach the handlers),
 * then mutated (a leaf replaced by any JSON value, a key dropped or added, the whole payload swapped).
 * Paths are drawn from a sandbox under a temp folder plus a few hostile ones that must fail without
 * writing (/proc, /, a file used as a folder); nothing is created outside the sandbox.
 *
 * FACE_STUDIO_FUZZ_ROUNDS (default 120) payloads per call and transport; FACE_STUDIO_FUZZ_SEED picks the run.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { calls, type CallName } from '../../shared/contract'
import type { JobInfo } from '../../shared/domain'
import type { Reply } from '../../shared/result'
import { mulberry32, type Rng } from '../analysis/random'
import type { AppContext } from '../app/context'
import { startWebServer } from '../web/server'
import { callOk, insertCropFaces, tempDir, testContext } from '../../test/support'
import { dispatch } from './dispatch'

const ROUNDS = Number(process.env.FACE_STUDIO_FUZZ_ROUNDS ?? 120)
const SEED = Number(process.env.FACE_STUDIO_FUZZ_SEED ?? 20261202)
const TOKEN = 'fuzz-token-0123456789abcdef'

const sandbox = tempDir('fuzz')
const fixtureDir = path.join(sandbox, 'project')
const emptyFolder = path.join(sandbox, 'empty-photos')
const aFile = path.join(sandbox, 'a-file.txt')
let newFolders = 0

// ---------------------------------------------------------------- value pools

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!

const NUMBERS = [0, 1, 2, 3, 5, 7, 12, 30, 31, 100, 1000, 100_001, -1, -0.5, 0.5, 0.35, 1e9, 2 ** 31, 2 ** 53, 1e308]
const STRINGS = [
  '',
  ' ',
  'a',
  'Anna',
  'happy',
  'my.task',
  '../../etc/passwd',
  '%E0%A4%A',
  '\u0000',
  'x\u0000y',
  '\u202eevil',
  '🙂',
  '=HYPERLINK("x")',
  'null',
  '1',
  '__proto__',
  'constructor',
  'x'.repeat(70),
  'y'.repeat(5000)
]
const TASKS = ['expression', 'gender', 'age', 'hat', 'nope', 'my.task', '', 'EXPRESSION']
const LABELS = ['happy', 'sad', 'yes', 'no', 'unsure', 'not_applicable', '3.5', '200', 'HAPPY', '']

/** Folders a call may name: the sandbox, and hostile paths that must fail without writing anything. */
function folder(rng: Rng, key: string): string {
  const hostile = ['/proc/nope', '/proc/nope/deeper', `${aFile}/sub`, '/dev/null/x', 'relative/dir', '~/x', '', ' ']
  if (key === 'folder') return pick(rng, [emptyFolder, path.join(sandbox, 'missing'), aFile, ...hostile])
  return pick(rng, [
    path.join(sandbox, `new-${++newFolders}`),
    path.join(sandbox, 'exports'),
    fixtureDir,
    sandbox,
    emptyFolder,
    ...hostile
  ])
}

/** Files a call may name (labels files to read, exports to write): sandbox files and hostile paths. */
let newFiles = 0
function file(rng: Rng, key: string): string {
  const hostile = ['/proc/nope/x.csv', `${aFile}/sub.csv`, '/dev/null/x.json', 'relative.csv', '', sandbox]
  if (key === 'out') return pick(rng, [path.join(sandbox, `export-${++newFiles}.csv`), aFile, ...hostile])
  return pick(rng, [aFile, path.join(sandbox, 'missing.csv'), path.join(fixtureDir, 'studio.db'), ...hostile])
}

function plausibleString(rng: Rng, key: string): string {
  if (key === 'dir' || key === 'folder') return folder(rng, key)
  if (key === 'out' || key === 'file') return file(rng, key)
  if (/task|^by$/i.test(key)) return pick(rng, TASKS)
  if (key === 'value' || key === 'positive' || key === 'labels') return pick(rng, LABELS)
  return rng() < 0.7 && key === 'name' ? pick(rng, ['Anna', 'Bo', 'ok_name', 'hat2', 'my.task']) : pick(rng, STRINGS)
}

/**
 * Sets an own property, "__proto__" included, as JSON.parse does: assigning `o.__proto__` would change the
 * object's prototype instead (an array without its iterator), which no transport can deliver.
 */
function put(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Any JSON value, nested a little. */
function anyJson(rng: Rng, depth = 0): unknown {
  const r = rng()
  if (r < 0.15) return null
  if (r < 0.3) return rng() < 0.5
  if (r < 0.5) return pick(rng, NUMBERS)
  if (r < 0.7) return pick(rng, STRINGS)
  if (depth > 2) return {}
  if (r < 0.85) return Array.from({ length: Math.floor(rng() * 4) }, () => anyJson(rng, depth + 1))
  const o: Record<string, unknown> = {}
  for (let i = Math.floor(rng() * 4); i > 0; i--)
    put(o, pick(rng, ['id', 'task', 'dir', 'x', '__proto__', 'ids']), anyJson(rng, depth + 1))
  return o
}

// ---------------------------------------------------------------- payloads from the schemas

interface Def {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  element?: z.ZodType
  options?: z.ZodType[]
  entries?: Record<string, string>
  values?: unknown[]
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def

/** A value the schema probably accepts (in range most of the time, at the edges sometimes). */
function plausible(rng: Rng, schema: z.ZodType, key: string, depth = 0): unknown {
  const d = defOf(schema)
  switch (d.type) {
    case 'object': {
      const o: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(d.shape ?? {})) {
        const optional = ['optional', 'default'].includes(defOf(v).type)
        if (!optional || rng() < 0.6) o[k] = plausible(rng, v, k, depth + 1)
      }
      return o
    }
    case 'optional':
    case 'default':
      return plausible(rng, d.innerType!, key, depth)
    case 'nullable':
      return rng() < 0.2 ? null : plausible(rng, d.innerType!, key, depth)
    case 'union':
      return plausible(rng, pick(rng, d.options!), key, depth)
    case 'array': {
      const big = /ids$/i.test(key) && rng() < 0.05
      const n = big ? 40_000 : Math.floor(rng() * 4)
      return Array.from({ length: n }, (_, i) => (big ? i + 1 : plausible(rng, d.element!, key, depth + 1)))
    }
    case 'enum':
      return pick(rng, Object.values(d.entries ?? {}))
    case 'literal':
      return d.values?.[0]
    case 'boolean':
      return rng() < 0.5
    case 'number':
      // Ids of the fixture (faces 1–30, persons 1–3, versions 0–1) most of the time.
      return rng() < 0.7 ? Math.floor(rng() * 32) : pick(rng, NUMBERS)
    case 'string':
      return plausibleString(rng, key)
    default:
      return anyJson(rng)
  }
}

/** One leaf or key of a payload changed the way a buggy or hostile renderer might. */
function mutate(rng: Rng, value: unknown): unknown {
  const r = rng()
  if (r < 0.1) return anyJson(rng)
  if (value === null || typeof value !== 'object') return rng() < 0.5 ? anyJson(rng) : [value]
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value }
  const keys = Object.keys(copy)
  if (r < 0.25 || keys.length === 0) {
    put(copy, pick(rng, ['extra', '__proto__', 'constructor', 'id', '0']), anyJson(rng))
  } else if (r < 0.4) {
    delete (copy as Record<string, unknown>)[pick(rng, keys)]
  } else {
    const k = pick(rng, keys)
    const cur = (copy as Record<string, unknown>)[k]
    put(copy, k, rng() < 0.5 ? mutate(rng, cur) : anyJson(rng))
  }
  return copy
}

function payload(rng: Rng, name: CallName): unknown {
  const base = plausible(rng, calls[name].args as z.ZodType, '')
  const r = rng()
  if (r < 0.45) return base
  if (r < 0.9) return mutate(rng, rng() < 0.3 ? mutate(rng, base) : base)
  return anyJson(rng)
}

// ---------------------------------------------------------------- the app under test

let ctx: AppContext
let server: Awaited<ReturnType<typeof startWebServer>>
const escaped: unknown[] = []
const onEscape = (e: unknown): void => {
  escaped.push(e)
}

/** Faces 1–30 on one image, persons 1–3 with ten faces each, a custom task "hat", a few answers. */
async function seedFixture(): Promise<void> {
  ctx.createProject(fixtureDir)
  const db = ctx.requireProject().db
  db.transaction(() => {
    insertCropFaces(db, 30)
    for (const p of [1, 2, 3])
      db.prepare(`INSERT INTO persons (id, name, created_at) VALUES (?, ?, 'now')`).run(p, p === 1 ? 'Anna' : null)
    db.prepare('UPDATE faces SET person_id = 1 + (id - 1) / 10').run()
  })()
  await callOk(ctx, 'tasks.create', { name: 'hat', kind: 'classification', labels: ['yes', 'no'] })
  await callOk(ctx, 'annotations.add', {
    task: 'hat',
    entries: [
      { target: 'face', ids: [1, 2, 3], value: 'yes', source: 'confirm' },
      { target: 'face', ids: [11, 12], value: 'no', source: 'correct' }
    ]
  })
}

/** The fuzz may open, create or close projects; each payload starts on the fixture again. */
function backToFixture(): void {
  if (ctx.project?.dir !== fixtureDir) ctx.openProject(fixtureDir)
}

async function overHttp(name: string, body: string): Promise<{ status: number; reply: unknown }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': TOKEN },
    body
  })
  const text = await res.text()
  let reply: unknown = text
  try {
    reply = JSON.parse(text)
  } catch {
    // Kept as text: the assertion below reports it.
  }
  return { status: res.status, reply }
}

beforeAll(async () => {
  process.on('uncaughtException', onEscape)
  process.on('unhandledRejection', onEscape)
  fs.mkdirSync(emptyFolder)
  fs.writeFileSync(aFile, 'not a folder')
  ctx = testContext()
  await seedFixture()
  const renderer = tempDir('fuzz-renderer')
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Face Studio</title>')
  server = await startWebServer(ctx, { port: 0, token: TOKEN, rendererDir: renderer })
})

afterAll(async () => {
  process.off('uncaughtException', onEscape)
  process.off('unhandledRejection', onEscape)
  await server?.close()
  await ctx?.dispose()
})

interface Failure {
  via: 'dispatch' | 'http'
  call: string
  payload: string
  got: string
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s.length > 300 ? `${s.slice(0, 300)}…` : s
}

describe('IPC fuzz', () => {
  it(`every call answers ${ROUNDS} random and mutated payloads per transport without INTERNAL or 5xx`, async () => {
    const failures: Failure[] = []
    const stats = { sent: 0, ok: 0, refused: 0 }
    const names = Object.keys(calls) as CallName[]
    const started = Date.now()
    const perCall: Array<[string, number]> = []
    for (const [i, name] of names.entries()) {
      const callStarted = Date.now()
      const rng = mulberry32(SEED + i * 7919)
      for (let round = 0; round < ROUNDS; round++) {
        const args = payload(rng, name)
        backToFixture()
        // The dispatcher, as Electron's IPC handler calls it.
        let reply: Reply<unknown>
        try {
          reply = await dispatch(ctx, {}, name, args)
        } catch (e) {
          failures.push({ via: 'dispatch', call: name, payload: short(args), got: `threw ${String(e)}` })
          continue
        }
        stats.sent++
        if (reply.ok) stats.ok++
        else stats.refused++
        if (!reply.ok && reply.error.code === 'INTERNAL')
          failures.push({ via: 'dispatch', call: name, payload: short(args), got: reply.error.message })

        // The bridge, with the same payload or a raw body no renderer would send.
        backToFixture()
        const raw = rng()
        const body =
          raw < 0.05
            ? '{"unterminated'
            : raw < 0.08
              ? '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'
              : raw < 0.1
                ? '1e999'
                : JSON.stringify(mutate(rng, args) ?? null)
        const http = await overHttp(rng() < 0.03 ? `${name}%E0%A4%A` : name, body)
        stats.sent++
        const code = (http.reply as { error?: { code?: string } })?.error?.code
        if (http.status >= 500 || code === 'INTERNAL' || typeof http.reply !== 'object')
          failures.push({ via: 'http', call: name, payload: short(body), got: `${http.status} ${short(http.reply)}` })
      }
      perCall.push([name, Date.now() - callStarted])
    }
    backToFixture()
    const seconds = (Date.now() - started) / 1000
    console.log(
      `fuzz: ${stats.sent} payloads over ${names.length} calls in ${seconds.toFixed(1)} s (seed ${SEED}); ` +
        `through the dispatcher ${stats.ok} answered, ${stats.refused} refused with a reason; slowest: ` +
        perCall
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`)
          .join(', ')
    )
    expect(({} as Record<string, unknown>).polluted, 'prototype pollution').toBeUndefined()
    expect(failures.slice(0, 10), `${failures.length} payloads failed`).toEqual([])
    expect(escaped.map(String), 'an error escaped to the process').toEqual([])
  })

  it('leaves the process answering, jobs settled and every project database intact', async () => {
    // Jobs the fuzz started (imports of empty folders, training without labels…): cancel, then wait for all.
    for (const job of await callOk<JobInfo[]>(ctx, 'jobs.list')) {
      if (job.status === 'queued' || job.status === 'running') await dispatch(ctx, {}, 'jobs.cancel', { id: job.id })
    }
    const deadline = Date.now() + 120_000
    for (;;) {
      const active = (await callOk<JobInfo[]>(ctx, 'jobs.list')).filter(
        (j) => j.status === 'queued' || j.status === 'running'
      )
      if (active.length === 0 || Date.now() > deadline) {
        expect(active.map((j) => `${j.kind} ${j.status}`)).toEqual([])
        break
      }
      await new Promise((r) => setTimeout(r, 250))
    }
    const http = await overHttp('app.info', '{}')
    expect(http.status).toBe(200)
    expect((http.reply as { ok: boolean }).ok).toBe(true)

    const dbs = [path.join(fixtureDir, 'studio.db')]
    for (const e of fs.readdirSync(sandbox)) {
      const f = path.join(sandbox, e, 'studio.db')
      if (e !== 'project' && fs.existsSync(f)) dbs.push(f)
    }
    for (const file of dbs) {
      const db = new Database(file, { readonly: true })
      try {
        expect(db.pragma('integrity_check', { simple: true }), file).toBe('ok')
        expect(db.pragma('foreign_key_check'), file).toEqual([])
      } finally {
        db.close()
      }
    }
    // Nothing the fuzz named outside the sandbox was created.
    for (const p of ['/proc/nope', '/dev/null/x', path.resolve('relative'), path.resolve('~')])
      expect(fs.existsSync(p), p).toBe(false)
    expect(escaped.map(String)).toEqual([])
  })
})
