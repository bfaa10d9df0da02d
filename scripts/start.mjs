// `npm start`: builds, then opens the desktop window. Where the Electron binary was never downloaded
// (offline machines, CI), say so plainly and point at the browser mode instead of failing obscurely.
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { build } from './build.mjs'
import { run } from './run.mjs'

const require = createRequire(import.meta.url)

function electronBinary() {
  try {
    const p = require('electron')
    return typeof p === 'string' && existsSync(p) ? { path: p } : { error: 'the electron package has no binary' }
  } catch (e) {
    return { error: String(e instanceof Error ? e.message.split('\n')[0] : e) }
  }
}

const electron = electronBinary()
if (!electron.path) {
  console.error(
    [
      '',
      'Face Studio cannot open its desktop window: the Electron binary is not installed.',
      `Cause: ${electron.error}.`,
      'npm downloads Electron from GitHub when it installs; on this machine that download failed or was not allowed',
      '(offline, or a network that only reaches the npm registry). Electron is an optional dependency, so the rest installed fine.',
      '',
      'What to do:',
      '  - Use the browser mode, which runs the same app:   npm run web',
      '  - Or, with network access, install again (Electron is fetched then) and start:  npm install && npm start',
      ''
    ].join('\n')
  )
  process.exit(1)
}
if (build() !== 0) process.exit(1)
process.exit(run(electron.path, ['.']))
