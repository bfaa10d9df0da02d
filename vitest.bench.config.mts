import { defineConfig } from 'vitest/config'

/** `npm run bench`: benchmarks are plain Vitest files under bench/, never part of `npm test`. */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    environment: 'node',
    testTimeout: 1_800_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false
  }
})
