/**
 * The Map's plot: every face a point (point-map.ts, WebGL), coloured by the paint's per-point codes; drag pans,
 * the wheel zooms, the Lasso or Box tool (or Shift+drag, a lasso) selects, hover shows the face. The renderer is created once
 * per canvas and fed new points, colours and selections; React never re-renders per frame.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react'
import { thumbRef } from '../../../shared/media'
import { mediaUrl } from '../store/client'
import type { MapPaint, MapPoints } from '../store/map'
import { PointMap, type MapTool } from './point-map'

/** Fewer faces get bigger points, so a 300-face map reads as faces and a 100,000-face one as density. */
function pointSize(n: number): number {
  return n > 50_000 ? 2 : n > 10_000 ? 3 : n > 1_000 ? 5 : n > 100 ? 7 : 10
}

/** Coordinates scaled into regl-scatterplot's [-1, 1] square, one scale for both axes so distances keep. */
function normalised(xy: Float32Array, n: number): { x: Float32Array; y: Float32Array } {
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  for (let i = 0; i < n; i++) {
    const a = xy[i * 2] as number
    const b = xy[i * 2 + 1] as number
    if (a < minX) minX = a
    if (a > maxX) maxX = a
    if (b < minY) minY = b
    if (b > maxY) maxY = b
  }
  const half = Math.max(maxX - minX, maxY - minY, 1e-9) / 2 / 0.95
  const cx = (minX + maxX) / 2
  const cy = (minY + maxY) / 2
  const x = new Float32Array(n)
  const y = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = ((xy[i * 2] as number) - cx) / half
    y[i] = ((xy[i * 2 + 1] as number) - cy) / half
  }
  return { x, y }
}

export function MapCanvas({
  points,
  paint,
  selection,
  tool,
  onSelect
}: {
  points: MapPoints
  paint: MapPaint | null
  selection: number[]
  tool: MapTool
  onSelect: (indices: number[]) => void
}): ReactElement {
  const wrapRef = useRef<HTMLDivElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const overlayRef = useRef<HTMLCanvasElement>(null)
  const mapRef = useRef<PointMap | null>(null)
  const onSelectRef = useRef(onSelect)
  onSelectRef.current = onSelect
  /** The last selection the plot itself reported, so it is not sent back to it. */
  const fromPlot = useRef<number[]>([])
  const idsRef = useRef(points.ids)
  idsRef.current = points.ids
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null)
  const [drawn, setDrawn] = useState(0)
  const [failed, setFailed] = useState<string | null>(null)

  useEffect(() => {
    const canvas = canvasRef.current
    const overlay = overlayRef.current
    const wrap = wrapRef.current
    if (!canvas || !overlay || !wrap) return
    let map: PointMap
    try {
      map = new PointMap(canvas, overlay, {
        onHover: (index, x, y) => setHover(index === null ? null : { index, x, y }),
        onSelect: (indices) => {
          fromPlot.current = indices
          onSelectRef.current(indices)
        }
      })
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e))
      return
    }
    mapRef.current = map
    const ro = new ResizeObserver(() => map.resize())
    ro.observe(wrap)
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || fromPlot.current.length === 0) return
      fromPlot.current = []
      map.select([])
      onSelectRef.current([])
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('keydown', onKey)
      ro.disconnect()
      mapRef.current = null
      map.destroy()
    }
  }, [])

  useEffect(() => {
    const map = mapRef.current
    if (!map) return
    const n = points.ids.length
    const { x, y } = normalised(points.xy, n)
    map.setPoints(x, y)
    map.setPointSize(pointSize(n))
    setDrawn(n)
    requestAnimationFrame(() => {
      // The benchmark and the e2e read this mark: the frame after it holds these points.
      performance.mark('map:drawn', { detail: { n } })
    })
  }, [points])

  useEffect(() => {
    const map = mapRef.current
    if (!map) return
    const n = points.ids.length
    if (paint && paint.codes.length === n) map.setColours(paint.codes, paint.palette)
    else map.setColours(new Int32Array(n), ['#3768e8'])
  }, [points, paint])

  useEffect(() => {
    const map = mapRef.current
    if (!map || selection === fromPlot.current) return
    fromPlot.current = selection
    map.select(selection)
  }, [selection, drawn])

  useEffect(() => mapRef.current?.setTool(tool), [tool])

  const faceId = hover ? idsRef.current[hover.index] : undefined
  return (
    <div className="map-canvas" ref={wrapRef} data-testid="map-canvas" data-points={drawn}>
      <canvas ref={canvasRef} />
      <canvas ref={overlayRef} className="map-canvas__overlay" />
      {failed && <div className="map-canvas__failed">{failed}</div>}
      {hover && faceId !== undefined && (
        <div
          className="map-hover"
          data-testid="map-hover"
          data-face-id={faceId}
          style={hoverPlace(hover, wrapRef.current)}
        >
          <img src={mediaUrl(thumbRef(faceId))} alt={`Face ${faceId}`} draggable={false} />
          <div className="map-hover__caption">
            Face {faceId}
            {paint && <span className="muted"> · {paintLabel(paint, hover.index)}</span>}
          </div>
        </div>
      )}
    </div>
  )
}

const HOVER_W = 132
const HOVER_H = 160
const HOVER_GAP = 12

/** Beside the point, flipped left or up where the card would leave the plot. */
function hoverPlace(p: { x: number; y: number }, wrap: HTMLDivElement | null): { left: number; top: number } {
  const w = wrap?.clientWidth ?? Infinity
  const h = wrap?.clientHeight ?? Infinity
  const left = p.x + HOVER_GAP + HOVER_W > w ? p.x - HOVER_GAP - HOVER_W : p.x + HOVER_GAP
  const top = p.y + HOVER_GAP + HOVER_H > h ? p.y - HOVER_GAP - HOVER_H : p.y + HOVER_GAP
  return { left: Math.max(0, left), top: Math.max(0, top) }
}

function paintLabel(paint: MapPaint, index: number): string {
  const code = paint.codes[index] as number
  if (code === paint.palette.length - 1) return 'none'
  if (paint.type === 'number' && paint.range) {
    const [lo, hi] = paint.range
    const step = (hi - lo) / (paint.palette.length - 1)
    return `${(lo + code * step).toFixed(2)}–${(lo + (code + 1) * step).toFixed(2)}`
  }
  return paint.legend[code]?.label ?? ''
}
