/** A virtualised grid of square tiles (people, faces, review cards): measures its width, lays out columns. */
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react'
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual'

export interface TileGrid {
  scrollRef: RefObject<HTMLDivElement | null>
  columns: number
  tile: number
  rowHeight: number
  virtualizer: Virtualizer<HTMLDivElement, Element>
  /** First and last item index on screen (for page loading). */
  firstIndex: number
  lastIndex: number
}

export function useTileGrid(opts: {
  count: number
  minTile: number
  gap: number
  /** Height under each tile (caption). */
  caption: number
  /** Horizontal padding of the scroll element (both sides together). */
  padding: number
  overscan?: number
}): TileGrid {
  const { count, minTile, gap, caption, padding } = opts
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
  const inner = Math.max(0, width - padding)
  const columns = Math.max(1, Math.floor((inner + gap) / (minTile + gap)))
  const tile = Math.max(40, Math.floor((inner - gap * (columns - 1)) / columns))
  const rowHeight = tile + caption + gap
  const rows = Math.ceil(count / columns)
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: opts.overscan ?? 3
  })
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer])
  const items = virtualizer.getVirtualItems()
  const firstRow = items[0]?.index ?? 0
  const lastRow = items[items.length - 1]?.index ?? 0
  return {
    scrollRef,
    columns,
    tile,
    rowHeight,
    virtualizer,
    firstIndex: firstRow * columns,
    lastIndex: Math.min(count - 1, (lastRow + 1) * columns - 1)
  }
}
