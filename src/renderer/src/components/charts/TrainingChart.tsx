/** Live training curves: training and validation loss (left) and accuracy (right) per epoch. */
import { useCallback, type ReactElement } from 'react'
import * as Plot from '@observablehq/plot'
import type { EpochPoint } from '../../../../shared/domain'
import { baseStyle, PlotFigure, type ChartColors } from './PlotFigure'

interface Row {
  epoch: number
  value: number
  series: 'Training' | 'Validation'
  /** One line per head and series: heads trained side by side interleave their epochs. */
  line: string
}

function rows(epochs: EpochPoint[], train: keyof EpochPoint, val: keyof EpochPoint): Row[] {
  const out: Row[] = []
  for (const p of epochs) {
    const t = p[train]
    const v = p[val]
    const head = p.head ?? 0
    if (typeof t === 'number' && Number.isFinite(t))
      out.push({ epoch: p.epoch, value: t, series: 'Training', line: `t${head}` })
    if (typeof v === 'number' && Number.isFinite(v))
      out.push({ epoch: p.epoch, value: v, series: 'Validation', line: `v${head}` })
  }
  return out
}

function panel(
  data: Row[],
  opts: {
    width: number
    colors: ChartColors
    totalEpochs: number
    yLabel: string
    percent?: boolean
    bestEpoch?: number | null
  }
): SVGSVGElement | HTMLElement {
  const { colors } = opts
  const xMax = Math.max(2, opts.totalEpochs, ...data.map((d) => d.epoch))
  const last = ['Training', 'Validation']
    .map((s) => data.filter((d) => d.series === s).at(-1))
    .filter((d): d is Row => !!d)
  return Plot.plot({
    width: opts.width,
    height: 230,
    marginLeft: 48,
    marginBottom: 36,
    style: baseStyle(colors),
    x: { domain: [1, xMax], label: 'Epoch →', labelAnchor: 'right', tickFormat: 'd', ticks: Math.min(xMax - 1, 8) },
    y: opts.percent
      ? { domain: [0, 100], percent: true, label: `↑ ${opts.yLabel}`, grid: true }
      : { label: `↑ ${opts.yLabel}`, grid: true, zero: true, nice: true },
    color: { domain: ['Training', 'Validation'], range: [colors.accent, colors.warn] },
    marks: [
      Plot.frame({ stroke: colors.border, anchor: 'bottom' }),
      opts.bestEpoch ? Plot.ruleX([opts.bestEpoch], { stroke: colors.faint, strokeDasharray: '3,3' }) : null,
      Plot.line(data, { x: 'epoch', y: 'value', z: 'line', stroke: 'series', strokeWidth: 2, curve: 'monotone-x' }),
      Plot.dot(last, { x: 'epoch', y: 'value', fill: 'series', r: 3 }),
      Plot.tip(
        data,
        Plot.pointerX({
          x: 'epoch',
          y: 'value',
          stroke: 'series',
          fill: colors.surface,
          title: (d: Row) =>
            `${d.series} · epoch ${d.epoch}\n${opts.yLabel}: ${opts.percent ? (d.value * 100).toFixed(1) + ' %' : d.value.toFixed(4)}`
        })
      )
    ]
  })
}

export function TrainingChart({
  epochs,
  totalEpochs,
  kind,
  bestEpoch,
  finished = false,
  testId = 'train-chart'
}: {
  epochs: EpochPoint[]
  totalEpochs: number
  kind: 'classification' | 'score'
  bestEpoch?: number | null
  /** Once the run is over the x axis spans the epochs run (early stopping), not the epochs asked for. */
  finished?: boolean
  testId?: string
}): ReactElement {
  const span = finished && epochs.length > 0 ? Math.max(...epochs.map((p) => p.epoch)) : totalEpochs
  const hasAcc = epochs.some((p) => typeof p.acc === 'number' || typeof p.val_acc === 'number')
  const build = useCallback(
    (width: number, colors: ChartColors) => {
      const wrap = document.createElement('div')
      wrap.className = 'training-chart'
      const panels = hasAcc ? 2 : 1
      const w = panels === 2 && width >= 640 ? Math.floor((width - 24) / 2) : width
      const lossLabel = kind === 'score' ? 'Loss (mean squared error)' : 'Loss (cross-entropy)'
      wrap.append(
        panel(rows(epochs, 'loss', 'val_loss'), { width: w, colors, totalEpochs: span, yLabel: lossLabel, bestEpoch })
      )
      if (hasAcc) {
        wrap.append(
          panel(rows(epochs, 'acc', 'val_acc'), {
            width: w,
            colors,
            totalEpochs: span,
            yLabel: 'Accuracy (%)',
            percent: true,
            bestEpoch
          })
        )
      }
      return wrap
    },
    [epochs, span, kind, hasAcc, bestEpoch]
  )
  return (
    <div className="chart-block">
      <div className="chart-legend" aria-hidden="true">
        <span className="chart-legend__item">
          <span className="chart-legend__swatch chart-legend__swatch--train" /> Training
        </span>
        <span className="chart-legend__item">
          <span className="chart-legend__swatch chart-legend__swatch--val" /> Validation
        </span>
        {bestEpoch ? (
          <span className="chart-legend__item">
            <span className="chart-legend__swatch chart-legend__swatch--best" /> Best epoch ({bestEpoch})
          </span>
        ) : null}
      </div>
      <PlotFigure
        build={build}
        testId={testId}
        ariaLabel={`Training and validation loss${hasAcc ? ' and accuracy' : ''} over ${epochs.length} epochs`}
        data={{ points: epochs.length }}
      />
    </div>
  )
}
