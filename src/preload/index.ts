/**
 * Exposes exactly one object, `window.studio`, typed by the shared contract; nothing of Node leaks through.
 * The window is sandboxed, so this file is bundled into one CommonJS script that may require only `electron`:
 * it imports nothing but zod-free shared files (checked by lint, by scripts/build.mjs and by sandbox.test.ts).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { IPC_CALL, IPC_EVENT, MEDIA_SCHEME, type StudioApi } from '../shared/api'
import { isEventName } from '../shared/events'

type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()

ipcRenderer.on(IPC_EVENT, (_e, event: string, payload: unknown) => {
  for (const l of listeners.get(event) ?? []) l(payload)
})

const api = {
  mode: 'electron',
  // main answers every call with a Reply shaped by the shared contract (see api/dispatch.ts)
  call: (name, args) => ipcRenderer.invoke(IPC_CALL, name, args) as ReturnType<StudioApi['call']>,
  on: (event, listener) => {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`)
    const set = listeners.get(event) ?? new Set<Listener>()
    set.add(listener as Listener)
    listeners.set(event, set)
    return () => set.delete(listener as Listener)
  },
  mediaUrl: (ref) => `${MEDIA_SCHEME}://${ref}`
} satisfies StudioApi

contextBridge.exposeInMainWorld('studio', api)
