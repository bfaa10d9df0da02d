/** Reliability diagram: accuracy against confidence per bin, one line per model version; the diagonal is perfect calibration. */
import { useCallback, type ReactElement } from 'react'
import * as Plot from '@observablehq/plot'
import { baseStyle, PlotFigure, type ChartColors } from './PlotFigure'

export interface ReliabilityBin {
  lo: number
  hi: number
  count: number
  accuracy: number
  confidence: number
}

export interface ReliabilitySeries {
  name: string
  bins: ReliabilityBin[]
  ece: number | null
  /** 'a' | 'b': which palette colour. */
  tone: 'a' | 'b'
}

interface Row extends ReliabilityBin {
  series: string
}

export function ReliabilityDiagram({
  series,
  testId = 'reliability'
}: {
  series: ReliabilitySeries[]
  testId?: string
}): ReactElement {
  const build = useCallback(
    (width: number, colors: ChartColors) => {
      const rows: Row[] = series.flatMap((s) =>
        s.bins.filter((b) => b.count > 0).map((b) => ({ ...b, series: s.name }))
      )
      const names = series.map((s) => s.name)
      const range = series.map((s) => (s.tone === 'a' ? colors.muted : colors.accent))
      const size = Math.min(width, 420)
      return Plot.plot({
        width: size,
        height: Math.round(size * 0.82),
        marginLeft: 48,
        marginBottom: 38,
        style: baseStyle(colors),
        x: { domain: [0, 100], percent: true, label: 'Confidence (%) →', labelAnchor: 'right', grid: true },
        y: { domain: [0, 100], percent: true, label: '↑ Accuracy (%)', grid: true },
        color: { domain: names, range },
        r: { range: [2.5, 9] },
        marks: [
          Plot.line(
            [
              [0, 0],
              [1, 1]
            ],
            { stroke: colors.faint, strokeDasharray: '4,4' }
          ),
          Plot.text([[0.93, 0.99]], { text: () => 'perfect', fill: colors.faint, rotate: -38, fontSize: 10 }),
          Plot.line(rows, { x: 'confidence', y: 'accuracy', stroke: 'series', z: 'series', strokeWidth: 1.8 }),
          Plot.dot(rows, {
            x: 'confidence',
            y: 'accuracy',
            fill: 'series',
            r: 'count',
            stroke: colors.surface,
            strokeWidth: 1,
            title: (d: Row) =>
              `${d.series} · confidence ${(d.lo * 100).toFixed(0)}–${(d.hi * 100).toFixed(0)} %\n` +
              `mean confidence ${(d.confidence * 100).toFixed(1)} %, accuracy ${(d.accuracy * 100).toFixed(1)} %\n${d.count} faces`
          }),
          Plot.frame({ stroke: colors.border })
        ]
      })
    },
    [series]
  )
  const ece = series.map((s) => `${s.name} ECE ${s.ece === null ? '—' : (s.ece * 100).toFixed(1) + ' %'}`).join(', ')
  return (
    <div className="chart-block">
      <div className="chart-legend">
        {series.map((s) => (
          <span key={s.name} className="chart-legend__item">
            <span className={`chart-legend__swatch chart-legend__swatch--${s.tone}`} /> {s.name}
            <span className="muted"> · ECE {s.ece === null ? '—' : `${(s.ece * 100).toFixed(1)} %`}</span>
          </span>
        ))}
        <span className="chart-legend__item muted">dot size = faces in the bin</span>
      </div>
      <PlotFigure build={build} testId={testId} ariaLabel={`Reliability diagram: ${ece}`} minWidth={260} />
    </div>
  )
}
