// A build that leaves zygote-ts to be loaded at run time (Vite's SSR build, esbuild's
// `packages: 'external'`) must leave the runtime a rewritten file imports so too: bundled
// from its path, it was a second copy of the library beside the one the app imports, and
// every gradient of rewritten arithmetic stopped with "a traced number from another copy of
// zygote-ts" (lib/transform/bundler.ts ownSpecifier).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { temporaryFolder } from './helpers.js';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import esbuildPlugin from '../../lib/transform/esbuild.js';
import vitePlugin from '../../lib/transform/vite.js';

const { dir, write } = temporaryFolder('zygote-external-');

// zygote-ts as the app finds it in node_modules: its entry points, which are this build's.
const dist = (file: string) => JSON.stringify(new URL(`../../dist/lib/${file}`, import.meta.url).pathname);
write('package.json', '{ "type": "module" }');
write('node_modules/zygote-ts/package.json', JSON.stringify({
  name: 'zygote-ts', type: 'module', exports: { '.': './index.js', './runtime': './runtime.js', './recompile': './recompile.js' },
}));
write('node_modules/zygote-ts/index.js', `export * from ${dist('index.js')};\n`);
write('node_modules/zygote-ts/runtime.js', `export * from ${dist('runtime.js')};\n`);
write('node_modules/zygote-ts/recompile.js', `export * from ${dist('recompile.js')};\n`);
const f = (x: number): number => x * x * 3 + Math.sin(x);
const source = '(x) => x * x * 3 + Math.sin(x)'; // (f's text: this file's own is rewritten)
const entry = write('main.js', `
import { gradient } from 'zygote-ts';
const f = ${source};
let grad;
try { grad = gradient(f, 2)[0]; } catch (e) { grad = String(e.message).slice(0, 90); }
console.log(JSON.stringify(grad));
`);
const expected = (f(2 + 1e-6) - f(2 - 1e-6)) / 2e-6;
const run = (file: string): unknown => JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' }));

describe('a build that leaves zygote-ts external', () => {
  it("esbuild with packages: 'external', as ES module and CommonJS", async () => {
    for (const format of ['esm', 'cjs'] as const) {
      const outfile = join(dir, `esbuild-out.${format === 'esm' ? 'mjs' : 'cjs'}`);
      await esbuild({ entryPoints: [entry], bundle: true, platform: 'node', format, packages: 'external', outfile, logLevel: 'silent', plugins: [esbuildPlugin({ cache: false })] });
      expect(run(outfile)).toBeCloseTo(expected, 5);
    }
  });

  it("Vite's SSR build", async () => {
    await viteBuild({
      root: dir, configFile: false, logLevel: 'silent', plugins: [vitePlugin({ cache: false })],
      build: { ssr: entry, outDir: join(dir, 'vite-out'), emptyOutDir: true, minify: false },
    });
    expect(run(join(dir, 'vite-out/main.js'))).toBeCloseTo(expected, 5);
  });
});
