import { calls, isCallName, type CallName } from '../../shared/contract'
import { AppError, type Reply } from '../../shared/result'
import type { AppContext } from '../app/context'
import { handlers, type Platform } from './handlers'

function describeIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.')
}

/**
 * The single entry for every call from any transport: validates the arguments against the contract and
 * turns every failure into a reply; nothing thrown here crosses a process boundary.
 */
export async function dispatch(
  ctx: AppContext,
  platform: Platform,
  name: string,
  rawArgs: unknown
): Promise<Reply<unknown>> {
  if (!isCallName(name)) {
    return { ok: false, error: { code: 'UNKNOWN_CALL', message: `Unknown call "${name}".` } }
  }
  const parsed = calls[name].args.safeParse(rawArgs ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue ? describeIssuePath(issue.path) : ''
    return {
      ok: false,
      error: {
        code: 'BAD_ARGS',
        message: `Invalid argument${path ? ` "${path}"` : ''} for ${name}: ${issue?.message ?? 'invalid input'}.`,
        path
      }
    }
  }
  try {
    const handler = handlers[name] as (a: unknown, c: AppContext, p: Platform) => unknown
    const value = await handler(parsed.data, ctx, platform)
    return { ok: true, value }
  } catch (e) {
    if (e instanceof AppError) return { ok: false, error: e.toJSON() }
    const message = e instanceof Error ? e.message : String(e)
    return {
      ok: false,
      error: { code: 'INTERNAL', message: `Something went wrong in ${name as CallName}: ${message}` }
    }
  }
}
