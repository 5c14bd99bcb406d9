// The toolchain end-to-end tests (Vite dev and build, esbuild; Chromium; Jest):
// `npm run test:toolchains`, and .ci/run. Not part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['spec/toolchains/**/*.e2e.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
