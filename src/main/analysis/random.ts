/**
 * The project's one seeded PRNG. Analysis, training splits and initialisation must be reproducible run to run
 * (the same seed gives the same clusters, splits and weights on every machine), so nothing uses Math.random.
 */

/** A PRNG returning floats in [0, 1). */
export type Rng = () => number

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Not cryptographic; good enough for shuffling and initialisation, and its
 * entire state is the seed, so runs are reproducible.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal draw (Box–Muller) from a uniform rng; one value per call keeps the state easy to reason about. */
export function normal(rng: Rng): number {
  // 1 - u keeps the argument of log in (0, 1].
  const u = 1 - rng()
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
