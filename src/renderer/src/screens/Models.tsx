/** Models: every version of the active task with its lineage; activate (rollback), export, metadata. */
import { Fragment, useEffect, useState, type ReactElement } from 'react'
import type { ModelVersionInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { request } from '../store/client'
import { isActive, jobSummary } from '../store/jobs-actions'
import { navigate } from '../store/ui-actions'
import { activateVersion, exportVersion, setCompareVersions } from '../store/models-actions'
import { retrainWithoutForgotten } from '../store/teams-actions'
import { EmptyState, ErrorMessage, FolderField, Modal, ProgressBar } from '../components/common'
import { ModelsIcon } from '../components/icons'
import { MirrorFeatures } from './ModelsMirror'
import { count, fraction } from '../format'
import {
  formatMetric,
  headlineOf,
  METRICS,
  mitigationText,
  ModelsHeader,
  shortDate,
  useVersions,
  versionName
} from './ModelsCommon'
import '../models.css'
import '../teams.css'

/** The activation job started from this screen, while it runs or just after. */
function ActivationStatus({ task, version }: { task: string; version: number }): ReactElement | null {
  const job = useStudio((s) => (s.activateJobId === null ? undefined : s.jobs[s.activateJobId]))
  if (job?.kind !== 'repredict' || job.task !== task || job.version !== version) return null
  if (isActive(job)) {
    return (
      <div className="version-job" data-testid="version-activating">
        <span>{job.progress.message || 'Re-predicting every face…'}</span>
        <ProgressBar
          value={fraction(job.progress.done, job.progress.total)}
          indeterminate={job.progress.done === 0}
          size="sm"
        />
      </div>
    )
  }
  if (job.status === 'failed')
    return <div className="version-job version-job--bad">{job.error ?? 'Activation failed'}</div>
  if (job.status === 'done') return <div className="version-job muted">Now active · {jobSummary(job)}</div>
  return null
}

/** Versions without stored metrics (the built-in v0) are measured on the evaluation set when shown. */
const measured = new Map<string, number | null>()

function useMeasuredHeadline(v: ModelVersionInfo, evalN: number): number | null | undefined {
  const key = `${v.task}:${v.version}:${evalN}`
  const [value, setValue] = useState<number | null | undefined>(measured.get(key))
  useEffect(() => {
    if (v.headline || evalN === 0 || measured.has(key)) return
    let live = true
    void request('models.metrics', { task: v.task, version: v.version }, { inline: true }).then((r) => {
      const m = r.ok ? (r.value.metrics as unknown as Record<string, number | null>) : null
      const x = m ? ('accuracy' in m ? (m.accuracy ?? null) : (m.mae ?? null)) : null
      measured.set(key, x)
      if (live) setValue(x)
    })
    return () => {
      live = false
    }
  }, [key, v.headline, v.task, v.version, evalN])
  return v.headline ? undefined : value
}

/** Issue 11 §2: whether a version averages each face's two views, and whether mirrored rows trained it. */
function viewsText(v: ModelVersionInfo): string {
  if (!v.mirrored) return 'original only'
  return v.mirroredRows ? `mirrored · +${count(v.mirroredRows)} rows` : 'mirrored'
}

function VersionRow({
  v,
  busy,
  last,
  onExport,
  onMetadata
}: {
  v: ModelVersionInfo
  busy: boolean
  last: boolean
  onExport: () => void
  onMetadata: () => void
}): ReactElement {
  const evalN = useStudio((s) => s.evalSet?.members ?? 0)
  const now = useMeasuredHeadline(v, evalN)
  const labelsKind = useStudio((s) => s.modelTasks?.find((t) => t.name === v.task)?.kind)
  const head =
    headlineOf(v) ??
    (now !== undefined ? { key: labelsKind === 'score' ? ('mae' as const) : ('accuracy' as const), value: now } : null)
  const f1 = v.headline?.macro_f1
  return (
    <tr
      className={`version-row${v.active ? ' version-row--active' : ''}`}
      data-testid="version-row"
      data-version={v.version}
      data-active={v.active ? 'true' : 'false'}
    >
      <td className="version-row__lineage" aria-hidden="true">
        <span className={`lineage${last ? ' lineage--last' : ''}${v.version === 0 ? ' lineage--first' : ''}`}>
          <span className="lineage__dot" />
        </span>
      </td>
      <td className="version-row__name">
        <div className="version-name">
          <strong>{versionName(v.version)}</strong>
          {v.active && <span className="badge m-badge--good">active</span>}
          {v.builtin && <span className="badge m-badge--quiet">built-in</span>}
          {v.forgottenData && (
            <span
              className="version-flag"
              data-testid="version-forgotten"
              title={`A person it learnt from${v.forgottenData.inherited ? ' (through the version it was tuned from)' : ''} was forgotten on ${shortDate(v.forgottenData.at)}`}
            >
              trained on forgotten data
            </span>
          )}
        </div>
        <div className="muted version-row__from">
          {v.version === 0 ? 'face-api head' : v.parent === null ? 'fresh head' : `from ${versionName(v.parent)}`}
        </div>
        {v.forgottenData && (
          <button
            className="button button--small button--primary version-row__retrain"
            data-testid="version-retrain"
            disabled={busy}
            title="Train again on the same settings without the forgotten faces (from the nearest version not trained on them)"
            onClick={() => void retrainWithoutForgotten(v.version)}
          >
            Retrain without them
          </button>
        )}
        <ActivationStatus task={v.task} version={v.version} />
      </td>
      <td className="muted">{v.builtin ? 'ships with the app' : shortDate(v.createdAt)}</td>
      <td className="m-num">
        {v.trainN === null ? <span className="muted">—</span> : count(v.trainN)}
        {v.evalN !== null && <div className="muted m-small">eval {count(v.evalN)}</div>}
      </td>
      <td className="m-num">
        {head ? (
          <>
            <span className="version-metric" title={METRICS[head.key].label}>
              {formatMetric(head.key, head.value)}
            </span>
            <div className="muted m-small">
              {head.key === 'accuracy' ? 'accuracy' : 'MAE'}
              {typeof f1 === 'number' ? ` · F1 ${formatMetric('macro_f1', f1)}` : ''}
              {!v.headline ? ' · measured now' : ''}
            </div>
          </>
        ) : (
          <span className="muted" title="Measured on the evaluation set when a version is trained">
            —
          </span>
        )}
      </td>
      <td className="muted">{v.backend ?? (v.builtin ? 'face-api' : '—')}</td>
      <td className="muted" data-testid="version-views">
        {viewsText(v)}
      </td>
      <td className="muted">{mitigationText(v.mitigation)}</td>
      <td className="version-row__actions">
        <button
          className="button button--small"
          data-testid="version-activate"
          disabled={v.active || busy}
          title={v.active ? 'Already active' : `Make ${versionName(v.version)} active and re-predict every face`}
          onClick={() => void activateVersion(v.version)}
        >
          {v.active ? 'Active' : 'Activate'}
        </button>
        <button
          className="button button--small"
          data-testid="version-export"
          disabled={v.builtin}
          title={
            v.builtin ? 'The built-in head ships with the app; there are no files to export' : 'Export model files'
          }
          onClick={onExport}
        >
          Export…
        </button>
        <button className="button button--small" data-testid="version-metadata" onClick={onMetadata}>
          Metadata
        </button>
      </td>
    </tr>
  )
}

function ExportDialog({ v, onClose }: { v: ModelVersionInfo; onClose: () => void }): ReactElement {
  const projectDir = useStudio((s) => s.project?.dir ?? '')
  const [dir, setDir] = useState(projectDir ? `${projectDir.replace(/[/\\]+$/, '')}/exports` : '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [done, setDone] = useState<{ path: string; files: string[] } | null>(null)
  const submit = async (): Promise<void> => {
    if (!dir.trim()) {
      setError({ code: 'BAD_ARGS', message: 'Type the full path of a folder to export into.' })
      return
    }
    setBusy(true)
    setError(null)
    const r = await exportVersion(v.version, dir.trim())
    setBusy(false)
    if (r.ok) setDone({ path: r.path, files: r.files })
    else setError(r.error)
  }
  return (
    <Modal
      title={`Export ${v.task} ${versionName(v.version)}`}
      onClose={onClose}
      testId="export-dialog"
      footer={
        done ? (
          <button className="button button--primary" onClick={onClose} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              className="button button--primary"
              data-testid="export-confirm"
              disabled={busy}
              onClick={() => void submit()}
            >
              {busy ? 'Exporting…' : 'Export'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <div data-testid="export-done">
          <p>The model files were verified against their checksums and copied to:</p>
          <pre className="path-box" data-testid="export-path">
            {done.path}
          </pre>
          <p className="muted">{done.files.join(' · ')} — TensorFlow.js layers format plus metadata.</p>
        </div>
      ) : (
        <>
          <FolderField
            id="export-dir"
            label="Export into folder"
            value={dir}
            onChange={setDir}
            purpose="open"
            testIdPrefix="export-dir"
            invalid={!!error}
            onEnter={() => void submit()}
          />
          {v.forgottenData && (
            <p className="forget-warning" data-testid="export-forgotten-warning">
              This version was trained on data of a person who has since been forgotten. Retrain it without them before
              sharing the model.
            </p>
          )}
          <p className="muted">
            A folder <span className="mono">{`${v.task}-v${v.version}`}</span> is created inside it with model.json,
            weights.bin, metadata.json and SHA256SUMS.
          </p>
          {error && <ErrorMessage error={error} title="Could not export" />}
        </>
      )}
    </Modal>
  )
}

/** JSON with keys, strings and numbers tinted; read-only and selectable. */
function JsonView({ value }: { value: unknown }): ReactElement {
  const text = JSON.stringify(value, null, 2)
  const parts = text.split(
    /("(?:\\.|[^"\\])*"(?=\s*:)|"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|\btrue\b|\bfalse\b|\bnull\b)/
  )
  return (
    <pre className="json-view" data-testid="metadata-json">
      {parts.map((p, i) => {
        if (i % 2 === 0) return <Fragment key={i}>{p}</Fragment>
        const next = parts[i + 1] ?? ''
        const cls = p.startsWith('"')
          ? /^\s*:/.test(next)
            ? 'json-key'
            : 'json-string'
          : p === 'null' || p === 'true' || p === 'false'
            ? 'json-literal'
            : 'json-number'
        return (
          <span key={i} className={cls}>
            {p}
          </span>
        )
      })}
    </pre>
  )
}

function MetadataDialog({ v, onClose }: { v: ModelVersionInfo; onClose: () => void }): ReactElement {
  const [copied, setCopied] = useState(false)
  return (
    <Modal
      title={`${v.task} ${versionName(v.version)} — metadata`}
      onClose={onClose}
      width={640}
      testId="metadata-dialog"
      footer={
        <>
          <button
            className="button"
            onClick={() => {
              void navigator.clipboard?.writeText(JSON.stringify(v, null, 2)).then(() => setCopied(true))
            }}
          >
            {copied ? 'Copied' : 'Copy JSON'}
          </button>
          <button className="button button--primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <dl className="m-facts m-facts--wide">
        <dt>Lineage</dt>
        <dd>
          {v.version === 0
            ? 'built-in head'
            : v.parent === null
              ? 'fresh head'
              : `fine-tuned from ${versionName(v.parent)}`}
        </dd>
        <dt>Created</dt>
        <dd>{v.builtin ? 'ships with the app' : shortDate(v.createdAt)}</dd>
        <dt>Training</dt>
        <dd>
          {v.trainN === null
            ? '—'
            : `${count(v.trainN)} faces · ${v.epochsRun ?? '?'} epochs · seed ${v.seed ?? '?'}${
                v.durationMs !== null ? ` · ${(v.durationMs / 1000).toFixed(1)} s` : ''
              }`}
        </dd>
        <dt>Labels</dt>
        <dd>{v.labels.join(', ') || '—'}</dd>
        <dt>Views</dt>
        <dd data-testid="metadata-views">
          {v.mirrored
            ? `predictions average each face and its mirror image${v.mirroredRows ? `; trained on the mirrored views of ${count(v.mirroredRows)} faces as extra rows` : ''}`
            : 'original view only (trained without mirrored rows)'}
        </dd>
        {v.forgottenData && (
          <>
            <dt>Privacy</dt>
            <dd className="forget-warning" data-testid="metadata-forgotten">
              trained on forgotten data (
              {v.forgottenData.inherited
                ? 'through the version it was tuned from'
                : `${count(v.forgottenData.faces)} forgotten faces`}
              , {shortDate(v.forgottenData.at)})
            </dd>
          </>
        )}
      </dl>
      <JsonView value={v} />
    </Modal>
  )
}

export function Models(): ReactElement {
  const task = useStudio((s) => s.task)
  const versions = useVersions()
  const error = useStudio((s) => s.modelVersionsError)
  const activating = useStudio((s) => {
    const job = s.activateJobId === null ? undefined : s.jobs[s.activateJobId]
    return !!job && isActive(job)
  })
  const [dialog, setDialog] = useState<{ kind: 'export' | 'metadata'; v: ModelVersionInfo } | null>(null)
  const newestFirst = versions ? [...versions].reverse() : null
  const active = versions?.find((v) => v.active)
  return (
    <div className="screen" data-testid="screen-models">
      <ModelsHeader title="Models" task={task}>
        {versions && versions.length > 1 && (
          <button
            className="button"
            data-testid="models-compare"
            onClick={() => {
              setCompareVersions(null, null)
              navigate('compare')
            }}
          >
            Compare versions
          </button>
        )}
        <button className="button button--primary" onClick={() => navigate('train')}>
          Train a new version
        </button>
      </ModelsHeader>
      <div className="screen__body models-scroll">
        {error && (
          <div className="screen__banner">
            <ErrorMessage error={error} title="Could not list the versions" />
          </div>
        )}
        {!newestFirst ? (
          <div className="models-loading muted">Loading versions…</div>
        ) : newestFirst.length === 0 ? (
          <EmptyState icon={<ModelsIcon width={28} height={28} />} title="No versions">
            This task has no model yet. Label some faces in Review, then train its first version.
          </EmptyState>
        ) : (
          <div className="models-page">
            <p className="models-intro muted">
              Every training run is kept as an immutable version. The active one (
              {active ? versionName(active.version) : '—'}) predicts every face; activating another re-predicts all
              faces from stored features in seconds. Metrics are measured on the evaluation set when a version is
              trained.
            </p>
            <MirrorFeatures />
            <table className="versions-table" data-testid="versions-table">
              <thead>
                <tr>
                  <th aria-label="Lineage" />
                  <th>Version</th>
                  <th>Created</th>
                  <th className="m-num">Annotations</th>
                  <th className="m-num">Headline</th>
                  <th>Backend</th>
                  <th>Views</th>
                  <th>Mitigation</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((v, i) => (
                  <VersionRow
                    key={v.id}
                    v={v}
                    busy={activating}
                    last={i === newestFirst.length - 1}
                    onExport={() => setDialog({ kind: 'export', v })}
                    onMetadata={() => setDialog({ kind: 'metadata', v })}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {dialog?.kind === 'export' && <ExportDialog v={dialog.v} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'metadata' && <MetadataDialog v={dialog.v} onClose={() => setDialog(null)} />}
    </div>
  )
}
