import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Spawned CLI processes are slow on a loaded 2-core machine; a test that hangs still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Native addons (better-sqlite3, hnswlib-node, onnxruntime) are safest in forked processes.
    pool: 'forks',
    reporters: ['default', './test/helpers/unfinished-reporter.ts'],
  },
});
