/**
 * Import labels…: a CSV, Label Studio or COCO file onto tasks. A CSV's label columns are ticked, each going
 * to an existing task or to a new task made from its values; a JSON file goes onto one task. Every change
 * re-runs a preview that writes nothing (detected delimiter, first rows, columns, value mapping per column
 * with suggestions, what would apply and why the rest would not, per column); Apply writes every column in
 * one transaction as one undoable step.
 */
import { useEffect, useMemo, useState, type ReactElement, type ReactNode } from 'react'
import type {
  LabelColumnChoice,
  LabelColumnPreview,
  LabelFileFormat,
  LabelImportPreview
} from '../../../shared/labels-io'
import type { TaskInfo } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'
import { taskNameFrom } from '../../../shared/task-name'
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

/** The target select's value for "a new task from this column" (never a task name: names have no NUL). */
const NEW_TASK = '\u0000new'

/** A ticked CSV column: where it goes and its value mapping. */
interface ColumnState {
  column: string
  /** A task name, or NEW_TASK. */
  target: string
  newName: string
  map: Record<string, string>
}

/** A newly ticked column goes to the task named like it, else to a new task named after its header. */
function columnState(column: string, tasks: readonly TaskInfo[] | null, fallback?: string): ColumnState {
  const lower = column.toLowerCase()
  const named = tasks?.find((t) => t.name.toLowerCase() === lower || `${t.name.toLowerCase()}_label` === lower)
  const target = named?.name ?? fallback ?? NEW_TASK
  return { column, target, newName: taskNameFrom(column), map: {} }
}

function choiceOf(c: ColumnState): LabelColumnChoice {
  const map = Object.fromEntries(Object.entries(c.map).filter(([, to]) => to !== ''))
  const withMap = Object.keys(map).length > 0 ? { map } : {}
  return c.target === NEW_TASK
    ? { column: c.column, newTask: { name: c.newName.trim() }, ...withMap }
    : { column: c.column, task: c.target, ...withMap }
}

/** The ticked column an error names (`columns.2.newTask.name` → 2), or null. */
function errorColumn(error: AppErrorShape | null): number | null {
  const m = /^columns\.(\d+)/.exec(error?.path ?? '')
  return m ? Number(m[1]) : null
}

export function LabelsImportDialog(): ReactElement {
  const tasks = useStudio((s) => s.tasks)
  const activeTask = useStudio((s) => s.task)
  const profile = useStudio((s) => s.info?.annotator ?? '')
  const [file, setFile] = useState('')
  const [format, setFormat] = useState<LabelFileFormat>('csv')
  const [task, setTask] = useState(activeTask)
  const [pathColumn, setPathColumn] = useState<string | undefined>(undefined)
  const [delimiter, setDelimiter] = useState<',' | ';' | '\t' | undefined>(undefined)
  const [map, setMap] = useState<Record<string, string>>({})
  // CSV: the ticked label columns; null until the first preview has suggested one.
  const [columns, setColumns] = useState<ColumnState[] | null>(null)
  const [annotator, setAnnotator] = useState(profile)
  const [preview, setPreview] = useState<LabelImportPreview | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [starting, setStarting] = useState(false)
  const { job, follow, forget } = useDialogJob('labels-import')
  const busy = starting || (job !== null && isActive(job))
  const done = job?.status === 'done' ? job.result : null
  const jobError: AppErrorShape | null =
    job?.status === 'failed'
      ? { code: 'INTERNAL', message: job.error ?? 'The import failed.' }
      : job?.status === 'cancelled'
        ? { code: 'CANCELLED', message: 'No labels were written; Apply starts it again.' }
        : null
  useEffect(() => {
    if (!tasks) void loadTasks()
  }, [tasks])
  const taskInfo = tasks?.find((t) => t.name === task)
  // A CSV is first previewed in the one-column form (the server suggests the label column for the active
  // task), then in the columns form with what the user ticks. A Label Studio file is previewed with no choice
  // ticked first, then its choices named like a task are ticked. A COCO file is first previewed onto the active
  // task; when its annotations carry label attributes (a Face Studio or CVAT export), they become the columns.
  const spec = useMemo(
    () =>
      format === 'csv' && columns !== null
        ? { file: file.trim(), format, pathColumn, delimiter, columns: columns.map(choiceOf) }
        : format === 'csv'
          ? { file: file.trim(), format, task, pathColumn, delimiter }
          : format === 'labelstudio' || (format === 'coco' && columns !== null)
            ? { file: file.trim(), format, columns: (columns ?? []).map(choiceOf) }
            : { file: file.trim(), format, task, map },
    [file, format, task, pathColumn, map, delimiter, columns]
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
          const suggested = r.value.labelColumn
          if (spec.format === 'csv' && !('columns' in spec) && suggested !== null && suggested !== r.value.pathColumn) {
            setColumns([columnState(suggested, tasks, spec.task)])
          } else if (
            columns === null &&
            (spec.format === 'labelstudio' || (spec.format === 'coco' && r.value.keys.length > 0))
          ) {
            const lower = new Set((tasks ?? []).map((t) => t.name.toLowerCase()))
            setColumns(r.value.keys.filter((k) => lower.has(k.toLowerCase())).map((k) => columnState(k, tasks)))
          }
        } else {
          // A bad column choice keeps the last preview on screen, so the choice can be fixed there.
          const choice = /^(columns|pathColumn)/.test(r.error.path ?? '')
          if (!choice) setPreview(null)
          setError(r.error)
        }
      })
    }, 250)
    return () => {
      live = false
      clearTimeout(t)
    }
    // tasks is read only to suggest the first column's task; a task list refresh must not re-preview.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [spec])

  const apply = async (): Promise<void> => {
    if (!preview || busy || error) return
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
        {done.columns.length > 1 ? (
          <div data-testid="labels-import-done">
            <p>
              {plural(done.applied, 'label')} written in {plural(done.columns.length, 'task')}:
            </p>
            <ul className="lio-done-list">
              {done.columns.map((c) => (
                <li key={c.column} data-testid={`labels-import-done-${c.column}`}>
                  <span className="mono">{c.column}</span> → <b>{c.task}</b>
                  {c.created && <span className="lio-new"> new task</span>}: {plural(c.applied, 'face')} labelled;{' '}
                  {count(c.unmatched)} unmatched, {count(c.invalid)} invalid, {count(c.duplicates)} duplicate rows.
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p data-testid="labels-import-done">
            {plural(done.applied, 'face')} of <b>{done.task}</b> labelled
            {done.columns[0]?.created ? ' (a new task)' : ''}; {count(done.unmatched)} unmatched, {count(done.invalid)}{' '}
            invalid, {count(done.duplicates)} duplicate rows.
            {done.votes !== undefined && ` Vote columns stored for ${plural(done.votes, 'face')} (soft targets).`}
          </p>
        )}
        <p className="muted">
          One step: Edit → Undo takes the whole import back
          {done.columns.some((c) => c.created) ? ' (a task it created stays, without these labels)' : ''}.
        </p>
      </Modal>
    )
  }

  const labelOptions = taskInfo?.kind === 'classification' ? [...taskInfo.labels, 'unsure', 'n/a'] : []
  return (
    <Modal
      title="Import labels"
      onClose={closeDialog}
      testId="labels-import-dialog"
      width={940}
      footer={
        <>
          <button className="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            className="button button--primary"
            data-testid="labels-import-apply"
            disabled={!preview || preview.applied === 0 || busy || error !== null}
            onClick={() => void apply()}
          >
            {busy ? 'Applying…' : preview ? `Apply ${count(preview.applied)} labels` : 'Apply'}
          </button>
        </>
      }
    >
      <div className={`lio-grid${format !== 'coco' ? ' lio-grid--csv' : ''}`}>
        <FileField
          id="lio-file"
          label="Labels file (full path)"
          purpose="labels"
          testId="labels-import-file"
          placeholder="/path/to/labels.csv"
          invalid={error !== null && errorColumn(error) === null && !/^pathColumn/.test(error.path ?? '')}
          value={file}
          hint="CSV (comma, semicolon or tab), Label Studio JSON or COCO JSON."
          onChange={(v) => {
            // Another file: a cancelled or failed import of the last one says nothing about it.
            if (job && !isActive(job)) forget()
            setFile(v)
            setFormat(formatOf(v))
            setDelimiter(undefined)
            setPathColumn(undefined)
            setColumns(null)
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
            onChange={(e) => {
              setFormat(e.target.value as LabelFileFormat)
              setColumns(null)
            }}
          >
            <option value="csv">CSV</option>
            <option value="labelstudio">Label Studio JSON</option>
            <option value="coco">COCO JSON</option>
          </select>
        </div>
        {format === 'coco' && columns === null && (
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
        )}
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
      {/* A column's error shows under the label columns, where it is fixed. */}
      {(error ?? jobError) && errorColumn(error) === null && (
        <ErrorMessage
          error={(error ?? jobError)!}
          title={!error && jobError?.code === 'CANCELLED' ? 'Import cancelled' : 'Cannot import this file'}
        />
      )}
      {preview && (
        <Preview
          preview={preview}
          labelOptions={labelOptions}
          delimiterChosen={delimiter !== undefined}
          onDelimiter={(d) => {
            setDelimiter(d)
            setPathColumn(undefined)
            setColumns(null)
          }}
          onPathColumn={(c) => {
            setPathColumn(c)
            setColumns((cols) => cols?.filter((x) => x.column !== c) ?? null)
          }}
          columns={columns}
          tasks={tasks ?? []}
          badColumn={errorColumn(error)}
          columnError={errorColumn(error) !== null ? error : null}
          onColumns={setColumns}
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
  columns,
  tasks,
  badColumn,
  columnError,
  onColumns,
  map,
  onMap
}: {
  preview: LabelImportPreview
  labelOptions: string[]
  delimiterChosen: boolean
  onDelimiter: (d: ',' | ';' | '\t' | undefined) => void
  onPathColumn: (c: string) => void
  columns: ColumnState[] | null
  tasks: readonly TaskInfo[]
  badColumn: number | null
  columnError: AppErrorShape | null
  onColumns: (update: (cols: ColumnState[] | null) => ColumnState[] | null) => void
  map: Record<string, string>
  onMap: (from: string, to: string) => void
}): ReactElement {
  const p = preview
  // The per-column previews line up with the ticked columns once the columns form has answered.
  const ticked = columns ?? []
  const colPreview = (c: ColumnState): LabelColumnPreview | undefined => p.columns.find((x) => x.column === c.column)
  const used = new Set([p.pathColumn, ...ticked.map((c) => c.column)])
  // CSV columns, Label Studio choice names and COCO label attributes each go to a task; a COCO file without
  // attributes (labels as categories) goes onto one task.
  const columnsForm = p.format !== 'coco' || columns !== null
  const names = p.format === 'csv' ? p.header.filter((h) => h !== p.pathColumn) : p.keys
  const update = (column: string, change: Partial<ColumnState>): void =>
    onColumns((cols) => cols?.map((c) => (c.column === column ? { ...c, ...change } : c)) ?? null)
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
          </div>
          <div className="lio-sample">
            <table className="lio-table" data-testid="labels-import-sample">
              <thead>
                <tr>
                  {p.header.map((h) => (
                    <th key={h} className={used.has(h) ? 'lio-used' : undefined}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.sample.map((row, i) => (
                  <tr key={i}>
                    {p.header.map((h, j) => (
                      <td key={h} className={used.has(h) ? 'lio-used' : undefined}>
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
      {columnsForm && (
        <>
          <h3 className="lio-h">
            {p.format === 'csv' ? 'Label columns' : p.format === 'coco' ? 'COCO attributes' : 'Label Studio choices'}
          </h3>
          <table className="lio-table lio-cols" data-testid="labels-import-columns">
            <thead>
              <tr>
                <th>{p.format === 'csv' ? 'Column' : p.format === 'coco' ? 'Attribute' : 'Choice'}</th>
                <th>Goes to</th>
                <th className="num">Will apply</th>
                <th className="num">Unmatched</th>
                <th className="num">Invalid</th>
                <th className="num">Duplicates</th>
              </tr>
            </thead>
            <tbody>
              {names.map((h) => {
                const i = ticked.findIndex((c) => c.column === h)
                const c = ticked[i]
                const cp = c ? colPreview(c) : undefined
                const bad = i >= 0 && badColumn === i
                return (
                  <tr key={h} data-testid={`labels-import-col-${h}`} className={c ? 'lio-used' : undefined}>
                    <td>
                      <label className="lio-inline">
                        <input
                          type="checkbox"
                          checked={c !== undefined}
                          data-testid={`labels-import-tick-${h}`}
                          onChange={(e) =>
                            onColumns((cols) =>
                              e.target.checked
                                ? [...(cols ?? []), columnState(h, tasks)]
                                : (cols ?? []).filter((x) => x.column !== h)
                            )
                          }
                        />
                        <span className="mono">{h}</span>
                      </label>
                    </td>
                    <td>
                      {c && (
                        <span className="lio-inline">
                          <select
                            className={`select${bad && c.target !== NEW_TASK ? ' input--invalid' : ''}`}
                            value={c.target}
                            aria-label={`Task for the column ${h}`}
                            data-testid={`labels-import-target-${h}`}
                            onChange={(e) => update(h, { target: e.target.value, map: {} })}
                          >
                            {tasks.map((t) => (
                              <option key={t.id} value={t.name}>
                                {t.name}
                              </option>
                            ))}
                            <option value={NEW_TASK}>New task…</option>
                          </select>
                          {c.target === NEW_TASK && (
                            <input
                              className={`input lio-newname${bad ? ' input--invalid' : ''}`}
                              value={c.newName}
                              placeholder="new task name"
                              aria-label={`Name of the new task for the column ${h}`}
                              data-testid={`labels-import-newname-${h}`}
                              onChange={(e) => update(h, { newName: e.target.value })}
                            />
                          )}
                        </span>
                      )}
                    </td>
                    <td className="num" data-testid={`labels-import-applied-${h}`}>
                      {cp ? count(cp.applied) : ''}
                    </td>
                    <td className={`num${cp && cp.unmatched > 0 ? ' lio-bad' : ''}`}>
                      {cp ? count(cp.unmatched) : ''}
                    </td>
                    <td
                      className={`num${cp && cp.invalid > 0 ? ' lio-bad' : ''}`}
                      data-testid={`labels-import-invalid-${h}`}
                    >
                      {cp ? count(cp.invalid) : ''}
                    </td>
                    <td className="num">{cp ? count(cp.duplicates) : ''}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          {columnError && <ErrorMessage error={columnError} title="Fix this column's choice" />}
        </>
      )}
      <div className="lio-columns">
        <div className="lio-maps">
          {columnsForm ? (
            ticked.map((c) => {
              const cp = colPreview(c)
              if (!cp) return null
              const options = cp.labels.length > 0 ? [...cp.labels, 'unsure', 'n/a'] : []
              return (
                <ValueMapping
                  key={c.column}
                  title={
                    <>
                      <span className="mono">{c.column}</span> → {cp.task}
                      {cp.newTask && <span className="lio-new"> new task</span>}
                    </>
                  }
                  values={cp.values}
                  options={options}
                  map={c.map}
                  testId={`labels-import-values-${c.column}`}
                  mapTestId={(from) => `labels-import-map-${c.column}-${from}`}
                  onMap={(from, to) => update(c.column, { map: { ...c.map, [from]: to } })}
                />
              )
            })
          ) : (
            <ValueMapping
              title="Value mapping"
              values={p.values}
              options={labelOptions}
              map={map}
              testId="labels-import-values"
              mapTestId={(from) => `labels-import-map-${from}`}
              onMap={onMap}
            />
          )}
          {columnsForm && ticked.length === 0 && (
            <p className="muted" data-testid="labels-import-no-columns">
              {names.length > 0 ? 'Tick the columns that hold labels.' : 'This file has no label choices.'}
            </p>
          )}
        </div>
        <div>
          <h3 className="lio-h">Before anything is written</h3>
          <div className="stats lio-stats">
            <Count
              label={p.columns.length > 1 ? `labels to write (${p.columns.length} tasks)` : 'will apply (faces)'}
              value={p.applied}
              testId="labels-import-applied"
            />
            <Count
              label={p.columns.length > 1 ? 'labels unmatched' : 'unmatched'}
              value={p.unmatched}
              testId="labels-import-unmatched"
              bad
            />
            <Count
              label={p.columns.length > 1 ? 'labels invalid' : 'invalid'}
              value={p.invalid}
              testId="labels-import-invalid"
              bad
            />
            <Count label="duplicate rows" value={p.duplicates} testId="labels-import-duplicates" />
          </div>
          {p.unmatchedExamples.length > 0 && (
            <Examples title="Unmatched" items={p.unmatchedExamples} testId="labels-import-unmatched-examples" />
          )}
          {p.columns
            .filter((c) => c.invalidExamples.length > 0)
            .map((c) => (
              <Examples
                key={c.column}
                title={p.columns.length > 1 ? `Invalid in ${c.column}` : 'Invalid'}
                items={c.invalidExamples}
                testId={
                  p.columns.length > 1 ? `labels-import-invalid-examples-${c.column}` : 'labels-import-invalid-examples'
                }
              />
            ))}
        </div>
      </div>
    </div>
  )
}

/** One column's distinct values and what each becomes (suggested, editable). */
function ValueMapping({
  title,
  values,
  options,
  map,
  testId,
  mapTestId,
  onMap
}: {
  title: ReactNode
  values: LabelColumnPreview['values']
  options: string[]
  map: Record<string, string>
  testId: string
  mapTestId: (from: string) => string
  onMap: (from: string, to: string) => void
}): ReactElement {
  return (
    <div className="lio-mapping" data-testid={testId}>
      <h3 className="lio-h">{title}</h3>
      <table className="lio-table lio-map">
        <thead>
          <tr>
            <th>In the file</th>
            <th>Rows</th>
            <th>Becomes</th>
          </tr>
        </thead>
        <tbody>
          {values.map((v) => (
            <tr key={v.from} data-testid="labels-import-value" data-from={v.from}>
              <td className="mono">{v.from}</td>
              <td>{count(v.rows)}</td>
              <td>
                {options.length > 0 ? (
                  <select
                    className={`select${(map[v.from] ?? v.to ?? '') === '' ? ' input--invalid' : ''}`}
                    value={map[v.from] ?? v.to ?? ''}
                    data-testid={mapTestId(v.from)}
                    onChange={(e) => onMap(v.from, e.target.value)}
                  >
                    <option value="">— not a label (invalid) —</option>
                    {options.map((l) => (
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
