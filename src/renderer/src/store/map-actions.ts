/**
 * The Map screen's actions (issue 13 §2): load the stored projection of a feature kind and method, compute it
 * (a `projection` job with progress and cancel), colour it, and act on a selection: label it (one undo step),
 * show it as a grid, or review it.
 */
import type { MapColourBy, MapColouring, MapFeatureKind, MapMethod } from '../../../shared/domain'
import { plural } from '../../../shared/format'
import { useStudio } from './index'
import { onDataChanged, onProjectChange, pushToast, ReplyGate, request, sameProject } from './client'
import { onJobFinished, trackJob } from './jobs-actions'
import { createMapSlice, type MapLegendEntry, type MapPaint } from './map'

const set = useStudio.setState
const get = useStudio.getState
const mapReplies = new ReplyGate()
const paintReplies = new ReplyGate()

/** Base64 (as main encodes typed arrays) to the bytes; the renderer has no Node Buffer. */
function decodeBytes(b64: string): ArrayBuffer {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out.buffer
}

export function decodeInt32(b64: string): Int32Array {
  return new Int32Array(decodeBytes(b64))
}

export function decodeFloat32(b64: string): Float32Array {
  return new Float32Array(decodeBytes(b64))
}

/** Distinct hues for the most frequent categories; the rest share OTHER, faces without a value NONE. */
const CATEGORY_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#2f9e9e',
  '#8c6bd8',
  '#d4a017'
]
const OTHER = '#a0a0aa'
const NONE = '#c8c8d0'
/** Viridis, low to high. */
const RAMP = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725']

function paintOf(c: MapColouring): MapPaint {
  if (c.type === 'category') {
    const shown = Math.min(c.categories.length, CATEGORY_COLOURS.length)
    const rest = c.categories.length - shown
    const palette = [...CATEGORY_COLOURS.slice(0, shown), ...(rest > 0 ? [OTHER] : []), NONE]
    const noneIndex = palette.length - 1
    const src = decodeInt32(c.codes)
    const codes = new Int32Array(src.length)
    for (let i = 0; i < src.length; i++) {
      const k = src[i] as number
      codes[i] = k < 0 ? noneIndex : k < shown ? k : shown
    }
    const legend: MapLegendEntry[] = c.categories
      .slice(0, shown)
      .map((label, i) => ({ label, colour: palette[i] as string, count: c.counts[i] as number }))
    if (rest > 0)
      legend.push({
        label: `${plural(rest, 'other value')}`,
        colour: OTHER,
        count: c.counts.slice(shown).reduce((a, b) => a + b, 0)
      })
    if (c.none > 0) legend.push({ label: 'none', colour: NONE, count: c.none })
    return { title: c.title, type: 'category', codes, palette, legend, range: null }
  }
  const values = decodeFloat32(c.values)
  const codes = new Int32Array(values.length)
  const span = c.max - c.min || 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    codes[i] = Number.isNaN(v) ? RAMP.length : Math.min(RAMP.length - 1, Math.floor(((v - c.min) / span) * RAMP.length))
  }
  const legend: MapLegendEntry[] = c.none > 0 ? [{ label: 'none', colour: NONE, count: c.none }] : []
  return { title: c.title, type: 'number', codes, palette: [...RAMP, NONE], legend, range: [c.min, c.max] }
}

export function mapRamp(): readonly string[] {
  return RAMP
}

export async function loadMap(): Promise<void> {
  const { mapKind: kind, mapMethod: method, project } = get()
  if (!project) return
  const current = mapReplies.next()
  set({ mapLoading: true, mapError: null })
  const reply = await request('map.get', { kind, method }, { inline: true })
  if (!current()) return
  if (!reply.ok) {
    set({ mapLoading: false, mapError: reply.error })
    return
  }
  const v = reply.value
  if (!v) {
    set({ mapLoading: false, mapPoints: null, mapPaint: null, mapSelection: [] })
    return
  }
  const { ids, xy, ...meta } = v
  const prev = get().mapPoints
  const samePoints = prev !== null && prev.meta.key === meta.key
  set({
    mapLoading: false,
    mapPoints: { meta, ids: decodeInt32(ids), xy: decodeFloat32(xy) },
    ...(samePoints ? {} : { mapSelection: [] })
  })
  await loadPaint()
}

export async function loadPaint(): Promise<void> {
  const { mapKind: kind, mapMethod: method, mapColourBy: by, mapPoints, task, mapColourTask } = get()
  const current = paintReplies.next()
  if (!mapPoints || by === 'none') {
    set({ mapPaint: null })
    return
  }
  const reply = await request(
    'map.colours',
    { kind, method, by, ...(by === 'person' ? {} : { task: mapColourTask ?? task }) },
    { failTitle: 'Could not colour the map' }
  )
  if (!current()) return
  set({ mapPaint: reply.ok ? paintOf(reply.value) : null })
}

export function setMapView(view: { kind?: MapFeatureKind; method?: MapMethod }): void {
  set({
    ...(view.kind ? { mapKind: view.kind } : {}),
    ...(view.method ? { mapMethod: view.method } : {}),
    mapPoints: null,
    mapPaint: null,
    mapSelection: [],
    mapGrid: false
  })
  void loadMap()
}

export function setMapColour(by: MapColourBy | 'none', task?: string | null): void {
  set({ mapColourBy: by, ...(task !== undefined ? { mapColourTask: task } : {}) })
  void loadPaint()
}

export async function computeMap(): Promise<void> {
  const { mapKind: kind, mapMethod: method } = get()
  const current = sameProject()
  const reply = await request('map.start', { kind, method }, { failTitle: 'Could not start the map' })
  if (!reply.ok || !current()) return
  trackJob(reply.value)
  set({ mapJobId: reply.value.id })
}

export function setMapSelection(indices: number[]): void {
  set({ mapSelection: indices, ...(indices.length === 0 ? { mapGrid: false } : {}) })
}

export function setMapGrid(on: boolean): void {
  set({ mapGrid: on })
}

/** Face ids of the selected points. */
export function selectedFaceIds(): number[] {
  const { mapPoints, mapSelection } = get()
  if (!mapPoints) return []
  return mapSelection.map((i) => mapPoints.ids[i] as number)
}

/** Labels every selected face in one annotation action, so one Ctrl+Z takes the whole selection back. */
export async function labelSelection(task: string, value: string): Promise<boolean> {
  const ids = selectedFaceIds()
  if (ids.length === 0) return false
  const reply = await request(
    'annotations.add',
    { task, entries: [{ target: 'face', ids, value, source: 'correct' }] },
    { failTitle: 'Could not label the selection' }
  )
  if (!reply.ok) return false
  pushToast({
    kind: 'success',
    title: `Labelled ${plural(ids.length, 'face')} “${value}”`,
    message: `${task}: one step; Ctrl+Z undoes it.`
  })
  return true
}

export function registerMap(): void {
  onProjectChange(() => {
    mapReplies.drop()
    paintReplies.drop()
    set(createMapSlice())
  })
  onJobFinished((job) => {
    if (job.kind !== 'projection' || job.status !== 'done' || !job.result) return
    const { mapKind, mapMethod } = get()
    if (job.result.kind === mapKind && job.result.method === mapMethod) void loadMap()
  })
  onDataChanged((what) => {
    if (!get().mapPoints || get().screen !== 'map') return
    if (what.has('faces') || what.has('images')) void loadMap()
    else if (what.has('annotations') || what.has('persons') || what.has('versions')) void loadPaint()
  })
}
