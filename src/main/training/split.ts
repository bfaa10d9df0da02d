/**
 * Seeded randomness and stratified splits for the training lifecycle (prepare step).
 *
 * Everything here is deterministic: the same items, fraction and seed give the same split on every
 * machine and backend, which is what makes a model version reproducible from its metadata.
 * Nothing in src/main/training may call Math.random.
 */
import { mulberry32, type Rng } from '../analysis/random'

/**
 * Derives an independent seed for a sub-stream (e.g. "shuffle of epoch 3") so that adding a
 * consumer of randomness in one place does not shift the numbers every other place sees.
 */
/** Share of the training rows trainHead holds out for validation (tfjs-free, so main can reproduce the split). */
export const VALIDATION_FRACTION = 0.2

export function deriveSeed(seed: number, stream: string): number {
  // FNV-1a over the stream name, mixed with the seed, then one mulberry32 step to spread the bits.
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return Math.floor(mulberry32(h)() * 4294967296) >>> 0
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(array: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const tmp = array[i] as T
    array[i] = array[j] as T
    array[j] = tmp as never
  }
}

export interface SplitItem<L extends string | number = string | number> {
  id: string | number
  label: L
}

export interface Split<T> {
  train: T[]
  validation: T[]
}

/**
 * Splits `items` so that each label keeps (as nearly as rounding allows) the same share in the
 * validation part: per label, round(n_label × fraction) items go to validation.
 *
 * Items are first ordered by id inside each label, so the split does not depend on the order the
 * caller happened to query them in — only on the set of items and the seed.
 * A label with a single item keeps it in training (a class the model never sees cannot be learnt,
 * while a validation set can live without one example).
 */
export function stratifiedSplit<T extends SplitItem>(items: readonly T[], fraction: number, seed: number): Split<T> {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`fraction must be in [0, 1), got ${fraction}`)
  const byLabel = groupByLabel(items)
  const train: T[] = []
  const validation: T[] = []
  for (const [label, group] of byLabel) {
    const rng = mulberry32(deriveSeed(seed, `split:${String(label)}`))
    shuffleInPlace(group, rng)
    const nVal = group.length < 2 ? 0 : Math.min(group.length - 1, Math.round(group.length * fraction))
    validation.push(...group.slice(0, nVal))
    train.push(...group.slice(nVal))
  }
  return { train, validation }
}

/**
 * Picks a stratified evaluation set: `fraction` of each label, at least one item per label that has
 * two or more items. The caller stores the chosen ids and keeps them fixed across model versions so
 * that before/after metrics compare like with like (re-sampling after new annotations would move
 * items between the sets, so this function is meant to be called once per task).
 */
export function sampleEvaluationSet<T extends SplitItem>(items: readonly T[], fraction: number, seed: number): T[] {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction must be in (0, 1), got ${fraction}`)
  const out: T[] = []
  for (const [label, group] of groupByLabel(items)) {
    if (group.length < 2) continue
    const rng = mulberry32(deriveSeed(seed, `eval:${String(label)}`))
    shuffleInPlace(group, rng)
    const n = Math.min(group.length - 1, Math.max(1, Math.round(group.length * fraction)))
    out.push(...group.slice(0, n))
  }
  return out
}

/** Groups by label with labels and members in a canonical (sorted) order. */
function groupByLabel<T extends SplitItem>(items: readonly T[]): Map<string | number, T[]> {
  const map = new Map<string | number, T[]>()
  const sorted = [...items].sort((a, b) => compareKeys(a.id, b.id))
  for (const item of sorted) {
    const group = map.get(item.label)
    if (group) group.push(item)
    else map.set(item.label, [item])
  }
  return new Map([...map.entries()].sort((a, b) => compareKeys(a[0], b[0])))
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}
