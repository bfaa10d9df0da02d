/** The window: (browser-mode menu bar) · sidebar + screen, or the first-run screen · status bar. */
import { useEffect, type ReactElement } from 'react'
import { useStudio } from './store'
import { navigate, openDialog, runMenuAction } from './store/ui-actions'
import { AppMenu } from './components/AppMenu'
import { AboutDialog, ShortcutsDialog } from './components/Dialogs'
import { BusyBanner } from './components/BusyBanner'
import { SCREENS, Sidebar } from './components/Sidebar'
import { StatusBar } from './components/StatusBar'
import { InterruptedNotice } from './components/InterruptedNotice'
import { Toasts } from './components/Toasts'
import { Settings } from './screens/Settings'
import { FirstRun } from './screens/FirstRun'
import { ImportDialog } from './screens/ImportDialog'
import { LabelsImportDialog } from './screens/LabelsImportDialog'
import { ExportDialog } from './screens/ExportDialog'
import { Library } from './screens/Library'
import { People } from './screens/People'
import { Review } from './screens/Review'
import { Train } from './screens/Train'
import { Models } from './screens/Models'
import { Compare } from './screens/Compare'
import { Fairness } from './screens/Fairness'
import { MapScreen } from './screens/Map'
import { NoToken } from './screens/NoToken'
import { ProjectDialog } from './screens/ProjectForms'
import { MergeDialog } from './screens/MergeDialog'

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
}

/** App-wide shortcuts. In Electron the native menu's accelerators send the same actions. */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.ctrlKey || e.metaKey
      const key = e.key.toLowerCase()
      if (mod && !e.altKey) {
        if (key === 'o' && !e.shiftKey) runMenuAction('project.open')
        else if (key === 'n' && !e.shiftKey) runMenuAction('project.new')
        else if (key === 'i' && !e.shiftKey) runMenuAction('import')
        else if (key === 'z' && !isTyping(e.target)) runMenuAction(e.shiftKey ? 'redo' : 'undo')
        else if (/^[1-8]$/.test(e.key) && useStudio.getState().project) {
          const screen = SCREENS[Number(e.key) - 1]
          if (screen) navigate(screen.id)
        } else return
        e.preventDefault()
        return
      }
      if (e.key === '?' && !isTyping(e.target) && !useStudio.getState().dialog) {
        e.preventDefault()
        openDialog('shortcuts')
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

function Screen(): ReactElement {
  const screen = useStudio((s) => s.screen)
  if (screen === 'people') return <People />
  if (screen === 'review') return <Review />
  if (screen === 'train') return <Train />
  if (screen === 'models') return <Models />
  if (screen === 'compare') return <Compare />
  if (screen === 'fairness') return <Fairness />
  if (screen === 'map') return <MapScreen />
  return screen === 'settings' ? <Settings /> : <Library />
}

function Dialogs(): ReactElement | null {
  const dialog = useStudio((s) => s.dialog)
  const hasProject = useStudio((s) => s.project !== null)
  switch (dialog) {
    case 'import':
      return hasProject ? <ImportDialog /> : null
    case 'labels-import':
      return hasProject ? <LabelsImportDialog /> : null
    case 'export':
      return hasProject ? <ExportDialog /> : null
    case 'about':
      return <AboutDialog />
    case 'shortcuts':
      return <ShortcutsDialog />
    case 'project-new':
      return <ProjectDialog form="create" />
    case 'project-open':
      return <ProjectDialog form="open" />
    case 'merge':
      return hasProject ? <MergeDialog /> : null
    default:
      return null
  }
}

export function App(): ReactElement {
  const mode = useStudio((s) => s.mode)
  const known = useStudio((s) => s.projectKnown)
  const hasProject = useStudio((s) => s.project !== null)
  const rejected = useStudio((s) => s.authRejected)
  useShortcuts()
  if (rejected) return <NoToken rejected />
  return (
    <div className={`app app--${mode}`}>
      {mode === 'web' && <AppMenu />}
      <div className="app__body">
        {!known ? (
          <div className="splash" aria-busy="true" />
        ) : hasProject ? (
          <>
            <Sidebar />
            <main className="main">
              <InterruptedNotice />
              <Screen />
            </main>
          </>
        ) : (
          <FirstRun />
        )}
      </div>
      <StatusBar />
      <Dialogs />
      <BusyBanner />
      <Toasts />
    </div>
  )
}
