'use strict'
/**
 * Starts the BUILT desktop main process (argv[2], e.g. out/main/index.js) under plain Node 22 with the fake
 * `electron` module of electron.cjs, then lets a test drive it over the IPC channel this process was
 * forked with: each request `{ id, cmd, ...params }` gets one reply `{ id, ok, value | error }`.
 * The app's code is the real one (services, database, ML workers); only Electron itself is faked.
 */
const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')

const FAKE = path.join(__dirname, 'electron.cjs')
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return FAKE
  return resolveFilename.call(this, request, ...rest)
}

const electron = require(FAKE)
const fake = electron.__fake

const SYNC_FS = [
  'readFileSync',
  'existsSync',
  'statSync',
  'lstatSync',
  'fstatSync',
  'openSync',
  'readSync',
  'accessSync',
  'realpathSync'
]

/** Runs `fn` and names the blocking fs calls made while it (and what it awaits) was pending. */
async function watchingSyncFs(fn) {
  const used = new Set()
  const originals = SYNC_FS.map((name) => [name, fs[name]])
  for (const [name, original] of originals) {
    fs[name] = function (...args) {
      used.add(name)
      return original.apply(this, args)
    }
  }
  try {
    return { value: await fn(), syncFs: [...used] }
  } finally {
    for (const [name, original] of originals) fs[name] = original
  }
}

function contentsById(id) {
  const wc = id === undefined ? fake.windows[0]?.webContents : fake.webContents.find((c) => c.id === id)
  if (!wc) throw new Error(`no web contents ${id ?? '(main window)'}`)
  return wc
}

function describeMenu(items) {
  return items.map((i) => ({
    label: i.label,
    role: i.role,
    type: i.type,
    accelerator: i.accelerator,
    submenu: Array.isArray(i.submenu) ? describeMenu(i.submenu) : undefined
  }))
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function workers() {
  return fake.utilityProcesses.map((p) => ({ pid: p.child.pid, exited: p.exited }))
}

const commands = {
  state() {
    return {
      ready: fake.ready,
      privilegedSchemes: fake.privilegedSchemes,
      protocolSchemes: [...fake.protocolHandlers.keys()],
      ipcChannels: [...fake.ipcHandlers.keys()],
      windows: fake.windows.map((w) => ({
        options: structuredClone(w.options),
        visible: w.visible,
        destroyed: w.destroyed,
        contentsId: w.webContents.id,
        loaded: w.webContents.loaded
      })),
      webContents: fake.webContents.map((c) => ({
        id: c.id,
        url: c.getURL(),
        windowOpenHandler: typeof c.windowOpenHandler === 'function',
        listeners: Object.fromEntries(
          ['will-navigate', 'will-redirect', 'will-attach-webview', 'will-frame-navigate'].map((e) => [
            e,
            c.listenerCount(e)
          ])
        )
      })),
      menu: fake.applicationMenu ? describeMenu(fake.applicationMenu.template) : null,
      permissionHandlers: {
        request: typeof fake.permissionRequestHandler === 'function',
        check: typeof fake.permissionCheckHandler === 'function',
        device: typeof fake.devicePermissionHandler === 'function'
      },
      openedExternal: fake.openedExternal,
      workers: workers()
    }
  },

  /** Queues the answers of the next native dialogs; answers the dialogs asked so far (and clears that list). */
  dialogs({ answers }) {
    fake.dialogAnswers.push(...(answers ?? []))
    return fake.dialogCalls.splice(0)
  },

  /** Clicks an item of the application menu by its labels, e.g. ['File', 'Export…'], as a user would. */
  clickMenu({ labels }) {
    let items = fake.applicationMenu ? fake.applicationMenu.template : []
    let item
    for (const label of labels) {
      item = items.find((i) => i.label === label)
      if (!item) throw new Error(`no menu item ${labels.join(' → ')}`)
      items = Array.isArray(item.submenu) ? item.submenu : []
    }
    if (typeof item.click !== 'function') throw new Error(`${labels.join(' → ')} has no click`)
    item.click({}, fake.windows[0], {})
    return true
  },

  /** Events main sent to a web contents: [channel, ...args]. */
  sent({ contents }) {
    return contentsById(contents).sent
  },

  /** An ipcRenderer.invoke from a frame at `url` (a subframe when `subframe`), as Electron delivers it. */
  async invoke({ channel, url, subframe, contents, args }) {
    const handler = fake.ipcHandlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    const sender = contentsById(contents)
    const top = url === undefined ? sender.mainFrame : new fake.WebFrameMain(url)
    const senderFrame = subframe ? new fake.WebFrameMain(subframe, top) : top
    const event = { sender, senderFrame, frameId: 1, processId: 1, type: 'frame' }
    try {
      return { reply: structuredClone(await handler(event, ...args)) }
    } catch (e) {
      return { thrown: e instanceof Error ? e.message : String(e) }
    }
  },

  /** A request of the page for `url` on a custom protocol; reports the blocking fs calls it caused. */
  async fetch({ url }) {
    const scheme = new URL(url).protocol.slice(0, -1)
    const handler = fake.protocolHandlers.get(scheme)
    if (!handler) throw new Error(`no handler for ${scheme}:`)
    const { value, syncFs } = await watchingSyncFs(async () => {
      const res = await handler(new Request(url))
      return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) }
    })
    return { ...value, syncFs }
  },

  permission({ kind, permission, url, contents }) {
    const wc = contentsById(contents)
    if (kind === 'request') {
      const h = fake.permissionRequestHandler
      if (!h) return 'no handler'
      return new Promise((resolve) => {
        h(wc, permission, (granted) => resolve(granted), { requestingUrl: url, isMainFrame: true })
        setTimeout(() => resolve('no answer'), 2000).unref()
      })
    }
    if (kind === 'check') {
      const h = fake.permissionCheckHandler
      if (!h) return 'no handler'
      return h(wc, permission, new fake.WebFrameMain(url).origin, { requestingUrl: url, isMainFrame: true })
    }
    const h = fake.devicePermissionHandler
    if (!h) return 'no handler'
    return h({ deviceType: permission, origin: new fake.WebFrameMain(url).origin, device: {} })
  },

  /** Emits a navigation event (will-navigate, will-redirect, will-frame-navigate) on a web contents. */
  navigate({ event, url, contents }) {
    const e = fake.makeEvent()
    e.url = url
    contentsById(contents).emit(event, e, url, false, true)
    return { prevented: e.defaultPrevented }
  },

  /** window.open / target=_blank: what the window-open handler answers, and what it opened outside. */
  async windowOpen({ url, contents }) {
    const wc = contentsById(contents)
    if (!wc.windowOpenHandler) return { action: 'allow (no handler)' }
    const before = fake.openedExternal.length
    const r = wc.windowOpenHandler({ url, frameName: '', features: '', disposition: 'foreground-tab' })
    await new Promise((resolve) => setImmediate(resolve))
    return { action: r.action, opened: fake.openedExternal.slice(before) }
  },

  /** A web contents created without a window of the app's (a webview guest, a devtools host). */
  newContents() {
    const wc = new fake.WebContents()
    electron.app.emit('web-contents-created', fake.makeEvent(), wc)
    return wc.id
  },

  /** Quits (menu Quit / Cmd+Q) or closes the window; answers when 'quit' was emitted, with the workers then. */
  quit({ how }) {
    return new Promise((resolve) => {
      fake.onQuit = () => resolve({ workers: workers().map((w) => ({ ...w, alive: !w.exited && alive(w.pid) })) })
      if (how === 'close-window') fake.windows[0].close()
      else electron.app.quit()
    })
  }
}

process.on('message', (msg) => {
  const { id, cmd, ...params } = msg
  // The real app exits once it has quit.
  const after = cmd === 'quit' ? () => process.exit(0) : undefined
  Promise.resolve()
    .then(() => {
      const run = commands[cmd]
      if (!run) throw new Error(`unknown command ${cmd}`)
      return run(params)
    })
    .then(
      (value) => process.send({ id, ok: true, value }, after),
      (e) => process.send({ id, ok: false, error: e instanceof Error ? e.stack : String(e) }, after)
    )
})

require(path.resolve(process.argv[2]))
electron.app.whenReady().then(() => setImmediate(() => process.send({ started: true })))
