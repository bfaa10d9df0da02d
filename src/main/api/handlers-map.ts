/** Handlers of the Map screen (issue 13 §2): the projection job, the stored map and its colours (app/projection.ts). */
import { mapColouring, mapProjection, startProjection } from '../app/projection'
import type { Handlers } from './handlers'

export function mapHandlers(): Pick<Handlers, 'map.start' | 'map.get' | 'map.colours'> {
  return {
    'map.start': (a, ctx) => startProjection(ctx, a).info,
    'map.get': (a, ctx) => mapProjection(ctx, a.kind, a.method),
    'map.colours': (a, ctx) => mapColouring(ctx, a)
  }
}
