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
    // Compiled gradients generate code with Function, and arrays run on the JavaScript
    // kernels when the page has no WebAssembly (a fresh bundle, loaded without it).
    const bare: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob, WebAssembly: undefined };
    runInNewContext(code, bare);
    const compiled = runInNewContext(
      `const g = zygote.compileGradient(new Function('x', 'return x > 0 ? 3 * x ** 2 : -x'));
       const W = zygote.array([[1, 2], [3, 4]]);
       [g(5), g(-1), g.recordings, zygote.kernels().name, zygote.gradient(new Function('zy', 'W', 'return zy.sum(zy.matmul(W, W))').bind(null, zygote), W)[0].toArray()]`,
      bare,
    ) as unknown[];
    expect(JSON.parse(JSON.stringify(compiled))).toEqual([[30], [-1], 2, 'js', [[7, 11], [9, 13]]]);
  });

  it('chooses the WebAssembly SIMD kernels where the page has WebAssembly', async () => {
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'zygote', write: false, logLevel: 'silent' });
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob, WebAssembly };
    runInNewContext(result.outputFiles[0]!.text, context);
    const out = runInNewContext(
      `const A = zygote.rand(40, 40, { seed: 1 }); const B = zygote.rand(40, 40, { seed: 2 });
       [zygote.kernels().name, zygote.sum(zygote.matmul(A, B))]`,
      context,
    ) as [string, number];
    expect(out[0]).toBe('wasm-simd');
    expect(out[1]).toBeGreaterThan(0);
  });
});
