/** The API object the renderer sees, identical in Electron (preload) and browser (HTTP bridge) mode. */
import type { CallArgs, CallName, CallResult, EventName, Events } from './contract'
import type { Reply } from './result'

export interface StudioApi {
  readonly mode: 'electron' | 'web'
  call<N extends CallName>(name: N, args: CallArgs<N>): Promise<Reply<CallResult<N>>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  /** URL for a MediaRef ("thumb/12", "image/3") that this transport can serve. */
  mediaUrl(ref: string): string
}

/** Channel names used by the Electron transport. */
export const IPC_CALL = 'studio:call'
export const IPC_EVENT = 'studio:event'
/** Custom protocol that serves a project's thumbnails and photos in Electron. */
export const MEDIA_SCHEME = 'studio-media'
