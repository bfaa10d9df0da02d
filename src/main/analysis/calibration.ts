/**
 * Temperature scaling (Guo et al. 2017): one scalar T dividing a classifier's logits, fitted by minimising the
 * negative log-likelihood on rows the model did not train on. It never changes which label is predicted (the
 * argmax of z / T is the argmax of z), only how confident the model says it is, so accuracy is untouched and
 * "ask when below 80 % confident" means what it says.
 *
 * Works on probabilities or log-probabilities: softmax(log p / T) = softmax(z / T), because log p and z differ
 * by a per-row constant. Pure float64 JS (a 1-D search; thousands of rows take milliseconds).
 */

export interface TemperatureFit {
  method: 'temperature'
  temperature: number
  /** Rows it was fitted on. */
  n: number
  /** Mean negative log-likelihood on those rows before and after. */
  nll_before: number
  nll_after: number
}

/** Fewer labelled rows than this and a fitted temperature is mostly noise; callers keep T = 1. */
export const MIN_CALIBRATION_ROWS = 30

const LOG_T_MIN = Math.log(0.05)
const LOG_T_MAX = Math.log(20)
/** Probabilities are floored here before the log (a hard 0 would make the NLL infinite). */
const P_FLOOR = 1e-12

/**
 * Fits T on rows × width log-probabilities (or probabilities with `input: 'probs'`) and each row's true class
 * index (−1 = skip the row). Golden-section search on log T, which the NLL is unimodal in.
 */
export function fitTemperature(
  values: ArrayLike<number>,
  width: number,
  truth: ArrayLike<number>,
  input: 'logprobs' | 'probs' = 'logprobs'
): TemperatureFit {
  const rows: number[] = []
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!
    if (t < 0 || t >= width) continue
    let finite = true
    for (let c = 0; c < width; c++) if (!Number.isFinite(values[i * width + c]!)) finite = false
    if (finite) rows.push(i)
  }
  const logp = new Float64Array(rows.length * width)
  rows.forEach((r, j) => {
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c]!
      logp[j * width + c] = input === 'probs' ? Math.log(Math.max(v, P_FLOOR)) : Math.max(v, Math.log(P_FLOOR))
    }
  })
  const target = Int32Array.from(rows, (r) => truth[r]!)
  const nll = (logT: number): number => meanNll(logp, width, target, Math.exp(logT))
  const before = nll(0)
  if (rows.length === 0) return { method: 'temperature', temperature: 1, n: 0, nll_before: 0, nll_after: 0 }
  const g = (Math.sqrt(5) - 1) / 2
  let a = LOG_T_MIN
  let b = LOG_T_MAX
  let c = b - g * (b - a)
  let d = a + g * (b - a)
  let fc = nll(c)
  let fd = nll(d)
  for (let it = 0; it < 60 && b - a > 1e-5; it++) {
    if (fc < fd) {
      b = d
      d = c
      fd = fc
      c = b - g * (b - a)
      fc = nll(c)
    } else {
      a = c
      c = d
      fc = fd
      d = a + g * (b - a)
      fd = nll(d)
    }
  }
  const logT = (a + b) / 2
  const after = nll(logT)
  // Never report a fit that is worse than leaving the model alone.
  if (!(after <= before))
    return { method: 'temperature', temperature: 1, n: rows.length, nll_before: before, nll_after: before }
  return { method: 'temperature', temperature: Math.exp(logT), n: rows.length, nll_before: before, nll_after: after }
}

function meanNll(logp: Float64Array, width: number, target: Int32Array, t: number): number {
  let total = 0
  const n = target.length
  for (let i = 0; i < n; i++) {
    let max = -Infinity
    for (let c = 0; c < width; c++) max = Math.max(max, logp[i * width + c]! / t)
    let sum = 0
    for (let c = 0; c < width; c++) sum += Math.exp(logp[i * width + c]! / t - max)
    total += -(logp[i * width + target[i]!]! / t - max - Math.log(sum))
  }
  return n > 0 ? total / n : 0
}

/**
 * Rescales rows × width probabilities in place by temperature T: p_c^(1/T) renormalised (= softmax(log p / T)).
 * T = 1 leaves them untouched. Zero probabilities stay zero (a label a version cannot predict).
 */
export function applyTemperature(probs: Float32Array | Float64Array, width: number, temperature: number): void {
  if (temperature === 1 || !(temperature > 0)) return
  const inv = 1 / temperature
  const rows = probs.length / width
  for (let i = 0; i < rows; i++) {
    let max = -Infinity
    for (let c = 0; c < width; c++) {
      const p = probs[i * width + c]!
      if (p > 0) max = Math.max(max, Math.log(p) * inv)
    }
    if (!Number.isFinite(max)) continue
    let sum = 0
    for (let c = 0; c < width; c++) {
      const p = probs[i * width + c]!
      const e = p > 0 ? Math.exp(Math.log(p) * inv - max) : 0
      probs[i * width + c] = e
      sum += e
    }
    for (let c = 0; c < width; c++) probs[i * width + c] = probs[i * width + c]! / sum
  }
}

/** The temperature a version's metadata records (metadata.calibration.temperature), or 1. */
export function temperatureOf(metadata: Record<string, unknown> | null | undefined): number {
  const c = metadata?.['calibration']
  if (!c || typeof c !== 'object') return 1
  const t = (c as Record<string, unknown>)['temperature']
  return typeof t === 'number' && t > 0 && Number.isFinite(t) ? t : 1
}
