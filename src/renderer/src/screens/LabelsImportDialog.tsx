/**
 * Import labels…: a CSV, Label Studio or COCO file onto a task. Every change re-runs a preview that writes
 * nothing (detected delimiter, first rows, columns, value mapping with suggestions, what would apply and why
 * the rest would not); Apply writes it in one transaction as one undoable step.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react'
import type { LabelFileFormat, LabelImportPreview } from '../../../shared/labels-io'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from '../store'
import { request } from '../store/client'
import { loadTasks } from '../store/review-actions'
import { closeDialog } from '../store/ui-actions'
import { ErrorMessage, FileField, Modal } from '../components/common'
import { DialogJobProgress, useDialogJob } from '../components/DialogJob'
import { isActive } from '../store/jobs-actions'
import { count, plural } from '../format'
import '../labels-io.css'

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' }

function formatOf(file: string): LabelFileFormat {
  return /\.json$/i.test(file.trim()) ? 'labelstudio' : 'csv'
}

export function LabelsImportDialog(): ReactElement {
  const tasks = useStudio((s) => s.tasks)
  const activeTask = useStudio((s) => s.task)
  const profile = useStudio((s) => s.info?.annotator ?? '')
  const [file, setFile] = useState('')
  const [format, setFormat] = useState<LabelFileFormat>('csv')
  const [task, setTask] = useState(activeTask)
  const [pathColumn, setPathColumn] = useState<string | undefined>(undefined)
  const [labelColumn, setLabelColumn] = useState<string | undefined>(undefined)
  const [delimiter, setDelimiter] = useState<',' | ';' | '\t' | undefined>(undefined)
  const [map, setMap] = useState<Record<string, string>>({})
  const [annotator, setAnnotator] = useState(profile)
  const [preview, setPreview] = useState<LabelImportPreview | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [starting, setStarting] = useState(false)
  const { job, follow } = useDialogJob('labels-import')
  const busy = starting || (job !== null && isActive(job))
  const done = job?.status === 'done' ? job.result : null
  const jobError: AppErrorShape | null =
    job?.status === 'failed'
      ? { code: 'INTERNAL', message: job.error ?? 'The import failed.' }
      : job?.status === 'cancelled'
        ? { code: 'CANCELLED', message: 'Import cancelled: no labels were written.' }
        : null
  useEffect(() => {
    if (!tasks) void loadTasks()
  }, [tasks])
  const taskInfo = tasks?.find((t) => t.name === task)
  const spec = useMemo(
    () => ({ file: file.trim(), format, task, pathColumn, labelColumn, map, delimiter }),
    [file, format, task, pathColumn, labelColumn, map, delimiter]
  )
  useEffect(() => {
    if (spec.file === '') {
      setPreview(null)
      return
    }
    let live = true
    const t = setTimeout(() => {
      void request('labels.preview', spec, { inline: true }).then((r) => {
        if (!live) return
        if (r.ok) {
          setPreview(r.value)
          setError(null)
        } else {
          setPreview(null)
          setError(r.error)
        }
      })
    }, 250)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [spec])

  const apply = async (): Promise<void> => {
    if (!preview || busy) return
    setStarting(true)
    const r = await request('labels.import', { ...spec, annotator: annotator.trim() || undefined }, { inline: true })
    setStarting(false)
    if (r.ok) follow(r.value)
    else setError(r.error)
  }

  if (done) {
    return (
      <Modal
        title="Labels imported"
        onClose={closeDialog}
        testId="labels-import-dialog"
        width={520}
        footer={
          <button className="button button--primary" onClick={closeDialog} data-testid="labels-import-close">
            Done
          </button>
        }
      >
        <p data-testid="labels-import-done">
          {plural(done.applied, 'face')} of <b>{done.task}</b> labelled; {count(done.unmatched)} unmatched,{' '}
          {count(done.invalid)} invalid, {count(done.duplicates)} duplicate rows.
          {done.votes !== undefined && ` Vote columns stored for ${plural(done.votes, 'face')} (soft targets).`}
        </p>
        <p className="muted">One step: Edit → Undo takes the whole import back.</p>
      </Modal>
    )
  }

  const labelOptions = taskInfo?.kind === 'classification' ? [...taskInfo.labels, 'unsure', 'n/a'] : []
  return (
    <Modal
      title="Import labels"
      onClose={closeDialog}
      testId="labels-import-dialog"
      width={860}
      footer={
        <>
          <button className="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            className="button button--primary"
            data-testid="labels-import-apply"
            disabled={!preview || preview.applied === 0 || busy}
            onClick={() => void apply()}
          >
            {busy ? 'Applying…' : preview ? `Apply ${count(preview.applied)} labels` : 'Apply'}
          </button>
        </>
      }
    >
      <div className="lio-grid">
        <FileField
          id="lio-file"
          label="Labels file (full path)"
          purpose="labels"
          testId="labels-import-file"
          placeholder="/path/to/labels.csv"
          invalid={Boolean(error)}
          value={file}
          hint="CSV (comma, semicolon or tab), Label Studio JSON or COCO JSON."
          onChange={(v) => {
            setFile(v)
            setFormat(formatOf(v))
            setDelimiter(undefined)
            setPathColumn(undefined)
            setLabelColumn(undefined)
          }}
        />
        <div className="field">
          <label className="field__label" htmlFor="lio-format">
            Format
          </label>
          <select
            id="lio-format"
            className="select"
            value={format}
            data-testid="labels-import-format"
            onChange={(e) => setFormat(e.target.value as LabelFileFormat)}
          >
            <option value="csv">CSV</option>
            <option value="labelstudio">Label Studio JSON</option>
            <option value="coco">COCO JSON</option>
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="lio-task">
            Task
          </label>
          <select
            id="lio-task"
            className="select"
            value={task}
            data-testid="labels-import-task"
            onChange={(e) => {
              setTask(e.target.value)
              setMap({})
            }}
          >
            {(tasks ?? []).map((t) => (
              <option key={t.id} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="lio-annotator">
            Record as annotator
          </label>
          <input
            id="lio-annotator"
            className="input"
            data-testid="labels-import-annotator"
            value={annotator}
            onChange={(e) => setAnnotator(e.target.value)}
          />
        </div>
      </div>
      {job && <DialogJobProgress job={job} testId="labels-import-progress" />}
      {(error ?? jobError) && <ErrorMessage error={(error ?? jobError)!} title="Cannot import this file" />}
      {preview && (
        <Preview
          preview={preview}
          labelOptions={labelOptions}
          delimiterChosen={delimiter !== undefined}
          onDelimiter={(d) => {
            setDelimiter(d)
            setPathColumn(undefined)
            setLabelColumn(undefined)
          }}
          onPathColumn={setPathColumn}
          onLabelColumn={(c) => {
            setLabelColumn(c)
            setMap({})
          }}
          map={map}
          onMap={(from, to) => setMap((m) => ({ ...m, [from]: to }))}
        />
      )}
    </Modal>
  )
}

function Preview({
  preview,
  labelOptions,
  delimiterChosen,
  onDelimiter,
  onPathColumn,
  onLabelColumn,
  map,
  onMap
}: {
  preview: LabelImportPreview
  labelOptions: string[]
  delimiterChosen: boolean
  onDelimiter: (d: ',' | ';' | '\t' | undefined) => void
  onPathColumn: (c: string) => void
  onLabelColumn: (c: string) => void
  map: Record<string, string>
  onMap: (from: string, to: string) => void
}): ReactElement {
  const p = preview
  return (
    <div className="lio-preview" data-testid="labels-import-preview">
      {p.format === 'csv' && (
        <>
          <div className="lio-row">
            <label className="lio-inline">
              Delimiter
              <select
                className="select"
                value={delimiterChosen ? (p.delimiter ?? ',') : 'auto'}
                data-testid="labels-import-delimiter-choice"
                onChange={(e) =>
                  onDelimiter(e.target.value === 'auto' ? undefined : (e.target.value as ',' | ';' | '\t'))
                }
              >
                <option value="auto">auto</option>
                <option value=",">comma</option>
                <option value=";">semicolon</option>
                <option value={'\t'}>tab</option>
              </select>
            </label>
            <span className="muted" data-testid="labels-import-delimiter">
              {DELIMITER_NAMES[p.delimiter ?? ','] ?? p.delimiter}
              {delimiterChosen ? '' : ' (detected)'} · {plural(p.rows, 'row')}
            </span>
            <ColumnPicker
              title="Path column"
              header={p.header}
              value={p.pathColumn}
              testId="labels-import-path-column"
              onChange={onPathColumn}
            />
            <ColumnPicker
              title="Label column"
              header={p.header}
              value={p.labelColumn}
              testId="labels-import-label-column"
              onChange={onLabelColumn}
            />
          </div>
          <div className="lio-sample">
            <table className="lio-table" data-testid="labels-import-sample">
              <thead>
                <tr>
                  {p.header.map((h) => (
                    <th key={h} className={h === p.pathColumn || h === p.labelColumn ? 'lio-used' : undefined}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.sample.map((row, i) => (
                  <tr key={i}>
                    {p.header.map((h, j) => (
                      <td key={h} className={h === p.pathColumn || h === p.labelColumn ? 'lio-used' : undefined}>
                        {row[j] ?? ''}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <div className="lio-columns">
        <div>
          <h3 className="lio-h">Value mapping</h3>
          <table className="lio-table lio-map" data-testid="labels-import-values">
            <thead>
              <tr>
                <th>In the file</th>
                <th>Rows</th>
                <th>Becomes</th>
              </tr>
            </thead>
            <tbody>
              {p.values.map((v) => (
                <tr key={v.from} data-testid="labels-import-value" data-from={v.from}>
                  <td className="mono">{v.from}</td>
                  <td>{count(v.rows)}</td>
                  <td>
                    {labelOptions.length > 0 ? (
                      <select
                        className={`select${v.to === null ? ' input--invalid' : ''}`}
                        value={map[v.from] ?? v.to ?? ''}
                        data-testid={`labels-import-map-${v.from}`}
                        onChange={(e) => onMap(v.from, e.target.value)}
                      >
                        <option value="">— not a label (invalid) —</option>
                        {labelOptions.map((l) => (
                          <option key={l} value={l}>
                            {l}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span>{v.to ?? 'not a number in range'}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3 className="lio-h">Before anything is written</h3>
          <div className="stats lio-stats">
            <Count label="will apply (faces)" value={p.applied} testId="labels-import-applied" />
            <Count label="unmatched" value={p.unmatched} testId="labels-import-unmatched" bad />
            <Count label="invalid" value={p.invalid} testId="labels-import-invalid" bad />
            <Count label="duplicate rows" value={p.duplicates} testId="labels-import-duplicates" />
          </div>
          {p.unmatchedExamples.length > 0 && (
            <Examples title="Unmatched" items={p.unmatchedExamples} testId="labels-import-unmatched-examples" />
          )}
          {p.invalidExamples.length > 0 && (
            <Examples title="Invalid" items={p.invalidExamples} testId="labels-import-invalid-examples" />
          )}
        </div>
      </div>
    </div>
  )
}

function Count({
  label,
  value,
  testId,
  bad
}: {
  label: string
  value: number
  testId: string
  bad?: boolean
}): ReactElement {
  return (
    <div className="stat">
      <div className={`stat__value${bad && value > 0 ? ' stat__value--bad' : ''}`} data-testid={testId}>
        {count(value)}
      </div>
      <div className="stat__label">{label}</div>
    </div>
  )
}

function Examples({
  title,
  items,
  testId
}: {
  title: string
  items: Array<{ line: number; path: string; reason: string }>
  testId: string
}): ReactElement {
  return (
    <div className="lio-examples" data-testid={testId}>
      <div className="lio-examples__title">{title}, for example:</div>
      <ul>
        {items.map((e) => (
          <li key={`${e.line}-${e.path}`}>
            <span className="muted">line {e.line}</span> <span className="mono">{e.path || '(empty)'}</span> —{' '}
            {e.reason}
          </li>
        ))}
      </ul>
    </div>
  )
}

/** One of the file's columns, picked by its header. */
function ColumnPicker(props: {
  title: string
  header: readonly string[]
  value: string | null | undefined
  testId: string
  onChange: (column: string) => void
}): ReactElement {
  return (
    <label className="lio-inline">
      {props.title}
      <select
        className="select"
        value={props.value ?? ''}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.header.map((h) => (
          <option key={h} value={h}>
            {h}
          </option>
        ))}
      </select>
    </label>
  )
}
