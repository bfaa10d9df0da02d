/**
 * The desktop app's main process as built (out/main/index.js), started under Node with a fake `electron`
 * (src/test/fake-electron) and driven as Electron would drive it: window, IPC from frames, the media
 * protocol, permissions, navigation, menu and quit. The services, database and ML workers are the real
 * ones; a worker runs in a child whose only channel is `process.parentPort`, as in a utility process.
 * Each test here is an item of Electron's security checklist or of "the desktop app starts" (issue 9).
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IPC_CALL, IPC_EVENT } from '../../shared/api'
import type { AppInfo, FaceSummary, ImageSummary, JobInfo, ProjectInfo } from '../../shared/domain'
import { HELP_LINKS } from '../../shared/help-links'
import type { Reply } from '../../shared/result'
import {
  appPageUrl,
  builtMain,
  rendererIndex,
  startDesktopMain,
  waitFor,
  type DesktopMain
} from '../../test/fake-electron/driver'
import { sharedData, tempDir } from '../../test/support'

const preloadFile = path.join(path.dirname(builtMain), '..', 'preload', 'index.js')
const photo = path.join(sharedData, 'expression_faceapi_examples', 'images', 'happy.jpg')

interface WindowState {
  options: { webPreferences: Record<string, unknown>; show?: boolean }
  visible: boolean
  contentsId: number
  loaded: Array<{ url?: string; file?: string }>
}
interface MenuItem {
  label?: string
  role?: string
  submenu?: MenuItem[]
}
interface MainState {
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean> }>
  protocolSchemes: string[]
  ipcChannels: string[]
  windows: WindowState[]
  webContents: Array<{ id: number; windowOpenHandler: boolean; listeners: Record<string, number> }>
  menu: MenuItem[] | null
  permissionHandlers: Record<'request' | 'check' | 'device', boolean>
  workers: Array<{ pid: number; exited: boolean }>
}
interface Fetched {
  status: number
  type: string | null
  body: Uint8Array
  syncFs: string[]
}

/** An ipcRenderer.invoke of the app's API from a frame at `url` (the app's page unless told otherwise). */
async function call<T>(
  m: DesktopMain,
  name: string,
  args: unknown = {},
  frame: { url?: string; subframe?: string } = {}
): Promise<Reply<T>> {
  const r = await m.cmd<{ reply?: Reply<T>; thrown?: string }>('invoke', {
    channel: IPC_CALL,
    url: frame.url ?? appPageUrl,
    subframe: frame.subframe,
    args: [name, args]
  })
  if (r.thrown !== undefined) throw new Error(`${name} threw in main: ${r.thrown}`)
  return r.reply as Reply<T>
}

async function callOk<T>(m: DesktopMain, name: string, args: unknown = {}): Promise<T> {
  const r = await call<T>(m, name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`)
  return r.value
}

function roles(items: MenuItem[] | null): string[] {
  return (items ?? []).flatMap((i) => [...(i.role ? [i.role] : []), ...roles(i.submenu ?? null)])
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Quits as asked; asserts no worker outlived the quit, and that the process then exited cleanly. */
async function quitAndCheckWorkers(m: DesktopMain, how: 'menu' | 'close-window'): Promise<void> {
  const spawned = (await m.cmd<MainState>('state')).workers
  expect(spawned.length).toBeGreaterThan(0)
  const { workers } = await m.cmd<{ workers: Array<{ pid: number; alive: boolean }> }>('quit', { how })
  expect(workers.map((w) => w.pid).sort()).toEqual(spawned.map((w) => w.pid).sort())
  expect(
    workers.filter((w) => w.alive),
    'workers still running when the app quit'
  ).toEqual([])
  expect(await m.exited).toBe(0)
  for (const w of workers) expect(alive(w.pid), `worker ${w.pid}`).toBe(false)
}

const ELECTRON_PERMISSIONS = [
  'clipboard-read',
  'clipboard-sanitized-write',
  'display-capture',
  'fullscreen',
  'geolocation',
  'idle-detection',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'notifications',
  'pointerLock',
  'keyboardLock',
  'openExternal',
  'speaker-selection',
  'storage-access',
  'top-level-storage-access',
  'window-management',
  'fileSystem',
  'hid',
  'serial',
  'usb',
  'unknown'
]

describe('desktop main process, development build (built out/main with a fake Electron)', () => {
  let m: DesktopMain
  let state: MainState

  beforeAll(async () => {
    m = await startDesktopMain()
    state = await m.cmd<MainState>('state')
  })
  afterAll(() => m?.kill())

  it('creates one window with the checklist webPreferences and loads the built page', async () => {
    expect(state.windows).toHaveLength(1)
    const [win] = state.windows as [WindowState]
    const prefs = win.options.webPreferences
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    for (const off of [
      'nodeIntegrationInWorker',
      'nodeIntegrationInSubFrames',
      'webviewTag',
      'allowRunningInsecureContent',
      'experimentalFeatures'
    ])
      expect(prefs[off], off).not.toBe(true)
    expect(prefs.enableBlinkFeatures).toBeUndefined()
    expect(prefs.preload).toBe(path.resolve(preloadFile))
    expect(fs.existsSync(preloadFile)).toBe(true)
    expect(win.loaded).toEqual([{ file: rendererIndex }])
    expect(win.options.show).toBe(false)
    expect((await m.cmd<MainState>('state')).windows[0]?.visible).toBe(true)
    expect(state.ipcChannels).toEqual([IPC_CALL])
    // The media scheme is a standard, secure, fetchable scheme that does not bypass the page's CSP.
    expect(state.privilegedSchemes).toEqual([
      { scheme: 'studio-media', privileges: { standard: true, secure: true, supportFetchAPI: true } }
    ])
    expect(state.protocolSchemes).toEqual(['studio-media'])
  })

  it('answers app.info from its page through the real services and an ML worker on a utility-process port', async () => {
    const info = await callOk<AppInfo>(m, 'app.info')
    expect(info).toMatchObject({ name: 'Face Studio', version: '9.8.7', mode: 'electron' })
    // The backend is probed in a worker: the answer came through utilityProcess.fork and process.parentPort.
    expect(info.backend?.name).toMatch(/^(wasm|cpu|tensorflow|tensorflow-gpu)$/)
    const workers = (await m.cmd<MainState>('state')).workers
    expect(workers.length).toBeGreaterThan(0)
    expect(workers.every((w) => !w.exited && alive(w.pid))).toBe(true)
    // The hash route of the page is the same page.
    expect((await call(m, 'project.current', {}, { url: `${appPageUrl}#/people` })).ok).toBe(true)
  })

  it('refuses calls from any frame other than its own page', async () => {
    const others = [
      'https://evil.example/',
      'http://localhost:5173/',
      'file:///tmp/evil.html',
      pathToFileURL(path.join(path.dirname(rendererIndex), 'other.html')).href,
      'data:text/html,<script></script>',
      'about:blank'
    ]
    for (const url of others) {
      const r = await call(m, 'project.create', { dir: path.join(tempDir('evil'), 'p') }, { url })
      expect(r, url).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    // An iframe inside the app's page, even one showing the page itself, is not the page.
    for (const subframe of ['https://evil.example/', appPageUrl]) {
      const r = await call(m, 'app.info', {}, { subframe })
      expect(r, subframe).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    expect(await callOk(m, 'project.current')).toBeNull()
  })

  it('imports a photo through the workers and serves its thumbnail, refusing everything else', async () => {
    const folder = tempDir('desktop-photos')
    fs.copyFileSync(photo, path.join(folder, 'happy.jpg'))
    const dir = path.join(tempDir('desktop-proj'), 'Desk')
    const project = await callOk<ProjectInfo>(m, 'project.create', { dir })
    const job = await callOk<JobInfo>(m, 'import.start', { folder, crops: true })
    const done = await waitFor(async () => {
      const j = (await callOk<JobInfo[]>(m, 'jobs.list')).find((x) => x.id === job.id)
      return j && ['done', 'failed', 'cancelled'].includes(j.status) ? j : undefined
    }, 'the import job')
    expect(done.status, done.error ?? '').toBe('done')
    // Job progress and data changes reached the window on the event channel.
    const sent = await m.cmd<unknown[][]>('sent')
    const events = sent.filter((s) => s[0] === IPC_EVENT).map((s) => s[1])
    expect(events).toEqual(expect.arrayContaining(['project.changed', 'job.updated', 'data.changed']))

    const images = await callOk<{ items: ImageSummary[] }>(m, 'library.images', {})
    const image = images.items[0] as ImageSummary
    const detail = await callOk<{ media: string; faces: FaceSummary[] }>(m, 'library.image', { id: image.id })
    const face = detail.faces[0] as FaceSummary
    const db = new Database(path.join(project.dir, 'studio.db'))
    const thumbRel = db.prepare('SELECT thumb FROM faces WHERE id = ?').pluck().get(face.id) as string
    const thumbsDir = path.join(project.dir, 'thumbs')

    const fetch = (url: string): Promise<Fetched> => m.cmd<Fetched>('fetch', { url })
    const thumb = await fetch(`studio-media://${face.thumb}`)
    expect(thumb).toMatchObject({ status: 200, type: 'image/jpeg' })
    expect(Buffer.from(thumb.body).equals(fs.readFileSync(path.join(thumbsDir, thumbRel)))).toBe(true)
    // Served without blocking the main process: no synchronous file system call while answering.
    expect(thumb.syncFs).toEqual([])
    const preview = await fetch(`studio-media://${detail.media}`)
    expect(preview).toMatchObject({ status: 200, type: 'image/jpeg', syncFs: [] })
    expect(preview.body.length).toBeGreaterThan(1000)

    // Rows that point outside this project's thumbs/ (another project, the database, a folder) are refused.
    const other = tempDir('other-proj')
    fs.mkdirSync(path.join(other, 'thumbs', 'faces'), { recursive: true })
    const otherThumb = path.join(other, 'thumbs', 'faces', 'x.jpg')
    fs.copyFileSync(path.join(thumbsDir, thumbRel), otherThumb)
    const crafted = [
      otherThumb,
      '../studio.db',
      `../../${path.basename(other)}/thumbs/faces/x.jpg`,
      'faces',
      'missing.jpg'
    ]
    const insert = db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, thumb) VALUES (?, ?, 0, 0, 1, 1, 1, 'crop', ?)`
    )
    // A link inside thumbs/ that leads out of it.
    fs.symlinkSync(otherThumb, path.join(thumbsDir, 'faces', 'link.jpg'))
    crafted.push('faces/link.jpg')
    const craftedIds = crafted.map((t, i) => Number(insert.run(image.id, 100 + i, t).lastInsertRowid))
    db.close()
    const refused = [
      ...craftedIds.map((id) => `studio-media://thumb/${id}`),
      `studio-media://thumb/${face.id + 1000}`,
      'studio-media://image/99999',
      `studio-media://thumb/${face.id}/x`,
      'studio-media://thumb/../../studio.db',
      'studio-media://thumb/%2e%2e%2fstudio.db',
      'studio-media://models/1',
      `studio-media://${thumbRel}`
    ]
    for (const url of refused) expect(await fetch(url), url).toMatchObject({ status: 404, syncFs: [] })
    // The main process is still answering, and with no project open nothing is served.
    await callOk(m, 'project.close')
    expect(await fetch(`studio-media://${face.thumb}`)).toMatchObject({ status: 404 })
  })

  it('picks a labels file and an export destination with native dialogs, and the picked paths work', async () => {
    const folder = tempDir('desktop-dialog-photos')
    fs.copyFileSync(photo, path.join(folder, 'happy.jpg'))
    const project = await callOk<ProjectInfo>(m, 'project.create', { dir: path.join(tempDir('desktop-dialog'), 'D') })
    const job = await callOk<JobInfo>(m, 'import.start', { folder, crops: true })
    await waitFor(async () => {
      const j = (await callOk<JobInfo[]>(m, 'jobs.list')).find((x) => x.id === job.id)
      return j?.status === 'done' ? j : undefined
    }, 'the import job')
    const csv = path.join(tempDir('desktop-dialog-labels'), 'labels.csv')
    fs.writeFileSync(csv, `path,mood\n${path.join(folder, 'happy.jpg')},Happy\n`)
    await m.cmd('dialogs', {})

    // Import labels…: an open dialog on the window, filtered to labels files; the path it answers previews.
    await m.cmd('dialogs', { answers: [csv] })
    expect(await callOk<string | null>(m, 'system.pickFile', { purpose: 'labels' })).toBe(csv)
    const [open] = await m.cmd<Array<{ kind: string; parented: boolean; options: Record<string, unknown> }>>(
      'dialogs',
      {}
    )
    expect(open).toMatchObject({ kind: 'open', parented: true, options: { properties: ['openFile'] } })
    expect(JSON.stringify(open?.options.filters)).toContain('"csv"')
    const preview = await callOk<{ rows: number; applied: number }>(m, 'labels.preview', {
      file: csv,
      task: 'expression',
      labelColumn: 'mood'
    })
    expect(preview).toMatchObject({ rows: 1, applied: 1 })

    // Export…: a save dialog suggesting the form's name in the project folder, filtered to the format.
    const out = path.join(tempDir('desktop-dialog-out'), 'faces.json')
    await m.cmd('dialogs', { answers: [out] })
    expect(await callOk(m, 'system.pickFile', { purpose: 'export', format: 'coco', name: 'faces.json' })).toBe(out)
    const [save] = await m.cmd<Array<{ kind: string; parented: boolean; options: Record<string, unknown> }>>(
      'dialogs',
      {}
    )
    expect(save).toMatchObject({
      kind: 'save',
      parented: true,
      options: { defaultPath: path.join(project.dir, 'faces.json'), filters: [{ extensions: ['json'] }] }
    })
    const exp = await callOk<JobInfo>(m, 'export.run', { format: 'coco', out })
    const done = await waitFor(async () => {
      const j = (await callOk<JobInfo[]>(m, 'jobs.list')).find((x) => x.id === exp.id)
      return j && ['done', 'failed', 'cancelled'].includes(j.status) ? j : undefined
    }, 'the export job')
    expect(done.status, done.error ?? '').toBe('done')
    expect((JSON.parse(fs.readFileSync(out, 'utf8')) as { images: unknown[] }).images).toHaveLength(1)

    // Cancelled dialogs answer null; a bad request is refused at the boundary before any dialog opens.
    expect(await callOk(m, 'system.pickFile', { purpose: 'labels' })).toBeNull()
    expect(await callOk(m, 'system.pickFile', { purpose: 'export' })).toBeNull()
    expect(await call(m, 'system.pickFile', { purpose: 'photos' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGS' }
    })
    expect(await m.cmd<unknown[]>('dialogs', {})).toHaveLength(2)
    await callOk(m, 'project.close')
  })

  it('denies every permission except clipboard writes from its own page', async () => {
    expect(state.permissionHandlers).toEqual({ request: true, check: true, device: true })
    for (const permission of ELECTRON_PERMISSIONS) {
      const fromApp = permission === 'clipboard-sanitized-write'
      for (const kind of ['request', 'check'] as const) {
        expect(await m.cmd('permission', { kind, permission, url: appPageUrl }), `${kind} ${permission}`).toBe(fromApp)
        expect(await m.cmd('permission', { kind, permission, url: 'https://evil.example/' }), permission).toBe(false)
      }
    }
    for (const device of ['hid', 'serial', 'usb'])
      expect(await m.cmd('permission', { kind: 'device', permission: device, url: appPageUrl })).toBe(false)
  })

  it('blocks navigation and redirects on every web contents, denies new windows, opens only help links', async () => {
    const other = await m.cmd<number>('newContents')
    for (const contents of [state.windows[0]?.contentsId, other]) {
      for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect'])
        for (const url of ['https://evil.example/', 'file:///etc/passwd', appPageUrl])
          expect(await m.cmd('navigate', { event, url, contents }), `${event} ${url}`).toEqual({ prevented: true })
      const help = await m.cmd('windowOpen', { url: HELP_LINKS.models, contents })
      expect(help).toEqual({ action: 'deny', opened: [HELP_LINKS.models] })
      for (const url of [
        'https://evil.example/',
        `${HELP_LINKS.models}.evil.example`,
        HELP_LINKS.models.replace('https:', 'http:'),
        'file:///etc/passwd',
        'javascript:alert(1)',
        'studio-media://thumb/1'
      ])
        expect(await m.cmd('windowOpen', { url, contents }), url).toEqual({ action: 'deny', opened: [] })
    }
  })

  it('File → Import Labels… and Export… open those dialogs in the window (a menu event each)', async () => {
    const before = (await m.cmd<unknown[][]>('sent')).length
    await m.cmd('clickMenu', { labels: ['File', 'Import Labels…'] })
    await m.cmd('clickMenu', { labels: ['File', 'Export…'] })
    await m.cmd('clickMenu', { labels: ['File', 'Merge Annotations From…'] })
    const menu = (await m.cmd<unknown[][]>('sent')).slice(before).filter((s) => s[0] === IPC_EVENT && s[1] === 'menu')
    expect(menu.map((s) => s[2])).toEqual([{ action: 'labels.import' }, { action: 'export' }, { action: 'merge' }])
  })

  it('has DevTools in the development menu only', () => {
    expect(roles(state.menu)).toContain('toggleDevTools')
    expect(state.windows[0]?.options.webPreferences.devTools).toBe(true)
  })

  it('quitting from the menu shuts every worker down before the process exits', async () => {
    await quitAndCheckWorkers(m, 'menu')
  })
})

describe('desktop main process, packaged', () => {
  let m: DesktopMain
  beforeAll(async () => {
    m = await startDesktopMain({ packaged: true, rendererUrl: 'http://localhost:5173/' })
  })
  afterAll(() => m?.kill())

  it('ignores ELECTRON_RENDERER_URL, has no DevTools, and answers only the built page', async () => {
    const state = await m.cmd<MainState>('state')
    expect(state.windows[0]?.loaded).toEqual([{ file: rendererIndex }])
    expect(state.windows[0]?.options.webPreferences.devTools).toBe(false)
    const menuRoles = roles(state.menu)
    expect(menuRoles).toContain('quit')
    expect(menuRoles).not.toContain('toggleDevTools')
    expect(menuRoles).not.toContain('forceReload')
    expect(await call(m, 'project.current', {}, { url: 'http://localhost:5173/' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' }
    })
    expect(await call(m, 'project.current')).toEqual({ ok: true, value: null })
  })

  it('closing the window quits and shuts every worker down', async () => {
    await callOk(m, 'app.info')
    await quitAndCheckWorkers(m, 'close-window')
  })
})

describe('desktop main process, development server (ELECTRON_RENDERER_URL)', () => {
  let m: DesktopMain
  const devUrl = 'http://localhost:5173/'
  beforeAll(async () => {
    m = await startDesktopMain({ rendererUrl: devUrl })
  })
  afterAll(() => m?.kill())

  it('loads the dev server and answers only frames of its origin', async () => {
    const state = await m.cmd<MainState>('state')
    expect(state.windows[0]?.loaded).toEqual([{ url: devUrl }])
    expect(await call(m, 'project.current', {}, { url: `${devUrl}#/review` })).toEqual({ ok: true, value: null })
    for (const url of [appPageUrl, 'http://localhost:5174/', 'http://127.0.0.1:5173/'])
      expect(await call(m, 'project.current', {}, { url }), url).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' }
      })
    expect(await m.cmd('permission', { kind: 'check', permission: 'clipboard-sanitized-write', url: devUrl })).toBe(
      true
    )
    expect(await m.cmd('permission', { kind: 'check', permission: 'clipboard-sanitized-write', url: appPageUrl })).toBe(
      false
    )
    await quitAndCheckWorkers(m, 'menu')
  })
})
