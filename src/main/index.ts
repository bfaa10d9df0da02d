/** Electron entry: the desktop window, menus, IPC and the media protocol over the shared AppContext. */
import path from 'node:path'
import fs from 'node:fs'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  shell,
  utilityProcess,
  type MenuItemConstructorOptions
} from 'electron'
import { IPC_CALL, IPC_EVENT, MEDIA_SCHEME } from '../shared/api'
import type { MenuAction } from '../shared/contract'
import { AppContext } from './app/context'
import { dispatch } from './api/dispatch'
import type { Platform } from './api/handlers'
import type { WorkerFactory } from './jobs/worker-client'
import type { FromWorker } from './worker/protocol'
import { resolveMedia } from './library/media-files'
import { workerScript } from './paths'

protocol.registerSchemesAsPrivileged([
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
])

const utilityWorker: WorkerFactory = (script, env) => {
  const child = utilityProcess.fork(script, [], {
    env: { ...process.env, ...env },
    serviceName: 'Face Studio ML worker'
  })
  return {
    get pid() {
      return child.pid
    },
    send: (msg) => child.postMessage(msg),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromWorker)),
    onExit: (l) => child.on('exit', (code) => l(code, null)),
    kill: () => {
      child.kill()
    }
  }
}

let ctx: AppContext
let win: BrowserWindow | null = null

function send(channel: string, ...args: unknown[]): void {
  if (win && !win.isDestroyed()) win.webContents.send(channel, ...args)
}

const platform: Platform = {
  pickFolder: async (purpose) => {
    const title =
      purpose === 'import'
        ? 'Import a folder of photos'
        : purpose === 'create'
          ? 'New project folder'
          : 'Open a project folder'
    const r = await dialog.showOpenDialog(win ?? new BrowserWindow({ show: false }), {
      title,
      properties: ['openDirectory', 'createDirectory']
    })
    return r.canceled ? null : (r.filePaths[0] ?? null)
  }
}

function menu(): Menu {
  const action = (name: MenuAction) => () => send(IPC_EVENT, 'menu', { action: name })
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: action('project.new') },
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: action('project.open') },
        { label: 'Import Folder…', accelerator: 'CmdOrCtrl+I', click: action('import') },
        { type: 'separator' },
        { role: 'quit' }
      ]
    },
    {
      label: 'Edit',
      submenu: [
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: action('undo') },
        { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', click: action('redo') },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' }
      ]
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { label: 'Help', submenu: [{ label: 'About Face Studio', click: action('about') }] }
  ]
  return Menu.buildFromTemplate(template)
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Face Studio',
    show: false,
    backgroundColor: '#1e1f22',
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    }
  })
  win.once('ready-to-show', () => win?.show())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void win.loadFile(path.join(__dirname, '../renderer/index.html'))
}

app.whenReady().then(() => {
  ctx = new AppContext({
    mode: 'electron',
    version: app.getVersion(),
    versions: {
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node
    },
    workerScript: workerScript(),
    workerFactory: utilityWorker,
    reopenLast: !process.env.FACE_STUDIO_NO_REOPEN
  })
  ctx.on((event, payload) => send(IPC_EVENT, event, payload))
  ipcMain.handle(IPC_CALL, (_e, name: unknown, args: unknown) => dispatch(ctx, platform, String(name), args))
  protocol.handle(MEDIA_SCHEME, (request) => {
    const project = ctx.project
    const url = new URL(request.url)
    const media = project ? resolveMedia(project, `${url.hostname}${url.pathname}`) : null
    if (!media || !fs.existsSync(media.file)) return new Response('not found', { status: 404 })
    return new Response(fs.readFileSync(media.file), { headers: { 'content-type': media.mime } })
  })
  Menu.setApplicationMenu(menu())
  createWindow()
  void ctx.backend().catch(() => undefined)
})

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
})

app.on('window-all-closed', () => {
  void ctx?.dispose().finally(() => app.quit())
})
