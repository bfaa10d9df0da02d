/** Fairness screen: the mitigation sweep — one version per ω (reweighting), λ (penalty) or η (Group DRO), accuracy and the largest gap against it, the least-biased point within the accuracy budget marked; any point can be opened or activated. */
import { useCallback, useEffect, useMemo, type ReactElement } from 'react'
import * as Plot from '@observablehq/plot'
import type {
  ModelVersionInfo,
  ReweightPreview,
  SweepMethod,
  SweepPoint,
  SweepSummary,
  TaskInfo
} from '../../../shared/domain'
import { METHOD_NAME, STRENGTH_SYMBOL } from '../../../shared/mitigation'
import { useStudio } from '../store'
import { cancelledSays, isActive, latestJob, type Job } from '../store/jobs-actions'
import {
  activateSweepVersion,
  loadReweightPreview,
  openSweepVersion,
  parseSweepValues,
  setFairness,
  startSweep,
  suggestPenaltyValues
} from '../store/fairness-actions'
import { BoundedNumberInput, ErrorMessage, ProgressBar } from '../components/common'
import { baseStyle, PlotFigure, type ChartColors } from '../components/charts/PlotFigure'
import { fraction } from '../format'
import { formatMetric, versionName } from './ModelsCommon'

interface Dot {
  value: number
  version: number
  y: number
  picked: boolean
  within: boolean
}

function metricOf(p: SweepPoint, score: boolean): number | null {
  const v = score ? p.overall.mae : p.overall.accuracy
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

function panel(
  dots: Dot[],
  baseline: number | null,
  opts: {
    width: number
    colors: ChartColors
    symbol: string
    yLabel: string
    percent: boolean
    selected: number | null
    xDomain: [number, number]
    zero: boolean
  }
): SVGSVGElement | HTMLElement {
  const { colors } = opts
  const fmt = (y: number): string => (opts.percent ? `${(y * 100).toFixed(1)} %` : y.toFixed(3))
  const ys = [...dots.map((d) => d.y), ...(baseline === null ? [] : [baseline])]
  const lo = Math.min(...ys)
  const hi = Math.max(...ys)
  const pad = Math.max(0.02, (hi - lo) * 0.25)
  // Accuracy is zoomed to its range; a gap reads against zero (no gap).
  const domain: [number, number] = opts.zero
    ? [0, Math.max(0.05, hi * 1.2)]
    : opts.percent
      ? [Math.max(0, lo - pad), Math.min(1, hi + pad)]
      : [Math.max(0, lo - pad), hi + pad]
  const picked = dots.filter((d) => d.picked)
  const selected = dots.filter((d) => d.version === opts.selected)
  return Plot.plot({
    width: opts.width,
    height: 240,
    marginLeft: 52,
    marginBottom: 38,
    marginTop: 22,
    marginRight: 22,
    style: baseStyle(colors),
    x: { domain: opts.xDomain, label: `${opts.symbol} →`, labelAnchor: 'right', grid: true, nice: true },
    y: {
      domain,
      label: `↑ ${opts.yLabel}`,
      grid: true,
      tickFormat: opts.percent ? (d: number) => `${Math.round(d * 1000) / 10}` : undefined
    },
    marks: [
      Plot.frame({ stroke: colors.border, anchor: 'bottom' }),
      baseline === null ? null : Plot.ruleY([baseline], { stroke: colors.faint, strokeDasharray: '4,4' }),
      baseline === null
        ? null
        : Plot.text([baseline], {
            x: () => (opts.xDomain[0] + opts.xDomain[1]) / 2,
            y: (d: number) => d,
            dy: -7,
            text: () => 'start (parent)',
            fill: colors.faint,
            fontSize: 10
          }),
      Plot.line(dots, { x: 'value', y: 'y', stroke: colors.accent, strokeOpacity: 0.5, strokeWidth: 1.5 }),
      Plot.dot(picked, { x: 'value', y: 'y', r: 10, stroke: colors.good, strokeWidth: 2, fill: 'none' }),
      Plot.text(picked, {
        x: 'value',
        y: 'y',
        text: () => 'picked',
        dy: -17,
        fill: colors.good,
        fontWeight: 600,
        fontSize: 10.5
      }),
      Plot.dot(selected, { x: 'value', y: 'y', r: 7, stroke: colors.text, strokeWidth: 1.5, fill: 'none' }),
      Plot.dot(dots, {
        x: 'value',
        y: 'y',
        r: 5,
        fill: (d: Dot) => (d.within ? colors.accent : colors.faint),
        stroke: colors.surface,
        strokeWidth: 1.5,
        ariaDescription: 'sweep points',
        title: (d: Dot) =>
          `${versionName(d.version)} · ${opts.symbol} = ${d.value}\n${opts.yLabel}: ${fmt(d.y)}` +
          `${d.picked ? '\npicked: least biased within the accuracy budget' : d.within ? '' : '\noutside the accuracy budget'}\nclick to open`
      })
    ]
  })
}

function SweepChart({
  summary,
  selected,
  score
}: {
  summary: SweepSummary
  selected: number | null
  score: boolean
}): ReactElement {
  const symbol = STRENGTH_SYMBOL[summary.mitigation]
  const build = useCallback(
    (width: number, colors: ChartColors) => {
      const pts = summary.points.filter((p) => p.value !== null)
      const xs = pts.map((p) => p.value as number)
      const xDomain: [number, number] = [Math.min(0, ...xs), Math.max(...xs, 0.1)]
      const mk = (pick: (p: SweepPoint) => number | null): Dot[] =>
        pts.flatMap((p) => {
          const y = pick(p)
          return y === null
            ? []
            : [{ value: p.value as number, version: p.version, y, picked: p.picked, within: p.within_budget }]
        })
      const acc = mk((p) => metricOf(p, score))
      const gap = mk((p) => p.gap)
      const wrap = document.createElement('div')
      wrap.className = 'fair-sweep-chart'
      const w = width >= 640 ? Math.floor((width - 24) / 2) : width
      const panels: Array<[Dot[], number | null, string, boolean, boolean]> = [
        [acc, metricOf(summary.baseline, score), score ? 'MAE (overall)' : 'Accuracy (%, overall)', !score, false],
        [
          gap,
          summary.baseline.gap,
          score ? 'Largest MAE gap between groups' : 'Largest TPR gap between groups',
          false,
          true
        ]
      ]
      for (const [dots, base, label, percent, zero] of panels) {
        const fig = panel(dots, base, { width: w, colors, symbol, yLabel: label, percent, selected, xDomain, zero })
        // Plot draws the dots in data order: tag each with its version, and make it open that version.
        const circles = fig.querySelectorAll<SVGCircleElement>('g[aria-description="sweep points"] circle')
        circles.forEach((c, i) => {
          const d = dots[i]
          if (!d) return
          c.dataset.testid = 'sweep-dot'
          c.dataset.version = String(d.version)
          c.setAttribute('data-testid', 'sweep-dot')
          c.setAttribute('role', 'button')
          c.style.cursor = 'pointer'
          c.addEventListener('click', () => setFairness({ sweepSelected: d.version }))
        })
        wrap.append(fig)
      }
      return wrap
    },
    [summary, selected, score, symbol]
  )
  return (
    <div className="chart-block">
      <div className="chart-legend" aria-hidden="true">
        <span className="chart-legend__item">
          <span className="fair-swatch fair-swatch--dot" /> one version per {symbol} (click to open)
        </span>
        <span className="chart-legend__item">
          <span className="fair-swatch fair-swatch--picked" /> picked: least biased within the budget
        </span>
        <span className="chart-legend__item">
          <span className="fair-swatch fair-swatch--out" /> outside the accuracy budget
        </span>
        <span className="chart-legend__item">
          <span className="chart-legend__swatch chart-legend__swatch--best" /> the version they started from
        </span>
      </div>
      <PlotFigure
        build={build}
        testId="sweep-chart"
        ariaLabel={`Accuracy and largest group gap against ${symbol}, ${summary.points.length} versions`}
        data={{ points: summary.points.filter((p) => p.value !== null).length, picked: summary.picked ?? '' }}
        minWidth={300}
      />
    </div>
  )
}

function PointTable({
  summary,
  selected,
  score
}: {
  summary: SweepSummary
  selected: number | null
  score: boolean
}): ReactElement {
  const symbol = STRENGTH_SYMBOL[summary.mitigation]
  const rows = [summary.baseline, ...summary.points]
  const headline = score ? 'mae' : 'accuracy'
  return (
    <table className="metric-table fair-table fair-points" data-testid="sweep-points">
      <thead>
        <tr>
          <th>{symbol}</th>
          <th>Version</th>
          <th className="m-num">{score ? 'MAE' : 'Accuracy'}</th>
          <th className="m-num">{score ? 'MAE gap' : 'TPR gap'}</th>
          {!score && <th className="m-num">dp diff</th>}
          {!score && <th className="m-num">eo diff</th>}
          <th>Largest gap between</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => {
          const base = p.value === null
          const sel = p.version === selected
          return (
            <tr
              key={`${p.version}:${p.value}`}
              className={`fair-point${sel ? ' fair-point--selected' : ''}${p.picked ? ' fair-point--picked' : ''}${base ? ' fair-point--base' : ''}`}
              data-testid={base ? 'sweep-baseline' : 'sweep-point'}
              data-version={p.version}
              data-picked={p.picked}
              onClick={() => setFairness({ sweepSelected: p.version })}
            >
              <td>{base ? <span className="muted">start</span> : p.value}</td>
              <td>
                {versionName(p.version)}
                {p.picked && <span className="badge m-badge--good fair-picked">picked</span>}
                {!base && !p.within_budget && <span className="badge m-badge--quiet fair-picked">over budget</span>}
              </td>
              <td className="m-num">{formatMetric(headline, p.overall[headline] ?? null)}</td>
              <td className="m-num">{p.gap === null ? '—' : p.gap.toFixed(3)}</td>
              {!score && <td className="m-num">{p.dp_diff === null ? '—' : p.dp_diff.toFixed(3)}</td>}
              {!score && <td className="m-num">{p.eo_diff === null ? '—' : p.eo_diff.toFixed(3)}</td>}
              <td className="muted m-small">
                {(p.tpr_gap ?? p.max_gap)
                  ? `${(p.tpr_gap ?? p.max_gap)!.metric}: ${(p.tpr_gap ?? p.max_gap)!.groups.join(' vs ')}`
                  : '—'}
              </td>
              <td className="fair-point__actions">
                <button
                  className="button button--small"
                  data-testid="sweep-open"
                  onClick={(e) => {
                    e.stopPropagation()
                    openSweepVersion(p.version)
                  }}
                >
                  Per-group metrics
                </button>
                <button
                  className="button button--small"
                  data-testid="sweep-activate"
                  onClick={(e) => {
                    e.stopPropagation()
                    activateSweepVersion(p.version)
                  }}
                >
                  Activate
                </button>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function useSweepJob(task: string): Job<'sweep'> | null {
  const id = useStudio((s) => s.sweepJobId)
  const jobs = useStudio((s) => s.jobs)
  return useMemo(() => {
    const started = id === null ? undefined : jobs[id]
    if (started?.kind === 'sweep') return started
    // After a reload: the latest sweep of this task the app knows about.
    return latestJob(jobs, 'sweep', task)
  }, [id, jobs, task])
}

/** Before a reweighting sweep: whether the grouping leaves the weights anything to change. */
function ReweightNote({ preview }: { preview: ReweightPreview }): ReactElement {
  const range =
    preview.min_weight === null || preview.max_weight === null
      ? ''
      : `${preview.min_weight.toFixed(2)}–${preview.max_weight.toFixed(2)}`
  if (preview.grouped_faces === 0)
    return (
      <p className="fair-sweep-note m-small" data-testid="sweep-reweight-note" data-near-one="false">
        No training face of <strong>{preview.task}</strong> has a {preview.group_task} label yet: reweighting would
        change nothing.
      </p>
    )
  return preview.near_one ? (
    <p className="fair-sweep-note fair-sweep-note--warn m-small" data-testid="sweep-reweight-note" data-near-one="true">
      Weights are all ≈ 1 for this grouping ({range} at ω = 1 over {preview.grouped_faces} training faces): the groups
      and their labels are already balanced, so every ω gives the same version. Group DRO (η) or the penalty (λ) act on
      the worst group&apos;s errors instead.
    </p>
  ) : (
    <p className="fair-sweep-note m-small" data-testid="sweep-reweight-note" data-near-one="false">
      At ω = 1 the weights range {range} over {preview.grouped_faces} training faces (
      {Object.entries(preview.per_group)
        .map(
          ([g, r]) =>
            `${g} ${r.min_weight.toFixed(2)}${r.max_weight !== r.min_weight ? `–${r.max_weight.toFixed(2)}` : ''}`
        )
        .join(', ')}
      ).
    </p>
  )
}

function sweepMethodOf(value: string): SweepMethod {
  return value === 'penalty' || value === 'dro' ? value : 'reweight'
}

export function SweepPanel({
  task,
  tasks,
  versions
}: {
  task: string
  tasks: TaskInfo[]
  versions: ModelVersionInfo[]
}): ReactElement {
  const method = useStudio((s) => s.sweepMethod)
  const values = useStudio((s) => s.sweepValues)
  const sweepGroup = useStudio((s) => s.sweepGroupTask)
  const fairGroup = useStudio((s) => s.fairGroupTask)
  const epochs = useStudio((s) => s.sweepEpochs)
  const budget = useStudio((s) => s.sweepBudget)
  const error = useStudio((s) => s.sweepError)
  const selected = useStudio((s) => s.sweepSelected)
  const job = useSweepJob(task)
  const groupTask = sweepGroup ?? fairGroup
  const symbol = STRENGTH_SYMBOL[method]
  const parsed = parseSweepValues(values, method)
  const running = !!job && isActive(job)
  const summary = job?.status === 'done' ? job.result : null
  const score = tasks.find((t) => t.name === task)?.kind === 'score'
  const active = versions.find((v) => v.active)
  const preview = useStudio((s) => s.sweepReweight)
  const rangeNote = useStudio((s) => s.sweepRangeNote)
  // Labels change between sweeps, so the preview is refetched whenever the form or the version list changes.
  useEffect(() => {
    if (method === 'reweight' && groupTask) loadReweightPreview(task, groupTask, true)
  }, [method, task, groupTask, versions])
  const weights = method === 'reweight' && preview.value?.group_task === groupTask ? preview.value : null
  return (
    <div className="fair-sweep">
      <section className="m-panel">
        <h2 className="section-title">Mitigation sweep</h2>
        <p className="muted m-small fair-panel-intro">
          Trains one version of <strong>{task}</strong> per value, each fine-tuned from the active version
          {active ? ` (${versionName(active.version)})` : ''} and left inactive, then scores every one per group on the
          evaluation set. Reweighting (ω from 0 = none to 1 = fully balanced) weights faces so every group counts
          equally; the penalty (λ) adds the gap between the worst and best group's loss to the training loss and lowers
          only the worst group's; Group DRO (η) shifts the training weight to whichever group is doing worst, step by
          step (η = 0: every group counts the same).
        </p>
        <div className="fair-sweep-form">
          <label className="fair-control">
            <span className="fair-control__label">Mitigation</span>
            <select
              className="select"
              data-testid="sweep-mitigation"
              value={method}
              onChange={(e) => setFairness({ sweepMethod: sweepMethodOf(e.target.value) })}
            >
              <option value="reweight">reweight groups (ω)</option>
              <option value="penalty">group-gap penalty (λ)</option>
              <option value="dro">Group DRO (η)</option>
            </select>
          </label>
          <label className="fair-control fair-control--wide">
            <span className="fair-control__label">{symbol} values</span>
            <input
              className={`input input--mono${typeof parsed === 'string' ? ' input--invalid' : ''}`}
              data-testid="sweep-values"
              value={values}
              placeholder={
                method === 'reweight' ? '0, 0.25, 0.5, 0.75, 1' : method === 'dro' ? '0, 0.1, 1' : '0, 0.1, 1, 10'
              }
              aria-invalid={typeof parsed === 'string' || undefined}
              onChange={(e) => setFairness({ sweepValues: e.target.value, sweepRangeNote: null })}
            />
          </label>
          {method === 'penalty' && (
            <button
              className="button fair-sweep-run"
              data-testid="sweep-lambda-auto"
              disabled={running || !groupTask}
              title="λ as fractions of mean loss / group loss range on the rows training holds out for validation"
              onClick={() => void suggestPenaltyValues(task)}
            >
              λ from validation rows
            </button>
          )}
          <label className="fair-control">
            <span className="fair-control__label">Groups of</span>
            <select
              className="select"
              data-testid="sweep-group"
              value={groupTask ?? ''}
              onChange={(e) => setFairness({ sweepGroupTask: e.target.value || null })}
            >
              {!groupTask && <option value="">Choose a task…</option>}
              {tasks
                .filter((t) => t.name !== task)
                .map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                  </option>
                ))}
            </select>
          </label>
          <label className="fair-control fair-control--narrow">
            <span className="fair-control__label">Epochs</span>
            <input
              className="input"
              type="number"
              min={1}
              max={1000}
              placeholder="50"
              data-testid="sweep-epochs"
              value={epochs ?? ''}
              onChange={(e) => {
                const v = Math.floor(Number(e.target.value))
                setFairness({ sweepEpochs: e.target.value === '' || !(v >= 1) ? null : Math.min(1000, v) })
              }}
            />
          </label>
          <label
            className="fair-control fair-control--narrow"
            title="How much accuracy the picked version may give up against the best point"
          >
            <span className="fair-control__label">Budget (pp)</span>
            <BoundedNumberInput
              value={budget}
              min={0}
              max={100}
              step={0.5}
              testId="sweep-budget"
              onValid={(v) => setFairness({ sweepBudget: v })}
            />
          </label>
          <button
            className="button button--primary fair-sweep-run"
            data-testid="sweep-run"
            disabled={running || typeof parsed === 'string' || !groupTask}
            onClick={() => void startSweep(task)}
          >
            {running
              ? 'Sweeping…'
              : `Run sweep${typeof parsed === 'string' ? '' : ` (${parsed.length} ${parsed.length === 1 ? 'version' : 'versions'})`}`}
          </button>
        </div>
        {weights && <ReweightNote preview={weights} />}
        {method === 'penalty' && rangeNote && (
          <p className="fair-sweep-note m-small" data-testid="sweep-lambda-note">
            {rangeNote}
          </p>
        )}
        {typeof parsed === 'string' && <p className="field__hint m-bad">{parsed}</p>}
        {error && <ErrorMessage error={error} title="Could not start the sweep" />}
        {job && (
          <div className="fair-sweep-job" data-testid="sweep-job" data-status={job.status}>
            {running ? (
              <>
                <ProgressBar
                  value={fraction(job.progress.done, job.progress.total)}
                  indeterminate={job.progress.total === 0}
                />
                <span className="muted m-small">
                  {job.progress.message || 'Starting…'} · progress also in the status bar
                </span>
              </>
            ) : job.status === 'failed' ? (
              <ErrorMessage
                error={{ code: 'INTERNAL', message: job.error ?? 'The sweep stopped.' }}
                title="The sweep failed"
              />
            ) : job.status === 'cancelled' ? (
              <span className="muted">
                {/* The job names the versions it kept ("Sweep cancelled after 1 of 3 values; version v4 …"). */}
                {cancelledSays(job) ??
                  'The sweep was cancelled; versions finished before that are kept in the version list.'}
              </span>
            ) : null}
          </div>
        )}
      </section>
      {summary && (
        <section className="m-panel" data-testid="sweep-result">
          <h2 className="section-title">
            {METHOD_NAME[summary.mitigation]} by {summary.group_task}: {summary.points.length}{' '}
            {summary.points.length === 1 ? 'version' : 'versions'}
          </h2>
          <p className="fair-gap__text" data-testid="sweep-pick-text">
            {summary.picked !== null && summary.picked === summary.baseline.version ? (
              <>
                Kept <strong>{versionName(summary.picked)}</strong>, the version the sweep started from: no {symbol}{' '}
                value gave a smaller gap ({summary.criterion}).
              </>
            ) : summary.picked !== null ? (
              <>
                Picked <strong>{versionName(summary.picked)}</strong> ({symbol} ={' '}
                {summary.points.find((p) => p.version === summary.picked)?.value}): {summary.criterion}.
              </>
            ) : (
              <>
                No version picked: no point has a gap to compare (groups under {summary.min_group_size} faces are not
                ranked).
              </>
            )}
          </p>
          <SweepChart summary={summary} selected={selected} score={score} />
          <PointTable summary={summary} selected={selected} score={score} />
        </section>
      )}
    </div>
  )
}
