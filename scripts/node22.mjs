// better-sqlite3 13 (N-API) and Vitest 5 need Node >= 22; the registry's `node` package (a devDependency)
// puts a Node 22 binary in node_modules, which npm scripts already use through node_modules/.bin.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export function node22() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node')
  if (existsSync(bundled)) return bundled
  console.error(
    `Face Studio needs Node.js 22 or newer (this is ${process.version}). Run it through npm (npm start, npm run web, npx face-studio), which uses the Node 22 installed with the project, or install Node 22.`
  )
  process.exit(1)
}
