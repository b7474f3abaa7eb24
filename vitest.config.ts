import { defineConfig } from 'vitest/config';

// Two cores: two workers keep the suite parallel without starving the databases.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
