#!/usr/bin/env node
// The CLI runs from the electron-vite build (out/main/cli.js) under Node >= 22; it builds on first use.
'use strict'
const { spawnSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const cli = path.join(root, 'out', 'main', 'cli.js')
const major = Number(process.versions.node.split('.')[0])

if (major < 22) {
  const bundled = path.join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(bundled)) {
    process.stderr.write(`face-studio needs Node.js 22 or newer (this is ${process.version}).\n`)
    process.exit(2)
  }
  const r = spawnSync(bundled, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}
if (!existsSync(cli)) {
  process.stderr.write('face-studio: building the app once (out/)…\n')
  const ev = path.join(root, 'node_modules', '.bin', 'electron-vite')
  const r = spawnSync(ev, ['build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
require(cli)
