/**
 * Used only by `npm run typecheck` when the optional `electron` package is absent (it is removed when its
 * binary cannot be downloaded, as on offline machines and CI). It declares just the Electron API this app
 * uses, with Electron's own names and shapes; where Electron is installed its real types are used instead.
 */
declare module 'electron' {
  import type { EventEmitter } from 'node:events'

  interface WebFrameMain {
    readonly url: string
    readonly origin: string
    readonly parent: WebFrameMain | null
  }
  interface IpcMainInvokeEvent {
    sender: WebContents
    /** null when the frame navigated or was destroyed before the message was handled. */
    readonly senderFrame: WebFrameMain | null
  }
  interface IpcRendererEvent {
    sender: unknown
  }
  interface Event {
    preventDefault(): void
  }
  interface WebContents extends EventEmitter {
    send(channel: string, ...args: unknown[]): void
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void
    on(event: 'will-navigate', listener: (event: Event, url: string) => void): this
    on(event: 'will-frame-navigate', listener: (event: Event) => void): this
    on(event: 'will-redirect', listener: (event: Event, url: string) => void): this
    on(event: 'will-attach-webview', listener: (event: Event) => void): this
  }
  interface WebPreferences {
    preload?: string
    contextIsolation?: boolean
    sandbox?: boolean
    nodeIntegration?: boolean
    webSecurity?: boolean
    devTools?: boolean
  }
  interface BrowserWindowConstructorOptions {
    width?: number
    height?: number
    minWidth?: number
    minHeight?: number
    title?: string
    show?: boolean
    backgroundColor?: string
    webPreferences?: WebPreferences
  }
  export class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions)
    webContents: WebContents
    once(event: 'ready-to-show', listener: () => void): this
    show(): void
    isDestroyed(): boolean
    loadURL(url: string): Promise<void>
    loadFile(file: string): Promise<void>
  }
  interface App extends EventEmitter {
    readonly isPackaged: boolean
    whenReady(): Promise<void>
    getVersion(): string
    quit(): void
    on(event: 'window-all-closed', listener: () => void): this
    on(event: 'before-quit' | 'will-quit', listener: (event: Event) => void): this
    on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): this
  }
  export const app: App
  export const dialog: {
    showOpenDialog(
      window: BrowserWindow,
      options: {
        title?: string
        properties?: Array<'openDirectory' | 'createDirectory' | 'openFile'>
        filters?: Array<{ name: string; extensions: string[] }>
      }
    ): Promise<{ canceled: boolean; filePaths: string[] }>
    showSaveDialog(
      window: BrowserWindow,
      options: {
        title?: string
        defaultPath?: string
        properties?: Array<'createDirectory' | 'showOverwriteConfirmation'>
        filters?: Array<{ name: string; extensions: string[] }>
      }
    ): Promise<{ canceled: boolean; filePath?: string }>
  }
  export const ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void
  }
  export const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>
    on(channel: string, listener: (event: IpcRendererEvent, ...args: never[]) => void): void
  }
  export const contextBridge: {
    exposeInMainWorld(apiKey: string, api: unknown): void
  }
  export interface MenuItemConstructorOptions {
    label?: string
    accelerator?: string
    role?: string
    type?: 'normal' | 'separator' | 'submenu'
    click?: () => void
    submenu?: MenuItemConstructorOptions[]
  }
  export class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu
    static setApplicationMenu(menu: Menu | null): void
  }
  export const protocol: {
    registerSchemesAsPrivileged(
      schemes: Array<{
        scheme: string
        privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean }
      }>
    ): void
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void
  }
  export const shell: { openExternal(url: string): Promise<void> }
  interface PermissionRequest {
    requestingUrl: string
    isMainFrame: boolean
  }
  interface PermissionCheckHandlerHandlerDetails {
    requestingUrl?: string
    isMainFrame: boolean
  }
  interface Session {
    setPermissionRequestHandler(
      handler:
        | ((
            webContents: WebContents,
            permission: string,
            callback: (permissionGranted: boolean) => void,
            details: PermissionRequest
          ) => void)
        | null
    ): void
    setPermissionCheckHandler(
      handler:
        | ((
            webContents: WebContents | null,
            permission: string,
            requestingOrigin: string,
            details: PermissionCheckHandlerHandlerDetails
          ) => boolean)
        | null
    ): void
    setDevicePermissionHandler(handler: ((details: { deviceType: string; origin: string }) => boolean) | null): void
  }
  export const session: { readonly defaultSession: Session }
  interface UtilityProcess extends EventEmitter {
    readonly pid: number | undefined
    postMessage(message: unknown): void
    kill(): boolean
    on(event: 'message', listener: (message: unknown) => void): this
    on(event: 'exit', listener: (code: number) => void): this
  }
  export const utilityProcess: {
    fork(
      modulePath: string,
      args?: string[],
      options?: { env?: NodeJS.ProcessEnv; serviceName?: string }
    ): UtilityProcess
  }
}
