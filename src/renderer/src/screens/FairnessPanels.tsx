/** Fairness screen panels: the bias probe, per-group decision thresholds and the Conflicts queue. */
import { useEffect, useMemo, type ReactElement } from 'react'
import type {
  AppliedThresholdsInfo,
  BiasProbeInfo,
  ConflictItem,
  GroupThresholdsInfo,
  TaskInfo
} from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import {
  applyThresholds,
  clearThresholds,
  loadAppliedThresholds,
  loadConflicts,
  loadProbe,
  loadThresholds,
  openConflictPerson,
  reviewConflict,
  setFairness
} from '../store/fairness-actions'
import { BoundedNumberInput, EmptyState, ErrorMessage } from '../components/common'
import { PeopleIcon } from '../components/icons'
import { HeatMap, type HeatCell } from '../components/charts/HeatMap'
import { count, plural } from '../format'
import { formatMetric, versionName } from './ModelsCommon'

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(0)} %`

// ---------------------------------------------------------------- bias probe

function ProbeHeat({ probe }: { probe: BiasProbeInfo }): ReactElement {
  const { cells, cols } = useMemo(() => {
    const values = Object.keys(probe.rows).sort(
      (a, b) =>
        Number(probe.rows[a]?.small) - Number(probe.rows[b]?.small) || (probe.rows[b]?.n ?? 0) - (probe.rows[a]?.n ?? 0)
    )
    const cols = values.map((v) => (probe.rows[v]?.small ? `${v} (small)` : v))
    const cells: HeatCell[] = []
    values.forEach((v, i) => {
      const row = probe.rows[v]
      if (!row) return
      for (const c of probe.classes) {
        const p = row.p[c] ?? 0
        cells.push({
          row: c,
          col: cols[i] as string,
          value: p,
          muted: row.small,
          text: pct(p),
          subtext: `${Math.round(p * row.n)}/${row.n}`,
          title: `P(predicted ${c} | ${probe.attribute.label} = ${v}) = ${pct(p)} of ${row.n} faces`
        })
      }
    })
    return { cells, cols }
  }, [probe])
  return (
    <HeatMap
      rows={probe.classes}
      cols={cols}
      cells={cells}
      xLabel={probe.attribute.label}
      yLabel="Predicted class"
      valueLabel="P(prediction | attribute) (%)"
      percentLegend
      cellSize={72}
      testId="bias-probe-heatmap"
      ariaLabel={`Share of each predicted class per ${probe.attribute.label} value`}
    />
  )
}

export function BiasProbePanel({ task, tasks }: { task: string; tasks: TaskInfo[] }): ReactElement {
  const probeTask = useStudio((s) => s.fairProbeTask)
  const groupTask = useStudio((s) => s.fairGroupTask)
  const source = useStudio((s) => s.fairSource)
  const minGroup = useStudio((s) => s.fairMinGroup)
  const version = useStudio((s) => s.fairVersion)
  const f = useStudio((s) => s.fairProbe)
  const attribute = probeTask ?? groupTask
  useEffect(() => {
    loadProbe(task)
  }, [task, attribute, source, minGroup, version])
  const probe = f.value
  return (
    <section className="m-panel" data-testid="bias-probe">
      <div className="fair-panel-head">
        <div>
          <h2 className="section-title">Bias probe</h2>
          <p className="muted m-small fair-panel-intro">
            How often each class is predicted for each value of a nuisance attribute — e.g. predicted gender given
            smiling. If the shares differ a lot, the model leans on that attribute. Every face with a value counts (no
            ground truth of <strong>{task}</strong> needed).
          </p>
        </div>
        <label className="fair-control">
          <span className="fair-control__label">Attribute</span>
          <select
            className="select"
            data-testid="bias-probe-attribute"
            value={attribute ?? ''}
            onChange={(e) => setFairness({ fairProbeTask: e.target.value || null })}
          >
            {tasks
              .filter((t) => t.name !== task)
              .map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
          </select>
        </label>
      </div>
      {f.error ? (
        <ErrorMessage error={f.error} title="Could not run the bias probe" />
      ) : !probe ? (
        <div className="models-loading muted">Predicting every face with a value…</div>
      ) : (
        <div className={f.loading ? 'models-page--stale' : undefined}>
          <p className="fair-gap__text" data-testid="bias-probe-text">
            {probe.max_diff
              ? `“${probe.max_diff.class}” is predicted ${pct(probe.rows[probe.max_diff.between[0]]?.p[probe.max_diff.class])} of the time for ${probe.max_diff.between[0]} vs ${pct(probe.rows[probe.max_diff.between[1]]?.p[probe.max_diff.class])} for ${probe.max_diff.between[1]} (${versionName(probe.version)}).`
              : `No difference ranked: fewer than two values of ${probe.attribute.label} have ${probe.min_group_size} or more faces.`}
          </p>
          <p className="muted m-small">
            Attribute values from{' '}
            {probe.attribute.source === 'predicted' ? 'the model’s predictions' : 'your annotations'} of{' '}
            {probe.attribute.label} · {plural(probe.attribute.faces, 'face')}
          </p>
          <ProbeHeat probe={probe} />
        </div>
      )}
    </section>
  )
}

// ---------------------------------------------------------------- thresholds

export function ThresholdsPanel({ task, taskInfo }: { task: string; taskInfo: TaskInfo | undefined }): ReactElement {
  const groupTask = useStudio((s) => s.fairGroupTask)
  const groupBy = useStudio((s) => s.fairGroupBy)
  const source = useStudio((s) => s.fairSource)
  const minGroup = useStudio((s) => s.fairMinGroup)
  const version = useStudio((s) => s.fairVersion)
  const positive = useStudio((s) => s.fairPositive)
  const target = useStudio((s) => s.fairTarget)
  const tolerance = useStudio((s) => s.fairTolerance)
  const f = useStudio((s) => s.fairThresholds)
  const applied = useStudio((s) => s.fairApplied)
  const applying = useStudio((s) => s.fairApplying)
  useEffect(() => {
    if (taskInfo?.kind === 'classification') loadThresholds(task)
  }, [task, taskInfo, groupTask, groupBy, source, minGroup, version, positive, target, tolerance])
  useEffect(() => {
    if (taskInfo?.kind === 'classification') loadAppliedThresholds(task)
  }, [task, taskInfo, version])
  if (taskInfo?.kind === 'score')
    return (
      <section className="m-panel">
        <p className="muted">Decision thresholds apply to classification tasks; {task} is a score.</p>
      </section>
    )
  const t = f.value
  const groups = t ? Object.keys(t.per_group).sort((a, b) => (t.per_group[b]?.n ?? 0) - (t.per_group[a]?.n ?? 0)) : []
  return (
    <section className="m-panel" data-testid="thresholds-panel">
      <div className="fair-panel-head">
        <div>
          <h2 className="section-title">Per-group decision thresholds</h2>
          <p className="muted m-small fair-panel-intro">
            Post-processing: one threshold on P({t?.positive ?? positive ?? 'positive'}) per group, chosen on the
            evaluation set so every group’s {target.toUpperCase()} lands within the tolerance of the pooled rate — and
            what that costs in accuracy. A preview until you apply it: applied thresholds are saved on the version and
            change its predictions for faces whose group is known.
          </p>
        </div>
        <div className="fair-inline-controls">
          <label className="fair-control">
            <span className="fair-control__label">Positive class</span>
            <select
              className="select"
              data-testid="thresholds-positive"
              value={positive ?? t?.positive ?? ''}
              onChange={(e) => setFairness({ fairPositive: e.target.value || null })}
            >
              {!positive && !t && <option value="">default</option>}
              {(taskInfo?.labels ?? []).map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label className="fair-control">
            <span className="fair-control__label">Equalise</span>
            <select
              className="select"
              data-testid="thresholds-target"
              value={target}
              onChange={(e) => setFairness({ fairTarget: e.target.value === 'fpr' ? 'fpr' : 'tpr' })}
            >
              <option value="tpr">TPR (equal opportunity)</option>
              <option value="fpr">FPR (equal false alarms)</option>
            </select>
          </label>
          <label className="fair-control fair-control--narrow">
            <span className="fair-control__label">Tolerance</span>
            <BoundedNumberInput
              value={tolerance}
              min={0}
              max={1}
              step={0.01}
              testId="thresholds-tolerance"
              onValid={(v) => setFairness({ fairTolerance: v })}
            />
          </label>
        </div>
      </div>
      {f.error ? (
        <ErrorMessage error={f.error} title="Could not choose per-group thresholds" />
      ) : !t ? (
        <div className="models-loading muted">Scoring the evaluation set…</div>
      ) : (
        <div className={f.loading ? 'models-page--stale' : undefined}>
          <div className="fair-stats fair-stats--row">
            <div className="fair-stat" data-testid="thresholds-cost">
              <span className="fair-stat__label">Accuracy cost</span>
              <span className={`fair-stat__value${t.accuracy_cost > 0.0005 ? ' m-bad' : ''}`}>
                {t.accuracy_cost > 0 ? '−' : t.accuracy_cost < 0 ? '+' : '±'}
                {(Math.abs(t.accuracy_cost) * 100).toFixed(1)} pp
              </span>
              <span className="muted m-small">
                {formatMetric('accuracy', t.accuracy_before)} → {formatMetric('accuracy', t.accuracy_after)}
              </span>
            </div>
            <div className="fair-stat">
              <span className="fair-stat__label">{target.toUpperCase()} gap</span>
              <span className="fair-stat__value">
                {t.gap_before === null ? '—' : t.gap_before.toFixed(2)} →{' '}
                {t.gap_after === null ? '—' : t.gap_after.toFixed(2)}
              </span>
              <span className="muted m-small">target rate {pct(t.target_rate)}</span>
            </div>
          </div>
          <AppliedBox
            task={task}
            preview={t}
            applied={applied.value ?? null}
            error={applied.error}
            applying={applying}
            minGroup={minGroup}
          />
          <table className="metric-table fair-table" data-testid="thresholds-table">
            <thead>
              <tr>
                <th>Group</th>
                <th className="m-num">Faces</th>
                <th className="m-num">Threshold</th>
                <th className="m-num">{target.toUpperCase()} at 0.5</th>
                <th className="m-num">{target.toUpperCase()} after</th>
                <th>Within ±{tolerance}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => {
                const r = t.per_group[g]!
                const small = r.n < minGroup
                return (
                  <tr key={g} className={small ? 'fair-table__small' : undefined} data-testid="thresholds-row">
                    <th scope="row">
                      {g}
                      {small && <span className="badge m-badge--quiet fair-small">small</span>}
                    </th>
                    <td className="m-num">{count(r.n)}</td>
                    <td className="m-num">{r.threshold.toFixed(2)}</td>
                    <td className="m-num">{pct(r.rate_before)}</td>
                    <td className="m-num">{pct(r.rate_after)}</td>
                    <td className={r.within_tolerance ? 'm-good' : 'm-bad'}>{r.within_tolerance ? '✓ yes' : '✗ no'}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** Apply / remove: saving the thresholds on the version, and saying plainly that they use the group at prediction. */
function AppliedBox({
  task,
  preview,
  applied,
  error,
  applying,
  minGroup
}: {
  task: string
  preview: GroupThresholdsInfo
  applied: AppliedThresholdsInfo | null
  error: AppErrorShape | null
  applying: boolean
  minGroup: number
}): ReactElement {
  const v = versionName(preview.version)
  const group = preview.grouping.label
  return (
    <div className="fair-applied" data-testid="thresholds-applied" data-applied={applied !== null}>
      {applied ? (
        <p className="m-small">
          <strong>Applied to {v}</strong> on P({applied.positive}) by {applied.group_task}:{' '}
          {Object.entries(applied.thresholds)
            .map(([g, x]) => `${g} ${x.toFixed(2)}`)
            .join(', ')}
          . Accuracy {formatMetric('accuracy', applied.accuracy_before)} →{' '}
          {formatMetric('accuracy', applied.accuracy_after)}, {applied.target.toUpperCase()} gap{' '}
          {applied.gap_before === null ? '—' : applied.gap_before.toFixed(2)} →{' '}
          {applied.gap_after === null ? '—' : applied.gap_after.toFixed(2)} (evaluation set, when applied).
        </p>
      ) : (
        <p className="m-small muted">No thresholds are applied to {v}: it predicts with the plain 0.5 decision.</p>
      )}
      <p className="m-small fair-applied__warn" data-testid="thresholds-uses-group">
        This uses each face’s <strong>{applied?.group_task ?? group}</strong> label at prediction time: a face is
        decided with its group’s threshold only when it has that label; faces without one (and groups under {minGroup}{' '}
        evaluation faces) keep the plain decision.
      </p>
      <div className="fair-applied__actions">
        <button
          className="button button--primary"
          data-testid="thresholds-apply"
          disabled={applying}
          onClick={() => void applyThresholds(task)}
        >
          {applying ? 'Applying…' : applied ? `Re-apply these to ${v}` : `Apply to ${v}`}
        </button>
        {applied && (
          <button
            className="button"
            data-testid="thresholds-clear"
            disabled={applying}
            onClick={() => void clearThresholds(task)}
          >
            Remove
          </button>
        )}
      </div>
      {error && <ErrorMessage error={error} title="Could not apply the thresholds" />}
    </div>
  )
}

// ---------------------------------------------------------------- conflicts

function ConflictRow({ item }: { item: ConflictItem }): ReactElement {
  const who = item.personName ?? `Person ${item.personId}`
  const off = item.faces.length
  const SHOWN = 10
  return (
    <li
      className={`conflict conflict--${item.kind}`}
      data-testid="conflict-item"
      data-person-id={item.personId}
      data-kind={item.kind}
    >
      <div className="conflict__head">
        <button
          className="conflict__who link-button"
          data-testid="conflict-open-person"
          onClick={() => openConflictPerson(item.personId)}
        >
          {who}
        </button>
        <span
          className={`badge conflict__kind${item.kind === 'contradicts_person_label' ? ' conflict__kind--label' : ''}`}
        >
          {item.kind === 'contradicts_person_label' ? 'contradicts the person’s label' : 'predictions disagree'}
        </span>
        <span className="conflict__text">
          {item.kind === 'contradicts_person_label' ? (
            <>
              labelled <strong>{item.personLabel}</strong>, but {off} of {plural(item.personFaces, 'face')} predicted
              otherwise
            </>
          ) : (
            <>
              {off} of {plural(item.personFaces, 'face')} not predicted <strong>{item.majority}</strong> like the rest
            </>
          )}
        </span>
        <span className="screen__spacer" />
        <button
          className="button button--small"
          data-testid="conflict-review"
          title={`Open ${who} to review these faces`}
          onClick={() => reviewConflict(item.task, item.personId)}
        >
          Review
        </button>
      </div>
      <div className="conflict__faces">
        {item.faces.slice(0, SHOWN).map((f) => (
          <button
            key={f.faceId}
            className="conflict-face"
            data-testid="conflict-face"
            title={`Face ${f.faceId}: predicted ${f.predicted}${f.confidence === null ? '' : ` (${pct(f.confidence)})`} — open ${who}`}
            onClick={() => openConflictPerson(item.personId)}
          >
            <img src={mediaUrl(f.thumb)} alt={`Face ${f.faceId}`} loading="lazy" decoding="async" draggable={false} />
            <span className="conflict-face__label">{f.predicted}</span>
            {f.confidence !== null && <span className="conflict-face__conf muted">{pct(f.confidence)} sure</span>}
          </button>
        ))}
        {off > SHOWN && <span className="muted conflict__more">+{off - SHOWN} more</span>}
      </div>
    </li>
  )
}

export function ConflictsPanel({ task }: { task: string }): ReactElement {
  const f = useStudio((s) => s.fairConflicts)
  const persons = useStudio((s) => s.project?.counts.persons ?? 0)
  useEffect(() => {
    loadConflicts(task)
  }, [task, persons])
  const list = f.value
  return (
    <section className="m-panel" data-testid="conflicts-panel">
      <div className="fair-panel-head">
        <div>
          <h2 className="section-title">Conflicts</h2>
          <p className="muted m-small fair-panel-intro">
            People (identity clusters with 2 or more faces) whose faces get contradictory <strong>{task}</strong>{' '}
            predictions, or whose faces contradict a label given to the whole person. Review them to fix the labels or
            the clusters.
          </p>
        </div>
        <button className="button" onClick={() => loadConflicts(task, true)} disabled={f.loading}>
          Refresh
        </button>
      </div>
      {f.error ? (
        <ErrorMessage error={f.error} title="Could not check consistency" />
      ) : !list ? (
        <div className="models-loading muted">Checking every person…</div>
      ) : list.persons_checked === 0 ? (
        <EmptyState icon={<PeopleIcon width={28} height={28} />} title="No people to check" testId="conflicts-empty">
          Group faces into people first (People → Cluster): a check needs people with 2 or more faces.
        </EmptyState>
      ) : (
        <>
          <p className="fair-conflict-summary" data-testid="conflicts-summary">
            <strong>{count(list.total)}</strong> {list.total === 1 ? 'conflict' : 'conflicts'} among{' '}
            {plural(list.persons_checked, 'person', 'people')} with 2 or more faces
            {list.items.length < list.total ? ` (first ${list.items.length} shown)` : ''}.
          </p>
          <ul className="conflict-list" data-testid="conflicts-list" data-total={list.total}>
            {list.items.map((item) => (
              <ConflictRow key={`${item.task}:${item.personId}:${item.kind}`} item={item} />
            ))}
          </ul>
          {list.total === 0 && <p className="muted">Every person’s faces agree. Nothing to review.</p>}
        </>
      )}
    </section>
  )
}
