/** Train: fine-tune the active task's head on its annotations; live loss / accuracy per epoch; cancel. */
import { useEffect, useState, type ReactElement } from 'react'
import type { EpochPoint, EvaluationSetSummary, ModelVersionInfo, TaskInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { request } from '../store/client'
import { isActive, latestJob, trackJob } from '../store/jobs-actions'
import { navigate } from '../store/ui-actions'
import {
  activateVersion,
  activeVersion,
  cancelTraining,
  resumeTrainRun,
  setCompareVersions,
  startTraining
} from '../store/models-actions'
import type { TrainRun } from '../store/models'
import { EmptyState, ErrorMessage, ProgressBar } from '../components/common'
import { TrainIcon } from '../components/icons'
import { TrainingChart } from '../components/charts/TrainingChart'
import { count, duration, fraction, plural } from '../format'
import {
  formatMetric,
  headlineOf,
  METRICS,
  ModelsHeader,
  useActiveTask,
  useVersions,
  versionName,
  type MetricKey
} from './ModelsCommon'
import '../models.css'

/** Defaults of the training code (src/main/training/train.ts), shown so nobody has to guess them. */
const DEFAULTS = { epochs: 50, batchSize: 128, seed: 1, heads: 5 }

function EvalSummary({ evalSet }: { evalSet: EvaluationSetSummary | null }): ReactElement {
  if (!evalSet) return <p className="muted">Reading the evaluation set…</p>
  if (evalSet.members === 0) {
    return (
      <p className="muted">
        No evaluation set yet. The first training run sets aside part of each label (at least 8 labelled faces needed):
        half of the labelled faces on a small project, 200 from 400 to 1,000 faces, 20 % above. Those faces stay out of
        training for good, so every version is measured on the same faces.
      </p>
    )
  }
  return (
    <>
      <p className="train-summary__line">
        <strong>{plural(evalSet.members, 'face')}</strong> held out for evaluation
        <span className="muted">
          {' '}
          (
          {[
            evalSet.bySource.sampled ? `${evalSet.bySource.sampled} sampled` : null,
            evalSet.bySource.hashed ? `${evalSet.bySource.hashed} added as labelled` : null,
            evalSet.bySource.user ? `${evalSet.bySource.user} marked by you` : null
          ]
            .filter(Boolean)
            .join(', ')}
          ); never trained on.
        </span>
      </p>
    </>
  )
}

/** Labelled faces per class: how many train and how many are held out for evaluation. */
function LabelledTable({ evalSet }: { evalSet: EvaluationSetSummary | null }): ReactElement | null {
  const rows = evalSet?.labelled.perClass ?? []
  const max = Math.max(1, ...rows.map((r) => r.train + r.eval))
  if (!evalSet) return null
  return (
    <table className="class-bars" aria-label="Labelled faces per class" data-testid="train-per-class">
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">
            <span className="class-bars__legend">train · held out</span>
          </th>
          <th scope="col" className="class-bars__n">
            Train
          </th>
          <th scope="col" className="class-bars__n">
            Eval
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} data-label={r.label} data-train={r.train} data-eval={r.eval}>
            <th scope="row">{r.label}</th>
            <td className="class-bars__bar">
              <span style={{ width: `${(r.train / max) * 100}%` }} />
              {r.eval > 0 && <span className="class-bars__eval" style={{ width: `${(r.eval / max) * 100}%` }} />}
            </td>
            <td className="class-bars__n">{count(r.train)}</td>
            <td className="class-bars__n">{count(r.eval)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function DataSummary({
  task,
  versions,
  evalSet
}: {
  task: TaskInfo | null
  versions: ModelVersionInfo[] | null
  evalSet: EvaluationSetSummary | null
}): ReactElement {
  const active = activeVersion(versions)
  const head = active ? headlineOf(active) : null
  return (
    <section className="m-panel" data-testid="train-summary">
      <h2 className="section-title">Data</h2>
      <dl className="m-facts">
        <dt>Task</dt>
        <dd>
          <strong>{task?.name ?? '…'}</strong>{' '}
          <span className="muted">
            {task
              ? task.kind === 'score'
                ? `score ${task.scoreMin ?? ''}–${task.scoreMax ?? ''}`
                : `${plural(task.labels.length, 'label')}${task.builtin ? ' · built-in' : ' · your task'}`
              : ''}
          </span>
        </dd>
        <dt>Starts from</dt>
        <dd>
          {active ? (
            <>
              <strong>{versionName(active.version)}</strong>
              <span className="muted">
                {active.builtin ? ' (built-in head)' : ''}
                {head ? ` · ${METRICS[head.key].label.toLowerCase()} ${formatMetric(head.key, head.value)}` : ''}
              </span>
            </>
          ) : task && !task.builtin ? (
            <span>a fresh head</span>
          ) : (
            <span className="muted">…</span>
          )}
        </dd>
        <dt>Trained on</dt>
        <dd>
          {evalSet ? (
            <>
              <strong>
                {plural(
                  evalSet.labelled.perClass.reduce((n, r) => n + r.train, 0),
                  'labelled face'
                )}
              </strong>{' '}
              outside the evaluation set{' '}
              <span className="muted">
                ({count(evalSet.labelled.unsure)} unsure and {count(evalSet.labelled.notApplicable)} not applicable
                answers left out)
              </span>
            </>
          ) : (
            <span className="muted">…</span>
          )}
        </dd>
      </dl>
      <h3 className="m-subtitle">Labelled faces per class</h3>
      <LabelledTable evalSet={evalSet} />
      <h3 className="m-subtitle">Evaluation set</h3>
      <EvalSummary evalSet={evalSet} />
    </section>
  )
}

interface Options {
  epochs: string
  learningRate: string
  batchSize: string
  seed: string
  hidden: string
  l2: string
  heads: string
  activate: boolean
  softTargets: boolean
}

function parsePositive(v: string, int: boolean, allowZero = false): number | null {
  if (v.trim() === '') return null
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero) || (int && !Number.isInteger(n))) return NaN
  return n
}

/** The last options typed, kept while the user visits other screens. */
let lastOptions: Options = {
  epochs: String(DEFAULTS.epochs),
  // Empty: the capacity search picks (hidden layer, L2 and learning rate), on validation rows only.
  learningRate: '',
  batchSize: String(DEFAULTS.batchSize),
  seed: String(DEFAULTS.seed),
  hidden: '',
  l2: '',
  heads: String(DEFAULTS.heads),
  activate: true,
  // Offered, not the default: on FER+ it changed accuracy little (docs/benchmarks.md).
  softTargets: false
}

function OptionsForm({ task, running }: { task: TaskInfo | null; running: boolean }): ReactElement {
  const [o, setOptions] = useState<Options>(lastOptions)
  const setO = (next: Options): void => {
    lastOptions = next
    setOptions(next)
  }
  const starting = useStudio((s) => s.trainStarting)
  const error = useStudio((s) => s.trainError)
  const epochs = parsePositive(o.epochs, true)
  const lr = parsePositive(o.learningRate, false)
  const batch = parsePositive(o.batchSize, true)
  const seed = o.seed.trim() === '' ? null : Number(o.seed)
  const hidden = parsePositive(o.hidden, true, true)
  const l2 = parsePositive(o.l2, false, true)
  const heads = parsePositive(o.heads, true)
  const bad = {
    epochs: epochs === null || Number.isNaN(epochs) || epochs > 1000,
    lr: lr !== null && (Number.isNaN(lr) || lr > 1),
    batch: batch !== null && (Number.isNaN(batch) || batch > 65536),
    seed: seed !== null && (!Number.isInteger(seed) || seed < 0),
    hidden: hidden !== null && (Number.isNaN(hidden) || hidden > 4096),
    l2: l2 !== null && (Number.isNaN(l2) || l2 > 10),
    heads: heads !== null && (Number.isNaN(heads) || heads > 10)
  }
  const invalid = Object.values(bad).some(Boolean)
  const start = (): void => {
    if (!task || invalid || running) return
    void startTraining({
      task: task.name,
      epochs: epochs ?? undefined,
      learningRate: lr ?? undefined,
      batchSize: batch ?? undefined,
      seed: seed ?? undefined,
      hidden: hidden ?? undefined,
      l2: l2 ?? undefined,
      k: heads ?? undefined,
      ...(o.softTargets ? { softTargets: true } : {}),
      // Checked: activate only when not worse than the active version (the app decides after evaluating).
      activate: o.activate ? 'auto' : false
    })
  }
  const field = (
    key: keyof Omit<Options, 'activate' | 'softTargets'>,
    label: string,
    hint: string,
    testId: string,
    invalidNow: boolean,
    extra: { step?: string; min?: string; placeholder?: string } = {}
  ): ReactElement => (
    <div className="field train-field">
      <label className="field__label" htmlFor={`train-${key}`}>
        {label}
      </label>
      <input
        id={`train-${key}`}
        className={`input${invalidNow ? ' input--invalid' : ''}`}
        type="number"
        inputMode="decimal"
        value={o[key]}
        aria-invalid={invalidNow || undefined}
        data-testid={testId}
        disabled={running}
        onChange={(e) => setO({ ...o, [key]: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Enter') start()
        }}
        {...extra}
      />
      <span className="field__hint">{hint}</span>
    </div>
  )
  return (
    <section className="m-panel">
      <h2 className="section-title">Options</h2>
      <div className="train-options">
        {field(
          'epochs',
          'Epochs',
          'At most; stops early when validation loss stops improving.',
          'train-epochs',
          bad.epochs,
          {
            min: '1',
            step: '1'
          }
        )}
        {field(
          'learningRate',
          'Learning rate',
          'Adam step size; empty = chosen by the search (0.0001 to fine-tune the active version, 0.001 for a new head).',
          'train-lr',
          bad.lr,
          {
            step: '0.0001',
            min: '0',
            placeholder: 'automatic'
          }
        )}
        {field('batchSize', 'Batch size', 'Faces per gradient step.', 'train-batch', bad.batch, {
          min: '1',
          step: '1'
        })}
        {field('seed', 'Seed', 'Same seed and data give the same weights.', 'train-seed', bad.seed, {
          min: '0',
          step: '1'
        })}
        {field(
          'hidden',
          'Hidden layer',
          'Units in one hidden layer; 0 = linear; empty = chosen by the search (linear, 128 or 256).',
          'train-hidden',
          bad.hidden,
          { min: '0', step: '1', placeholder: 'automatic' }
        )}
        {field('l2', 'L2', 'Weight penalty; empty = chosen by the search (0.001–0.03).', 'train-l2', bad.l2, {
          min: '0',
          step: '0.01',
          placeholder: 'automatic'
        })}
        {field(
          'heads',
          'Heads',
          'Ensemble size: heads trained on seeded folds and averaged; 1 = a single head.',
          'train-heads',
          bad.heads,
          { min: '1', step: '1' }
        )}
      </div>
      <div className="field">
        <label className="field__label" htmlFor="train-mitigation">
          Bias mitigation
        </label>
        <select id="train-mitigation" className="select" value="none" disabled data-testid="train-mitigation">
          <option value="none">None</option>
        </select>
        <span className="field__hint">Reweighting (ω) and a fairness penalty (λ) come with the Fairness screen.</span>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={o.softTargets}
          disabled={running || task?.kind !== 'classification'}
          data-testid="train-soft-targets"
          onChange={(e) => setO({ ...o, softTargets: e.target.checked })}
        />
        <span>
          Soft targets (from several answers / vote columns)
          <span className="checkbox__hint">
            Faces answered by several annotators, or imported with votes_&lt;label&gt; columns, learn the spread of
            answers instead of one label; the rest keep their label. The temperature is still fitted on the labels.
          </span>
        </span>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={o.activate}
          disabled={running}
          data-testid="train-activate"
          onChange={(e) => setO({ ...o, activate: e.target.checked })}
        />
        <span>
          Activate the new version if it is not worse
          <span className="checkbox__hint">
            Compared with the active version on the evaluation set; every face is re-predicted with it; roll back any
            time in Models.
          </span>
        </span>
      </label>
      {error && <ErrorMessage error={error} title="Training could not start" />}
      <div className="train-actions">
        <button
          className="button button--primary button--large"
          data-testid="train-start"
          disabled={!task || invalid || running || starting}
          title={running ? 'A training run of this task is in progress' : undefined}
          onClick={start}
        >
          <TrainIcon width={16} height={16} />
          {starting ? 'Starting…' : 'Start training'}
        </button>
      </div>
    </section>
  )
}

function epochLine(p: EpochPoint): string {
  const parts = [`loss ${p.loss.toFixed(3)}`]
  if (p.val_loss !== undefined) parts.push(`validation loss ${p.val_loss.toFixed(3)}`)
  if (p.val_acc !== undefined) parts.push(`validation accuracy ${(p.val_acc * 100).toFixed(1)} %`)
  return parts.join(' · ')
}

function statusText(run: TrainRun): string {
  switch (run.status) {
    case 'queued':
      return 'Waiting for the ML worker…'
    case 'running':
      return run.epochs.length ? `Epoch ${run.epochs.length} of at most ${run.totalEpochs}` : 'Preparing the data…'
    case 'done':
      return run.result ? `Saved ${versionName(run.result.version)}` : 'Finished'
    case 'cancelled':
      return 'Cancelled: no version was saved'
    case 'failed':
      return 'Failed'
  }
}

/** The headline metric of the run's parent version on the current evaluation set, for before / after. */
function useParentMetric(run: TrainRun | null): number | null {
  const [value, setValue] = useState<{ key: string; v: number | null } | null>(null)
  const r = run?.result
  const key = r && r.parent !== null ? `${r.task}:${r.parent}:${run?.jobId}` : null
  useEffect(() => {
    if (!r || r.parent === null || !key) return
    let live = true
    void request('models.metrics', { task: r.task, version: r.parent }, { inline: true }).then((reply) => {
      if (!live || !reply.ok) return
      const m = reply.value.metrics as unknown as Record<string, number | null>
      setValue({ key, v: 'accuracy' in m ? (m.accuracy ?? null) : (m.mae ?? null) })
    })
    return () => {
      live = false
    }
  }, [key, r])
  return value && value.key === key ? value.v : null
}

function RunPanel({ run, task }: { run: TrainRun | null; task: TaskInfo | null }): ReactElement {
  const job = useStudio((s) => (run ? s.jobs[run.jobId] : undefined))
  const parentMetric = useParentMetric(run)
  if (!run) {
    return (
      <section className="m-panel train-run train-run--empty">
        <EmptyState icon={<TrainIcon width={28} height={28} />} title="No training run yet">
          Set the options and press <strong>Start training</strong>. Training runs over the stored face features, so it
          takes seconds; loss and accuracy appear here epoch by epoch, and the app stays usable meanwhile.
        </EmptyState>
      </section>
    )
  }
  const running = run.status === 'queued' || run.status === 'running'
  const last = run.epochs.at(-1)
  const r = run.result
  const newKey: MetricKey | null = r ? ('accuracy' in r.metrics ? 'accuracy' : 'mae') : null
  const newValue = r && newKey ? (r.metrics as unknown as Record<string, number>)[newKey] : null
  return (
    <section className="m-panel train-run" data-status={run.status} data-testid="train-run">
      <div className="train-run__head">
        <div>
          <div className="train-run__title">
            {statusText(run)}
            <span className={`run-dot run-dot--${run.status}`} aria-hidden="true" />
          </div>
          <div className="muted train-run__sub">
            {running && last
              ? epochLine(last)
              : running
                ? (job?.progress.message ?? '')
                : run.epochs.length
                  ? `${plural(run.epochs.length, 'epoch')} run`
                  : ''}
            {running && job?.progress.etaSeconds ? ` · about ${duration(job.progress.etaSeconds)} left` : ''}
          </div>
        </div>
        <span className="screen__spacer" />
        {running && (
          <button className="button button--danger" data-testid="train-cancel" onClick={() => void cancelTraining()}>
            Cancel
          </button>
        )}
      </div>
      {running && (
        <ProgressBar value={fraction(run.epochs.length, run.totalEpochs)} indeterminate={!run.epochs.length} />
      )}
      {run.status === 'failed' && job?.error && (
        <ErrorMessage
          error={{ code: 'INTERNAL', message: job.error }}
          title="Training failed — nothing was saved; the active version is unchanged"
        />
      )}
      <TrainingChart
        epochs={run.epochs}
        totalEpochs={run.totalEpochs}
        kind={task?.kind ?? 'classification'}
        // Epochs are numbered across every head of the search and the ensemble: no single best epoch to mark.
        bestEpoch={null}
        finished={!running}
      />
      {r && newKey && (
        <div className="train-result" data-testid="train-result">
          <div className="train-result__metric">
            <span className="train-result__value">{formatMetric(newKey, newValue)}</span>
            <span className="muted">
              {METRICS[newKey].label.toLowerCase()} of {versionName(r.version)} on {plural(r.eval_n, 'evaluation face')}
              {r.parent !== null && parentMetric !== null
                ? ` (${versionName(r.parent)}: ${formatMetric(newKey, parentMetric)} on the same faces)`
                : ''}
            </span>
          </div>
          {r.verdict && (
            <div
              className={`train-verdict${r.verdict.worse && !r.activated ? ' train-verdict--worse' : ''}`}
              data-testid="train-verdict"
              data-worse={r.verdict.worse}
            >
              {r.verdict.sentence}
              {r.activated ? ': activated.' : r.verdict.worse ? ': not activated.' : '.'}
              {!r.activated && (
                <button
                  className="button"
                  data-testid="train-activate-anyway"
                  onClick={() => void activateVersion(r.version)}
                >
                  Activate {versionName(r.version)} {r.verdict.worse ? 'anyway' : ''}
                </button>
              )}
            </div>
          )}
          <div className="muted">
            Trained on {plural(r.train_n, 'face')} in {r.seconds.toFixed(1)} s on {r.backend}
            {r.activated ? ' · now active' : ' · not activated'}
          </div>
          {r.recipe && (
            <div className="muted" data-testid="train-recipe">
              Head: {r.recipe.settings} · {r.recipe.k === 1 ? 'one head' : `${r.recipe.k} heads averaged`} · confidence
              calibrated (temperature {r.recipe.temperature.toFixed(2)})
              {typeof r.recipe.softTargets === 'number' && ` · soft targets on ${r.recipe.softTargets} faces`}
            </div>
          )}
          <div className="train-result__actions">
            <button
              className="button"
              data-testid="train-compare"
              onClick={() => {
                setCompareVersions(r.parent ?? 0, r.version)
                navigate('compare')
              }}
            >
              Compare {versionName(r.parent ?? 0)} → {versionName(r.version)}
            </button>
            <button className="button" onClick={() => navigate('models')}>
              All versions
            </button>
          </div>
        </div>
      )}
    </section>
  )
}

/**
 * Learning curve (issue 11): evaluation-set accuracy of versions trained on nested 10 … 100 % subsets of the
 * labels, so the user sees what their corrections bought and whether more would help. Nothing is saved.
 */
function LearningCurvePanel({ task, busy }: { task: TaskInfo | null; busy: boolean }): ReactElement | null {
  const job = useStudio((s) => (task ? latestJob(s.jobs, 'curve', task.name) : null))
  const [error, setError] = useState<AppErrorShape | null>(null)
  if (!task) return null
  const running = !!job && isActive(job)
  const r = job?.status === 'done' ? job.result : null
  const start = async (): Promise<void> => {
    setError(null)
    const reply = await request('models.learningCurve', { task: task.name }, { inline: true })
    if (reply.ok) trackJob(reply.value)
    else setError(reply.error)
  }
  const fmt = (v: number): string => (r?.metric === 'mae' ? v.toFixed(2) : `${(v * 100).toFixed(1)} %`)
  const values = r ? [...r.points.map((p) => p.value), ...(r.baseline ? [r.baseline.value] : [])] : []
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const width = (v: number): string => `${hi > lo ? 15 + ((v - lo) / (hi - lo)) * 85 : 100}%`
  return (
    <section className="m-panel" data-testid="learning-curve">
      <h2 className="section-title">Learning curve</h2>
      <p className="muted m-small">
        Trains a throwaway version on 10, 20, 40, 80 and 100 % of the labelled faces (nested, each label kept in
        proportion) and scores each on the evaluation set: still rising at 100 % means more labels would help.
      </p>
      {error && <ErrorMessage error={error} title="The learning curve could not start" />}
      {running && job && (
        <>
          <ProgressBar value={fraction(job.progress.done, job.progress.total)} indeterminate={!job.progress.done} />
          <p className="muted m-small">{job.progress.message}</p>
        </>
      )}
      {job?.status === 'failed' && job.error && (
        <ErrorMessage error={{ code: 'INTERNAL', message: job.error }} title="The learning curve failed" />
      )}
      {r && (
        <table className="class-bars" aria-label="Learning curve" data-testid="learning-curve-table">
          <thead>
            <tr>
              <th scope="col">Labels used</th>
              <th scope="col">{r.metric === 'mae' ? 'MAE (lower is better)' : 'Accuracy'}</th>
              <th scope="col" className="class-bars__n">
                {count(r.evalN)} eval faces
              </th>
            </tr>
          </thead>
          <tbody>
            {r.baseline && (
              <tr data-testid="learning-curve-baseline">
                <th scope="row" className="muted">
                  {versionName(r.baseline.version)} (active)
                </th>
                <td className="class-bars__bar">
                  <span className="class-bars__eval" style={{ width: width(r.baseline.value) }} />
                </td>
                <td className="class-bars__n">{fmt(r.baseline.value)}</td>
              </tr>
            )}
            {r.points.map((p) => (
              <tr key={p.fraction} data-testid="learning-curve-point" data-n={p.n} data-value={p.value}>
                <th scope="row">
                  {Math.round(p.fraction * 100)} % · {count(p.n)}
                </th>
                <td className="class-bars__bar">
                  <span style={{ width: width(p.value) }} />
                </td>
                <td className="class-bars__n">{fmt(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="train-actions">
        <button
          className="button"
          data-testid="learning-curve-start"
          disabled={running || busy}
          onClick={() => void start()}
        >
          {r ? 'Measure again' : 'Measure learning curve'}
        </button>
        {r && (
          <span className="muted m-small">
            {r.seconds.toFixed(0)} s on {r.backend}
          </span>
        )}
      </div>
    </section>
  )
}

export function Train(): ReactElement {
  const taskName = useStudio((s) => s.task)
  const task = useActiveTask()
  const versions = useVersions()
  const evalSet = useStudio((s) => (s.modelVersionsTask === s.task ? s.evalSet : null))
  const run = useStudio((s) => (s.trainRun && s.trainRun.task === s.task ? s.trainRun : null))
  const jobsKnown = useStudio((s) => Object.keys(s.jobs).length)
  const otherRunning = useStudio((s) =>
    Object.values(s.jobs).some((j) => j.kind === 'train' && j.task === s.task && isActive(j))
  )
  useEffect(() => {
    void resumeTrainRun(taskName)
  }, [taskName, jobsKnown])
  const running = (!!run && (run.status === 'queued' || run.status === 'running')) || otherRunning
  return (
    <div className="screen" data-testid="screen-train">
      <ModelsHeader title="Train" task={taskName} />
      <div className="screen__body models-scroll">
        <div className="train-layout">
          <div className="train-layout__side">
            <DataSummary task={task} versions={versions} evalSet={evalSet} />
            <OptionsForm task={task} running={running} />
          </div>
          <div className="train-layout__main">
            <RunPanel run={run} task={task} />
            <LearningCurvePanel task={task} busy={running} />
          </div>
        </div>
      </div>
    </div>
  )
}
