/**
 * Fairness (issue 6): how the active task's model does per group — heat maps class × group of TPR / FPR /
 * TNR / FNR with the counts behind them, per-group accuracy / macro-F1, the largest gap in words, dp / eo
 * differences — plus a bias probe, per-group thresholds, a mitigation sweep and the Conflicts queue.
 */
import { useEffect, useMemo, type ReactElement } from 'react'
import type {
  GroupClassStats,
  GroupMetricsComparison,
  GroupMetricsInfo,
  GroupScoreStats,
  ModelVersionInfo,
  TaskInfo
} from '../../../shared/domain'
import { useStudio } from '../store'
import { navigate } from '../store/ui-actions'
import { loadGroupMetrics, setFairness } from '../store/fairness-actions'
import type { FairnessTab } from '../store/fairness'
import { BoundedNumberInput, EmptyState, ErrorMessage } from '../components/common'
import { FairnessIcon } from '../components/icons'
import { HeatMap, type HeatCell } from '../components/charts/HeatMap'
import { count, plural } from '../format'
import { deltaTone, formatDelta, formatMetric, ModelsHeader, useVersions, versionName } from './ModelsCommon'
import { BiasProbePanel, ConflictsPanel, ThresholdsPanel } from './FairnessPanels'
import { SweepPanel } from './FairnessSweep'
import '../models.css'
import '../fairness.css'
import { AnnotatorsPanel } from './FairnessAnnotators'

const TABS: Array<{ id: FairnessTab; label: string }> = [
  { id: 'metrics', label: 'Group metrics' },
  { id: 'probe', label: 'Bias probe' },
  { id: 'thresholds', label: 'Thresholds' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'conflicts', label: 'Conflicts' },
  { id: 'annotators', label: 'Annotators' }
]

/** 0.8532 → "0.85"; null → "—". */
export function rate2(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(2)
}

export function isClassStats(g: GroupClassStats | GroupScoreStats): g is GroupClassStats {
  return 'per_class' in g
}

/** Groups in a stable order: ranked (large) groups by size, then the small ones. */
export function groupOrder(info: Pick<GroupMetricsInfo, 'per_group'>): string[] {
  return Object.entries(info.per_group)
    .sort((a, b) => Number(a[1].small) - Number(b[1].small) || b[1].n - a[1].n || a[0].localeCompare(b[0]))
    .map(([g]) => g)
}

/** The project's tasks (the sidebar loads them). */
function useTasks(): TaskInfo[] {
  return useStudio((s) => s.tasks) ?? []
}

/** Picks a sensible default grouping: a user-defined classification task other than the one measured. */
function defaultGrouping(tasks: TaskInfo[], task: string): string | null {
  const others = tasks.filter((t) => t.name !== task)
  return (
    others.find((t) => !t.builtin && t.kind === 'classification')?.name ??
    others.find((t) => t.kind === 'classification')?.name ??
    others[0]?.name ??
    null
  )
}

// ---------------------------------------------------------------- controls

function Controls({
  task,
  tasks,
  versions
}: {
  task: string
  tasks: TaskInfo[]
  versions: ModelVersionInfo[]
}): ReactElement {
  const groupTask = useStudio((s) => s.fairGroupTask)
  const groupBy = useStudio((s) => s.fairGroupBy)
  const source = useStudio((s) => s.fairSource)
  const minGroup = useStudio((s) => s.fairMinGroup)
  const version = useStudio((s) => s.fairVersion)
  const compareWith = useStudio((s) => s.fairCompareWith)
  const others = tasks.filter((t) => t.name !== task)
  const active = versions.find((v) => v.active)
  return (
    <div className="fair-controls" data-testid="fairness-controls">
      <label className="fair-control">
        <span className="fair-control__label">Group by</span>
        <select
          className="select"
          data-testid="fairness-grouping"
          value={groupTask ?? ''}
          onChange={(e) => setFairness({ fairGroupTask: e.target.value || null })}
        >
          {!groupTask && <option value="">Choose a task…</option>}
          {others.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
              {t.kind === 'score' ? ' (bands of 10)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="fair-control">
        <span className="fair-control__label">× and by</span>
        <select
          className="select"
          data-testid="fairness-grouping-2"
          value={groupBy ?? ''}
          onChange={(e) => setFairness({ fairGroupBy: e.target.value || null })}
        >
          <option value="">— (one grouping)</option>
          {others
            .filter((t) => t.name !== groupTask)
            .map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
        </select>
      </label>
      <label className="fair-control">
        <span className="fair-control__label">Groups from</span>
        <select
          className="select"
          data-testid="fairness-source"
          value={source}
          onChange={(e) => setFairness({ fairSource: e.target.value === 'predicted' ? 'predicted' : 'annotations' })}
        >
          <option value="annotations">annotations (your labels)</option>
          <option value="predicted">predicted (the model’s guesses)</option>
        </select>
      </label>
      <label className="fair-control fair-control--narrow" title="Groups with fewer faces are greyed and not ranked">
        <span className="fair-control__label">Min. group</span>
        <BoundedNumberInput
          value={minGroup}
          min={1}
          max={100000}
          integer
          testId="fairness-min-group"
          onValid={(v) => setFairness({ fairMinGroup: v })}
        />
      </label>
      <span className="fair-controls__sep" />
      <label className="fair-control">
        <span className="fair-control__label">Version</span>
        <select
          className="select"
          data-testid="fairness-version"
          value={version ?? ''}
          onChange={(e) => setFairness({ fairVersion: e.target.value === '' ? null : Number(e.target.value) })}
        >
          <option value="">active{active ? ` (${versionName(active.version)})` : ''}</option>
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              {versionName(v.version)}
              {v.active ? ' · active' : ''}
              {v.builtin ? ' · built-in' : ''}
              {v.mitigation && v.mitigation.method !== 'none' ? ` · ${v.mitigation.method}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="fair-control">
        <span className="fair-control__label">Compare with</span>
        <select
          className="select"
          data-testid="fairness-compare"
          value={compareWith ?? ''}
          onChange={(e) => setFairness({ fairCompareWith: e.target.value === '' ? null : Number(e.target.value) })}
        >
          <option value="">— (no comparison)</option>
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              {versionName(v.version)}
              {v.active ? ' · active' : ''}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

function SourceNote({ info }: { info: GroupMetricsInfo }): ReactElement {
  const g = info.grouping
  return (
    <p className="fair-source" data-testid="fairness-source-note" data-source={g.source}>
      Groups: <strong>{g.label}</strong>,{' '}
      {g.source === 'predicted' ? (
        <span className="fair-source__predicted">
          taken from the model’s <strong>predictions</strong> of {g.tasks.join(' and ')} — not from your labels
        </span>
      ) : (
        <>from your annotations of {g.tasks.join(' and ')}</>
      )}
      . Scored on {plural(info.n, 'evaluation face')} of {versionName(info.version)}
      {info.ungrouped > 0 ? ` (${count(info.ungrouped)} without a group left out)` : ''}.
    </p>
  )
}

// ---------------------------------------------------------------- heat maps

type RateKey = 'tpr' | 'fpr' | 'tnr' | 'fnr'

const RATES: Array<{ key: RateKey; label: string; hint: string; good: 'high' | 'low' }> = [
  {
    key: 'tpr',
    label: 'TPR',
    hint: 'true-positive rate: of the faces labelled with the class, share found',
    good: 'high'
  },
  {
    key: 'fnr',
    label: 'FNR',
    hint: 'false-negative rate: of the faces labelled with the class, share missed',
    good: 'low'
  },
  {
    key: 'fpr',
    label: 'FPR',
    hint: 'false-positive rate: of the other faces, share wrongly given the class',
    good: 'low'
  },
  { key: 'tnr', label: 'TNR', hint: 'true-negative rate: of the other faces, share rightly not given it', good: 'high' }
]

function rateCounts(c: { tp: number; fp: number; tn: number; fn: number }, key: RateKey): { num: number; den: number } {
  if (key === 'tpr') return { num: c.tp, den: c.tp + c.fn }
  if (key === 'fnr') return { num: c.fn, den: c.tp + c.fn }
  if (key === 'fpr') return { num: c.fp, den: c.fp + c.tn }
  return { num: c.tn, den: c.fp + c.tn }
}

/** 95 % interval of a rate: FNR = 1 − TPR and TNR = 1 − FPR mirror the intervals main computed. */
function rateInterval(r: GroupClassStats['per_class'][string], key: RateKey): [number, number] | null {
  const flip = (ci: [number, number] | null | undefined): [number, number] | null =>
    ci ? [1 - ci[1], 1 - ci[0]] : null
  if (key === 'tpr') return r.tpr_ci ?? null
  if (key === 'fpr') return r.fpr_ci ?? null
  if (key === 'fnr') return flip(r.tpr_ci)
  return flip(r.fpr_ci)
}

export function groupColumn(name: string, small: boolean): string {
  return small ? `${name} (small)` : name
}

function RateHeatMap({
  info,
  rate,
  classes,
  groups
}: {
  info: GroupMetricsInfo
  rate: (typeof RATES)[number]
  classes: string[]
  groups: string[]
}): ReactElement {
  const { cells, cols } = useMemo(() => {
    const cells: HeatCell[] = []
    const cols = groups.map((g) => groupColumn(g, info.per_group[g]?.small ?? false))
    groups.forEach((g, gi) => {
      const stats = info.per_group[g]
      if (!stats || !isClassStats(stats)) return
      for (const label of classes) {
        const r = stats.per_class[label]
        if (!r) continue
        const { num, den } = rateCounts(r, rate.key)
        const value = r[rate.key]
        const ci = rateInterval(r, rate.key)
        cells.push({
          row: label,
          col: cols[gi] as string,
          value,
          muted: stats.small,
          text: value === null ? '—' : value.toFixed(2),
          subtext: `${num}/${den}`,
          title:
            `${label} · ${g}${stats.small ? ` (only ${stats.n} faces: not ranked)` : ''}\n` +
            `${rate.label} ${rate2(value)} = ${num} of ${den}${ci ? ` (95 % interval ${rate2(ci[0])}–${rate2(ci[1])})` : ''}\n` +
            `tp ${r.tp} · fn ${r.fn} · fp ${r.fp} · tn ${r.tn}`
        })
      }
    })
    return { cells, cols }
  }, [info, rate, classes, groups])
  return (
    <figure className="fair-heat">
      <figcaption>
        <strong>{rate.label}</strong>
        <span className="muted"> · {rate.hint}</span>
        <span className="fair-heat__better">{rate.good === 'high' ? '↑ higher is better' : '↓ lower is better'}</span>
      </figcaption>
      <HeatMap
        rows={classes}
        cols={cols}
        cells={cells}
        xLabel={info.grouping.label}
        yLabel="Class"
        valueLabel={rate.label}
        cellSize={Math.max(64, Math.min(96, 12 + Math.max(0, ...cols.map((c) => c.length)) * 7))}
        testId={`heatmap-${rate.key}`}
        ariaLabel={`${rate.label} per class and ${info.grouping.label} group`}
        data={{ cells: cells.length, groups: groups.length, classes: classes.length }}
      />
    </figure>
  )
}

// ---------------------------------------------------------------- gap, summary, table

/** The value a gap's metric has in one group ("tpr:happy" → that group's TPR of happy). */
function gapValue(info: GroupMetricsInfo, metric: string, group: string): number | null {
  const g = info.per_group[group]
  if (!g) return null
  if (!isClassStats(g)) return metric === 'mae' ? g.mae : null
  if (metric === 'accuracy') return g.accuracy
  const [kind, label] = metric.split(':')
  if (!label) return null
  const r = g.per_class[label]
  if (!r) return null
  return kind === 'tpr' ? r.tpr : kind === 'fpr' ? r.fpr : null
}

export function gapSentence(info: GroupMetricsInfo, which: 'max_gap' | 'tpr_gap' = 'max_gap'): string | null {
  const gap = info[which]
  if (!gap) return null
  const [hi, lo] = gap.groups
  const [kind, label] = gap.metric.split(':')
  const name = kind === 'accuracy' ? 'accuracy' : kind === 'mae' ? 'MAE' : (kind ?? '').toUpperCase()
  const head = label ? `${label}: ${name}` : name.charAt(0).toUpperCase() + name.slice(1)
  return `${head} ${rate2(gapValue(info, gap.metric, hi))} for ${hi} vs ${rate2(gapValue(info, gap.metric, lo))} for ${lo}`
}

function GapCallout({ info, cmp }: { info: GroupMetricsInfo; cmp: GroupMetricsComparison | null }): ReactElement {
  const main = gapSentence(info)
  const tpr =
    info.tpr_gap && info.max_gap && info.tpr_gap.metric !== info.max_gap.metric ? gapSentence(info, 'tpr_gap') : null
  const ranked = Object.values(info.per_group).filter((g) => !g.small).length
  return (
    <div className="fair-gap" data-testid="fairness-gap">
      <div className="fair-gap__main">
        <span className="section-title">Largest gap</span>
        {main && info.max_gap ? (
          <p
            className="fair-gap__text"
            data-testid="fairness-gap-text"
            data-groups={info.max_gap.groups.join('|')}
            data-metric={info.max_gap.metric}
          >
            {main}
            <span className="fair-gap__size"> — a gap of {rate2(info.max_gap.value)}</span>
            {cmp && <SummaryDelta cmp={cmp} k="max_gap" />}
          </p>
        ) : (
          <p className="fair-gap__text fair-gap__text--none" data-testid="fairness-gap-text" data-groups="">
            No gap ranked:{' '}
            {ranked < 2 ? `fewer than two groups have ${info.min_group_size} or more faces` : 'no rate to compare'}.{' '}
            <span className="muted">Label more faces, or lower the minimum group size (less trustworthy).</span>
          </p>
        )}
        {tpr && <p className="fair-gap__second muted">Largest TPR gap (equal opportunity): {tpr}.</p>}
      </div>
      <div className="fair-stats">
        <Stat
          label="Demographic parity diff."
          value={info.dp_diff}
          hint="Largest difference between groups in how often a class is predicted (0 = every group gets each class equally often)."
          testId="fairness-dp"
          cmp={cmp}
          k="dp_diff"
        />
        <Stat
          label="Equalised odds diff."
          value={info.eo_diff}
          hint="Largest difference between groups in TPR or FPR of any class (0 = equal error rates)."
          testId="fairness-eo"
          cmp={cmp}
          k="eo_diff"
        />
      </div>
    </div>
  )
}

/** Gap-like summary deltas: smaller is better. */
function SummaryDelta({ cmp, k }: { cmp: GroupMetricsComparison; k: string }): ReactElement | null {
  const d = cmp.summary_deltas[k]
  if (d === undefined) return null
  const tone = deltaTone('ece', d)
  return (
    <span
      className={`delta delta--${tone} fair-delta`}
      title={`${versionName(cmp.b.version)} − ${versionName(cmp.a.version)}`}
    >
      {' '}
      {d === null ? '' : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(2)} vs ${versionName(cmp.a.version)}`}
    </span>
  )
}

function Stat({
  label,
  value,
  hint,
  testId,
  cmp,
  k
}: {
  label: string
  value: number | null
  hint: string
  testId: string
  cmp: GroupMetricsComparison | null
  k: string
}): ReactElement {
  return (
    <div className="fair-stat" title={hint} data-testid={testId}>
      <span className="fair-stat__label">{label}</span>
      <span className="fair-stat__value">{rate2(value)}</span>
      {cmp && <SummaryDelta cmp={cmp} k={k} />}
    </div>
  )
}

function GroupTable({ info, cmp }: { info: GroupMetricsInfo; cmp: GroupMetricsComparison | null }): ReactElement {
  const groups = groupOrder(info)
  const score = info.kind === 'score'
  const keys = score ? (['mae', 'rmse', 'pcc'] as const) : (['accuracy', 'macro_f1'] as const)
  const label = { accuracy: 'Accuracy', macro_f1: 'Macro-F1', mae: 'MAE', rmse: 'RMSE', pcc: 'PCC' }
  const gapGroups = new Set(info.max_gap?.groups ?? [])
  return (
    <table className="metric-table fair-table" data-testid="fairness-group-table">
      <thead>
        <tr>
          <th>Group ({info.grouping.label})</th>
          <th className="m-num">Faces</th>
          {keys.map((k) => (
            <th key={k} className="m-num">
              {label[k]}
            </th>
          ))}
          {cmp &&
            keys.map((k) => (
              <th key={`d-${k}`} className="m-num">
                Δ {label[k]}
              </th>
            ))}
        </tr>
      </thead>
      <tbody>
        <tr className="fair-table__overall">
          <th scope="row">All scored faces</th>
          <td className="m-num">{count(info.n)}</td>
          {keys.map((k) => (
            <td key={k} className="m-num">
              {formatMetric(k, info.overall[k] ?? null)}
            </td>
          ))}
          {cmp &&
            keys.map((k) => {
              const a = cmp.a.overall[k]
              const b = cmp.b.overall[k]
              const d = typeof a === 'number' && typeof b === 'number' ? b - a : null
              return (
                <td key={`d-${k}`} className={`m-num delta delta--${deltaTone(k, d)}`}>
                  {formatDelta(k, d)}
                </td>
              )
            })}
        </tr>
        {groups.map((g) => {
          const s = info.per_group[g] as GroupClassStats | GroupScoreStats
          const values = s as unknown as Record<string, number | null>
          return (
            <tr
              key={g}
              className={s.small ? 'fair-table__small' : gapGroups.has(g) ? 'fair-table__gap' : undefined}
              data-testid="fairness-group-row"
              data-group={g}
              data-small={s.small}
            >
              <th scope="row">
                {g}
                {s.small && (
                  <span
                    className="badge m-badge--quiet fair-small"
                    title={`Fewer than ${info.min_group_size} faces: shown, not ranked`}
                  >
                    small · not ranked
                  </span>
                )}
                {'wide' in s && s.wide && (
                  <span
                    className="badge m-badge--quiet fair-small"
                    data-testid="fairness-wide"
                    title={`Its 95 % accuracy interval (${s.accuracy_ci[0].toFixed(2)}–${s.accuracy_ci[1].toFixed(2)}) is wider than ± 10 points: too few faces to tell it apart from the other groups`}
                  >
                    wide interval
                  </span>
                )}
                {!s.small && gapGroups.has(g) && (
                  <span className="fair-gap-mark" title="One end of the largest gap">
                    ◆
                  </span>
                )}
              </th>
              <td className="m-num">{count(s.n)}</td>
              {keys.map((k) => (
                <td key={k} className="m-num">
                  {formatMetric(k, values[k] ?? null)}
                  {k === 'accuracy' && 'accuracy_ci' in s && (
                    <span className="fair-ci" data-testid="fairness-ci" title="95 % Wilson interval">
                      {s.accuracy_ci[0].toFixed(2)}–{s.accuracy_ci[1].toFixed(2)}
                    </span>
                  )}
                </td>
              ))}
              {cmp &&
                keys.map((k) => {
                  const d = cmp.deltas[g]?.[k] ?? null
                  return (
                    <td key={`d-${k}`} className={`m-num delta delta--${deltaTone(k, d)}`}>
                      {formatDelta(k, d)}
                    </td>
                  )
                })}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function MetricsView({ info, cmp }: { info: GroupMetricsInfo; cmp: GroupMetricsComparison | null }): ReactElement {
  const groups = groupOrder(info)
  const classes = useMemo(() => {
    const seen: string[] = []
    for (const g of Object.values(info.per_group))
      if (isClassStats(g))
        for (const [label, r] of Object.entries(g.per_class)) if (!seen.includes(label) && r) seen.push(label)
    // A class nobody is labelled with and nobody is predicted as says nothing.
    return seen.filter((label) =>
      Object.values(info.per_group).some(
        (g) => isClassStats(g) && ((g.per_class[label]?.support ?? 0) > 0 || (g.per_class[label]?.fp ?? 0) > 0)
      )
    )
  }, [info])
  const small = groups.filter((g) => info.per_group[g]?.small)
  return (
    <div className="fair-metrics">
      <SourceNote info={info} />
      {cmp && (
        <p className="fair-compare-note muted" data-testid="fairness-compare-note">
          Showing {versionName(cmp.b.version)}; deltas are {versionName(cmp.b.version)} − {versionName(cmp.a.version)}{' '}
          on the same faces.
        </p>
      )}
      <section className="m-panel">
        <GapCallout info={info} cmp={cmp} />
      </section>
      {info.kind === 'classification' && (
        <section className="m-panel">
          <h2 className="section-title">Rates per class and group</h2>
          <p className="muted m-small fair-heat-intro">
            Each cell: the rate, and under it the faces behind it (e.g. 17/20 = 17 of 20); hover a cell for its 95 %
            interval.
            {small.length > 0 && (
              <>
                {' '}
                <span className="fair-small-note" data-testid="fairness-small-note">
                  Greyed: {small.map((g) => `${g} (${info.per_group[g]?.n})`).join(', ')} — fewer than{' '}
                  {info.min_group_size} faces, shown but not ranked.
                </span>
              </>
            )}
          </p>
          <div className="fair-heat-grid">
            {RATES.map((r) => (
              <RateHeatMap key={r.key} info={info} rate={r} classes={classes} groups={groups} />
            ))}
          </div>
        </section>
      )}
      <section className="m-panel">
        <h2 className="section-title">Per group</h2>
        <GroupTable info={info} cmp={cmp} />
      </section>
    </div>
  )
}

function MetricsTab({ task }: { task: string }): ReactElement {
  const metrics = useStudio((s) => s.fairMetrics)
  const comparison = useStudio((s) => s.fairComparison)
  const compareWith = useStudio((s) => s.fairCompareWith)
  const f = compareWith !== null ? comparison : metrics
  const cmp = compareWith !== null ? comparison.value : null
  const info = compareWith !== null ? (comparison.value?.b ?? null) : metrics.value
  if (f.error) return <ErrorMessage error={f.error} title="Could not compute per-group metrics" />
  if (!info || info.task !== task)
    return <div className="models-loading muted">Scoring the evaluation set per group…</div>
  return (
    <div className={f.loading ? 'models-page--stale' : undefined} aria-busy={f.loading}>
      <MetricsView info={info} cmp={cmp} />
    </div>
  )
}

// ---------------------------------------------------------------- screen

export function Fairness(): ReactElement {
  const task = useStudio((s) => s.task)
  const tab = useStudio((s) => s.fairTab)
  const groupTask = useStudio((s) => s.fairGroupTask)
  const groupBy = useStudio((s) => s.fairGroupBy)
  const source = useStudio((s) => s.fairSource)
  const minGroup = useStudio((s) => s.fairMinGroup)
  const version = useStudio((s) => s.fairVersion)
  const compareWith = useStudio((s) => s.fairCompareWith)
  const tasks = useTasks()
  const versions = useVersions()
  const activeV = versions?.find((v) => v.active)?.version
  // A grouping task that no longer fits (task switched to it, or deleted) falls back to the default.
  useEffect(() => {
    if (tasks.length === 0) return
    const ok = (t: string | null): boolean => !!t && t !== task && tasks.some((x) => x.name === t)
    if (!ok(groupTask)) setFairness({ fairGroupTask: defaultGrouping(tasks, task) })
    if (groupBy && (!ok(groupBy) || groupBy === groupTask)) setFairness({ fairGroupBy: null })
  }, [tasks, task, groupTask, groupBy])
  // Versions of another task are meaningless here.
  useEffect(() => {
    if (!versions) return
    const has = (v: number | null): boolean => v === null || versions.some((x) => x.version === v)
    if (!has(version)) setFairness({ fairVersion: null })
    if (!has(compareWith)) setFairness({ fairCompareWith: null })
  }, [versions, version, compareWith])
  useEffect(() => {
    if (tab === 'metrics' && versions) loadGroupMetrics(task)
    // activeV: activating another version changes what "active" scores.
  }, [tab, task, groupTask, groupBy, source, minGroup, version, compareWith, versions, activeV])
  const grouped = tab === 'metrics' || tab === 'probe' || tab === 'thresholds'
  const taskInfo = tasks.find((t) => t.name === task)
  return (
    <div className="screen" data-testid="fairness-screen">
      <ModelsHeader title="Fairness" task={task}>
        <div className="segmented fair-tabs" role="tablist" aria-label="Fairness views">
          {TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              aria-selected={tab === t.id}
              className={`segmented__item${tab === t.id ? ' segmented__item--active' : ''}`}
              data-testid={`fairness-tab-${t.id}`}
              onClick={() => setFairness({ fairTab: t.id })}
            >
              {t.label}
            </button>
          ))}
        </div>
      </ModelsHeader>
      {grouped && versions && versions.length > 0 && <Controls task={task} tasks={tasks} versions={versions} />}
      <div className="screen__body models-scroll">
        {!versions ? (
          <div className="models-loading muted">Loading versions…</div>
        ) : tasks.length > 0 && !tasks.some((t) => t.name !== task) ? (
          <EmptyState icon={<FairnessIcon width={28} height={28} />} title="No task to group by">
            Groups come from another task’s labels (e.g. an age band or a self-described gender).
          </EmptyState>
        ) : grouped && !groupTask ? (
          <EmptyState
            icon={<FairnessIcon width={28} height={28} />}
            title="Choose how to group faces"
            actions={
              <button className="button" onClick={() => navigate('review')}>
                Label faces
              </button>
            }
          >
            Pick a grouping task above. Groups come from your annotations of that task unless you choose “predicted”.
          </EmptyState>
        ) : (
          <div className="models-page fair-page">
            {tab === 'metrics' && <MetricsTab task={task} />}
            {tab === 'probe' && <BiasProbePanel task={task} tasks={tasks} />}
            {tab === 'thresholds' && <ThresholdsPanel task={task} taskInfo={taskInfo} />}
            {tab === 'sweep' && <SweepPanel task={task} tasks={tasks} versions={versions} />}
            {tab === 'conflicts' && <ConflictsPanel task={task} />}
            {tab === 'annotators' && <AnnotatorsPanel task={task} tasks={tasks} />}
          </div>
        )}
      </div>
    </div>
  )
}
