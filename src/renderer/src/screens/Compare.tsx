/** Compare: two versions of the active task on the same evaluation faces — metrics with deltas, confusion matrices, calibration, and the faces that flipped. */
import { useEffect, useMemo, useState, type ReactElement } from 'react'
import type {
  ClassificationMetricsInfo,
  FlipItem,
  HistoryEntry,
  MetricsInfo,
  ModelVersionInfo,
  VersionComparison
} from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl, request } from '../store/client'
import { navigate } from '../store/ui-actions'
import { compareChoice, loadComparison, openFlipFace, setCompareVersions } from '../store/models-actions'
import { EmptyState, ErrorMessage, Modal } from '../components/common'
import { CompareIcon } from '../components/icons'
import { HeatMap, type HeatCell } from '../components/charts/HeatMap'
import { ReliabilityDiagram } from '../components/charts/ReliabilityDiagram'
import { count, plural, shortDateTime } from '../format'
import {
  deltaTone,
  formatDelta,
  formatMetric,
  METRICS,
  ModelsHeader,
  shortDate,
  useVersions,
  versionName,
  type MetricKey
} from './ModelsCommon'
import '../models.css'

function isClassification(m: MetricsInfo): m is ClassificationMetricsInfo {
  return 'accuracy' in m
}

function VersionPicker({
  id,
  label,
  value,
  versions,
  onChange
}: {
  id: 'compare-a' | 'compare-b'
  label: string
  value: number
  versions: ModelVersionInfo[]
  onChange: (v: number) => void
}): ReactElement {
  return (
    <label className="compare-picker" htmlFor={id}>
      <span className={`compare-picker__tag compare-picker__tag--${id === 'compare-a' ? 'a' : 'b'}`}>{label}</span>
      <select
        id={id}
        className="select"
        value={value}
        data-testid={id}
        onChange={(e) => onChange(Number(e.target.value))}
      >
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {versionName(v.version)}
            {v.active ? ' · active' : ''}
            {v.builtin ? ' · built-in' : ` · ${shortDateTime(v.createdAt)}`}
          </option>
        ))}
      </select>
    </label>
  )
}

function MetricTable({ c }: { c: VersionComparison }): ReactElement {
  const a = c.a.metrics
  const b = c.b.metrics
  const keys: MetricKey[] = isClassification(a) ? ['accuracy', 'macro_f1', 'ece'] : ['mae', 'rmse', 'pcc']
  const get = (m: MetricsInfo, k: MetricKey): number | null => {
    const v = (m as unknown as Record<string, number | null | undefined>)[k]
    return typeof v === 'number' ? v : null
  }
  const classes =
    isClassification(a) && isClassification(b)
      ? [...new Set([...Object.keys(a.per_class), ...Object.keys(b.per_class)])]
      : []
  return (
    <table className="metric-table" data-testid="compare-table">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="m-num">
            <span className="compare-picker__tag compare-picker__tag--a">A</span> {versionName(c.a.version)}
          </th>
          <th className="m-num">
            <span className="compare-picker__tag compare-picker__tag--b">B</span> {versionName(c.b.version)}
          </th>
          <th className="m-num">Δ (B − A)</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const d = c.deltas[k] ?? null
          const tone = deltaTone(k, d)
          return (
            <tr key={k}>
              <th scope="row">
                {METRICS[k].label}
                <span className="muted m-small">
                  {' '}
                  {METRICS[k].better === 'lower' ? '↓ lower is better' : '↑ higher is better'}
                </span>
              </th>
              <td className="m-num">{formatMetric(k, get(a, k))}</td>
              <td className="m-num">{formatMetric(k, get(b, k))}</td>
              <td className={`m-num delta delta--${tone}`} data-testid="compare-delta" data-metric={k} data-tone={tone}>
                {formatDelta(k, d)}
              </td>
            </tr>
          )
        })}
        {classes.length > 0 && (
          <tr className="metric-table__group">
            <th colSpan={4}>F1 per class (support = evaluation faces with that label)</th>
          </tr>
        )}
        {isClassification(a) &&
          isClassification(b) &&
          classes.map((label) => {
            const fa = a.per_class[label]?.f1 ?? null
            const fb = b.per_class[label]?.f1 ?? null
            const d = fa === null || fb === null ? null : fb - fa
            const tone = deltaTone('macro_f1', d)
            const support = b.per_class[label]?.support ?? a.per_class[label]?.support ?? 0
            return (
              <tr key={label} className="metric-table__class">
                <th scope="row">
                  {label} <span className="muted m-small">n = {count(support)}</span>
                </th>
                <td className="m-num">{formatMetric('macro_f1', fa)}</td>
                <td className="m-num">{formatMetric('macro_f1', fb)}</td>
                <td className={`m-num delta delta--${tone}`} data-testid="compare-class-delta" data-tone={tone}>
                  {formatDelta('macro_f1', d)}
                </td>
              </tr>
            )
          })}
      </tbody>
    </table>
  )
}

function confusionCells(m: ClassificationMetricsInfo): { labels: string[]; cells: HeatCell[] } {
  const { labels, matrix } = m.confusion
  const cells: HeatCell[] = []
  labels.forEach((t, i) => {
    const row = matrix[i] ?? []
    const total = row.reduce((s, x) => s + x, 0)
    labels.forEach((p, j) => {
      const n = row[j] ?? 0
      const share = total > 0 ? n / total : null
      cells.push({
        row: t,
        col: p,
        value: share,
        muted: total === 0,
        text: n > 0 ? String(n) : total > 0 ? '·' : '',
        title:
          total === 0
            ? `No evaluation faces labelled ${t}`
            : `${n} of ${total} faces labelled ${t} predicted ${p} (${((share ?? 0) * 100).toFixed(0)} % of the row)`
      })
    })
  })
  return { labels, cells }
}

function Confusion({
  m,
  version,
  testId,
  tone
}: {
  m: ClassificationMetricsInfo
  version: number
  testId: string
  tone: 'a' | 'b'
}): ReactElement {
  const { labels, cells } = useMemo(() => confusionCells(m), [m])
  return (
    <figure className="compare-figure">
      <figcaption>
        <span className={`compare-picker__tag compare-picker__tag--${tone}`}>{tone.toUpperCase()}</span> Confusion
        matrix of {versionName(version)}
        <span className="muted"> · counts; colour = share of the true label’s row</span>
      </figcaption>
      <HeatMap
        rows={labels}
        cols={labels}
        cells={cells}
        xLabel="Predicted label"
        yLabel="True label"
        valueLabel="Share of the row (%)"
        percentLegend
        testId={testId}
        ariaLabel={`Confusion matrix of ${versionName(version)}`}
        data={{ version }}
      />
    </figure>
  )
}

function FlipGrid({
  title,
  hint,
  items,
  testId,
  tone,
  a,
  b
}: {
  title: string
  hint: string
  items: FlipItem[]
  testId: string
  tone: 'good' | 'bad' | 'neutral'
  a: number
  b: number
}): ReactElement {
  const [all, setAll] = useState(false)
  const LIMIT = 60
  const shown = all ? items : items.slice(0, LIMIT)
  return (
    <section className={`flip-list flip-list--${tone}`} data-testid={testId} data-count={items.length}>
      <h3 className="flip-list__title">
        {title} <span className="flip-list__count">{count(items.length)}</span>
        <span className="muted flip-list__hint">{hint}</span>
      </h3>
      {items.length === 0 ? (
        <p className="muted flip-list__empty">None.</p>
      ) : (
        <div className="m-face-grid">
          {shown.map((f) => (
            <button
              key={f.faceId}
              className="flip-face"
              data-testid="flip-face"
              data-face-id={f.faceId}
              title={`Face ${f.faceId}: labelled ${f.truth}; ${versionName(a)} said ${f.a}, ${versionName(b)} says ${f.b}`}
              onClick={() => openFlipFace(f.faceId)}
            >
              <img src={mediaUrl(f.thumb)} alt={`Face ${f.faceId}`} loading="lazy" decoding="async" draggable={false} />
              <span className="flip-face__caption">
                <span className="flip-face__from">{f.a}</span>
                <span aria-hidden="true">→</span>
                <span className="flip-face__to">{f.b}</span>
              </span>
              <span className="flip-face__truth">label: {f.truth}</span>
            </button>
          ))}
          {items.length > shown.length && (
            <button className="button flip-list__more" onClick={() => setAll(true)}>
              Show all {count(items.length)}
            </button>
          )}
        </div>
      )}
    </section>
  )
}

function FlipFaceDialog({ c, faceId }: { c: VersionComparison; faceId: number }): ReactElement {
  const item = [...c.flips.fixed, ...c.flips.broken, ...c.flips.changed].find((f) => f.faceId === faceId)
  const [history, setHistory] = useState<HistoryEntry[] | null>(null)
  useEffect(() => {
    let live = true
    void request('annotations.history', { faceId, task: c.task }, { inline: true }).then((r) => {
      if (live) setHistory(r.ok ? r.value : [])
    })
    return () => {
      live = false
    }
  }, [faceId, c.task])
  const pct = (x: number | null): string => (x === null ? '' : ` (${(x * 100).toFixed(0)} %)`)
  const kind = c.flips.fixed.some((f) => f.faceId === faceId)
    ? 'fixed'
    : c.flips.broken.some((f) => f.faceId === faceId)
      ? 'broken'
      : 'changed'
  return (
    <Modal title={`Face ${faceId}`} onClose={() => openFlipFace(null)} width={560} testId="flip-face-dialog">
      <div className="flip-detail">
        <img className="flip-detail__img" src={mediaUrl(item?.thumb ?? `thumb/${faceId}`)} alt={`Face ${faceId}`} />
        <div className="flip-detail__facts">
          <span className={`badge flip-detail__kind flip-detail__kind--${kind}`}>{kind}</span>
          {item && (
            <dl className="m-facts">
              <dt>Label</dt>
              <dd>
                <strong>{item.truth}</strong>
              </dd>
              <dt>{versionName(c.a.version)} (A)</dt>
              <dd className={item.a === item.truth ? 'm-good' : 'm-bad'}>
                {item.a}
                {pct(item.aConfidence)}
              </dd>
              <dt>{versionName(c.b.version)} (B)</dt>
              <dd className={item.b === item.truth ? 'm-good' : 'm-bad'}>
                {item.b}
                {pct(item.bConfidence)}
              </dd>
            </dl>
          )}
          <h3 className="m-subtitle">Label history</h3>
          {history === null ? (
            <p className="muted">Loading…</p>
          ) : history.length === 0 ? (
            <p className="muted">No annotations recorded for this face.</p>
          ) : (
            <ul className="m-history">
              {history.map((h) => (
                <li key={h.id}>
                  <strong>{h.value ?? 'cleared'}</strong>
                  {h.previousValue ? <span className="muted"> (was {h.previousValue})</span> : null}
                  <span className="muted">
                    {' '}
                    · {h.source}
                    {h.target === 'person' ? ' via person' : ''} · {h.annotator} · {shortDate(h.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="muted m-small">This face is in the evaluation set, so no version is ever trained on it.</p>
        </div>
      </div>
    </Modal>
  )
}

function Results({ c }: { c: VersionComparison }): ReactElement {
  const flipFaceId = useStudio((s) => s.flipFaceId)
  const a = c.a.metrics
  const b = c.b.metrics
  const series = [
    { name: `A · ${versionName(c.a.version)}`, m: a, tone: 'a' as const },
    { name: `B · ${versionName(c.b.version)}`, m: b, tone: 'b' as const }
  ].flatMap((s) =>
    isClassification(s.m) && s.m.reliability
      ? [{ name: s.name, bins: s.m.reliability.bins, ece: s.m.ece, tone: s.tone }]
      : []
  )
  // The same versions before their temperature (issue 11): what calibration changed.
  const raw = [
    { name: `A · ${versionName(c.a.version)}`, side: c.a, tone: 'a' as const },
    { name: `B · ${versionName(c.b.version)}`, side: c.b, tone: 'b' as const }
  ].flatMap((s) =>
    s.side.uncalibrated?.reliability
      ? [{ name: s.name, bins: s.side.uncalibrated.reliability.bins, ece: s.side.uncalibrated.ece, tone: s.tone }]
      : []
  )
  const temperatures = [c.a, c.b]
    .filter((s) => s.temperature !== undefined && s.temperature !== 1)
    .map((s) => `${versionName(s.version)} ÷ ${s.temperature!.toFixed(2)}`)
  const score = c.kind === 'score'
  return (
    <div className="compare-results">
      <div className="compare-top">
        <section className="m-panel compare-metrics">
          <h2 className="section-title">Metrics on {plural(c.n, 'evaluation face')}</h2>
          <MetricTable c={c} />
        </section>
        {series.length > 0 && (
          <section className="m-panel compare-reliability">
            <h2 className="section-title">Calibration{raw.length > 0 ? ' · after temperature scaling' : ''}</h2>
            <ReliabilityDiagram series={series} />
            {raw.length > 0 && (
              <>
                <h3 className="m-subtitle">Before calibration</h3>
                <ReliabilityDiagram series={raw} testId="reliability-raw" />
                <p className="muted m-small" data-testid="calibration-note">
                  Confidences are temperature-scaled (logits divided by a temperature: {temperatures.join(', ')}): the
                  predicted labels and accuracy are the same, only how sure each version says it is changes.
                </p>
              </>
            )}
          </section>
        )}
      </div>
      {isClassification(a) && isClassification(b) && (
        <section className="m-panel">
          <h2 className="section-title">Confusion matrices</h2>
          <div className="compare-pair">
            <Confusion m={a} version={c.a.version} testId="confusion-a" tone="a" />
            <Confusion m={b} version={c.b.version} testId="confusion-b" tone="b" />
          </div>
        </section>
      )}
      <section className="m-panel">
        <h2 className="section-title">
          Flip list: faces whose prediction changed from {versionName(c.a.version)} to {versionName(c.b.version)}
        </h2>
        <FlipGrid
          title="Fixed"
          hint={
            score
              ? `error down by ≥ ${c.scoreFlipThreshold ?? ''}`
              : `${versionName(c.b.version)} now matches the label`
          }
          items={c.flips.fixed}
          testId="flip-fixed"
          tone="good"
          a={c.a.version}
          b={c.b.version}
        />
        <FlipGrid
          title="Broken"
          hint={
            score
              ? `error up by ≥ ${c.scoreFlipThreshold ?? ''}`
              : `${versionName(c.a.version)} matched, ${versionName(c.b.version)} does not`
          }
          items={c.flips.broken}
          testId="flip-broken"
          tone="bad"
          a={c.a.version}
          b={c.b.version}
        />
        {!score && c.flips.changed.length > 0 && (
          <FlipGrid
            title="Changed, still wrong"
            hint="a different wrong answer"
            items={c.flips.changed}
            testId="flip-changed"
            tone="neutral"
            a={c.a.version}
            b={c.b.version}
          />
        )}
      </section>
      {flipFaceId !== null && <FlipFaceDialog c={c} faceId={flipFaceId} />}
    </div>
  )
}

export function Compare(): ReactElement {
  const task = useStudio((s) => s.task)
  const versions = useVersions()
  const chosenA = useStudio((s) => s.compareA)
  const chosenB = useStudio((s) => s.compareB)
  const comparison = useStudio((s) => s.comparison)
  const key = useStudio((s) => s.comparisonKey)
  const loading = useStudio((s) => s.compareLoading)
  const error = useStudio((s) => s.compareError)
  const pair = compareChoice(versions, chosenA, chosenB)
  const a = pair?.[0]
  const b = pair?.[1]
  useEffect(() => {
    if (a === undefined || b === undefined) return
    void loadComparison(task, a, b)
  }, [task, a, b, key])
  // While another pair loads, the previous result stays (dimmed) instead of flashing away.
  const current = comparison && comparison.task === task ? comparison : null
  const stale = loading || key !== `${task}:${a}:${b}`
  return (
    <div className="screen" data-testid="screen-compare">
      <ModelsHeader title="Compare" task={task}>
        {versions && pair && versions.length > 1 && (
          <div className="compare-pickers">
            <VersionPicker
              id="compare-a"
              label="A"
              value={pair[0]}
              versions={versions}
              onChange={(v) => setCompareVersions(v, pair[1])}
            />
            <button
              className="icon-button"
              title="Swap A and B"
              aria-label="Swap A and B"
              data-testid="compare-swap"
              onClick={() => setCompareVersions(pair[1], pair[0])}
            >
              ⇄
            </button>
            <VersionPicker
              id="compare-b"
              label="B"
              value={pair[1]}
              versions={versions}
              onChange={(v) => setCompareVersions(pair[0], v)}
            />
          </div>
        )}
      </ModelsHeader>
      <div className="screen__body models-scroll" aria-busy={loading}>
        {!versions ? (
          <div className="models-loading muted">Loading versions…</div>
        ) : versions.length < 2 ? (
          <EmptyState
            icon={<CompareIcon width={28} height={28} />}
            title="Only one version so far"
            actions={
              <button className="button button--primary" onClick={() => navigate('train')}>
                Train a version
              </button>
            }
          >
            Train a version of <strong>{task}</strong> to compare it with the built-in v0 on the same held-out faces.
          </EmptyState>
        ) : error ? (
          <div className="screen__banner models-page">
            <ErrorMessage error={error} title="Could not compare these versions" />
          </div>
        ) : current ? (
          <div className={`models-page${stale ? ' models-page--stale' : ''}`}>
            {a === b && !stale && (
              <p className="muted compare-same">A and B are the same version: every delta is zero.</p>
            )}
            <Results c={current} />
          </div>
        ) : (
          <div className="models-loading muted">
            Scoring {versionName(a ?? 0)} and {versionName(b ?? 0)} on the evaluation set…
          </div>
        )}
      </div>
    </div>
  )
}
