import { spawnSync } from 'node:child_process'
import { root } from './node22.mjs'

/** Runs a command in the project root, streaming its output; returns its exit status. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } })
  if (r.error) {
    console.error(`${cmd}: ${r.error.message}`)
    return 1
  }
  return r.status ?? 1
}

export function bin(name) {
  return `${root}/node_modules/.bin/${name}`
}
