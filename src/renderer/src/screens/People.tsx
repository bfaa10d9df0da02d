/** People: identity clusters as a grid of person tiles, the clustering panel, and "Is this Anna?" suggestions. */
import { memo, useEffect, type ReactElement } from 'react'
import '../people.css'
import type { PersonSummary } from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { navigate } from '../store/ui-actions'
import {
  ensurePeopleRows,
  enterPeople,
  loadClusterPreview,
  nameOf,
  openPerson,
  personAt,
  PREVIEW_THRESHOLDS,
  setClusterPanel,
  setClusterThreshold,
  startClustering
} from '../store/people-actions'
import { UNASSIGNED } from '../store/people'
import { EmptyState, ErrorMessage, ProgressBar } from '../components/common'
import { CloseIcon, PeopleIcon } from '../components/icons'
import { count, fraction, plural } from '../format'
import { useTileGrid } from './PeopleVirtual'
import { PersonPage } from './PeoplePerson'
import { SuggestionStrip } from './PeopleSuggestions'
import { GridThumb } from '../components/GridThumb'

const MIN_TILE = 132
const GAP = 18
const CAPTION = 44

function PersonTileView({ person, size }: { person: PersonSummary | undefined; size: number }): ReactElement {
  if (!person) return <div className="person-tile person-tile--loading" style={{ width: size }} aria-hidden="true" />
  const label = person.name ?? 'Unnamed'
  return (
    <button
      className="person-tile"
      style={{ width: size }}
      data-testid="person-tile"
      data-person-id={person.id}
      data-count={person.count}
      data-name={person.name ?? ''}
      title={`${nameOf(person)} · ${plural(person.count, 'face')}`}
      onClick={() => openPerson(person.id)}
    >
      <div className="person-tile__cover" style={{ width: size, height: size }}>
        {person.cover && <GridThumb src={mediaUrl(person.cover)} />}
      </div>
      <div className={`person-tile__name${person.name ? '' : ' person-tile__name--unnamed'}`}>{label}</div>
      <div className="person-tile__count">{plural(person.count, 'face')}</div>
    </button>
  )
}

/** Memoised: scrolling re-renders the grid every frame, and only tiles whose props changed need to. */
const PersonTile = memo(PersonTileView)

function PeopleGrid(): ReactElement {
  const total = useStudio((s) => s.peopleTotal ?? 0)
  const pages = useStudio((s) => s.peoplePages)
  const generation = useStudio((s) => s.peopleGeneration)
  const grid = useTileGrid({ count: total, minTile: MIN_TILE, gap: GAP, caption: CAPTION, padding: 2 * 24 })
  const { firstIndex, lastIndex } = grid
  useEffect(() => {
    if (total > 0) ensurePeopleRows(firstIndex, lastIndex)
  }, [firstIndex, lastIndex, total, generation])
  return (
    <div className="people-scroll" ref={grid.scrollRef} data-testid="people-grid" data-total={total}>
      <div className="grid-inner" style={{ height: grid.virtualizer.getTotalSize() }}>
        {grid.virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="grid-row"
            style={{ transform: `translateY(${row.start}px)`, height: grid.rowHeight - GAP, gap: GAP }}
          >
            {Array.from({ length: grid.columns }, (_, c) => {
              const index = row.index * grid.columns + c
              if (index >= total) return null
              return <PersonTile key={index} person={personAt(pages, index)} size={grid.tile} />
            })}
          </div>
        ))}
      </div>
    </div>
  )
}

function ClusterPanel(): ReactElement {
  const threshold = useStudio((s) => s.clusterThreshold)
  const preview = useStudio((s) => s.clusterPreview)
  const error = useStudio((s) => s.clusterPreviewError)
  const job = useStudio((s) => (s.clusterJobId === null ? undefined : s.jobs[s.clusterJobId]))
  const running = job?.status === 'queued' || job?.status === 'running'
  const row = preview?.reduce((best, r) =>
    Math.abs(r.threshold - threshold) < Math.abs(best.threshold - threshold) ? r : best
  )
  const max = Math.max(1, ...(preview ?? []).map((r) => r.clusters + r.singletons))
  const min = PREVIEW_THRESHOLDS[0] ?? 0.3
  const top = PREVIEW_THRESHOLDS[PREVIEW_THRESHOLDS.length - 1] ?? 0.7
  return (
    <aside className="cluster-panel" data-testid="cluster-panel" aria-label="Clustering">
      <header className="cluster-panel__header">
        <h2>Clustering</h2>
        <button
          className="icon-button"
          aria-label="Close the clustering panel"
          title="Close"
          onClick={() => setClusterPanel(false)}
        >
          <CloseIcon />
        </button>
      </header>
      <label className="field__label" htmlFor="cluster-threshold">
        Distance threshold <span className="mono cluster-panel__value">{threshold.toFixed(3)}</span>
      </label>
      <input
        id="cluster-threshold"
        className="range"
        type="range"
        min={min}
        max={top}
        step={0.025}
        value={threshold}
        data-testid="threshold-slider"
        onChange={(e) => setClusterThreshold(Number(e.target.value))}
      />
      <div className="cluster-panel__scale">
        <span>stricter · more people</span>
        <span>looser · fewer</span>
      </div>
      {error ? (
        <ErrorMessage error={error} title="Could not preview" />
      ) : !preview ? (
        <div className="muted cluster-panel__loading">Measuring what each threshold gives…</div>
      ) : (
        <>
          <dl className="cluster-panel__stats" data-testid="threshold-preview">
            <dt>People</dt>
            <dd data-testid="preview-clusters">{row ? count(row.clusters) : '—'}</dd>
            <dt>Singletons</dt>
            <dd data-testid="preview-singletons">{row ? count(row.singletons) : '—'}</dd>
            <dt>Largest</dt>
            <dd data-testid="preview-largest">{row ? plural(row.largest, 'face') : '—'}</dd>
          </dl>
          <div className="cluster-chart" aria-hidden="true">
            {preview.map((r) => (
              <button
                key={r.threshold}
                tabIndex={-1}
                className={`cluster-chart__bar${row === r ? ' cluster-chart__bar--current' : ''}`}
                title={`${r.threshold.toFixed(3)}: ${r.clusters} people, ${r.singletons} singletons, largest ${r.largest}`}
                onClick={() => setClusterThreshold(r.threshold)}
              >
                <span className="cluster-chart__singles" style={{ height: `${(r.singletons / max) * 100}%` }} />
                <span className="cluster-chart__clusters" style={{ height: `${(r.clusters / max) * 100}%` }} />
              </button>
            ))}
          </div>
          <div className="cluster-chart__legend">
            <span className="cluster-chart__key cluster-chart__key--clusters" /> people
            <span className="cluster-chart__key cluster-chart__key--singles" /> singletons
          </div>
        </>
      )}
      <p className="cluster-panel__hint">
        Re-clustering keeps your work: names, merges, splits, moved faces and every “not this person”.
      </p>
      {running && job ? (
        <div className="cluster-panel__job">
          <ProgressBar
            value={fraction(job.progress.done, job.progress.total)}
            indeterminate={job.progress.total === 0}
          />
          <span className="muted">{job.progress.message || 'Clustering…'}</span>
        </div>
      ) : (
        <button className="button button--primary" data-testid="cluster-run" onClick={() => void startClustering()}>
          Re-cluster at {threshold.toFixed(3)}
        </button>
      )}
      <button className="button button--small cluster-panel__refresh" onClick={() => void loadClusterPreview()}>
        Refresh preview
      </button>
    </aside>
  )
}

function PeopleOverview(): ReactElement {
  const total = useStudio((s) => s.peopleTotal)
  const unassigned = useStudio((s) => s.peopleUnassigned)
  const error = useStudio((s) => s.peopleError)
  const faces = useStudio((s) => s.project?.counts.faces ?? 0)
  const panel = useStudio((s) => s.clusterPanel)
  const job = useStudio((s) => (s.clusterJobId === null ? undefined : s.jobs[s.clusterJobId]))
  const running = job?.status === 'queued' || job?.status === 'running'
  return (
    <div className="screen" data-testid="people-screen">
      <header className="screen__header">
        <h1>People</h1>
        {total !== null && total > 0 && (
          <span className="screen__subtitle" data-testid="people-counts">
            {plural(total, 'person', 'people')}
            {unassigned > 0 && (
              <>
                {' · '}
                <button className="link-button" data-testid="people-unassigned" onClick={() => openPerson(UNASSIGNED)}>
                  {plural(unassigned, 'unassigned face')}
                </button>
              </>
            )}
          </span>
        )}
        <span className="screen__spacer" />
        <button
          className={`button${panel ? ' button--pressed' : ''}`}
          data-testid="cluster-panel-toggle"
          aria-pressed={panel}
          onClick={() => setClusterPanel(!panel)}
        >
          Threshold…
        </button>
        <button
          className="button button--primary"
          data-testid="cluster-button"
          disabled={running || faces === 0}
          title={faces === 0 ? 'Import photos first' : 'Group all faces by identity'}
          onClick={() => void startClustering()}
        >
          {running ? 'Clustering…' : 'Cluster faces'}
        </button>
      </header>
      <div className="people-body">
        <div className="people-main">
          {error && (
            <div className="screen__banner">
              <ErrorMessage error={error} title="Could not list people" />
            </div>
          )}
          {total === null ? null : total === 0 ? (
            <EmptyState
              icon={<PeopleIcon width={34} height={34} />}
              title={faces === 0 ? 'No faces yet' : 'No people yet'}
              testId="people-empty"
              actions={
                faces === 0 ? (
                  <button className="button button--primary button--large" onClick={() => navigate('library')}>
                    Go to Library
                  </button>
                ) : (
                  <button
                    className="button button--primary button--large"
                    disabled={running}
                    onClick={() => void startClustering()}
                  >
                    {running ? 'Clustering…' : `Cluster ${plural(faces, 'face')}`}
                  </button>
                )
              }
            >
              {faces === 0
                ? 'Import photos in the Library; their faces are grouped into people here.'
                : 'Group the faces by identity. Tune the threshold in the side panel to see how the groups change first.'}
            </EmptyState>
          ) : (
            <>
              <SuggestionStrip />
              <PeopleGrid />
            </>
          )}
        </div>
        {panel && <ClusterPanel />}
      </div>
    </div>
  )
}

export function People(): ReactElement {
  const open = useStudio((s) => s.openPersonId)
  const projectDir = useStudio((s) => s.project?.dir)
  useEffect(() => {
    enterPeople()
  }, [projectDir])
  return open === null ? <PeopleOverview /> : <PersonPage />
}
