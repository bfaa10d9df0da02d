/** Navigation: the screen, the active task, dialogs, and the menu actions (native menu, web menu, shortcuts). */
import type { MenuAction } from '../../../shared/contract'
import { useStudio } from './index'
import { on, undo } from './client'
import { requestImport } from './jobs-actions'
import type { DialogId, ScreenId } from './slices'

const set = useStudio.setState
const get = useStudio.getState

export function navigate(screen: ScreenId): void {
  set({ screen, selectedImageId: null })
}

export function openDialog(dialog: DialogId): void {
  if (dialog === 'project-new' || dialog === 'project-open') set({ projectErrors: {} })
  set({ dialog })
}

export function closeDialog(): void {
  set({ dialog: null, projectErrors: {} })
}

export function setTask(task: string): void {
  set({ task })
}

/** Shared by the native menu (Electron), the web app menu and keyboard shortcuts. */
export function runMenuAction(action: MenuAction): void {
  switch (action) {
    case 'project.new':
    case 'project.open': {
      const dialog = action === 'project.new' ? 'project-new' : 'project-open'
      if (get().project) openDialog(dialog)
      else {
        document.getElementById(action === 'project.new' ? 'firstrun-create-path' : 'firstrun-open-path')?.focus()
      }
      return
    }
    case 'import':
      requestImport()
      return
    case 'merge':
      if (get().project) openDialog('merge')
      return
    case 'undo':
    case 'redo':
      // Each screen's own stack (People: this session's people changes), else answers (see onUndo).
      undo(action === 'redo')
      return
    case 'labels.import':
    case 'export':
      if (get().project) openDialog(action === 'export' ? 'export' : 'labels-import')
      return
    case 'about':
      openDialog('about')
      return
  }
}

export function registerUi(): void {
  on('menu', (m) => runMenuAction(m.action))
}
