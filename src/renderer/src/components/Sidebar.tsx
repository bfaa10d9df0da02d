/** Left navigation: active task on top, the screens, and the open project at the bottom. */
import { useEffect, useState, type ReactElement } from 'react'
import { useStudio } from '../store'
import { closeProject } from '../store/project-actions'
import { navigate, setTask } from '../store/ui-actions'
import type { ScreenId } from '../store/slices'
import { modKey } from '../format'
import { loadTasks } from '../store/review-actions'
import { TaskEditor } from './TaskEditor'
import {
  CompareIcon,
  EjectIcon,
  FairnessIcon,
  LibraryIcon,
  MapIcon,
  ModelsIcon,
  PeopleIcon,
  ReviewIcon,
  SettingsIcon,
  TrainIcon
} from './icons'

export const SCREENS: Array<{
  id: ScreenId
  label: string
  icon: (p: { width?: number; height?: number }) => ReactElement
}> = [
  { id: 'library', label: 'Library', icon: LibraryIcon },
  { id: 'people', label: 'People', icon: PeopleIcon },
  { id: 'review', label: 'Review', icon: ReviewIcon },
  { id: 'train', label: 'Train', icon: TrainIcon },
  { id: 'models', label: 'Models', icon: ModelsIcon },
  { id: 'compare', label: 'Compare', icon: CompareIcon },
  { id: 'fairness', label: 'Fairness', icon: FairnessIcon },
  { id: 'map', label: 'Map', icon: MapIcon },
  { id: 'settings', label: 'Settings', icon: SettingsIcon }
]

/** The built-in tasks and their display names; the picker lists the project's tasks (tasks.list) once loaded. */
export const BUILTIN_TASKS = [
  { id: 'expression', label: 'Expression' },
  { id: 'age', label: 'Age' },
  { id: 'gender_presentation', label: 'Gender presentation' }
]

export function Sidebar(): ReactElement {
  const screen = useStudio((s) => s.screen)
  const task = useStudio((s) => s.task)
  const projectName = useStudio((s) => s.project?.name ?? '')
  const projectDir = useStudio((s) => s.project?.dir ?? '')
  const tasks = useStudio((s) => s.tasks)
  const [editor, setEditor] = useState(false)
  useEffect(() => {
    if (projectDir) void loadTasks()
  }, [projectDir])
  const options = tasks
    ? tasks.map((t) => ({ id: t.name, label: BUILTIN_TASKS.find((b) => b.id === t.name)?.label ?? t.name }))
    : BUILTIN_TASKS
  return (
    <nav className="sidebar" aria-label="Screens" data-testid="sidebar">
      <div className="sidebar__task">
        <label htmlFor="task-picker" className="sidebar__caption">
          Task
        </label>
        <div className="sidebar__task-row">
          <select
            id="task-picker"
            className="select sidebar__select"
            value={task}
            data-testid="task-picker"
            onChange={(e) => setTask(e.target.value)}
          >
            {options.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button
            className="icon-button sidebar__task-new"
            data-testid="task-new"
            title="New task…"
            aria-label="New task…"
            onClick={() => setEditor(true)}
          >
            +
          </button>
        </div>
        {editor && <TaskEditor onClose={() => setEditor(false)} />}
      </div>
      <ul className="sidebar__list">
        {SCREENS.map((s, i) => {
          const Icon = s.icon
          const active = s.id === screen
          return (
            <li key={s.id}>
              <button
                className={`sidebar__item${active ? ' sidebar__item--active' : ''}`}
                aria-current={active ? 'page' : undefined}
                data-testid={`nav-${s.id}`}
                title={`${s.label} (${modKey}${i + 1})`}
                onClick={() => navigate(s.id)}
              >
                <Icon width={17} height={17} />
                <span>{s.label}</span>
              </button>
            </li>
          )
        })}
      </ul>
      <div className="sidebar__project" title={projectDir}>
        <div className="sidebar__project-text">
          <span className="sidebar__caption">Project</span>
          <span className="sidebar__project-name">{projectName}</span>
        </div>
        <button
          className="icon-button"
          title="Close project"
          aria-label="Close project"
          data-testid="close-project"
          onClick={() => void closeProject()}
        >
          <EjectIcon />
        </button>
      </div>
    </nav>
  )
}
