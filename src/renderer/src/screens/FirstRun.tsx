/** Shown when no project is open: create one, open one, or pick a recent one. */
import type { ReactElement } from 'react'
import { useStudio } from '../store'
import { createOrOpenProject, forgetRecent } from '../store/project-actions'
import { ProjectForm } from './ProjectForms'
import { ErrorMessage } from '../components/common'
import { LogoMark } from '../components/icons'
import { AnnotatorPicker } from '../components/AnnotatorPicker'
import '../settings.css'
import { modKey } from '../format'

function when(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const days = Math.floor((Date.now() - d.getTime()) / 86_400_000)
  if (days <= 0) return 'Today'
  if (days === 1) return 'Yesterday'
  if (days < 7) return `${days} days ago`
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

function RecentList(): ReactElement {
  const recent = useStudio((s) => s.recent)
  const busy = useStudio((s) => s.projectBusy)
  const recentError = useStudio((s) => s.projectErrors.recent ?? null)
  return (
    <section className="recent" aria-labelledby="recent-heading">
      <h2 id="recent-heading" className="section-title">
        Recent projects
      </h2>
      {recent.length === 0 ? (
        <p className="muted recent__empty" data-testid="recent-list" data-empty="true">
          Projects you create or open will be listed here.
        </p>
      ) : (
        <ul className="recent__list" data-testid="recent-list">
          {recent.map((r) => (
            <li
              key={r.dir}
              className={`recent__item${r.exists ? '' : ' recent__item--missing'}`}
              data-testid="recent-item"
              data-dir={r.dir}
              data-missing={r.exists ? undefined : 'true'}
            >
              <button
                className="recent__open"
                disabled={!r.exists || busy}
                data-testid="recent-open"
                title={
                  r.exists ? `Open ${r.dir}` : 'This folder is missing (moved, renamed or on a disconnected drive)'
                }
                onClick={() => void createOrOpenProject('recent', r.dir)}
              >
                <span className="recent__name">{r.name}</span>
                <span className="recent__dir">{r.dir}</span>
              </button>
              <span className="recent__meta">{r.exists ? when(r.openedAt) : 'Missing'}</span>
              {!r.exists && (
                <button
                  className="button button--small"
                  data-testid="recent-forget"
                  onClick={() => void forgetRecent(r.dir)}
                >
                  Forget
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {recentError && <ErrorMessage error={recentError} title="Could not open that project" />}
    </section>
  )
}

export function FirstRun(): ReactElement {
  return (
    <div className="first-run" data-testid="first-run">
      <div className="first-run__inner">
        <header className="first-run__hero">
          <LogoMark width={40} height={40} />
          <div>
            <h1>Welcome to Face Studio</h1>
            <p className="muted">
              Review, fine-tune and audit face classifiers on your own photos — nothing leaves this computer.
            </p>
          </div>
        </header>
        <div className="first-run__forms">
          <div className="card">
            <ProjectForm form="create" testIdPrefix="firstrun-create" />
          </div>
          <div className="card">
            <ProjectForm form="open" testIdPrefix="firstrun-open" />
          </div>
        </div>
        <RecentList />
        <section className="card first-run__profile" aria-label="Annotator profile">
          <AnnotatorPicker compact />
        </section>
        <p className="first-run__keys muted">
          <kbd className="kbd">{modKey}N</kbd> new project · <kbd className="kbd">{modKey}O</kbd> open project
        </p>
      </div>
    </div>
  )
}
