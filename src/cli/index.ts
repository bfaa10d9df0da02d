/** `face-studio <verb>`: the studio's services without a window, for labs, scripts and benchmarks. */
import { AppError } from '../shared/result'
import { UsageError } from './args'
import { verbs, usage } from './verbs'

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage())
    return verb ? 0 : 2
  }
  const run = verbs[verb]
  if (!run) {
    process.stderr.write(`face-studio: unknown verb "${verb}"\n\n${usage()}`)
    return 2
  }
  const json = rest.includes('--json')
  try {
    const out = await run(rest)
    if (json) process.stdout.write(`${JSON.stringify(out.json)}\n`)
    else process.stdout.write(`${out.text}\n`)
    return out.exitCode ?? 0
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`face-studio ${verb}: ${e.message}\n\n${usage(verb)}`)
      return 2
    }
    const message = e instanceof Error ? e.message : String(e)
    const code = e instanceof AppError ? e.code : 'INTERNAL'
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`)
    process.stderr.write(`face-studio ${verb}: ${message}\n`)
    return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`face-studio: ${String(e)}\n`)
    process.exit(1)
  }
)
