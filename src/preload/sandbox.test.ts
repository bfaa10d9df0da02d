/**
 * Runs the BUILT preload the way Electron runs it in a sandboxed window (sandbox: true): one script, wrapped
 * in a function whose `require` knows only `electron`, `events`, `timers` and `url`, in a realm without Node.
 * A preload that requires anything else (a dependency, a chunk file) throws there and the window opens
 * without `window.studio`; this test fails the same way.
 */
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import events from 'node:events'
import timers from 'node:timers'
import url from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { IPC_CALL, IPC_EVENT, MEDIA_SCHEME, type StudioApi } from '../shared/api'
import { calls, eventNames } from '../shared/contract'

const preloadFile = path.resolve(__dirname, '..', '..', 'out', 'preload', 'index.js')

type IpcListener = (event: unknown, ...args: unknown[]) => void

/** The slice of Electron's renderer-side `electron` module a preload sees, recording what it is asked. */
function fakeElectron() {
  const exposed: Array<{ key: string; api: unknown }> = []
  const invoked: unknown[][] = []
  const subscribed: Array<{ channel: string; listener: IpcListener }> = []
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed.push({ key, api })
      }
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        invoked.push([channel, ...args])
        return Promise.resolve({ ok: true, value: { answered: args[0] } })
      },
      on: (channel: string, listener: IpcListener) => {
        subscribed.push({ channel, listener })
      }
    }
  }
  return { electron, exposed, invoked, subscribed }
}

/** What the sandboxed preload's `require` resolves (Electron's list); anything else throws as Electron does. */
function sandboxedRequire(electron: unknown) {
  const allowed: Record<string, unknown> = { electron, events, timers, url }
  return (name: string): unknown => {
    if (!Object.prototype.hasOwnProperty.call(allowed, name)) throw new Error(`module not found: ${name}`)
    return allowed[name]
  }
}

function runPreload(code: string, electron: unknown): void {
  // A window realm: no require, no module system, no Node globals beyond what the wrapper passes in.
  const context = vm.createContext({ console: { log() {}, warn() {}, error() {} } })
  const wrapped = vm.runInContext(
    `(function (exports, require, module, __filename, __dirname, process, Buffer, global, setImmediate, clearImmediate) {${code}\n})`,
    context,
    { filename: preloadFile }
  ) as (...args: unknown[]) => void
  const module = { exports: {} }
  const process = Object.freeze({
    sandboxed: true,
    contextIsolated: true,
    type: 'renderer',
    platform: 'linux',
    versions: {},
    env: {}
  })
  wrapped(
    module.exports,
    sandboxedRequire(electron),
    module,
    preloadFile,
    path.dirname(preloadFile),
    process,
    Buffer,
    vm.runInContext('globalThis', context),
    setImmediate,
    clearImmediate
  )
}

describe('built preload in a sandboxed renderer', () => {
  let code = ''
  beforeAll(() => {
    if (!fs.existsSync(preloadFile)) throw new Error(`Build first (node scripts/build.mjs): ${preloadFile} is missing`)
    code = fs.readFileSync(preloadFile, 'utf8')
  })

  it('is one script that requires only electron', () => {
    expect(fs.readdirSync(path.dirname(preloadFile))).toEqual(['index.js'])
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]*)["'`]\s*\)/g)].map((m) => m[1])
    expect([...new Set(required)]).toEqual(['electron'])
  })

  it('runs and exposes exactly one API object, made only of what the context bridge can pass', () => {
    const fake = fakeElectron()
    runPreload(code, fake.electron)
    expect(fake.exposed.map((e) => e.key)).toEqual(['studio'])
    const api = fake.exposed[0]?.api as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual(['call', 'mediaUrl', 'mode', 'on'])
    expect(api.mode).toBe('electron')
    for (const value of Object.values(api)) expect(['function', 'string']).toContain(typeof value)
    expect((api as unknown as StudioApi).mediaUrl('thumb/12')).toBe(`${MEDIA_SCHEME}://thumb/12`)
  })

  it('sends every call of the contract through ipcRenderer.invoke on the app channel, with its args', async () => {
    const fake = fakeElectron()
    runPreload(code, fake.electron)
    const api = fake.exposed[0]?.api as StudioApi
    const names = Object.keys(calls)
    expect(names.length).toBeGreaterThan(40)
    for (const name of names) {
      const args = { probe: name, nested: { list: [1, 2] } }
      const reply = await (api.call as (n: string, a: unknown) => Promise<unknown>)(name, args)
      expect(fake.invoked.at(-1)).toEqual([IPC_CALL, name, args])
      expect(reply).toEqual({ ok: true, value: { answered: name } })
    }
    expect(fake.invoked).toHaveLength(names.length)
  })

  it('lets every event of the contract be subscribed, delivers it, and unsubscribes', () => {
    const fake = fakeElectron()
    runPreload(code, fake.electron)
    const api = fake.exposed[0]?.api as StudioApi
    expect(fake.subscribed.map((s) => s.channel)).toEqual([IPC_EVENT])
    const deliver = (event: string, payload: unknown): void =>
      fake.subscribed[0]?.listener({ sender: null }, event, payload)
    expect(eventNames.length).toBe(5)
    for (const name of eventNames) {
      const got: unknown[] = []
      const off = api.on(name, (payload) => got.push(payload))
      deliver(name, { n: 1 })
      deliver('some.other.event', { n: 2 })
      off()
      deliver(name, { n: 3 })
      expect(got, name).toEqual([{ n: 1 }])
    }
    expect(() => (api.on as (e: string, l: () => void) => void)('not.an.event', () => undefined)).toThrow(
      /unknown event/
    )
  })
})
