import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Two cores: two workers keep the suite parallel without starving the databases.
export default defineConfig({
  resolve: {
    // Tests use the client from its source, as tsconfig's paths do (the package exports dist/).
    alias: [
      {
        find: /^@opencallback\/client\/(.*)$/,
        replacement: path.resolve(import.meta.dirname, 'packages/client/src/$1.ts'),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
