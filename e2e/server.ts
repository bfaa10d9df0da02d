/** The web app (`out/main/web.js`, what `npm run web` runs) as a child process: used by e2e tests and benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const repoRoot = path.resolve(__dirname, '..')
export const sharedData = path.resolve(repoRoot, '..', 'shared', 'data')

export interface StudioServer {
  url: string
  token: string
  port: number
  home: string
  stop(): Promise<void>
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fs-e2e-${prefix}-`))
}

/** Starts `out/main/web.js` (what `npm run web` runs after building) and reads the URL it prints. */
export async function startServer(home: string, opts: { reopen?: boolean } = {}): Promise<StudioServer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'out', 'main', 'web.js'), '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, FACE_STUDIO_HOME: home, ...(opts.reopen === false ? { FACE_STUDIO_NO_REOPEN: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let log = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web server did not start:\n${log}`)), 30_000)
    const onData = (d: Buffer): void => {
      log += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(log)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
    child.once('exit', (code) => reject(new Error(`web server exited (${code}):\n${log}`)))
  })
  const parsed = new URL(url)
  return {
    url,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    port: Number(parsed.port),
    home,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 5000)
      })
  }
}
