/** Review actions: tasks, the ask-when-unsure queue, answering a card, undo/redo and a face's history. */
import type { CallArgs } from '../../../shared/contract'
import type { ReviewCard, ReviewFace, TaskInfo } from '../../../shared/domain'
import { useStudio } from './index'
import { onDataChanged, onProjectChange, onUndo, pushToast, ReplyGate, request, sameProject, undoStep } from './client'
import { plural } from '../format'
import { createReviewSlice, scopeFields, type ReviewGroupBy, type ReviewScope } from './review'

const set = useStudio.setState
const get = useStudio.getState

export const CARD_SIZE = 24
const CARDS = 10

// ---------------------------------------------------------------- tasks

export async function loadTasks(): Promise<void> {
  if (!get().project) return
  const current = sameProject()
  const reply = await request('tasks.list', {}, { failTitle: 'Could not list the tasks' })
  if (!reply.ok || !current()) return
  set({ tasks: reply.value })
  // The active task was deleted or belongs to another project: fall back to the first one.
  const names = reply.value.map((t) => t.name)
  if (names.length && !names.includes(get().task)) set({ task: names[0] })
}

export function activeTask(): TaskInfo | undefined {
  const { tasks, task } = get()
  return tasks?.find((t) => t.name === task)
}

export async function createTask(
  args: CallArgs<'tasks.create'>
): Promise<{ ok: true } | { ok: false; message: string; path?: string }> {
  const reply = await request('tasks.create', args, { inline: true })
  if (!reply.ok) return { ok: false, message: reply.error.message, path: reply.error.path }
  await loadTasks()
  set({ task: reply.value.name })
  pushToast({ kind: 'success', title: `Task “${reply.value.name}” created`, message: 'It is now the active task.' })
  return { ok: true }
}

// ---------------------------------------------------------------- queue

/** Faces skipped this session (per task): they stay unlabelled but are not asked again until reload. */
const skipped = new Map<string, Set<number>>()
/** Faces answered but maybe still in a queue reply that was already on its way. */
let answered = new Set<number>()
const queueReplies = new ReplyGate()

function skippedOf(task: string): Set<number> {
  let s = skipped.get(task)
  if (!s) skipped.set(task, (s = new Set()))
  return s
}

function cleanCards(cards: ReviewCard[], task: string): ReviewCard[] {
  const skip = skippedOf(task)
  return cards
    .map((c) => ({ ...c, faces: c.faces.filter((f) => !skip.has(f.faceId) && !answered.has(f.faceId)) }))
    .filter((c) => c.faces.length > 0)
}

/** A threshold change waiting for the slider to settle (see scheduleFresh). */
let freshTimer: ReturnType<typeof setTimeout> | null = null

/** Fetches the queue. `fresh`: the view changed (task, threshold, grouping) and the current card starts over. */
export async function loadQueue(fresh = false): Promise<void> {
  const { task, reviewBelow, reviewGroupBy, reviewScope, project } = get()
  if (!project) return
  // This fetch already uses the current threshold: a debounced one still pending would only reload the
  // same queue and blank the card the user may have started on.
  if (freshTimer) {
    clearTimeout(freshTimer)
    freshTimer = null
    fresh = true
  }
  const current = queueReplies.next()
  set({
    reviewLoading: true,
    ...(fresh ? { reviewCards: [], reviewMarked: {}, reviewFocus: 0, reviewRemaining: null } : {})
  })
  const skippedCount = skippedOf(task).size
  // Score tasks have no confidence (a threshold would hide every face) and no shared predicted label to group
  // by (43.7 vs 43.8): their cards go by person, unfiltered.
  const score = activeTask()?.kind === 'score'
  const reply = await request(
    'review.queue',
    {
      task,
      below: reviewBelow >= 1 || score ? undefined : reviewBelow,
      groupBy: score ? 'person' : reviewGroupBy,
      cards: Math.min(100, CARDS + Math.ceil(skippedCount / CARD_SIZE)),
      cardSize: CARD_SIZE,
      ...scopeFields(reviewScope)
    },
    { inline: true }
  )
  if (!current()) return
  if (!reply.ok) {
    set({ reviewLoading: false, reviewError: reply.error })
    return
  }
  answered = new Set()
  const cards = cleanCards(reply.value.cards, task)
  set((s) => {
    const prev = s.reviewCards[0]
    const next = cards[0]
    const same = !!prev && !!next && prev.key === next.key
    // Keep marks and focus on a card that is still the current one (a refetch must not undo work in progress).
    const marked = same
      ? Object.fromEntries(
          Object.entries(s.reviewMarked).filter(([id]) => next.faces.some((f) => f.faceId === Number(id)))
        )
      : {}
    return {
      reviewLoading: false,
      reviewError: null,
      reviewCards: cards,
      reviewRemaining: reply.value.remaining,
      reviewMarked: marked,
      reviewFocus: same ? Math.min(s.reviewFocus, next.faces.length - 1) : 0
    }
  })
  focusChanged()
}

export function currentCard(): ReviewCard | undefined {
  return get().reviewCards[0]
}

/** The label a card asks about: its predicted label, or the most common prediction of its faces (person cards). */
export function cardLabel(card: ReviewCard): string | null {
  if (card.label) return card.label
  const votes = new Map<string, number>()
  for (const f of card.faces) if (f.predicted) votes.set(f.predicted, (votes.get(f.predicted) ?? 0) + 1)
  let best: string | null = null
  let n = 0
  for (const [k, v] of votes)
    if (v > n) {
      best = k
      n = v
    }
  return best
}

export function setReviewBelow(below: number): void {
  // Loading from the first change on, not after the debounce, so nobody acts on cards about to be replaced.
  set({ reviewBelow: below, reviewLoading: true })
  scheduleFresh()
}

export function setReviewScope(scope: ReviewScope): void {
  set({ reviewScope: scope })
  void loadQueue(true)
}

/** Review only these faces (a Map selection); the scope picker names them `name`. */
export function reviewFaces(faceIds: number[], name: string): void {
  setReviewScope({ kind: 'faces', faceIds, name })
}

export function setReviewGroupBy(groupBy: ReviewGroupBy): void {
  set({ reviewGroupBy: groupBy })
  void loadQueue(true)
}

function scheduleFresh(): void {
  if (freshTimer) clearTimeout(freshTimer)
  freshTimer = setTimeout(() => {
    freshTimer = null
    void loadQueue(true)
  }, 200)
}

// ---------------------------------------------------------------- answering

function advance(card: ReviewCard): void {
  set((s) => ({
    reviewCards: s.reviewCards.filter((c) => c !== card),
    reviewMarked: {},
    reviewFocus: 0
  }))
  focusChanged()
}

export function skipCard(): void {
  const card = currentCard()
  if (!card) return
  const skip = skippedOf(get().task)
  for (const f of card.faces) skip.add(f.faceId)
  set((s) => ({ reviewSkipped: s.reviewSkipped + card.faces.length }))
  advance(card)
  if (get().reviewCards.length < 3) void loadQueue()
}

function sourceFor(face: ReviewFace, value: string): 'confirm' | 'correct' {
  return face.predicted !== null && face.predicted === value ? 'confirm' : 'correct'
}

/** Stores the card as one undo step: unmarked faces get `value` (null: each its own prediction), marked faces their label. */
async function submit(card: ReviewCard, value: string | null): Promise<void> {
  const task = activeTask()
  if (!task) return
  const marked = get().reviewMarked
  const pending = card.faces.findIndex((f) => marked[f.faceId] === null)
  if (pending >= 0) {
    set({ reviewFocus: pending })
    focusChanged()
    pushToast({
      kind: 'info',
      title: 'One face still needs its label',
      message: 'Press its label key (1–9, u or n), or x again to unmark it.'
    })
    return
  }
  const groups = new Map<string, { value: string; source: 'confirm' | 'correct'; ids: number[] }>()
  const add = (faceId: number, v: string, source: 'confirm' | 'correct'): void => {
    const key = `${v}\u0000${source}`
    const g = groups.get(key) ?? { value: v, source, ids: [] }
    g.ids.push(faceId)
    groups.set(key, g)
  }
  const personLevel = task.level === 'person' && card.personId !== null
  let personValue: string | null = null
  for (const f of card.faces) {
    const m = marked[f.faceId]
    if (typeof m === 'string') add(f.faceId, m, 'correct')
    else {
      const v = value ?? f.predicted
      if (v === null) continue
      if (personLevel) personValue = v
      else add(f.faceId, v, sourceFor(f, v))
    }
  }
  const entries: CallArgs<'annotations.add'>['entries'] = [...groups.values()].map((g) => ({
    target: 'face' as const,
    ids: g.ids,
    value: g.value,
    source: g.source
  }))
  if (personLevel && personValue !== null && card.personId !== null)
    entries.push({ target: 'person', ids: [card.personId], value: personValue, source: 'person' })
  if (entries.length === 0) {
    pushToast({
      kind: 'info',
      title: 'Nothing to confirm',
      message: 'The model has no prediction for these faces yet. Press a label key to label the whole card.'
    })
    return
  }
  const n = entries.reduce((a, e) => a + e.ids.length, 0)
  // Optimistic: the next card shows at once; a failure is shown and the queue refetched.
  for (const f of card.faces) answered.add(f.faceId)
  advance(card)
  set((s) => ({
    reviewAnswered: s.reviewAnswered + n,
    reviewRemaining: Math.max(0, (s.reviewRemaining ?? 0) - card.faces.length)
  }))
  const reply = await request(
    'annotations.add',
    { task: task.name, entries },
    { failTitle: 'Could not save the answers' }
  )
  if (!reply.ok) answered = new Set()
  void loadUndoState()
  void loadQueue()
}

/** Enter: the card is right as it stands (unmarked faces get the card's label; for score tasks each its prediction). */
export function confirmCard(): void {
  const card = currentCard()
  if (!card) return
  const task = activeTask()
  void submit(card, task?.kind === 'score' ? null : cardLabel(card))
}

/**
 * A label key (1–9, u, n, or a typed score): labels the face waiting for one (marked with x); with no face
 * waiting, answers the whole card with that label.
 */
export function labelKey(value: string): void {
  const card = currentCard()
  if (!card) return
  const { reviewMarked: marked, reviewFocus: focus } = get()
  const focused = card.faces[focus]
  const waiting =
    focused && marked[focused.faceId] === null ? focused : card.faces.find((f) => marked[f.faceId] === null)
  if (waiting) {
    set({ reviewMarked: { ...marked, [waiting.faceId]: value } })
    return
  }
  void submit(card, value)
}

/** x / Delete / click: mark the focused face wrong (it then waits for its label), or unmark it. */
export function toggleMark(index?: number): void {
  const card = currentCard()
  if (!card) return
  const i = index ?? get().reviewFocus
  const face = card.faces[i]
  if (!face) return
  const marked = { ...get().reviewMarked }
  if (face.faceId in marked) delete marked[face.faceId]
  else marked[face.faceId] = null
  set({ reviewMarked: marked, reviewFocus: i })
  focusChanged()
}

export function unmarkWaiting(): boolean {
  const marked = get().reviewMarked
  const waiting = Object.entries(marked).filter(([, v]) => v === null)
  if (!waiting.length) return false
  set({ reviewMarked: Object.fromEntries(Object.entries(marked).filter(([, v]) => v !== null)) })
  return true
}

export function setFocus(index: number): void {
  const card = currentCard()
  if (!card) return
  const i = Math.max(0, Math.min(card.faces.length - 1, index))
  if (i === get().reviewFocus) return
  set({ reviewFocus: i })
  focusChanged()
}

export function setReviewHelp(open: boolean): void {
  set({ reviewHelp: open })
}

// ---------------------------------------------------------------- undo / redo

export async function loadUndoState(): Promise<void> {
  if (!get().project) return
  const current = sameProject()
  const reply = await request('annotations.undoState', {}, { inline: true })
  if (reply.ok && current()) set({ undoLabel: reply.value.undo, redoLabel: reply.value.redo })
}

export async function undoAnnotation(redo = false): Promise<void> {
  if (!get().project) return
  const done = await undoStep(
    redo ? 'annotations.redo' : 'annotations.undo',
    redo ? 'No undone answer to bring back.' : 'No answers recorded yet in this project.',
    (r) => `${r.description} (${plural(r.changes.length, 'change')})`
  )
  if (!done) return
  answered = new Set()
  void loadUndoState()
  if (get().screen === 'review') void loadQueue()
  const h = get().historyFaceId
  if (h !== null) void loadHistory(h)
}

// ---------------------------------------------------------------- history

let historyTimer: ReturnType<typeof setTimeout> | null = null
const historyReplies = new ReplyGate()

/** The history panel follows the focused face (debounced: holding an arrow key must not flood main). */
function focusChanged(): void {
  const card = currentCard()
  const face = card?.faces[get().reviewFocus]
  if (!face) {
    if (historyTimer) clearTimeout(historyTimer)
    set({ historyFaceId: null, history: null })
    return
  }
  // Same face: keep a load still pending (clearing it here left the panel on "…" for good).
  if (face.faceId === get().historyFaceId) return
  if (historyTimer) clearTimeout(historyTimer)
  set({ historyFaceId: face.faceId, history: null })
  historyTimer = setTimeout(() => void loadHistory(face.faceId), 120)
}

export async function loadHistory(faceId: number): Promise<void> {
  const current = historyReplies.next()
  const reply = await request('annotations.history', { faceId }, { inline: true })
  if (!current() || get().historyFaceId !== faceId) return
  set({ history: reply.ok ? reply.value : [] })
}

// ---------------------------------------------------------------- events

/** The Review screen mounts (or the task or the project changes): load the queue. */
export async function enterReview(): Promise<void> {
  void loadUndoState()
  // The queue's arguments depend on the task's kind.
  if (!get().tasks) await loadTasks()
  void loadQueue(true)
}

function reviewDataChanged(what: ReadonlySet<string>): void {
  if (what.has('tasks')) void loadTasks()
  if (get().screen !== 'review') return
  if (what.has('annotations') || what.has('versions') || what.has('faces') || what.has('persons')) {
    void loadQueue()
    void loadUndoState()
    const h = get().historyFaceId
    if (h !== null && what.has('annotations')) void loadHistory(h)
  }
}

export function registerReview(): void {
  onProjectChange(() => {
    skipped.clear()
    answered = new Set()
    if (freshTimer) clearTimeout(freshTimer)
    freshTimer = null
    if (historyTimer) clearTimeout(historyTimer)
    set(createReviewSlice())
  })
  onDataChanged(reviewDataChanged)
  // Answers persist in the project, so Ctrl+Z on every screen without its own stack undoes the last answer.
  onUndo('elsewhere', undoAnnotation)
}
