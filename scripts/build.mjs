import { bin, run } from './run.mjs'

/** electron-vite build of main, preload and renderer into out/ (the web bridge and CLI run from there too). */
export function build() {
  return run(bin('electron-vite'), ['build', '--logLevel', 'warn'])
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(build())
