/**
 * Mounts an Observable Plot figure (SVG) into a div and re-renders it when its data, its width or the
 * colour scheme changes. Colours come from the app's CSS variables, read at render time, so charts follow
 * the light / dark theme (SVG presentation attributes cannot use `var(--…)` themselves).
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react'

export interface ChartColors {
  text: string
  muted: string
  faint: string
  border: string
  surface: string
  accent: string
  good: string
  bad: string
  warn: string
  dark: boolean
}

function readColors(): ChartColors {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback
  return {
    text: v('--text', '#1d1d21'),
    muted: v('--muted', '#6c6c75'),
    faint: v('--faint', '#9a9aa3'),
    border: v('--border', '#dedee3'),
    surface: v('--surface', '#ffffff'),
    accent: v('--accent', '#3768e8'),
    good: v('--good', '#1d8a4e'),
    bad: v('--bad', '#cc3333'),
    warn: v('--warn', '#b7791f'),
    dark: window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false
  }
}

/** The theme's chart colours; updates when the OS switches between light and dark. */
export function useChartColors(): ChartColors {
  const [colors, setColors] = useState<ChartColors>(readColors)
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)')
    if (!mq) return
    const onChange = (): void => setColors(readColors())
    mq.addEventListener('change', onChange)
    return () => mq.removeEventListener('change', onChange)
  }, [])
  return colors
}

/** Shared Plot options: transparent background, the app's font and text colour. */
export function baseStyle(colors: ChartColors): Record<string, string> {
  return {
    background: 'transparent',
    color: colors.text,
    fontFamily: 'inherit',
    fontSize: '11.5px',
    overflow: 'visible'
  }
}

export function PlotFigure({
  build,
  testId,
  className,
  minWidth = 240,
  ariaLabel,
  data
}: {
  /** Builds the figure for a width; memoise it (useCallback) on the data it draws. */
  build: (width: number, colors: ChartColors) => SVGSVGElement | HTMLElement
  testId?: string
  className?: string
  minWidth?: number
  ariaLabel: string
  /** Extra data-* attributes for tests (e.g. {points: 12}). */
  data?: Record<string, string | number>
}): ReactElement {
  const ref = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(0)
  const colors = useChartColors()
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)))
    ro.observe(el)
    setWidth(Math.floor(el.clientWidth))
    return () => ro.disconnect()
  }, [])
  useEffect(() => {
    const el = ref.current
    if (!el || width <= 0) return
    const figure = build(Math.max(minWidth, width), colors)
    el.replaceChildren(figure)
    return () => figure.remove()
  }, [build, width, colors, minWidth])
  const attrs: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(data ?? {})) attrs[`data-${k}`] = v
  return (
    <div
      ref={ref}
      className={`plot-figure${className ? ' ' + className : ''}`}
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
      {...attrs}
    />
  )
}
