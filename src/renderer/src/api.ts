/**
 * The one object the renderer talks to. In Electron the preload exposes it as `window.studio`; in a
 * browser (`npm run web`) the same `StudioApi` is built here over the token-guarded HTTP/WebSocket bridge.
 */
import type { StudioApi } from '../../shared/api'
import type { CallName, EventName, Events } from '../../shared/contract'
import type { AppErrorShape, Reply } from '../../shared/result'

declare global {
  interface Window {
    studio?: StudioApi
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** What the web transport adds: its event-socket state, and a signal when the server refuses the token. */
export interface WebTransportHooks {
  onConnection(listener: (state: ConnectionState) => void): () => void
  onAuthRejected(listener: () => void): () => void
}

export type ConnectedApi = StudioApi & Partial<WebTransportHooks>

export type ApiResolution = { ok: true; api: ConnectedApi } | { ok: false; reason: 'no-token' }

const TOKEN_KEY = 'face-studio.token'

/** Reads `#token=…` once, keeps it for reloads of this tab, and takes it out of the visible URL. */
function readToken(): string | null {
  const hash = window.location.hash.replace(/^#/, '')
  const fromHash = hash ? new URLSearchParams(hash).get('token') : null
  if (fromHash) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromHash)
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    history.replaceState(null, '', window.location.pathname + window.location.search)
    return fromHash
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // nothing stored
  }
}

function failure(message: string): { ok: false; error: AppErrorShape } {
  return { ok: false, error: { code: 'INTERNAL', message } }
}

function isReply(value: unknown): value is Reply<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean'
}

function createWebApi(token: string): ConnectedApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  const authListeners = new Set<() => void>()
  let socket: WebSocket | null = null
  let retryMs = 500
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let state: ConnectionState = 'closed'
  /** Set once the server refuses the token: retrying with it cannot succeed. */
  let stopped = false

  const setState = (next: ConnectionState): void => {
    if (next === state) return
    state = next
    for (const l of connectionListeners) l(next)
  }
  const authRejected = (): void => {
    if (stopped) return
    stopped = true
    forgetToken()
    for (const l of authListeners) l()
  }

  const connect = (): void => {
    if (socket || retryTimer || stopped) return
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${window.location.host}/events?token=${encodeURIComponent(token)}`)
    socket = ws
    setState('connecting')
    ws.onopen = () => {
      retryMs = 500
      setState('open')
    }
    ws.onmessage = (msg) => {
      let data: { event?: unknown; payload?: unknown }
      try {
        data = JSON.parse(String(msg.data)) as { event?: unknown; payload?: unknown }
      } catch {
        return
      }
      if (typeof data.event !== 'string') return
      for (const l of listeners.get(data.event as EventName) ?? []) l(data.payload)
    }
    ws.onclose = () => {
      socket = null
      setState('closed')
      if (stopped) return
      // Reconnect with backoff; the server may be restarting, or the laptop waking up.
      retryTimer = setTimeout(() => {
        retryTimer = null
        connect()
      }, retryMs)
      retryMs = Math.min(retryMs * 2, 10_000)
    }
  }

  return {
    mode: 'web',
    async call(name: CallName, args: unknown) {
      let res: Response
      try {
        res = await fetch('/api/' + encodeURIComponent(name), {
          method: 'POST',
          headers: { 'x-studio-token': token, 'content-type': 'application/json' },
          body: JSON.stringify(args ?? {})
        })
      } catch {
        return failure('Lost the connection to Face Studio. Is `npm run web` still running? Start it again and reload.')
      }
      if (res.status === 403) {
        authRejected()
        return failure('The access token was refused. Open the URL printed by `npm run web` again.')
      }
      let body: unknown
      try {
        body = await res.json()
      } catch {
        return failure(`Face Studio answered ${res.status} ${res.statusText} without a readable reply.`)
      }
      if (!isReply(body)) return failure('Face Studio sent a reply this page does not understand.')
      return body
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      connect()
      return () => {
        set.delete(listener as (payload: unknown) => void)
      }
    },
    mediaUrl: (ref: string) => `/media/${ref}?token=${encodeURIComponent(token)}`,
    onConnection(listener) {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    },
    onAuthRejected(listener) {
      authListeners.add(listener)
      return () => authListeners.delete(listener)
    }
  } as ConnectedApi
}

/** The API for this window: the preload's in Electron, otherwise a web client (which needs the token). */
export function resolveStudioApi(): ApiResolution {
  if (window.studio) return { ok: true, api: window.studio }
  const token = readToken()
  if (!token) return { ok: false, reason: 'no-token' }
  return { ok: true, api: createWebApi(token) }
}
