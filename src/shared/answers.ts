/**
 * The answers every task accepts besides its own labels, and the values that are no label at all. One
 * definition for main (storing and training), the renderer (review keys, task editor) and the CLI (CSV
 * files), so what a user may answer, what is stored and what is trained on cannot drift apart. Imports
 * nothing, so the sandboxed preload could use it too.
 */

/** Stored as exactly these strings. */
export const UNSURE = 'unsure'
export const NOT_APPLICABLE = 'not_applicable'
export type ReservedAnswer = typeof UNSURE | typeof NOT_APPLICABLE
export const RESERVED_ANSWERS: readonly ReservedAnswer[] = [UNSURE, NOT_APPLICABLE]

/** What users type for a reserved answer besides its stored form; stored as the answer it names. */
const SPELLINGS: ReadonlyMap<string, ReservedAnswer> = new Map([
  [UNSURE, UNSURE],
  [NOT_APPLICABLE, NOT_APPLICABLE],
  ['not applicable', NOT_APPLICABLE],
  ['n/a', NOT_APPLICABLE]
])

/** What label files write for a face the annotator passed over: no answer, so no label either. */
const SKIPPED = ['skip', 'skipped'] as const

/**
 * The stored form of a typed answer that is reserved (`unsure`, `not_applicable`, `not applicable`, `n/a`,
 * exactly as written), or null when `raw` is not one. A label equal to one of these could never be answered,
 * so task label sets refuse them.
 */
export function reservedAnswer(raw: string): ReservedAnswer | null {
  return SPELLINGS.get(raw.trim()) ?? null
}

/**
 * Values that are no label, compared lower-cased: a reserved answer in any spelling, or a skip. They are
 * never trained on, never scored and never form a group, wherever they come from (answers, CSV files).
 */
export const NON_LABELS: ReadonlySet<string> = new Set([...SPELLINGS.keys(), ...SKIPPED])

/** How an answer reads on screen and in messages: `not_applicable` as "not applicable", labels as they are. */
export function answerName(value: string): string {
  return value === NOT_APPLICABLE ? 'not applicable' : value
}
