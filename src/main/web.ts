/** Browser mode: `npm run web` runs the main-process services behind a loopback HTTP/WebSocket bridge. */
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { AppContext } from './app/context'
import { forkNodeWorker } from './jobs/worker-client'
import { rendererDir, workerScript } from './paths'
import { startWebServer } from './web/server'

const require = createRequire(import.meta.url)
const pkg = require('../../package.json') as { version: string }

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag)
  return i >= 0 ? process.argv[i + 1] : undefined
}

async function main(): Promise<void> {
  const port = Number(argValue('--port') ?? process.env.FACE_STUDIO_PORT ?? 5170)
  const token = randomBytes(24).toString('base64url')
  const ctx = new AppContext({
    mode: 'web',
    version: pkg.version,
    versions: { node: process.versions.node, v8: process.versions.v8 },
    workerScript: workerScript(),
    workerFactory: forkNodeWorker,
    reopenLast: !process.env.FACE_STUDIO_NO_REOPEN
  })
  const server = await startWebServer(ctx, { port, token, rendererDir: rendererDir() }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && !argValue('--port'))
        return startWebServer(ctx, { port: 0, token, rendererDir: rendererDir() })
      throw e
    }
  )
  void ctx.backend().then(
    (b) => process.stderr.write(`ML backend: ${b.label}\n`),
    (e: unknown) => process.stderr.write(`ML backend unavailable: ${String(e)}\n`)
  )
  process.stdout.write(`Face Studio (browser mode) is running at\n  ${server.url}\n`)
  process.stdout.write('Open that URL in a browser on this machine. Press Ctrl+C to stop.\n')
  const stop = (): void => {
    void server
      .close()
      .then(() => ctx.dispose())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  process.stderr.write(`Face Studio could not start: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
