'use strict'
/**
 * A fake of the main-process `electron` module, for starting the BUILT out/main/index.js under plain Node
 * where the Electron binary cannot be installed (see main-harness.cjs). It keeps the constraints of the
 * real one that the app depends on and records what the app asks of it:
 * - `ready` comes after the main script ran; protocol.registerSchemesAsPrivileged only before it; windows,
 *   protocol handlers, sessions and utility processes only after it (Electron throws otherwise).
 * - Creating a window emits app 'web-contents-created' for its web contents, before the constructor returns.
 * - app.quit(): 'before-quit', windows close, 'will-quit' (each may be prevented), then 'quit'; closing the
 *   last window emits 'window-all-closed', or quits when nobody listens.
 * - utilityProcess.fork runs the script in a Node child whose only channel is `process.parentPort` (messages
 *   arrive as `{ data }`), as in an Electron utility process; `process.send` is gone there (parent-port.cjs).
 * - Menu roles must be Electron's; IPC handlers, one per channel; values crossing IPC must be cloneable.
 */
const { EventEmitter } = require('node:events')
const { fork } = require('node:child_process')
const path = require('node:path')
const { pathToFileURL } = require('node:url')

const MENU_ROLES = new Set(
  (
    'undo redo cut copy paste pasteAndMatchStyle delete selectAll reload forceReload toggleDevTools resetZoom zoomIn ' +
    'zoomOut toggleSpellChecker togglefullscreen window minimize close help about services hide hideOthers unhide ' +
    'quit showSubstitutions toggleSmartQuotes toggleSmartDashes toggleTextReplacement startSpeaking stopSpeaking zoom ' +
    'front appMenu fileMenu editMenu viewMenu shareMenu recentDocuments toggleTabBar selectNextTab selectPreviousTab ' +
    'showAllTabs mergeAllWindows clearRecentDocuments moveTabToNewWindow windowMenu'
  ).split(' ')
)

/** What the harness reads and drives; not part of Electron's API. */
const fake = {
  ready: false,
  packaged: process.env.FAKE_ELECTRON_PACKAGED === '1',
  version: process.env.FAKE_ELECTRON_APP_VERSION || '0.0.0',
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  ipcHandlers: new Map(),
  windows: [],
  webContents: [],
  applicationMenu: null,
  openedExternal: [],
  /** What the next native dialogs answer (a path, or null for cancelled), first in first out. */
  dialogAnswers: [],
  dialogCalls: [],
  utilityProcesses: [],
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  devicePermissionHandler: null,
  /** Called once 'quit' was emitted (the real app would exit now). */
  onQuit: null,
  makeEvent() {
    return {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true
      }
    }
  }
}

function requireReady(what) {
  if (!fake.ready) throw new Error(`${what} cannot be used before the app is ready`)
}

let nextContentsId = 1

class WebFrameMain {
  constructor(url, parent = null) {
    this.url = url
    this.parent = parent
    this.top = parent ? parent.top : this
  }
  get origin() {
    try {
      const u = new URL(this.url)
      return u.protocol === 'file:' ? 'file://' : u.origin
    } catch {
      return 'null'
    }
  }
}

class WebContents extends EventEmitter {
  constructor() {
    super()
    this.id = nextContentsId++
    this.destroyed = false
    this.sent = []
    this.loaded = []
    this.windowOpenHandler = null
    this.mainFrame = new WebFrameMain('about:blank')
    fake.webContents.push(this)
  }
  get session() {
    return session.defaultSession
  }
  getURL() {
    return this.mainFrame.url
  }
  send(channel, ...args) {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push([channel, ...structuredClone(args)])
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler
  }
  loadURL(url) {
    this.loaded.push({ url })
    this.mainFrame = new WebFrameMain(url)
    return Promise.resolve()
  }
  loadFile(file) {
    this.loaded.push({ file })
    this.mainFrame = new WebFrameMain(pathToFileURL(file).href)
    return Promise.resolve()
  }
  isDestroyed() {
    return this.destroyed
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options = {}) {
    super()
    requireReady('BrowserWindow')
    this.options = options
    this.visible = false
    this.destroyed = false
    this.webContents = new WebContents()
    fake.windows.push(this)
    app.emit('web-contents-created', fake.makeEvent(), this.webContents)
    setImmediate(() => this.emit('ready-to-show'))
  }
  static getAllWindows() {
    return fake.windows.filter((w) => !w.destroyed)
  }
  show() {
    this.visible = true
  }
  isDestroyed() {
    return this.destroyed
  }
  loadURL(url) {
    return this.webContents.loadURL(url)
  }
  loadFile(file) {
    return this.webContents.loadFile(file)
  }
  /** Closing a window as its close button would; returns whether it closed. */
  close() {
    if (this.destroyed) return true
    const e = fake.makeEvent()
    this.emit('close', e)
    if (e.defaultPrevented) return false
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
    if (!quitting && BrowserWindow.getAllWindows().length === 0) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed')
      else app.quit()
    }
    return true
  }
}

let quitting = false

class App extends EventEmitter {
  constructor() {
    super()
    this.readyPromise = new Promise((resolve) => {
      // Electron is ready only after the main script has run to its end.
      setImmediate(() => {
        fake.ready = true
        this.emit('ready', fake.makeEvent(), {})
        resolve()
      })
    })
  }
  get isPackaged() {
    return fake.packaged
  }
  getVersion() {
    return fake.version
  }
  getName() {
    return 'Face Studio'
  }
  whenReady() {
    return this.readyPromise
  }
  isReady() {
    return fake.ready
  }
  quit() {
    setImmediate(() => {
      const before = fake.makeEvent()
      this.emit('before-quit', before)
      if (before.defaultPrevented) return
      quitting = true
      for (const w of BrowserWindow.getAllWindows()) {
        if (!w.close()) {
          quitting = false
          return
        }
      }
      quitting = false
      const will = fake.makeEvent()
      this.emit('will-quit', will)
      if (will.defaultPrevented) return
      this.emit('quit', fake.makeEvent(), 0)
      fake.onQuit?.()
    })
  }
}
const app = new App()

const ipcMain = {
  handle(channel, handler) {
    if (fake.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    fake.ipcHandlers.set(channel, handler)
  },
  removeHandler(channel) {
    fake.ipcHandlers.delete(channel)
  }
}

const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (fake.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready')
    fake.privilegedSchemes.push(...structuredClone(schemes))
  },
  handle(scheme, handler) {
    requireReady('protocol.handle')
    if (fake.protocolHandlers.has(scheme)) throw new Error(`Protocol '${scheme}' is already handled`)
    fake.protocolHandlers.set(scheme, handler)
  }
}

let defaultSession = null
const session = {
  get defaultSession() {
    requireReady('session')
    defaultSession ??= {
      setPermissionRequestHandler(h) {
        fake.permissionRequestHandler = h
      },
      setPermissionCheckHandler(h) {
        fake.permissionCheckHandler = h
      },
      setDevicePermissionHandler(h) {
        fake.devicePermissionHandler = h
      }
    }
    return defaultSession
  }
}

class Menu {
  constructor(template) {
    this.template = template
  }
  static buildFromTemplate(template) {
    const check = (items) => {
      for (const item of items) {
        if (item.role !== undefined && !MENU_ROLES.has(item.role)) throw new Error(`Invalid menu role: ${item.role}`)
        if (Array.isArray(item.submenu)) check(item.submenu)
      }
    }
    check(template)
    return new Menu(template)
  }
  static setApplicationMenu(menu) {
    fake.applicationMenu = menu
  }
  static getApplicationMenu() {
    return fake.applicationMenu
  }
}

const shell = {
  openExternal(url) {
    fake.openedExternal.push(url)
    return Promise.resolve()
  }
}

/**
 * Native dialogs answer what the harness queued (cancelled when nothing is queued) and record what they were asked.
 * Like Electron's, they take an optional parent window first, and a save answers `filePath`, an open `filePaths`.
 */
function answerDialog(kind, args) {
  const [maybeWindow, maybeOptions] = args
  const parented = maybeWindow instanceof BrowserWindow
  const options = parented ? maybeOptions : maybeWindow
  if (parented && maybeWindow.destroyed) throw new Error('the parent window of a dialog is destroyed')
  fake.dialogCalls.push({ kind, parented, options: structuredClone(options ?? {}) })
  const answer = fake.dialogAnswers.shift()
  return answer === undefined || answer === null ? null : answer
}
const dialog = {
  showOpenDialog(...args) {
    const answer = answerDialog('open', args)
    return Promise.resolve(
      answer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [answer] }
    )
  },
  showSaveDialog(...args) {
    const answer = answerDialog('save', args)
    return Promise.resolve(answer === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer })
  }
}

const PARENT_PORT = path.join(__dirname, 'parent-port.cjs')

class UtilityProcess extends EventEmitter {
  constructor(modulePath, args, options) {
    super()
    this.exited = false
    this.spawned = false
    this.child = fork(modulePath, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      execArgv: ['--require', PARENT_PORT],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    this.child.on('spawn', () => {
      this.spawned = true
      this.emit('spawn')
    })
    this.child.on('message', (m) => this.emit('message', m))
    this.child.on('exit', (code, signal) => {
      this.exited = true
      this.emit('exit', code ?? (signal ? 1 : 0))
    })
    this.child.on('error', (e) => this.emit('error', 'FatalError', e.message))
  }
  /** Like Electron's: undefined until the process has spawned. */
  get pid() {
    return this.spawned && !this.exited ? this.child.pid : undefined
  }
  postMessage(message) {
    if (this.child.connected) this.child.send(message)
  }
  kill() {
    return this.child.kill('SIGTERM')
  }
}

const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    requireReady('utilityProcess')
    const p = new UtilityProcess(modulePath, args, options)
    fake.utilityProcesses.push(p)
    return p
  }
}

module.exports = {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  __fake: Object.assign(fake, { WebContents, WebFrameMain })
}
