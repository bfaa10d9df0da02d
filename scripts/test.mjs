// `npm test`: typecheck, lint, build, unit tests (Vitest, real data from ../shared/data), then e2e (Playwright).
import { build } from './build.mjs'
import { bin, run } from './run.mjs'

const steps = [
  ['typecheck', () => run('npm', ['run', '--silent', 'typecheck'])],
  ['lint', () => run('npm', ['run', '--silent', 'lint'])],
  ['build', () => build()],
  ['unit tests', () => run(bin('vitest'), ['run'])],
  ['e2e tests', () => run(bin('playwright'), ['test'])]
]

for (const [name, step] of steps) {
  const started = Date.now()
  console.log(`\n▶ ${name}`)
  const status = step()
  console.log(`${status === 0 ? '✔' : '✖'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  if (status !== 0) process.exit(status)
}
