/** Pieces the Train, Models and Compare screens share: the active task's info, versions, metric formatting. */
import { useEffect, type ReactElement, type ReactNode } from 'react'
import type { ModelVersionInfo, TaskInfo } from '../../../shared/domain'
import { useStudio } from '../store'
import { loadModelTasks, loadVersions } from '../store/models-actions'

/** The active task's TaskInfo (null while tasks load or if the task is unknown). */
export function useActiveTask(): TaskInfo | null {
  const task = useStudio((s) => s.task)
  const tasks = useStudio((s) => s.modelTasks)
  const projectDir = useStudio((s) => s.project?.dir)
  useEffect(() => {
    if (projectDir && !tasks) void loadModelTasks()
  }, [projectDir, tasks])
  return tasks?.find((t) => t.name === task) ?? null
}

/** Versions of the active task, loaded on mount and whenever the task or project changes. */
export function useVersions(): ModelVersionInfo[] | null {
  const task = useStudio((s) => s.task)
  const projectDir = useStudio((s) => s.project?.dir)
  const versionsTask = useStudio((s) => s.modelVersionsTask)
  const versions = useStudio((s) => s.modelVersions)
  useEffect(() => {
    if (projectDir) void loadVersions(task)
  }, [projectDir, task])
  return versionsTask === task ? versions : null
}

export type MetricKey = 'accuracy' | 'macro_f1' | 'ece' | 'mae' | 'rmse' | 'pcc'

export const METRICS: Record<MetricKey, { label: string; better: 'higher' | 'lower'; unit: '%' | 'score' | 'r' }> = {
  accuracy: { label: 'Accuracy', better: 'higher', unit: '%' },
  macro_f1: { label: 'Macro-F1', better: 'higher', unit: '%' },
  ece: { label: 'Calibration error (ECE)', better: 'lower', unit: '%' },
  mae: { label: 'Mean absolute error (MAE)', better: 'lower', unit: 'score' },
  rmse: { label: 'Root mean squared error (RMSE)', better: 'lower', unit: 'score' },
  pcc: { label: 'Pearson correlation', better: 'higher', unit: 'r' }
}

export function formatMetric(key: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const unit = METRICS[key as MetricKey]?.unit
  if (unit === '%') return `${(value * 100).toFixed(1)} %`
  if (unit === 'r') return value.toFixed(3)
  return value.toFixed(2)
}

/** A signed delta in the metric's unit ("+3.2 pp", "−0.41"). */
export function formatDelta(key: string, delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '—'
  const unit = METRICS[key as MetricKey]?.unit
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±'
  const abs = Math.abs(delta)
  if (unit === '%') return `${sign}${(abs * 100).toFixed(1)} pp`
  if (unit === 'r') return `${sign}${abs.toFixed(3)}`
  return `${sign}${abs.toFixed(2)}`
}

/** 'better' | 'worse' | 'same' for a delta (b − a) of a metric; tiny changes count as the same. */
export function deltaTone(key: string, delta: number | null | undefined): 'better' | 'worse' | 'same' {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return 'same'
  const eps = METRICS[key as MetricKey]?.unit === 'score' ? 0.005 : 0.0005
  if (Math.abs(delta) < eps) return 'same'
  const higher = METRICS[key as MetricKey]?.better !== 'lower'
  return delta > 0 === higher ? 'better' : 'worse'
}

/** The one number a version is known by: accuracy for classification, MAE for scores. */
export function headlineOf(v: Pick<ModelVersionInfo, 'headline'>): { key: MetricKey; value: number | null } | null {
  const h = v.headline
  if (!h) return null
  if ('accuracy' in h) return { key: 'accuracy', value: h.accuracy ?? null }
  if ('mae' in h) return { key: 'mae', value: h.mae ?? null }
  return null
}

export function versionName(v: number): string {
  return `v${v}`
}

export function shortDate(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function mitigationText(m: ModelVersionInfo['mitigation']): string {
  if (!m || m.method === 'none') return 'none'
  // Records name the strength by its symbol (fairness/mitigation.ts): omega, lambda or eta.
  const strength = m.params.omega ?? m.params.lambda ?? m.params.eta ?? m.params.strength
  const symbol = m.method === 'reweight' ? 'ω' : m.method === 'penalty' ? 'λ' : m.method === 'dro' ? 'η' : ''
  const groupTask = m.params.group_task ?? m.params.groupTask
  const group = typeof groupTask === 'string' ? ` by ${groupTask}` : ''
  return `${m.method}${typeof strength === 'number' ? ` ${symbol} = ${strength}` : ''}${group}`
}

/** Screen header shared by the three screens: title, the task it is about, and actions on the right. */
export function ModelsHeader({
  title,
  task,
  children
}: {
  title: string
  task: string
  children?: ReactNode
}): ReactElement {
  return (
    <header className="screen__header">
      <h1>{title}</h1>
      <span className="screen__subtitle">
        task <strong className="mono">{task}</strong>
      </span>
      <span className="screen__spacer" />
      {children}
    </header>
  )
}
