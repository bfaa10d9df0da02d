import type { MenuItemConstructorOptions } from 'electron'
import type { MenuAction } from '../../shared/contract'

/**
 * The application menu. Items the renderer performs are sent to it as `menu` events; DevTools (and force
 * reload) are development tools only: a packaged app has neither, and its window has devTools disabled.
 */
export function menuTemplate(opts: {
  packaged: boolean
  action: (name: MenuAction) => () => void
}): MenuItemConstructorOptions[] {
  const { action } = opts
  const devTools: MenuItemConstructorOptions[] = opts.packaged
    ? []
    : [{ role: 'forceReload' }, { role: 'toggleDevTools' }]
  return [
    {
      label: 'File',
      submenu: [
        { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: action('project.new') },
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: action('project.open') },
        { label: 'Import Folder…', accelerator: 'CmdOrCtrl+I', click: action('import') },
        { label: 'Import Labels…', click: action('labels.import') },
        { label: 'Export…', click: action('export') },
        { label: 'Merge Annotations From…', click: action('merge') },
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
        ...devTools,
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
}
