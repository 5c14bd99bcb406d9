// The library is ESM for Node and browsers: the public entry bundles for the browser with
// no Node built-ins, and the bundle differentiates in a context that has no Node globals.
// The source rewriter is not part of it: a page gets it by importing 'zygote-ts/recompile'.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zygote from '../lib/transform/esbuild.js';

const entry = fileURLToPath(new URL('../dist/lib/index.js', import.meta.url));
const recompile = fileURLToPath(new URL('../dist/lib/recompile.js', import.meta.url));

/** The public entry (and `extra` modules) bundled for a browser as the global `zygote`. */
async function browserBundle(...extra: string[]): Promise<string> {
  const contents = [`export * from ${JSON.stringify(entry)};`, ...extra.map((m) => `import ${JSON.stringify(m)};`)].join('\n');
  const result = await build({ stdin: { contents, resolveDir: process.cwd() }, bundle: true, platform: 'browser', format: 'iife', globalName: 'zygote', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

describe('in a browser', () => {
  it('bundles for the browser and differentiates without Node globals', async () => {
    const code = await browserBundle(recompile);
    // A fresh global object with what browsers have, and none of process, require, Buffer, module.
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob };
    runInNewContext(code, context);
    // Code typed into a page is not rewritten by a loader: with 'zygote-ts/recompile' imported,
    // gradient recompiles it from its source.
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

  // (the runtime imported immer's `freeze`, whose module reads `process.env` as it loads: in a
  // context without `process` and a bundle without a define of it, the runtime did not load)
  it("loads the runtime rewritten code imports where there is no process and no bundler's define", async () => {
    const runtime = fileURLToPath(new URL('../dist/lib/runtime.js', import.meta.url));
    const result = await build({ entryPoints: [runtime], bundle: true, platform: 'neutral', format: 'iife', globalName: 'runtime', write: false, logLevel: 'silent' });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/process\.env\.NODE_ENV/);
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder };
    runInNewContext(code, context);
    expect(runInNewContext(`[typeof runtime.__zy.add, runtime.__zy.add(2, 3), typeof process]`, context)).toEqual(['function', 5, 'undefined']);
  });

  it('leaves the source rewriter out, and says how to get it when code was not rewritten', async () => {
    const code = await browserBundle();
    expect(code).not.toMatch(/ecmaVersion|MagicString/); // acorn's options, magic-string's class
    expect(code.length).toBeLessThan((await browserBundle(recompile)).length / 1.5);
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob };
    runInNewContext(code, context);
    // No operator to rewrite: it runs as it is.
    expect(runInNewContext(`zygote.gradient(new Function('p', 'return zygote.sum(zygote.matmul(p, p))'), zygote.array([[1, 2], [3, 4]]))[0].toArray()`, context)).toEqual([[7, 11], [9, 13]]);
    // Operators, not rewritten, and nothing to recompile them with: a clear error, no null gradient.
    expect(() => runInNewContext(`zygote.gradient(new Function('x', 'return x * x'), 3)`, context)).toThrow(
      /not rewritten for differentiation, and this page cannot recompile it .*'zygote-ts\/vite'.*import 'zygote-ts\/recompile'/,
    );
    // Rewritten code (here by hand, minified, with the runtime under another name) runs.
    expect(runInNewContext(`const e = zygote.__zy; zygote.gradient((t) => typeof t=="number"?t*t:e.mul(t,t), 3)`, context)).toEqual([6]);
  });

  it('bundles the rewriter with files that build functions from strings, so their bodies are rewritten', async () => {
    // As numeric.js does: the body given to Function(…) is code, rewritten when it is built.
    const dir = mkdtempSync(join(tmpdir(), 'zygote-function-'));
    try {
      writeFileSync(join(dir, 'cube.cjs'), `module.exports = new Function('x', 'var s = 1; for (var i = 0; i < 3; i++) s *= x; return s;');`);
      writeFileSync(join(dir, 'square.mjs'), `export const square = Function('y', 'return typeof y === "number" ? y * y : -1');`);
      writeFileSync(join(dir, 'main.mjs'), `import { gradient } from ${JSON.stringify(entry)}; import cube from './cube.cjs'; import { square } from './square.mjs';
        globalThis.results = [gradient(cube, 2), gradient(square, 3)];`);
      const result = await build({ entryPoints: [join(dir, 'main.mjs')], bundle: true, minify: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent', plugins: [zygote({ cache: false })] });
      const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob };
      runInNewContext(result.outputFiles[0]!.text, context);
      expect(JSON.parse(JSON.stringify(context['results']))).toEqual([[12], [6]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the line of the program that lost a derivative, each line once, in a bundle as in Node', async () => {
    // In a bundle zygote-ts's frames share the file of the program's: the warning named the
    // runtime's own frame, the same for every place, so only the first line was warned about.
    const dir = mkdtempSync(join(tmpdir(), 'zygote-warned-'));
    try {
      writeFileSync(join(dir, 'main.mjs'), `import { gradient } from ${JSON.stringify(entry)};
        globalThis.results = [gradient((x) => x.valueOf() * x, 3), gradient((y) => y * y.valueOf(), 5)];`);
      const result = await build({ entryPoints: [join(dir, 'main.mjs')], bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent', plugins: [zygote({ cache: false })] });
      const bundle = result.outputFiles[0]!.text;
      const warnings: string[] = [];
      const context: Record<string, unknown> = { console: { ...console, warn: (m: string) => warnings.push(m) }, URL, TextEncoder, TextDecoder, btoa, atob };
      runInNewContext(bundle, context, { filename: 'http://localhost/assets/app.js' });
      // (the values: plain JavaScript's derivative of x·c for c = x, the valueOf a constant)
      expect(JSON.parse(JSON.stringify(context['results']))).toEqual([[3], [5]]);
      const lines = warnings.map((w) => /first by valueOf at http:\/\/localhost\/assets\/app\.js:(\d+):\d+\)/.exec(w)?.[1]);
      expect(lines).toHaveLength(2);
      expect(lines.map((n) => bundle.split('\n')[Number(n) - 1])).toEqual([expect.stringContaining('x.valueOf()'), expect.stringContaining('y.valueOf()')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads as an ES module from a URL with no folders (blob:, data:, about:srcdoc)', async () => {
    // A bundle loaded from a Blob, or inline in an iframe, has such an import.meta.url: the
    // library failed to load ("Invalid URL", working out its own folder from it).
    const result = await build({ stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: process.cwd() }, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    const z = (await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.text).toString('base64')}`)) as typeof import('../lib/index.js');
    expect(z.gradient((x: number) => z.__zy.mul(x, z.__zy.Math.sin(x)), 2)).toEqual([Math.sin(2) + 2 * Math.cos(2)]);
  });

  it('chooses the WebAssembly SIMD kernels where the page has WebAssembly', async () => {
    const context: Record<string, unknown> = { console, URL, TextEncoder, TextDecoder, btoa, atob, WebAssembly };
    runInNewContext(await browserBundle(), context);
    const out = runInNewContext(
      `const A = zygote.rand(40, 40, { seed: 1 }); const B = zygote.rand(40, 40, { seed: 2 });
       [zygote.kernels().name, zygote.sum(zygote.matmul(A, B))]`,
      context,
    ) as [string, number];
    expect(out[0]).toBe('wasm-simd');
    expect(out[1]).toBeGreaterThan(0);
  });
});
