/** Starts the built desktop main process with the fake `electron` (main-harness.cjs) and drives it. */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot, tempDir } from '../support'

export const builtMain = path.join(repoRoot, 'out', 'main', 'index.js')
export const rendererIndex = path.join(repoRoot, 'out', 'renderer', 'index.html')
/** The URL of the app's own page when it is loaded from the build (file://…/out/renderer/index.html). */
export const appPageUrl = pathToFileURL(rendererIndex).href
const harness = path.join(__dirname, 'main-harness.cjs')

export interface DesktopMain {
  /** Sends one harness command (see main-harness.cjs) and resolves with its value. */
  cmd<T = unknown>(cmd: string, params?: Record<string, unknown>): Promise<T>
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>
  readonly home: string
  /** What the process wrote to stderr so far (failure messages). */
  stderr(): string
  kill(): void
}

export interface StartOptions {
  packaged?: boolean
  rendererUrl?: string
}

export async function startDesktopMain(opts: StartOptions = {}): Promise<DesktopMain> {
  for (const f of [builtMain, rendererIndex])
    if (!fs.existsSync(f)) throw new Error(`Build first (node scripts/build.mjs): ${f} is missing`)
  const home = tempDir('desktop-home')
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACE_STUDIO_HOME: home,
    FACE_STUDIO_NO_REOPEN: '1',
    FAKE_ELECTRON_PACKAGED: opts.packaged ? '1' : '0',
    FAKE_ELECTRON_APP_VERSION: '9.8.7'
  }
  delete env.ELECTRON_RENDERER_URL
  if (opts.rendererUrl) env.ELECTRON_RENDERER_URL = opts.rendererUrl
  const child: ChildProcess = fork(harness, [builtMain], {
    execPath: process.execPath,
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout?.resume()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let seq = 0
  let started!: () => void
  const ready = new Promise<void>((resolve) => (started = resolve))
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string; started?: boolean }) => {
    if (m.started) return started()
    const p = m.id === undefined ? undefined : pending.get(m.id)
    if (!p) return
    pending.delete(m.id as number)
    if (m.ok) p.resolve(m.value)
    else p.reject(new Error(m.error))
  })
  void exited.then((code) => {
    for (const p of pending.values()) p.reject(new Error(`the main process exited (${code}): ${stderr}`))
    pending.clear()
  })
  await Promise.race([
    ready,
    exited.then((code) => {
      throw new Error(`the main process exited before the app was ready (${code}): ${stderr}`)
    })
  ])
  return {
    home,
    exited,
    stderr: () => stderr,
    kill: () => {
      child.kill('SIGKILL')
    },
    cmd: <T>(cmd: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++seq
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        child.send({ id, cmd, ...params })
      })
  }
}

/** Polls `probe` until it returns a value that is not undefined (or times out). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
