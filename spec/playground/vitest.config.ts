// The playground's end-to-end tests (a real browser): `npm run test:e2e`, and .ci/run.
// Not part of `npm test`, whose config includes only spec/**/*.test.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['spec/playground/**/*.e2e.ts'],
    globalSetup: ['spec/playground/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
