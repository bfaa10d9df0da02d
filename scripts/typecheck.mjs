// Type-checks node, web and e2e code (e2e includes the browser-driven UI benchmark). Without the optional electron package (binary not downloadable here),
// the node project adds types/electron-offline.d.ts in its place.
import { createRequire } from 'node:module'
import { bin, run } from './run.mjs'

const require = createRequire(import.meta.url)
let hasElectron = true
try {
  require.resolve('electron/package.json')
} catch {
  hasElectron = false
}
const nodeProject = hasElectron ? 'tsconfig.node.json' : 'tsconfig.node.offline.json'
const status =
  run(bin('tsc'), ['--noEmit', '-p', nodeProject]) ||
  run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.web.json']) ||
  run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.e2e.json'])
process.exit(status)
