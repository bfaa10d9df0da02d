/**
 * The names of the events main sends to the renderer. Imports nothing, so the sandboxed preload (which can
 * require only `electron`) can check subscriptions without bundling zod; contract.ts checks at compile time
 * that this list and its Events map name the same events.
 */
export const EVENT_NAMES = ['job.updated', 'project.changed', 'data.changed', 'menu', 'training.epoch'] as const

export type EventNameList = (typeof EVENT_NAMES)[number]

export function isEventName(name: unknown): name is EventNameList {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name)
}
