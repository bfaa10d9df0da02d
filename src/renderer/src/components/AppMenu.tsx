/** Browser mode's slim top bar with File / Edit / Help, standing in for Electron's native menu. */
import { useEffect, useRef, useState, type ReactElement } from 'react'
import type { MenuAction } from '../../../shared/contract'
import { useStudio } from '../store'
import { closeProject } from '../store/project-actions'
import { openDialog, runMenuAction } from '../store/ui-actions'
import { modKey } from '../format'
import { LogoMark } from './icons'

interface Item {
  id: string
  label: string
  keys?: string
  run: () => void
  disabled?: boolean
}

function useMenus(): Array<{ id: string; label: string; items: Array<Item | 'sep'> }> {
  const hasProject = useStudio((s) => s.project !== null)
  const act = (a: MenuAction) => () => runMenuAction(a)
  return [
    {
      id: 'file',
      label: 'File',
      items: [
        { id: 'project-new', label: 'New Project…', keys: `${modKey}N`, run: act('project.new') },
        { id: 'project-open', label: 'Open Project…', keys: `${modKey}O`, run: act('project.open') },
        'sep',
        { id: 'import', label: 'Import Folder…', keys: `${modKey}I`, run: act('import'), disabled: !hasProject },
        { id: 'import-labels', label: 'Import Labels…', run: act('labels.import'), disabled: !hasProject },
        { id: 'export', label: 'Export…', run: act('export'), disabled: !hasProject },
        { id: 'merge', label: 'Merge Annotations From…', run: act('merge'), disabled: !hasProject },
        'sep',
        { id: 'project-close', label: 'Close Project', run: () => void closeProject(), disabled: !hasProject }
      ]
    },
    {
      id: 'edit',
      label: 'Edit',
      items: [
        { id: 'undo', label: 'Undo', keys: `${modKey}Z`, run: act('undo') },
        { id: 'redo', label: 'Redo', keys: `${modKey}⇧Z`, run: act('redo') }
      ]
    },
    {
      id: 'help',
      label: 'Help',
      items: [
        { id: 'shortcuts', label: 'Keyboard Shortcuts', keys: '?', run: () => openDialog('shortcuts') },
        { id: 'about', label: 'About Face Studio', run: act('about') }
      ]
    }
  ]
}

export function AppMenu(): ReactElement {
  const menus = useMenus()
  const [open, setOpen] = useState<string | null>(null)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const close = (e: MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) setOpen(null)
    }
    window.addEventListener('mousedown', close)
    return () => window.removeEventListener('mousedown', close)
  }, [open])
  return (
    <header className="top-bar" data-testid="app-menu">
      <span className="top-bar__brand">
        <LogoMark width={16} height={16} />
        Face Studio
      </span>
      <div className="menubar" ref={ref} role="menubar" onKeyDown={(e) => e.key === 'Escape' && setOpen(null)}>
        {menus.map((m) => (
          <div key={m.id} className="menubar__menu">
            <button
              className={`menubar__button${open === m.id ? ' menubar__button--open' : ''}`}
              role="menuitem"
              aria-haspopup="menu"
              aria-expanded={open === m.id}
              data-testid={`appmenu-${m.id}`}
              onClick={() => setOpen(open === m.id ? null : m.id)}
              onMouseEnter={() => open && setOpen(m.id)}
            >
              {m.label}
            </button>
            {open === m.id && (
              <div className="menu" role="menu">
                {m.items.map((it, i) =>
                  it === 'sep' ? (
                    <div key={i} className="menu__sep" role="separator" />
                  ) : (
                    <button
                      key={it.id}
                      className="menu__item"
                      role="menuitem"
                      disabled={it.disabled}
                      data-testid={`menu-${it.id}`}
                      onClick={() => {
                        setOpen(null)
                        it.run()
                      }}
                    >
                      <span>{it.label}</span>
                      {it.keys && <span className="menu__keys">{it.keys}</span>}
                    </button>
                  )
                )}
              </div>
            )}
          </div>
        ))}
      </div>
    </header>
  )
}
