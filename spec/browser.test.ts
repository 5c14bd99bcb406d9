// The library is ESM for Node and browsers: the public entry bundles for the browser with
// no Node built-ins, and the bundle differentiates in a context that has no Node globals.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/lib/index.js', import.meta.url));

describe('in a browser', () => {
  it('bundles for the browser and differentiates without Node globals', async () => {
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'zygote', write: false, logLevel: 'silent' });
    const code = result.outputFiles[0]!.text;
    // A fresh global object with what browsers have, and none of process, require, Buffer, module.
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob };
    runInNewContext(code, context);
    // Code typed into a page is not rewritten by a loader: gradient recompiles it from its source.
    const out = runInNewContext(
      `[zygote.gradient(new Function('x', 'return 3 * x ** 2 + 2 * x + 1'), 5), typeof process, typeof require]`,
      context,
    ) as unknown[];
    expect(JSON.parse(JSON.stringify(out))).toEqual([[32], 'undefined', 'undefined']);
  });
});
