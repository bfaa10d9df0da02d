/** One photo with its detected face boxes drawn over it, and the face crops beside it. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react'
import type { CallResult } from '../../../shared/contract'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { mediaUrl, request } from '../store/client'
import { selectImage } from '../store/library-actions'
import { useShallow } from 'zustand/react/shallow'
import { ErrorMessage } from '../components/common'
import { AlertIcon, ChevronLeft, ChevronRight, CloseIcon } from '../components/icons'
import { fileName, plural } from '../format'

type Detail = CallResult<'library.image'>

/** Ids of the photos before and after `id` among the loaded rows, for ← / →. */
function useNeighbours(id: number): { prev: number | null; next: number | null } {
  return useStudio(
    useShallow((s) => {
      const keys = Object.keys(s.pages)
        .map(Number)
        .sort((a, b) => a - b)
      let prev: number | null = null
      let found = false
      for (const k of keys) {
        const page = s.pages[k] ?? []
        for (let i = 0; i < page.length; i++) {
          const img = page[i]
          if (!img) continue
          if (found) return { prev, next: img.id }
          if (img.id === id) found = true
          else prev = img.id
        }
      }
      return { prev: found ? prev : null, next: null }
    })
  )
}

function Photo({
  detail,
  hover,
  setHover
}: {
  detail: Detail
  hover: number | null
  setHover: (id: number | null) => void
}): ReactElement {
  const stageRef = useRef<HTMLDivElement>(null)
  const [stage, setStage] = useState({ w: 0, h: 0 })
  const [loaded, setLoaded] = useState(false)
  const [failed, setFailed] = useState(false)
  useLayoutEffect(() => {
    const el = stageRef.current
    if (!el) return
    // contentRect excludes the stage's padding, so the photo keeps a margin on every side.
    const ro = new ResizeObserver(([entry]) => {
      if (entry) setStage({ w: entry.contentRect.width, h: entry.contentRect.height })
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  const { image, faces } = detail
  const w = image.width ?? 0
  const h = image.height ?? 0
  const scale = w > 0 && h > 0 ? Math.min(stage.w / w, stage.h / h, 4) : 0
  const stroke = scale > 0 ? 2 / scale : 2
  return (
    <div className="detail__stage" ref={stageRef}>
      {failed ? (
        <div className="detail__photo-error">
          <AlertIcon width={22} height={22} />
          The photo could not be shown (it may have been moved or deleted since the import).
        </div>
      ) : (
        scale > 0 && (
          <div className="detail__photo" style={{ width: w * scale, height: h * scale }}>
            <img
              src={mediaUrl(detail.media)}
              alt={image.relPath}
              className={loaded ? 'is-loaded' : ''}
              onLoad={() => setLoaded(true)}
              onError={() => setFailed(true)}
              draggable={false}
            />
            <svg
              viewBox={`0 0 ${w} ${h}`}
              preserveAspectRatio="none"
              className="detail__boxes"
              data-testid="detail-boxes"
            >
              {faces.map((f, i) => (
                <g
                  key={f.id}
                  className={`face-box${hover === f.id ? ' face-box--hover' : ''}`}
                  onMouseEnter={() => setHover(f.id)}
                  onMouseLeave={() => setHover(null)}
                  data-testid="detail-box"
                >
                  <rect
                    x={f.box.x}
                    y={f.box.y}
                    width={f.box.w}
                    height={f.box.h}
                    strokeWidth={stroke * (hover === f.id ? 1.6 : 1)}
                    rx={stroke * 2}
                  />
                  <text x={f.box.x + stroke * 3} y={f.box.y - stroke * 4} fontSize={stroke * 7}>
                    {i + 1}
                  </text>
                </g>
              ))}
            </svg>
          </div>
        )
      )}
    </div>
  )
}

export function ImageDetail({ id }: { id: number }): ReactElement {
  const [detail, setDetail] = useState<Detail | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [hover, setHover] = useState<number | null>(null)
  const { prev, next } = useNeighbours(id)
  const generation = useStudio((s) => s.generation)
  const rootRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let live = true
    setError(null)
    void request('library.image', { id }, { inline: true }).then((r) => {
      if (!live) return
      if (r.ok) setDetail(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [id, generation])

  useEffect(() => rootRef.current?.focus(), [])

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (useStudio.getState().dialog || e.defaultPrevented) return
      const t = e.target as HTMLElement | null
      if (t && ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) return
      if (e.key === 'Escape') selectImage(null)
      else if (e.key === 'ArrowLeft' && prev !== null) selectImage(prev)
      else if (e.key === 'ArrowRight' && next !== null) selectImage(next)
      else return
      e.preventDefault()
    },
    [prev, next]
  )
  useEffect(() => {
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onKey])

  const current = detail && detail.image.id === id ? detail : null
  const image = current?.image
  return (
    <div className="detail" ref={rootRef} tabIndex={-1} data-testid="image-detail" role="dialog" aria-label="Photo">
      <header className="detail__header">
        <button
          className="icon-button"
          onClick={() => selectImage(null)}
          aria-label="Back to the grid"
          title="Back (Esc)"
          data-testid="detail-close"
        >
          <CloseIcon />
        </button>
        <div className="detail__title">
          <div className="detail__name">{image ? fileName(image.relPath) : '…'}</div>
          <div className="detail__path muted" title={image ? `${image.root}/${image.relPath}` : ''}>
            {image ? `${image.root}/${image.relPath}` : ''}
          </div>
        </div>
        {image && image.width && image.height && (
          <span className="muted detail__dims">
            {image.width} × {image.height}
          </span>
        )}
        <div className="detail__nav">
          <button
            className="icon-button"
            disabled={prev === null}
            onClick={() => prev !== null && selectImage(prev)}
            aria-label="Previous photo"
            title="Previous (←)"
          >
            <ChevronLeft />
          </button>
          <button
            className="icon-button"
            disabled={next === null}
            onClick={() => next !== null && selectImage(next)}
            aria-label="Next photo"
            title="Next (→)"
          >
            <ChevronRight />
          </button>
        </div>
      </header>
      {error ? (
        <div className="detail__error">
          <ErrorMessage error={error} title="Could not load this photo" />
        </div>
      ) : !current ? (
        <div className="detail__loading muted">Loading…</div>
      ) : current.image.status === 'error' ? (
        <div className="detail__error">
          <ErrorMessage
            error={{ code: 'INTERNAL', message: current.image.error ?? 'This file could not be read.' }}
            title="This file was not imported"
          />
          <p className="muted">Fix or replace the file, then import the folder again.</p>
        </div>
      ) : (
        <div className="detail__body">
          <Photo key={current.image.id} detail={current} hover={hover} setHover={setHover} />
          <aside className="detail__faces" data-testid="detail-faces">
            <h3 className="section-title">{plural(current.faces.length, 'face')}</h3>
            {current.faces.length === 0 ? (
              <p className="muted">No faces were found in this photo.</p>
            ) : (
              <div className="face-list">
                {current.faces.map((f, i) => (
                  <figure
                    key={f.id}
                    className={`face-card${hover === f.id ? ' face-card--hover' : ''}`}
                    data-testid="detail-face"
                    data-face-id={f.id}
                    onMouseEnter={() => setHover(f.id)}
                    onMouseLeave={() => setHover(null)}
                  >
                    <img src={mediaUrl(f.thumb)} alt={`Face ${i + 1}`} loading="lazy" draggable={false} />
                    <figcaption>
                      <span className="face-card__num">{i + 1}</span>
                      <span className="muted">{f.source === 'crop' ? 'crop' : `${Math.round(f.score * 100)}%`}</span>
                    </figcaption>
                  </figure>
                ))}
              </div>
            )}
          </aside>
        </div>
      )}
    </div>
  )
}
