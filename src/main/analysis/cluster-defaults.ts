/**
 * Clustering defaults, apart from cluster.ts so main (which stores and shows the threshold) does not load the
 * native vector index that only the worker runs.
 */

/** Euclidean distance; face-api same-person pairs are mostly below 0.5, different people above 0.6. */
export const DEFAULT_THRESHOLD = 0.5
export const DEFAULT_K = 10
