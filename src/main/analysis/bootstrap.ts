/**
 * Does a new version earn activation (issue 11 §3)? Both versions are scored on the same evaluation faces, so
 * the question is about a paired difference: resampling faces (with replacement, seeded) and recomputing the
 * mean difference each time gives its sampling distribution; the 2.5 and 97.5 percentiles are the 95 %
 * interval. A handful of evaluation faces gives a wide interval, which is the point: the user sees how little
 * "4 points worse on 24 faces" says.
 */
import { mulberry32 } from './random'

export interface PairedInterval {
  n: number
  /** mean(new − old): accuracy points as a fraction (classification) or error reduction (scores). */
  diff: number
  lo: number
  hi: number
  level: number
  resamples: number
}

export const BOOTSTRAP_RESAMPLES = 2000

/**
 * Paired bootstrap of mean(b − a) over rows, where a and b are per-row scores (higher = better; e.g. 1 when
 * correct, or −|error|).
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  opts: { resamples?: number; level?: number; seed?: number } = {}
): PairedInterval {
  const n = a.length
  if (b.length !== n) throw new RangeError(`a has ${n} rows, b ${b.length}`)
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES
  const level = opts.level ?? 0.95
  const d = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    d[i] = b[i]! - a[i]!
    sum += d[i]!
  }
  if (n === 0) return { n, diff: 0, lo: 0, hi: 0, level, resamples: 0 }
  const rng = mulberry32(opts.seed ?? 1)
  const means = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    let s = 0
    for (let i = 0; i < n; i++) s += d[Math.floor(rng() * n)]!
    means[r] = s / n
  }
  means.sort()
  const tail = (1 - level) / 2
  const at = (q: number): number => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!
  return { n, diff: sum / n, lo: at(tail), hi: at(1 - tail), level, resamples }
}

export interface ActivationVerdict extends PairedInterval {
  /** What the difference measures. */
  metric: 'accuracy' | 'mae'
  /** The version compared with (the active one when training started). */
  against: number
  /** The new version scores lower than the one it would replace (point estimate). */
  worse: boolean
}

/**
 * The verdict the Train screen states: worse when the point estimate is below zero (the interval says how sure
 * that is; "not worse" is the bar for activating by default, so a tie activates).
 */
export function activationVerdict(
  interval: PairedInterval,
  metric: 'accuracy' | 'mae',
  against: number
): ActivationVerdict {
  return { ...interval, metric, against, worse: interval.diff < 0 }
}

/** "v3 is 4 points worse than v2 on 24 faces (95 % interval −12 … +3)". */
export function verdictSentence(newVersion: number, v: ActivationVerdict): string {
  const pts = (x: number): number => Math.round(x * 100)
  const signed = (x: number): string => (x > 0 ? `+${x}` : x < 0 ? `−${-x}` : '0')
  const scale = v.metric === 'accuracy' ? pts : (x: number): number => Math.round(x * 10) / 10
  const unit = v.metric === 'accuracy' ? 'points' : 'MAE'
  const d = scale(v.diff)
  const how =
    d === 0 ? `as good as v${v.against}` : `${Math.abs(d)} ${unit} ${d > 0 ? 'better' : 'worse'} than v${v.against}`
  return `v${newVersion} is ${how} on ${v.n} faces (${Math.round(v.level * 100)} % interval ${signed(scale(v.lo))} … ${signed(scale(v.hi))})`
}
