/** Electron entry: the desktop window, menus, IPC and the media protocol over the shared AppContext. */
import path from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, utilityProcess } from 'electron'
import { IPC_CALL, IPC_EVENT, MEDIA_SCHEME } from '../shared/api'
import type { Reply } from '../shared/result'
import { AppContext } from './app/context'
import { dispatch } from './api/dispatch'
import type { Platform } from './api/handlers'
import type { WorkerFactory } from './jobs/worker-client'
import type { FromWorker } from './worker/protocol'
import { appPage } from './desktop/app-page'
import { mediaResponse } from './desktop/media-protocol'
import { fileDialogFor } from './desktop/file-dialog'
import { menuTemplate } from './desktop/menu'
import { fromAppPage, lockDownContents, restrictPermissions } from './desktop/security'
import { workerScript } from './paths'

protocol.registerSchemesAsPrivileged([
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
])

const page = appPage({
  packaged: app.isPackaged,
  devUrl: process.env.ELECTRON_RENDERER_URL,
  rendererIndex: path.join(__dirname, '../renderer/index.html')
})

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

let ctx: AppContext | null = null
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
  },
  pickFile: async (req) => {
    const parent = win ?? new BrowserWindow({ show: false })
    const d = fileDialogFor(req, ctx?.project?.dir ?? null, path.join)
    if (d.kind === 'open') {
      const r = await dialog.showOpenDialog(parent, d.options)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    }
    const r = await dialog.showSaveDialog(parent, d.options)
    return r.canceled || !r.filePath ? null : r.filePath
  }
}

const refused: Reply<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: "Face Studio answers calls only from its own window's page." }
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
      webSecurity: true,
      devTools: !app.isPackaged
    }
  })
  win.once('ready-to-show', () => win?.show())
  if (page.devUrl) void win.loadURL(page.devUrl)
  else void win.loadFile(page.rendererIndex)
}

// Every web contents, the window's and any other, is locked down as it is created.
app.on('web-contents-created', (_e, contents) => lockDownContents(contents))

app.whenReady().then(() => {
  restrictPermissions(session.defaultSession, page)
  const context = new AppContext({
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
  ctx = context
  context.on((event, payload) => send(IPC_EVENT, event, payload))
  ipcMain.handle(IPC_CALL, (e, name: unknown, args: unknown) =>
    fromAppPage(e, page) ? dispatch(context, platform, String(name), args) : refused
  )
  protocol.handle(MEDIA_SCHEME, (request) => mediaResponse(context.project, request.url))
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({ packaged: app.isPackaged, action: (name) => () => send(IPC_EVENT, 'menu', { action: name }) })
    )
  )
  createWindow()
  void context.backend().catch(() => undefined)
})

app.on('window-all-closed', () => app.quit())

// However the app quits (last window closed, menu Quit, Cmd+Q), jobs are cancelled, the workers shut down
// and the project closed before the process exits.
let disposal: Promise<void> | null = null
let disposed = false
app.on('will-quit', (e) => {
  if (disposed) return
  e.preventDefault()
  disposal ??= (ctx?.dispose() ?? Promise.resolve())
    .catch(() => undefined)
    .finally(() => {
      disposed = true
      app.quit()
    })
})
