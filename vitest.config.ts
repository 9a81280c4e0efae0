import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database suites share servers; one file at a time keeps them from racing on table names.
    fileParallelism: false,
  },
});
