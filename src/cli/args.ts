/** A small, strict argv parser: unknown flags are errors, so a typo never silently changes a lab's run. */
export interface Parsed {
  positional: string[]
  flags: Map<string, string | true>
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: { values: string[]; booleans: string[] }): Parsed {
  const positional: string[] = []
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (!a.startsWith('--')) {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2)
    if (spec.booleans.includes(name)) {
      flags.set(name, true)
    } else if (spec.values.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i]
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`)
      flags.set(name, value)
    } else {
      throw new UsageError(`unknown option --${name}`)
    }
  }
  return { positional, flags }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name)
  return typeof v === 'string' ? v : undefined
}

export function need(p: Parsed, name: string): string {
  const v = str(p, name)
  if (!v) throw new UsageError(`--${name} is required`)
  return v
}

export function num(p: Parsed, name: string): number | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`)
  return n
}
