/** Fairness actions: every fairness.* call of the Fairness screen goes through here. */
import type { CallArgs, CallName, CallResult } from '../../../shared/contract'
import type { SweepMethod } from '../../../shared/domain'
import { STRENGTH_SYMBOL } from '../../../shared/mitigation'
import type { AppErrorShape } from '../../../shared/result'
import { useStudio } from './index'
import { onProjectChange, ReplyGate, request, sameProject } from './client'
import { trackJob } from './jobs-actions'
import { navigate, setTask } from './ui-actions'
import { openPerson } from './people-actions'
import { activateVersion } from './models-actions'
import { createFairnessSlice, type FairnessSlice, type Fetched } from './fairness'

const set = useStudio.setState
const get = useStudio.getState

type FetchField =
  'fairMetrics' | 'fairComparison' | 'fairProbe' | 'fairThresholds' | 'fairApplied' | 'fairConflicts' | 'sweepReweight'

export function setFairness(patch: Partial<FairnessSlice>): void {
  set(patch)
}

const replies: Record<FetchField, ReplyGate> = {
  fairMetrics: new ReplyGate(),
  fairComparison: new ReplyGate(),
  fairProbe: new ReplyGate(),
  fairThresholds: new ReplyGate(),
  fairApplied: new ReplyGate(),
  fairConflicts: new ReplyGate(),
  sweepReweight: new ReplyGate()
}

/**
 * Calls `name` unless the field already holds (or is fetching) the answer for the same arguments. The previous
 * value stays while the new one loads, so the screen dims instead of flashing.
 */
async function fetchInto<N extends CallName>(
  field: FetchField,
  name: N,
  args: CallArgs<N>,
  force = false
): Promise<void> {
  const key = JSON.stringify([name, args])
  const cur = get()[field] as Fetched<unknown>
  if (!force && cur.key === key && (cur.value !== null || cur.loading || cur.error)) return
  const current = replies[field].next()
  set({ [field]: { ...cur, key, loading: true, error: null } } as Partial<FairnessSlice>)
  const reply = await request(name, args, { inline: true })
  if (!current()) return
  const next: Fetched<CallResult<N>> = reply.ok
    ? { key, value: reply.value, loading: false, error: null }
    : { key, value: null, loading: false, error: reply.error }
  set({ [field]: next } as Partial<FairnessSlice>)
}

function grouping(): {
  groupTask: string
  by?: string
  source: 'annotations' | 'predicted'
  minGroupSize: number
} | null {
  const s = get()
  if (!s.fairGroupTask) return null
  return {
    groupTask: s.fairGroupTask,
    ...(s.fairGroupBy && s.fairGroupBy !== s.fairGroupTask ? { by: s.fairGroupBy } : {}),
    source: s.fairSource,
    minGroupSize: s.fairMinGroup
  }
}

/** Per-group metrics of the chosen version, or its comparison with another version (deltas = shown − other). */
export function loadGroupMetrics(task: string, force = false): void {
  const g = grouping()
  if (!g) return
  const s = get()
  const version = s.fairVersion ?? 'active'
  if (s.fairCompareWith !== null)
    void fetchInto('fairComparison', 'fairness.compare', { task, a: s.fairCompareWith, b: version, ...g }, force)
  else void fetchInto('fairMetrics', 'fairness.groupMetrics', { task, version, ...g }, force)
}

export function loadProbe(task: string, force = false): void {
  const s = get()
  const attributeTask = s.fairProbeTask ?? s.fairGroupTask
  if (!attributeTask) return
  void fetchInto(
    'fairProbe',
    'fairness.biasProbe',
    { task, version: s.fairVersion ?? 'active', attributeTask, source: s.fairSource, minGroupSize: s.fairMinGroup },
    force
  )
}

export function loadThresholds(task: string, force = false): void {
  const g = grouping()
  if (!g) return
  const s = get()
  void fetchInto(
    'fairThresholds',
    'fairness.thresholds',
    {
      task,
      version: s.fairVersion ?? 'active',
      ...g,
      ...(s.fairPositive ? { positive: s.fairPositive } : {}),
      target: s.fairTarget,
      tolerance: s.fairTolerance
    },
    force
  )
}

/** What full reweighting would do by the sweep's grouping, so the form can say "all ≈ 1" before a sweep runs. */
export function loadReweightPreview(task: string, groupTask: string, force = false): void {
  void fetchInto('sweepReweight', 'fairness.reweightPreview', { task, groupTask }, force)
}

/** Fills the λ values from the validation rows (fairness.penaltyRange) and says how they were chosen. */
export async function suggestPenaltyValues(task: string): Promise<void> {
  const s = get()
  const groupTask = s.sweepGroupTask ?? s.fairGroupTask
  if (!groupTask) return
  const current = sameProject()
  const reply = await request('fairness.penaltyRange', { task, groupTask }, { inline: true })
  if (!current()) return
  if (!reply.ok) {
    set({ sweepError: reply.error })
    return
  }
  const r = reply.value
  set({
    sweepError: null,
    sweepValues: r.values.join(', '),
    sweepRangeNote: `λ from ${r.validation_rows} validation rows under v${r.version}: mean loss ${r.mean_loss.toFixed(3)}, group loss range ${r.loss_gap.toFixed(3)}; λ = ${r.scale.toPrecision(3)} makes the penalty as large as the loss.`
  })
}

/** The per-group thresholds saved on the shown version, if any. */
export function loadAppliedThresholds(task: string, force = false): void {
  void fetchInto('fairApplied', 'fairness.appliedThresholds', { task, version: get().fairVersion ?? 'active' }, force)
}

/** Saves the previewed thresholds on the shown version (re-predicting its faces when it is active). */
export async function applyThresholds(task: string): Promise<void> {
  const g = grouping()
  if (!g) return
  const s = get()
  set({ fairApplying: true })
  const current = sameProject()
  const reply = await request('fairness.applyThresholds', {
    task,
    version: s.fairVersion ?? 'active',
    ...g,
    ...(s.fairPositive ? { positive: s.fairPositive } : {}),
    target: s.fairTarget,
    tolerance: s.fairTolerance
  })
  if (!current()) return
  set({ fairApplying: false })
  if (!reply.ok) {
    set({ fairApplied: { ...get().fairApplied, error: reply.error } })
    return
  }
  loadAppliedThresholds(task, true)
}

export async function clearThresholds(task: string): Promise<void> {
  set({ fairApplying: true })
  const current = sameProject()
  const reply = await request('fairness.clearThresholds', { task, version: get().fairVersion ?? 'active' })
  if (!current()) return
  set({ fairApplying: false })
  if (!reply.ok) {
    set({ fairApplied: { ...get().fairApplied, error: reply.error } })
    return
  }
  loadAppliedThresholds(task, true)
}

export function loadConflicts(task: string, force = false): void {
  void fetchInto('fairConflicts', 'fairness.conflicts', { tasks: [task], limit: 200 }, force)
}

/** "0, 0.5, 1" → [0, 0.5, 1]; a message when the list is not usable. */
export function parseSweepValues(text: string, method: SweepMethod): number[] | string {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  if (parts.length === 0) return 'Give at least one value, e.g. 0, 0.5, 1.'
  const values: number[] = []
  for (const p of parts) {
    const v = Number(p)
    if (!Number.isFinite(v) || v < 0) return `“${p}” is not a number ≥ 0.`
    if (method === 'reweight' && v > 1) return `ω is between 0 and 1; “${p}” is not.`
    if (v > 1000) return `${STRENGTH_SYMBOL[method]} is at most 1000; “${p}” is more.`
    if (!values.includes(v)) values.push(v)
  }
  if (values.length > 20) return 'At most 20 values per sweep.'
  return values.sort((a, b) => a - b)
}

export async function startSweep(task: string): Promise<void> {
  const s = get()
  const groupTask = s.sweepGroupTask ?? s.fairGroupTask
  const values = parseSweepValues(s.sweepValues, s.sweepMethod)
  const fail = (message: string, path: string): void =>
    set({ sweepError: { code: 'BAD_ARGS', message, path } satisfies AppErrorShape })
  if (!groupTask) return fail('Choose the grouping task whose groups the mitigation balances.', 'groupTask')
  if (typeof values === 'string') return fail(values, 'values')
  set({ sweepError: null, sweepSelected: null })
  const current = sameProject()
  const reply = await request(
    'fairness.sweep',
    {
      task,
      method: s.sweepMethod,
      groupTask,
      values,
      accuracyBudget: s.sweepBudget / 100,
      minGroupSize: s.fairMinGroup,
      ...(s.sweepEpochs ? { epochs: s.sweepEpochs } : {})
    },
    { inline: true }
  )
  if (!current()) return
  if (!reply.ok) {
    set({ sweepError: reply.error })
    return
  }
  trackJob(reply.value)
  set({ sweepJobId: reply.value.id })
}

/** Activates a sweep point's version (re-predicts every face; progress in the status bar). */
export function activateSweepVersion(version: number): void {
  void activateVersion(version)
}

/** Shows a sweep point's per-group metrics on the metrics tab. */
export function openSweepVersion(version: number): void {
  set({ fairVersion: version, fairCompareWith: null, fairTab: 'metrics' })
}

/** A conflict's person page (People screen). */
export function openConflictPerson(personId: number): void {
  navigate('people')
  openPerson(personId)
}

/**
 * Review one conflict: the person whose faces disagree, opened with the conflict's task active. A conflict is
 * about one person (their label, or faces predicted unlike the rest), so the general queue — which also leaves
 * out faces already labelled through the person — was the wrong place to land.
 */
export function reviewConflict(task: string, personId: number): void {
  if (get().task !== task) setTask(task)
  openConflictPerson(personId)
}

export function registerFairness(): void {
  onProjectChange(() => set(createFairnessSlice()))
}
