/** People actions: every people.* call goes through here; replies land in the people slice. */
import type { PersonFace, PersonSummary } from '../../../shared/domain'
import { useStudio } from './index'
import { onDataChanged, onProjectChange, onUndo, pushToast, ReplyGate, request, sameProject, undoStep } from './client'
import { trackJob } from './jobs-actions'
import { createPeopleSlice, FACES_PAGE, PEOPLE_PAGE, UNASSIGNED } from './people'
import { newGeneration } from './slices'
import { plural } from '../format'

const set = useStudio.setState
const get = useStudio.getState

/** Thresholds the clustering panel previews (euclidean distance between 128-d identity descriptors). */
export const PREVIEW_THRESHOLDS = Array.from({ length: 17 }, (_, i) => Math.round((0.3 + i * 0.025) * 1000) / 1000)

// ---------------------------------------------------------------- the grid of persons

const loadingPeople = new Set<string>()
const peopleReplies = new ReplyGate()

/** Drops cached pages but keeps the total so the grid does not jump while it refetches. */
export function invalidatePeople(): void {
  loadingPeople.clear()
  peopleReplies.drop()
  set({ peoplePages: {}, peopleGeneration: newGeneration(), peopleError: null })
  void loadPeoplePage(0)
}

export async function loadPeoplePage(page: number): Promise<void> {
  const { peopleGeneration: generation, project } = get()
  if (!project) return
  const key = `${generation}:${page}`
  if (loadingPeople.has(key) || get().peoplePages[page]) return
  loadingPeople.add(key)
  const current = peopleReplies.join()
  const reply = await request('people.list', { offset: page * PEOPLE_PAGE, limit: PEOPLE_PAGE }, { inline: true })
  loadingPeople.delete(key)
  if (!current()) return
  if (!reply.ok) {
    set({ peopleError: reply.error })
    return
  }
  set((s) => ({
    peopleTotal: reply.value.total,
    peopleUnassigned: reply.value.unassigned,
    peoplePages: { ...s.peoplePages, [page]: reply.value.items },
    peopleError: null
  }))
}

export function ensurePeopleRows(start: number, end: number): void {
  const first = Math.floor(Math.max(0, start) / PEOPLE_PAGE)
  const last = Math.floor(Math.max(0, end) / PEOPLE_PAGE)
  for (let p = first; p <= last; p++) void loadPeoplePage(p)
}

export function personAt(pages: Record<number, PersonSummary[]>, index: number): PersonSummary | undefined {
  return pages[Math.floor(index / PEOPLE_PAGE)]?.[index % PEOPLE_PAGE]
}

/** Every loaded person (the pickers list these; the first page holds the 500 largest). */
export function loadedPeople(): PersonSummary[] {
  const pages = get().peoplePages
  return Object.keys(pages)
    .map(Number)
    .sort((a, b) => a - b)
    .flatMap((p) => pages[p] ?? [])
}

// ---------------------------------------------------------------- one person's page

const loadingFaces = new Set<string>()
const faceReplies = new ReplyGate()
const suggestionReplies = new ReplyGate()

export function openPerson(id: number | null): void {
  loadingFaces.clear()
  faceReplies.drop()
  suggestionReplies.drop()
  set({
    openPersonId: id,
    openPerson: null,
    personFaceTotal: 0,
    personFacePages: {},
    personGeneration: newGeneration(),
    selectedFaces: {},
    selectionAnchor: null,
    personPicker: null,
    suggestions: []
  })
  if (id === null) {
    void loadSuggestions()
    return
  }
  void loadPersonFaces(0)
  if (id !== UNASSIGNED) void loadSuggestions(id)
}

/** Refetches the open person's faces (after a change), keeping the selection of faces still there. */
export function refreshOpenPerson(): void {
  if (get().openPersonId === null) return
  loadingFaces.clear()
  faceReplies.drop()
  set({ personFacePages: {}, personGeneration: newGeneration() })
  void loadPersonFaces(0)
}

export async function loadPersonFaces(page: number): Promise<void> {
  const { personGeneration: generation, openPersonId: id } = get()
  if (id === null) return
  const key = `${generation}:${page}`
  if (loadingFaces.has(key) || get().personFacePages[page]) return
  loadingFaces.add(key)
  const current = faceReplies.join()
  const args = { offset: page * FACES_PAGE, limit: FACES_PAGE }
  let faces: PersonFace[]
  let person: PersonSummary
  if (id === UNASSIGNED) {
    const reply = await request('people.unassigned', args, { failTitle: 'Could not load the unassigned faces' })
    loadingFaces.delete(key)
    if (!reply.ok || !current()) return
    faces = reply.value.faces
    person = { id: UNASSIGNED, name: 'Unassigned faces', count: reply.value.total, coverFaceId: null, cover: null }
  } else {
    const reply = await request('people.get', { id, ...args }, { inline: true })
    loadingFaces.delete(key)
    if (!current()) return
    if (!reply.ok) {
      // The person was merged away or emptied (e.g. by another window): back to the grid.
      if (reply.error.code === 'NOT_FOUND') {
        pushToast({
          kind: 'info',
          title: 'That person is gone',
          message: 'It was merged or emptied; showing all people.'
        })
        openPerson(null)
      } else pushToast({ kind: 'error', title: 'Could not load that person', message: reply.error.message })
      return
    }
    faces = reply.value.faces
    person = reply.value.person
  }
  set((s) => {
    // Keep only selected faces that are still on the page.
    const pages = { ...s.personFacePages, [page]: faces }
    const present = new Set(Object.values(pages).flatMap((p) => p.map((f) => f.faceId)))
    const selectedFaces = Object.fromEntries(
      Object.keys(s.selectedFaces)
        .map(Number)
        .filter((f) => present.has(f))
        .map((f) => [f, true as const])
    )
    return { openPerson: person, personFaceTotal: person.count, personFacePages: pages, selectedFaces }
  })
}

export function ensurePersonFaces(start: number, end: number): void {
  const first = Math.floor(Math.max(0, start) / FACES_PAGE)
  const last = Math.floor(Math.max(0, end) / FACES_PAGE)
  for (let p = first; p <= last; p++) void loadPersonFaces(p)
}

export function faceAt(pages: Record<number, PersonFace[]>, index: number): PersonFace | undefined {
  return pages[Math.floor(index / FACES_PAGE)]?.[index % FACES_PAGE]
}

// ---------------------------------------------------------------- selection

/** Click toggles one face; shift-click selects the range from the last clicked face. */
export function clickFace(index: number, shift: boolean): void {
  const { personFacePages: pages, selectionAnchor: anchor, selectedFaces } = get()
  const face = faceAt(pages, index)
  if (!face) return
  if (shift && anchor !== null) {
    const next = { ...selectedFaces }
    const [a, b] = anchor < index ? [anchor, index] : [index, anchor]
    for (let i = a; i <= b; i++) {
      const f = faceAt(pages, i)
      if (f) next[f.faceId] = true
    }
    set({ selectedFaces: next, selectionAnchor: index })
    return
  }
  const next = { ...selectedFaces }
  if (next[face.faceId]) delete next[face.faceId]
  else next[face.faceId] = true
  set({ selectedFaces: next, selectionAnchor: index })
}

/** Selects every face of the person (loading the pages not yet seen). */
export async function selectAllFaces(): Promise<void> {
  const total = get().personFaceTotal
  const pages = Math.ceil(total / FACES_PAGE)
  await Promise.all(Array.from({ length: pages }, (_, p) => loadPersonFaces(p)))
  const all = Object.values(get().personFacePages).flatMap((p) => p.map((f) => f.faceId))
  set({ selectedFaces: Object.fromEntries(all.map((f) => [f, true as const])) })
}

export function clearSelection(): void {
  set({ selectedFaces: {}, selectionAnchor: null })
}

function selectedIds(): number[] {
  return Object.keys(get().selectedFaces).map(Number)
}

// ---------------------------------------------------------------- edits

function applyPerson(p: PersonSummary): void {
  if (get().openPersonId === p.id) set({ openPerson: p, personFaceTotal: p.count })
  invalidatePeople()
}

export async function renamePerson(id: number, name: string): Promise<boolean> {
  const trimmed = name.trim()
  const reply = await request('people.rename', { id, name: trimmed || null }, { failTitle: 'Could not rename' })
  if (!reply.ok) return false
  applyPerson(reply.value)
  if (trimmed) void loadSuggestions(id)
  return true
}

/** Merges `other` with the open person; the named one survives (the open one when both or neither are). */
export async function mergeOpenWith(other: PersonSummary): Promise<void> {
  const open = get().openPerson
  if (!open || open.id === other.id) return
  const [into, from] = !open.name && other.name ? [other, open] : [open, other]
  const reply = await request('people.merge', { into: into.id, from: from.id }, { failTitle: 'Could not merge' })
  set({ personPicker: null })
  if (!reply.ok) return
  pushToast({
    kind: 'success',
    title: 'Merged',
    message: `${nameOf(from)} joined ${nameOf(reply.value)}: now ${reply.value.count} faces.`
  })
  invalidatePeople()
  if (into.id !== open.id) openPerson(into.id)
  else {
    applyPerson(reply.value)
    refreshOpenPerson()
  }
}

export async function splitSelected(): Promise<void> {
  const id = get().openPersonId
  const faceIds = selectedIds()
  if (id === null || id === UNASSIGNED || faceIds.length === 0) return
  const reply = await request('people.split', { id, faceIds }, { failTitle: 'Could not split' })
  if (!reply.ok) return
  afterSelectionAction(
    'Split into a new person',
    `${plural(faceIds.length, 'face')} now form person #${reply.value.id}.`
  )
}

export async function moveSelected(to: PersonSummary): Promise<void> {
  const faceIds = selectedIds()
  set({ personPicker: null })
  if (faceIds.length === 0) return
  const reply = await request('people.moveFaces', { faceIds, personId: to.id }, { failTitle: 'Could not move faces' })
  if (!reply.ok) return
  afterSelectionAction('Moved', `${plural(faceIds.length, 'face')} moved to ${nameOf(reply.value)}.`)
}

export async function notThisPersonSelected(): Promise<void> {
  const personId = get().openPersonId
  const faceIds = selectedIds()
  if (personId === null || personId === UNASSIGNED || faceIds.length === 0) return
  const reply = await request('people.notThisPerson', { personId, faceIds }, { failTitle: 'Could not remove faces' })
  if (!reply.ok) return
  afterSelectionAction(
    'Not this person',
    `${plural(reply.value.removed, 'face')} removed; they won’t rejoin on re-clustering.`
  )
}

/** What every action on selected faces does once the server agreed: clear, tell, refresh. */
function afterSelectionAction(title: string, message: string): void {
  clearSelection()
  pushToast({ kind: 'success', title, message })
  refreshOpenPerson()
  invalidatePeople()
}

export function nameOf(p: { id: number; name: string | null }): string {
  return p.name || `Unnamed #${p.id}`
}

export function openPersonPicker(kind: 'merge' | 'move' | null): void {
  set({ personPicker: kind })
}

// ---------------------------------------------------------------- suggestions

export async function loadSuggestions(personId?: number): Promise<void> {
  const current = suggestionReplies.next()
  const reply = await request('people.suggestions', personId === undefined ? { limit: 30 } : { personId, limit: 30 }, {
    inline: true
  })
  // Suggestions are a side dish: no toast when they can't be computed (e.g. nobody is named yet).
  if (!reply.ok || !current()) return
  set({ suggestions: reply.value })
}

export async function answerSuggestion(faceId: number, personId: number, accept: boolean): Promise<void> {
  // Optimistic: the strip moves on at once; a failure puts nothing back but says so.
  set((s) => ({ suggestions: s.suggestions.filter((x) => !(x.faceId === faceId && x.personId === personId)) }))
  const reply = await request(
    'people.answerSuggestion',
    { faceId, personId, accept },
    { failTitle: 'Could not save that answer' }
  )
  if (!reply.ok) return
  if (get().suggestions.length < 5) {
    const open = get().openPersonId
    void loadSuggestions(open === null || open === UNASSIGNED ? undefined : open)
  }
}

// ---------------------------------------------------------------- clustering

export function setClusterPanel(open: boolean): void {
  set({ clusterPanel: open })
  if (open && !get().clusterPreview) void loadClusterPreview()
}

export function setClusterThreshold(t: number): void {
  set({ clusterThreshold: t })
}

const previewReplies = new ReplyGate()

export async function loadClusterPreview(): Promise<void> {
  set({ clusterPreviewError: null })
  const current = previewReplies.next()
  const reply = await request('people.thresholdPreview', { thresholds: PREVIEW_THRESHOLDS }, { inline: true })
  if (!current()) return
  if (!reply.ok) {
    set({ clusterPreviewError: reply.error })
    return
  }
  set({ clusterPreview: reply.value })
}

export async function startClustering(): Promise<void> {
  const threshold = get().clusterThreshold
  const current = sameProject()
  const reply = await request(
    'people.cluster',
    { threshold, mode: 'full' },
    { failTitle: 'Could not start clustering' }
  )
  if (!reply.ok || !current()) return
  set({ clusterJobId: reply.value.id })
  trackJob(reply.value)
}

// ---------------------------------------------------------------- events

/** Ctrl+Z / Ctrl+Shift+Z on the People screen: reverses merges, splits, moves and renames of this session. */
export async function undoPeople(redo = false): Promise<void> {
  const done = await undoStep(
    redo ? 'people.redo' : 'people.undo',
    redo ? 'No undone change to people to bring back.' : 'No changes to people in this session.',
    (r) => r.description
  )
  if (!done) return
  invalidatePeople()
  refreshOpenPerson()
}

function peopleDataChanged(what: ReadonlySet<string>): void {
  if (!what.has('persons') && !what.has('faces')) return
  if (get().screen !== 'people' && get().peopleTotal === null) return
  invalidatePeople()
  set({ clusterPreview: null })
  if (get().clusterPanel) void loadClusterPreview()
  refreshOpenPerson()
  const open = get().openPersonId
  void loadSuggestions(open === null || open === UNASSIGNED ? undefined : open)
}

/** The People screen mounts (or another project opens under it): load what it shows. */
export function enterPeople(): void {
  if (get().peopleTotal === null || Object.keys(get().peoplePages).length === 0) void loadPeoplePage(0)
  const open = get().openPersonId
  if (open === null) void loadSuggestions()
  else refreshOpenPerson()
}

export function registerPeople(): void {
  onProjectChange(() => {
    loadingPeople.clear()
    loadingFaces.clear()
    set(createPeopleSlice())
  })
  onDataChanged(peopleDataChanged)
  onUndo('people', undoPeople)
}
