// `npm run web`: builds, then serves the app to a browser through the loopback bridge (out/main/web.js).
import { spawn } from 'node:child_process'
import { build } from './build.mjs'
import { node22, root } from './node22.mjs'

if (!process.argv.includes('--no-build') && build() !== 0) process.exit(1)
const args = process.argv.slice(2).filter((a) => a !== '--no-build')
const child = spawn(node22(), [`${root}/out/main/web.js`, ...args], { stdio: 'inherit', cwd: root })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code) => process.exit(code ?? 0))
