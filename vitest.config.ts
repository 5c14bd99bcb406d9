// The repo's specs run through the zygote-ts Vite plugin (built: `npm run build` first),
// so spec code is rewritten exactly as users' code is.
import { defineConfig } from 'vitest/config';
import zygote from 'zygote-ts/vite';

export default defineConfig({
  plugins: [zygote()],
  test: {
    include: ['spec/**/*.test.ts'],
    // A 2-core machine: one worker per core, forks for isolation of child-process specs.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
