/**
 * A labelled heat map of rows × columns with the value's text in every cell: confusion matrices here;
 * fairness rates (class × group, TPR / FPR with the counts behind them as a second line). Muted cells (e.g. groups too small to
 * trust) are drawn grey with faint text.
 */
import { useCallback, type ReactElement } from 'react'
import * as Plot from '@observablehq/plot'
import { baseStyle, PlotFigure, type ChartColors } from './PlotFigure'

export interface HeatCell {
  row: string
  col: string
  /** Drives the colour, within `domain`; null draws an empty cell. */
  value: number | null
  /** Text inside the cell (e.g. a count, or "0.85"). */
  text?: string
  /** A second, smaller line under `text` (e.g. the counts behind a rate: "17/20"). */
  subtext?: string
  /** Tooltip. */
  title?: string
  muted?: boolean
}

const UNIT: [number, number] = [0, 1]

export function HeatMap({
  rows,
  cols,
  cells,
  xLabel,
  yLabel,
  valueLabel,
  domain = UNIT,
  percentLegend = false,
  testId,
  ariaLabel,
  cellSize = 46,
  data
}: {
  rows: string[]
  cols: string[]
  cells: HeatCell[]
  xLabel: string
  yLabel: string
  /** What the colour means, with its unit (shown on the legend). */
  valueLabel: string
  domain?: [number, number]
  percentLegend?: boolean
  testId?: string
  ariaLabel: string
  cellSize?: number
  data?: Record<string, string | number>
}): ReactElement {
  const build = useCallback(
    (width: number, colors: ChartColors) => {
      const longest = Math.max(0, ...cols.map((c) => c.length))
      const rotate = longest * 6.5 > cellSize - 6
      const marginTop = rotate ? Math.min(110, 24 + longest * 5.2) : 40
      const marginLeft = Math.min(140, 28 + Math.max(0, ...rows.map((r) => r.length)) * 6.8)
      const w = Math.min(width, marginLeft + cols.length * cellSize + 16)
      const twoLine = cells.some((c) => c.subtext)
      const h = marginTop + rows.length * (twoLine ? 44 : Math.min(cellSize, 40)) + 8
      const low = colors.dark ? '#26282f' : '#f1f4fb'
      const high = colors.accent
      const span = domain[1] - domain[0] || 1
      const strong = (v: number | null): boolean => v !== null && (v - domain[0]) / span > 0.55
      const live = cells.filter((c) => !c.muted && c.value !== null)
      const muted = cells.filter((c) => c.muted || c.value === null)
      const ink = (d: HeatCell): string => (d.muted ? colors.faint : strong(d.value) ? '#ffffff' : colors.text)
      const heat = Plot.plot({
        width: w,
        height: h,
        marginTop,
        marginLeft,
        marginRight: 16,
        marginBottom: 8,
        padding: 0.04,
        style: baseStyle(colors),
        x: {
          domain: cols,
          axis: 'top',
          label: `${xLabel} →`,
          labelAnchor: 'center',
          tickRotate: rotate ? -40 : 0,
          tickSize: 0
        },
        y: { domain: rows, label: `↓ ${yLabel}`, labelAnchor: 'top', tickSize: 0 },
        color: { type: 'linear', domain, range: [low, high], interpolate: 'lab' },
        marks: [
          Plot.cell(muted, { x: 'col', y: 'row', fill: colors.dark ? '#2c2c31' : '#ececef', inset: 0.5 }),
          Plot.cell(live, { x: 'col', y: 'row', fill: 'value', inset: 0.5, title: (d: HeatCell) => d.title ?? '' }),
          Plot.text(cells, {
            x: 'col',
            y: 'row',
            text: (d: HeatCell) => d.text ?? '',
            fill: ink,
            fontSize: 11.5,
            fontVariant: 'tabular-nums',
            dy: twoLine ? -7 : 0,
            title: (d: HeatCell) => d.title ?? ''
          }),
          twoLine
            ? Plot.text(cells, {
                x: 'col',
                y: 'row',
                text: (d: HeatCell) => d.subtext ?? '',
                fill: ink,
                fillOpacity: 0.75,
                fontSize: 10,
                fontVariant: 'tabular-nums',
                dy: 8,
                title: (d: HeatCell) => d.title ?? ''
              })
            : null
        ]
      })
      const legend = Plot.legend({
        color: {
          type: 'linear',
          domain,
          range: [low, high],
          interpolate: 'lab',
          tickFormat: percentLegend ? (d: number) => String(Math.round(d * 100)) : undefined
        },
        label: valueLabel,
        width: Math.min(240, w),
        style: baseStyle(colors)
      })
      const wrap = document.createElement('div')
      wrap.className = 'heat-map'
      wrap.append(heat, legend)
      return wrap
    },
    [rows, cols, cells, xLabel, yLabel, valueLabel, domain, percentLegend, cellSize]
  )
  return <PlotFigure build={build} testId={testId} ariaLabel={ariaLabel} data={data} minWidth={200} />
}
