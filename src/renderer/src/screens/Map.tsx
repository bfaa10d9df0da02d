/**
 * Map (issue 13 §2): every face as a point of a 2-D projection of one feature kind (PCA at once, UMAP as a job),
 * coloured by a task's labels or active predictions, their confidence, or the person. Hover shows the face;
 * lasso a region to label it in one step, look at it as a grid, or review it.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react'
import type { MapColourBy, MapFeatureKind, MapMethod } from '../../../shared/domain'
import { thumbRef } from '../../../shared/media'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { cancelJob, isActive } from '../store/jobs-actions'
import {
  computeMap,
  labelSelection,
  loadMap,
  mapRamp,
  selectedFaceIds,
  setMapColour,
  setMapGrid,
  setMapSelection,
  setMapView
} from '../store/map-actions'
import { reviewFaces } from '../store/review-actions'
import { navigate, openDialog } from '../store/ui-actions'
import { EmptyState, ErrorMessage, ProgressBar } from '../components/common'
import { GridThumb } from '../components/GridThumb'
import { MapIcon } from '../components/icons'
import { count, plural } from '../format'
import { MapCanvas } from './MapCanvas'
import type { MapTool } from './point-map'
import { useTileGrid } from './PeopleVirtual'
import '../people.css'
import '../map.css'

const TOOLS: ReadonlyArray<{ tool: MapTool; label: string; title: string }> = [
  { tool: 'pan', label: 'Pan', title: 'Drag pans the map (P)' },
  { tool: 'lasso', label: 'Lasso', title: 'Draw around faces to select them (L, or Shift+drag)' },
  { tool: 'box', label: 'Box', title: 'Drag a rectangle to select the faces in it (B)' }
]

const KINDS: Array<{ id: MapFeatureKind; label: string }> = [
  { id: 'identity', label: 'Identity' },
  { id: 'expression', label: 'Expression' },
  { id: 'age_gender', label: 'Age / gender' }
]
const METHODS: Array<{ id: MapMethod; label: string; title: string }> = [
  { id: 'pca', label: 'PCA', title: 'The two strongest directions of the features: instant, keeps large distances' },
  {
    id: 'umap',
    label: 'UMAP',
    title: 'Keeps neighbours together (umap-js): fitted on a 5,000-face sample, the rest placed beside their neighbours'
  }
]
const COLOUR_BY: Array<{ id: MapColourBy | 'none'; label: string }> = [
  { id: 'person', label: 'Person' },
  { id: 'label', label: 'Current label' },
  { id: 'prediction', label: 'Active prediction' },
  { id: 'confidence', label: 'Confidence' },
  { id: 'none', label: 'One colour' }
]

function useMapJob() {
  return useStudio((s) => (s.mapJobId === null ? null : (s.jobs[s.mapJobId] ?? null)))
}

function Legend(): ReactElement | null {
  const paint = useStudio((s) => s.mapPaint)
  if (!paint) return null
  return (
    <div className="map-legend" data-testid="map-legend">
      <div className="map-legend__title">{paint.title}</div>
      {paint.type === 'number' && paint.range && (
        <div className="map-legend__ramp">
          <div
            className="map-legend__bar"
            style={{ background: `linear-gradient(to right, ${mapRamp().join(', ')})` }}
          />
          <div className="map-legend__ends">
            <span>{paint.range[0].toFixed(2)}</span>
            <span>{paint.range[1].toFixed(2)}</span>
          </div>
        </div>
      )}
      <ul className="map-legend__list">
        {paint.legend.map((e) => (
          <li key={e.label} className="map-legend__item" data-testid="map-legend-item">
            <span className="map-legend__swatch" style={{ background: e.colour }} />
            <span className="map-legend__label" title={e.label}>
              {e.label}
            </span>
            <span className="muted">{count(e.count)}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

function ColourPanel(): ReactElement {
  const by = useStudio((s) => s.mapColourBy)
  const colourTask = useStudio((s) => s.mapColourTask)
  const task = useStudio((s) => s.task)
  const tasks = useStudio((s) => s.tasks) ?? []
  return (
    <section className="map-side__section">
      <h2 className="map-side__heading">Colour by</h2>
      <div className="map-side__row">
        <select
          className="select"
          data-testid="map-colour-by"
          value={by}
          onChange={(e) => setMapColour(e.target.value as MapColourBy | 'none')}
        >
          {COLOUR_BY.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
        {by !== 'person' && by !== 'none' && (
          <select
            className="select"
            data-testid="map-colour-task"
            value={colourTask ?? task}
            onChange={(e) => setMapColour(by, e.target.value)}
          >
            {tasks.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </div>
      <Legend />
    </section>
  )
}

function SelectionPanel(): ReactElement {
  const selection = useStudio((s) => s.mapSelection)
  const grid = useStudio((s) => s.mapGrid)
  const activeTask = useStudio((s) => s.task)
  const tasks = useStudio((s) => s.tasks) ?? []
  const classTasks = tasks.filter((t) => t.kind === 'classification' && t.level === 'face')
  const [taskName, setTaskName] = useState<string | null>(null)
  const task = classTasks.find((t) => t.name === (taskName ?? activeTask)) ?? classTasks[0]
  const [value, setValue] = useState<string | null>(null)
  const label = task && value !== null && task.labels.includes(value) ? value : (task?.labels[0] ?? '')
  const [busy, setBusy] = useState(false)
  if (selection.length === 0)
    return (
      <section className="map-side__section">
        <h2 className="map-side__heading">Selection</h2>
        <p className="muted map-side__hint" data-testid="map-selection-hint">
          Choose <strong>Lasso</strong> (or hold Shift) and draw around faces, or <strong>Box</strong> and drag a
          rectangle, to select them; Esc clears. With <strong>Pan</strong>, drag pans; the wheel zooms. Keys: P, L, B.
        </p>
      </section>
    )
  return (
    <section className="map-side__section" data-testid="map-selection">
      <h2 className="map-side__heading">
        <span>
          <span data-testid="map-selection-count">{plural(selection.length, 'face')}</span> selected
        </span>
        <button className="button button--small map-side__clear" onClick={() => setMapSelection([])}>
          Clear
        </button>
      </h2>
      <div className="map-side__strip">
        {selectedFaceIds()
          .slice(0, 12)
          .map((id) => (
            <img key={id} src={mediaUrl(thumbRef(id))} alt={`Face ${id}`} draggable={false} />
          ))}
      </div>
      {task ? (
        <div className="map-side__label">
          <div className="map-side__row">
            <select
              className="select"
              data-testid="map-label-task"
              value={task.name}
              onChange={(e) => {
                setTaskName(e.target.value)
                setValue(null)
              }}
            >
              {classTasks.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
            <select
              className="select"
              data-testid="map-label-value"
              value={label}
              onChange={(e) => setValue(e.target.value)}
            >
              {task.labels.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <button
            className="button button--primary"
            data-testid="map-label-apply"
            disabled={busy || !label}
            onClick={() => {
              setBusy(true)
              void labelSelection(task.name, label).finally(() => setBusy(false))
            }}
          >
            Label {plural(selection.length, 'face')} “{label}”
          </button>
        </div>
      ) : (
        <p className="muted">No classification task to label with.</p>
      )}
      <div className="map-side__row">
        <button className="button" data-testid="map-open-grid" onClick={() => setMapGrid(!grid)}>
          {grid ? 'Back to the map' : 'Open as grid'}
        </button>
        <button
          className="button"
          data-testid="map-review"
          onClick={() => {
            reviewFaces(selectedFaceIds(), `${plural(selection.length, 'face')} from the Map`)
            navigate('review')
          }}
        >
          Review these
        </button>
        <button className="button" data-testid="map-export" onClick={() => openDialog('export')}>
          Export…
        </button>
      </div>
    </section>
  )
}

const GRID_TILE = 96
const GRID_GAP = 6

function SelectionGrid(): ReactElement {
  const selection = useStudio((s) => s.mapSelection)
  const points = useStudio((s) => s.mapPoints)
  const grid = useTileGrid({ count: selection.length, minTile: GRID_TILE, gap: GRID_GAP, caption: 0, padding: 40 })
  return (
    <div className="people-scroll map-grid" ref={grid.scrollRef} data-testid="map-grid" data-total={selection.length}>
      <div className="grid-inner" style={{ height: grid.virtualizer.getTotalSize() }}>
        {grid.virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="grid-row"
            style={{ transform: `translateY(${row.start}px)`, height: grid.tile, gap: GRID_GAP }}
          >
            {Array.from({ length: grid.columns }, (_, c) => {
              const index = row.index * grid.columns + c
              const point = selection[index]
              if (point === undefined || !points) return null
              const id = points.ids[point] as number
              return (
                <div
                  key={index}
                  className="face-tile"
                  style={{ width: grid.tile, height: grid.tile }}
                  data-testid="map-grid-face"
                  data-face-id={id}
                >
                  <GridThumb src={mediaUrl(thumbRef(id))} alt={`Face ${id}`} />
                </div>
              )
            })}
          </div>
        ))}
      </div>
    </div>
  )
}

export function MapScreen(): ReactElement {
  const kind = useStudio((s) => s.mapKind)
  const method = useStudio((s) => s.mapMethod)
  const points = useStudio((s) => s.mapPoints)
  const paint = useStudio((s) => s.mapPaint)
  const loading = useStudio((s) => s.mapLoading)
  const error = useStudio((s) => s.mapError)
  const selection = useStudio((s) => s.mapSelection)
  const grid = useStudio((s) => s.mapGrid)
  const faces = useStudio((s) => s.project?.counts.faces ?? 0)
  const projectDir = useStudio((s) => s.project?.dir ?? '')
  const job = useMapJob()
  const running = !!job && isActive(job)
  const failed = job && job.kind === 'projection' && job.status === 'failed' ? job.error : null
  const [tool, setTool] = useState<MapTool>('pan')
  useEffect(() => {
    // P / L / B pick the tool, as in drawing tools; never while typing in a field.
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const t = e.target as HTMLElement | null
      if (t && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName))) return
      const next = ({ p: 'pan', l: 'lasso', b: 'box' } as const)[e.key.toLowerCase() as 'p' | 'l' | 'b']
      if (next) setTool(next)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  useEffect(() => {
    void loadMap()
  }, [projectDir])

  const subtitle = useMemo(() => {
    if (!points) return ''
    const m = points.meta
    const how = m.method === 'umap' ? `UMAP (fitted on ${count(m.fitted)})` : 'PCA'
    return `${count(m.n)} faces · ${how} · ${m.seconds.toFixed(1)} s`
  }, [points])

  const compute = (
    <button
      className="button button--primary"
      data-testid="map-compute"
      disabled={running || faces === 0}
      onClick={() => void computeMap()}
    >
      {points && !points.meta.stale ? 'Recompute' : 'Compute'}
    </button>
  )

  let stage: ReactElement
  if (faces === 0 && !points) {
    stage = (
      <EmptyState
        icon={<MapIcon width={34} height={34} />}
        title="No faces yet"
        testId="map-empty"
        actions={
          <button className="button button--primary button--large" onClick={() => navigate('library')}>
            Go to Library
          </button>
        }
      >
        Import photos first: the map places every face by its features, so similar faces sit together.
      </EmptyState>
    )
  } else if (!points) {
    stage = loading ? (
      <div className="map-loading muted">Loading the map…</div>
    ) : (
      <EmptyState
        icon={<MapIcon width={34} height={34} />}
        title={running ? 'Computing the map…' : 'No map yet'}
        testId="map-none"
        actions={running ? undefined : compute}
      >
        {running
          ? `${count(faces)} faces. The map appears here when it is done; Cancel keeps the stored map as it was.`
          : `${count(faces)} faces. PCA shows the two strongest directions of the ${kind.replace('_', '/')} features at once; UMAP keeps neighbours together and takes longer (a job you can cancel).`}
      </EmptyState>
    )
  } else if (grid && selection.length > 0) {
    stage = <SelectionGrid />
  } else {
    stage = <MapCanvas points={points} paint={paint} selection={selection} tool={tool} onSelect={setMapSelection} />
  }

  return (
    <div className="screen" data-testid="screen-map">
      <header className="screen__header">
        <h1>Map</h1>
        <span className="screen__subtitle" data-testid="map-count" data-n={points?.meta.n ?? 0}>
          {subtitle}
        </span>
        <span className="screen__spacer" />
        <select
          className="select"
          aria-label="Features"
          data-testid="map-kind"
          value={kind}
          onChange={(e) => setMapView({ kind: e.target.value as MapFeatureKind })}
        >
          {KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
        <div className="segmented" role="group" aria-label="Method">
          {METHODS.map((m) => (
            <button
              key={m.id}
              className={`segmented__item${method === m.id ? ' segmented__item--active' : ''}`}
              data-testid={`map-method-${m.id}`}
              title={m.title}
              onClick={() => setMapView({ method: m.id })}
            >
              {m.label}
            </button>
          ))}
        </div>
        {points && (
          <div className="segmented" role="group" aria-label="Mouse">
            {TOOLS.map((t) => (
              <button
                key={t.tool}
                className={`segmented__item${tool === t.tool ? ' segmented__item--active' : ''}`}
                data-testid={`map-tool-${t.tool}`}
                aria-pressed={tool === t.tool}
                title={t.title}
                onClick={() => setTool(t.tool)}
              >
                {t.label}
              </button>
            ))}
          </div>
        )}
        {running && job ? (
          <button className="button" data-testid="map-cancel" onClick={() => void cancelJob(job.id)}>
            Cancel
          </button>
        ) : (
          points && compute
        )}
      </header>
      {running && job && (
        <div className="map-progress" data-testid="map-progress">
          <span className="map-progress__text">{job.progress.message || 'Computing…'}</span>
          <ProgressBar value={job.progress.total > 0 ? job.progress.done / job.progress.total : 0} />
          <span className="muted">
            {job.progress.total > 1 ? `${Math.floor((100 * job.progress.done) / job.progress.total)} %` : ''}
          </span>
        </div>
      )}
      {(error || failed) && (
        <div className="screen__banner map-banner">
          <ErrorMessage
            error={error ?? { code: 'INTERNAL', message: failed ?? '' }}
            title={error ? 'Could not load the map' : 'Could not compute the map'}
          />
        </div>
      )}
      {points?.meta.stale && !running && (
        <div className="map-stale" data-testid="map-stale">
          Faces were added or removed since this map was computed; it shows the faces it had. Compute to bring it up to
          date.
        </div>
      )}
      <div className="screen__body map-body">
        <div className="map-stage">{stage}</div>
        {points && (
          <aside className="map-side" aria-label="Map panel">
            <ColourPanel />
            <SelectionPanel />
          </aside>
        )}
      </div>
    </div>
  )
}
