/** The Library grid: pages of images under a filter, loaded as the virtual grid scrolls, and the open photo. */
import { useStudio } from './index'
import { onDataChanged, onProjectChange, onReconnect, ReplyGate, request } from './client'
import { onJobFinished } from './jobs-actions'
import { createLibrarySlice, LIBRARY_PAGE, newGeneration, type LibraryFilter } from './slices'

const set = useStudio.setState
const get = useStudio.getState

const loadingPages = new Set<string>()
const pageReplies = new ReplyGate()

function resetLibrary(): void {
  loadingPages.clear()
  pageReplies.drop()
  set({ pages: {}, total: null, generation: newGeneration(), libraryError: null })
}

/** Drops cached pages but keeps `total` so the grid does not jump while it refetches. */
export function invalidateLibrary(): void {
  loadingPages.clear()
  pageReplies.drop()
  set({ pages: {}, generation: newGeneration(), libraryError: null })
  void loadPage(0)
}

export function setLibraryFilter(filter: LibraryFilter): void {
  if (get().filter === filter) return
  set({ filter })
  resetLibrary()
  void loadPage(0)
}

export async function loadPage(page: number): Promise<void> {
  const { generation, filter, project } = get()
  if (!project) return
  const key = `${generation}:${page}`
  if (loadingPages.has(key) || get().pages[page]) return
  loadingPages.add(key)
  const current = pageReplies.join()
  const reply = await request(
    'library.images',
    { offset: page * LIBRARY_PAGE, limit: LIBRARY_PAGE, filter },
    { inline: true }
  )
  loadingPages.delete(key)
  if (!current()) return
  if (!reply.ok) {
    // Shown inline in the grid; a toast per page would flood.
    set({ libraryError: reply.error })
    return
  }
  set((s) => ({ total: reply.value.total, pages: { ...s.pages, [page]: reply.value.items }, libraryError: null }))
}

/** Makes sure rows [start, end] are loaded (the virtual grid calls this with what is on screen). */
export function ensureRows(start: number, end: number): void {
  const first = Math.floor(Math.max(0, start) / LIBRARY_PAGE)
  const last = Math.floor(Math.max(0, end) / LIBRARY_PAGE)
  for (let p = first; p <= last; p++) void loadPage(p)
}

export function selectImage(id: number | null): void {
  set({ selectedImageId: id })
}

export function registerLibrary(): void {
  onProjectChange(() => {
    loadingPages.clear()
    set(createLibrarySlice())
  })
  onJobFinished((job) => {
    if (job.kind === 'import') invalidateLibrary()
  })
  onDataChanged((what) => {
    if (what.has('images') || what.has('faces')) invalidateLibrary()
  })
  onReconnect(invalidateLibrary)
}
