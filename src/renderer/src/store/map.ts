/** Map slice (issue 13 §2): the shown projection, its colouring, hover and selection. Pure state; side effects live in map-actions.ts. */
import type { MapColourBy, MapFeatureKind, MapMethod, MapProjection } from '../../../shared/domain'
import type { AppErrorShape } from '../../../shared/result'

/** A stored map decoded for drawing: ids and coordinates as typed arrays, in the same order. */
export interface MapPoints {
  meta: Omit<MapProjection, 'ids' | 'xy'>
  ids: Int32Array
  xy: Float32Array
}

export interface MapLegendEntry {
  label: string
  colour: string
  count: number
}

/** Each point's colour as an index into `palette` (the last entry is "no value"), with the legend to read it. */
export interface MapPaint {
  title: string
  type: 'category' | 'number'
  codes: Int32Array
  palette: string[]
  legend: MapLegendEntry[]
  /** Numbers: the range the ramp spans. */
  range: [number, number] | null
}

export interface MapSlice {
  mapKind: MapFeatureKind
  mapMethod: MapMethod
  /** null: none stored for this kind and method (or not loaded yet; see mapLoading). */
  mapPoints: MapPoints | null
  mapLoading: boolean
  mapError: AppErrorShape | null
  /** The projection job the screen follows. */
  mapJobId: number | null
  mapColourBy: MapColourBy | 'none'
  /** The task colours come from (label, prediction, confidence); null: the active task. */
  mapColourTask: string | null
  mapPaint: MapPaint | null
  /** Selected points, as indices into mapPoints. */
  mapSelection: number[]
  /** The selection shown as a grid instead of the map. */
  mapGrid: boolean
}

export function createMapSlice(): MapSlice {
  return {
    mapKind: 'identity',
    mapMethod: 'pca',
    mapPoints: null,
    mapLoading: false,
    mapError: null,
    mapJobId: null,
    mapColourBy: 'person',
    mapColourTask: null,
    mapPaint: null,
    mapSelection: [],
    mapGrid: false
  }
}
