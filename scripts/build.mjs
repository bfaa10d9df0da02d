import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './node22.mjs'
import { bin, run } from './run.mjs'

/** What a sandboxed preload may require (Electron's list); the app's preload needs only `electron`. */
const PRELOAD_MAY_REQUIRE = new Set(['electron'])

/**
 * The desktop window runs its preload sandboxed, where `require` of anything but `electron` throws and the
 * window opens without `window.studio`. Returns the problems found in the built out/preload, if any.
 */
export function preloadProblems(dir = join(root, 'out', 'preload')) {
  const files = readdirSync(dir)
  if (files.join() !== 'index.js') return [`out/preload must hold exactly index.js (found ${files.join(', ')})`]
  const code = readFileSync(join(dir, 'index.js'), 'utf8')
  const problems = []
  for (const m of code.matchAll(/\brequire\(\s*(["'`])([^"'`]*)\1\s*\)/g))
    if (!PRELOAD_MAY_REQUIRE.has(m[2])) problems.push(`out/preload/index.js requires "${m[2]}"`)
  if (/\bimport\s*\(/.test(code) || /^\s*import\s/m.test(code)) problems.push('out/preload/index.js uses import')
  return problems
}

/** electron-vite build of main, preload and renderer into out/ (the web bridge and CLI run from there too). */
export function build() {
  const status = run(bin('electron-vite'), ['build', '--logLevel', 'warn'])
  if (status !== 0) return status
  const problems = preloadProblems()
  if (problems.length === 0) return 0
  console.error(
    [
      'The preload would not load in the sandboxed desktop window (it may require only "electron"):',
      ...problems.map((p) => `  - ${p}`),
      'Import only zod-free files from src/shared in src/preload (see electron.vite.config.ts).'
    ].join('\n')
  )
  return 1
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(build())
