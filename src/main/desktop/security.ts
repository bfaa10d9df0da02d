/**
 * Electron's security checklist (electronjs.org/docs/latest/tutorial/security) as code: what the window's
 * web contents may do, which permissions it gets, and which IPC senders are answered. Proven against the
 * built main process with a fake Electron in src/main/desktop.test.ts.
 */
import { shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron'
import { isHelpLink } from '../../shared/help-links'
import type { AppPage } from './app-page'

/**
 * The permissions the app's own page uses: Models → "Copy" writes metrics JSON to the clipboard. Electron
 * grants every permission when no handler is set; everything not listed here is denied.
 */
const APP_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

export function restrictPermissions(session: Session, page: AppPage): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const url = (details as { requestingUrl?: string }).requestingUrl ?? ''
    callback(APP_PERMISSIONS.has(permission) && page.isAppUrl(url))
  })
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) => APP_PERMISSIONS.has(permission) && page.isAppOrigin(requestingOrigin)
  )
  // HID, serial and USB devices: the app uses none.
  session.setDevicePermissionHandler(() => false)
}

/**
 * Applied to every web contents (app 'web-contents-created'): nothing navigates away from the app's page,
 * no window opens, no webview attaches; links to the app's help pages open in the user's browser.
 */
export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault())
  contents.on('will-frame-navigate', (e) => e.preventDefault())
  contents.on('will-redirect', (e) => e.preventDefault())
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isHelpLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

/** Only the app's own page, in its top frame, may call the API: not an iframe, not any other page. */
export function fromAppPage(event: IpcMainInvokeEvent, page: AppPage): boolean {
  try {
    const frame = event.senderFrame
    return frame !== null && frame !== undefined && frame.parent === null && page.isAppUrl(frame.url)
  } catch {
    // A frame that navigated or closed while its call was in flight.
    return false
  }
}
