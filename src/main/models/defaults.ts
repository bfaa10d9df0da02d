/** Training defaults shared by main (job titles, progress totals) and the worker; no imports, so main stays free of tfjs. */
export const DEFAULT_EPOCHS = 50
export const DEFAULT_SEED = 1
/** Fewer rows than this cannot be split into training and validation in any useful way. */
export const MIN_TRAIN_ROWS = 4
/** Adam step size for a head trained from scratch, and for fine-tuning a warm-started one. */
export const FRESH_LEARNING_RATE = 1e-3
export const FINE_TUNE_LEARNING_RATE = 1e-4
