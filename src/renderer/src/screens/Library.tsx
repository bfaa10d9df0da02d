/** Library: imported photos as a virtualised grid, filterable to photos with faces or per-file errors. */
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { ImageSummary } from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { requestImport } from '../store/jobs-actions'
import { openDialog } from '../store/ui-actions'
import { ensureRows, loadPage, selectImage, setLibraryFilter } from '../store/library-actions'
import { LIBRARY_PAGE, type LibraryFilter } from '../store/slices'
import { EmptyState, ErrorMessage } from '../components/common'
import { AlertIcon, FaceIcon, ImportIcon, LibraryIcon } from '../components/icons'
import { count, fileName, modKey, plural } from '../format'
import { ImageDetail } from './ImageDetail'
import { GridThumb } from '../components/GridThumb'

const FILTERS: Array<{ id: LibraryFilter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'withFaces', label: 'With faces' },
  { id: 'errors', label: 'Errors' }
]

const MIN_TILE = 168
const GAP = 10
const CAPTION = 34

function itemAt(pages: Record<number, ImageSummary[]>, index: number): ImageSummary | undefined {
  return pages[Math.floor(index / LIBRARY_PAGE)]?.[index % LIBRARY_PAGE]
}

function TileView({
  image,
  index,
  size
}: {
  image: ImageSummary | undefined
  index: number
  size: number
}): ReactElement {
  if (!image) return <div className="tile tile--loading" style={{ width: size }} aria-hidden="true" />
  const name = fileName(image.relPath)
  const isError = image.status === 'error'
  return (
    <button
      className={`tile${isError ? ' tile--error' : ''}`}
      style={{ width: size }}
      data-testid="library-item"
      data-image-id={image.id}
      data-status={image.status}
      data-index={index}
      title={isError ? `${image.relPath}\n${image.error ?? ''}` : image.relPath}
      onClick={() => selectImage(image.id)}
    >
      <div className="tile__media" style={{ height: size }}>
        {isError ? (
          <div className="tile__error">
            <AlertIcon width={20} height={20} />
            <span className="tile__error-text" data-testid="library-item-error">
              {image.error ?? 'Could not be read'}
            </span>
          </div>
        ) : (
          <GridThumb src={mediaUrl(`image/${image.id}`)} alt={name} />
        )}
        {!isError && (
          <span
            className={`tile__badge${image.faceCount === 0 ? ' tile__badge--none' : ''}`}
            title={plural(image.faceCount, 'face')}
          >
            <FaceIcon width={12} height={12} />
            {image.faceCount}
          </span>
        )}
      </div>
      <div className="tile__caption">{name}</div>
    </button>
  )
}

/** Memoised: scrolling re-renders the grid every frame, and only tiles whose props changed need to. */
const Tile = memo(TileView)

function Grid(): ReactElement {
  const total = useStudio((s) => s.total ?? 0)
  const pages = useStudio((s) => s.pages)
  const generation = useStudio((s) => s.generation)
  const scrollRef = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(0)
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const ro = new ResizeObserver(() => setWidth(el.clientWidth))
    ro.observe(el)
    setWidth(el.clientWidth)
    return () => ro.disconnect()
  }, [])
  const inner = Math.max(0, width - 2 * 20)
  const columns = Math.max(1, Math.floor((inner + GAP) / (MIN_TILE + GAP)))
  const tile = columns > 0 ? Math.floor((inner - GAP * (columns - 1)) / columns) : MIN_TILE
  const rows = Math.ceil(total / columns)
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => tile + CAPTION + GAP,
    overscan: 3
  })
  useEffect(() => virtualizer.measure(), [tile, virtualizer])
  const items = virtualizer.getVirtualItems()
  const firstRow = items[0]?.index ?? 0
  const lastRow = items[items.length - 1]?.index ?? 0
  useEffect(() => {
    if (total > 0) ensureRows(firstRow * columns, Math.min(total - 1, (lastRow + 1) * columns - 1))
  }, [firstRow, lastRow, columns, total, generation])
  return (
    <div className="grid-scroll" ref={scrollRef} data-testid="library-grid" data-total={total}>
      <div className="grid-inner" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((row) => (
          <div
            key={row.key}
            className="grid-row"
            style={{ transform: `translateY(${row.start}px)`, height: tile + CAPTION, gap: GAP }}
          >
            {Array.from({ length: columns }, (_, c) => {
              const index = row.index * columns + c
              if (index >= total) return null
              return <Tile key={index} index={index} image={itemAt(pages, index)} size={tile} />
            })}
          </div>
        ))}
      </div>
    </div>
  )
}

const ERROR_ROW = 46

/** The Errors filter as a list: which file, where, and what went wrong, one per row. */
function ErrorList(): ReactElement {
  const total = useStudio((s) => s.total ?? 0)
  const pages = useStudio((s) => s.pages)
  const generation = useStudio((s) => s.generation)
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ERROR_ROW,
    overscan: 10
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? 0
  useEffect(() => {
    if (total > 0) ensureRows(first, last)
  }, [first, last, total, generation])
  return (
    <div className="error-list-scroll" ref={scrollRef} data-testid="library-grid" data-total={total}>
      <div className="error-list" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((row) => {
          const image = itemAt(pages, row.index)
          return (
            <div
              key={row.key}
              className="error-row-slot"
              style={{ transform: `translateY(${row.start}px)`, height: ERROR_ROW }}
            >
              {image ? (
                <button
                  className="error-row"
                  data-testid="library-item"
                  data-image-id={image.id}
                  data-status={image.status}
                  data-index={row.index}
                  onClick={() => selectImage(image.id)}
                >
                  <AlertIcon className="error-row__icon" />
                  <span className="error-row__file">
                    <span className="error-row__name">{fileName(image.relPath)}</span>
                    <span className="error-row__path">
                      {image.root}/{image.relPath}
                    </span>
                  </span>
                  <span className="error-row__error" data-testid="library-item-error">
                    {image.error ?? 'Could not be read'}
                  </span>
                </button>
              ) : (
                <div className="error-row error-row--loading" />
              )}
            </div>
          )
        })}
      </div>
    </div>
  )
}

export function Library(): ReactElement {
  const filter = useStudio((s) => s.filter)
  const total = useStudio((s) => s.total)
  const error = useStudio((s) => s.libraryError)
  const counts = useStudio((s) => s.project?.counts)
  const selected = useStudio((s) => s.selectedImageId)
  useEffect(() => {
    if (useStudio.getState().total === null) void loadPage(0)
  }, [])
  const nothingImported = counts?.images === 0 && filter === 'all' && total === 0
  return (
    <div className="screen">
      <header className="screen__header">
        <h1>Library</h1>
        {counts && counts.images > 0 && (
          <span className="screen__subtitle" data-testid="library-counts">
            {plural(counts.images, 'photo')} · {plural(counts.faces, 'face')}
            {counts.imageErrors > 0 && (
              <>
                {' · '}
                <span className="text-bad">{plural(counts.imageErrors, 'error')}</span>
              </>
            )}
          </span>
        )}
        <span className="screen__spacer" />
        {!nothingImported && (
          <div className="segmented" role="tablist" aria-label="Filter photos">
            {FILTERS.map((f) => (
              <button
                key={f.id}
                role="tab"
                aria-selected={filter === f.id}
                className={`segmented__item${filter === f.id ? ' segmented__item--active' : ''}`}
                data-testid={`library-filter-${f.id}`}
                onClick={() => setLibraryFilter(f.id)}
              >
                {f.label}
                {f.id === 'errors' && counts && counts.imageErrors > 0 && (
                  <span className="segmented__count">{count(counts.imageErrors)}</span>
                )}
              </button>
            ))}
          </div>
        )}
        <button className="button" data-testid="labels-import-button" onClick={() => openDialog('labels-import')}>
          Import labels…
        </button>
        <button className="button" data-testid="export-button" onClick={() => openDialog('export')}>
          Export…
        </button>
        <button
          className="button button--primary"
          data-testid="import-button"
          onClick={requestImport}
          title={`Import a folder (${modKey}I)`}
        >
          <ImportIcon />
          Import folder…
        </button>
      </header>
      {error && (
        <div className="screen__banner">
          <ErrorMessage error={error} title="Could not load the photos" />
        </div>
      )}
      <div className="screen__body">
        {nothingImported ? (
          <EmptyState
            icon={<LibraryIcon width={36} height={36} />}
            title="Import a folder of photos to begin"
            testId="library-empty"
            actions={
              <button
                className="button button--primary button--large"
                data-testid="library-empty-import"
                onClick={requestImport}
              >
                <ImportIcon />
                Import folder…
              </button>
            }
          >
            Face Studio finds the faces in your photos, crops them and predicts expression, age and gender presentation.
            Your photos stay where they are.
          </EmptyState>
        ) : total === 0 ? (
          <EmptyState title={filter === 'errors' ? 'No errors' : 'No photos with faces'} testId="library-filter-empty">
            {filter === 'errors'
              ? 'Every imported file was read successfully.'
              : 'No faces were found in the imported photos yet.'}
          </EmptyState>
        ) : filter === 'errors' ? (
          <ErrorList />
        ) : (
          <Grid />
        )}
        {selected !== null && <ImageDetail id={selected} />}
      </div>
    </div>
  )
}
