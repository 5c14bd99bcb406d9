// This spec file itself went through the zygote-ts Vite plugin (vitest.config.ts): its
// own functions are rewritten, and they import the same runtime instance as the package.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build, createServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { isRewritten } from '../../lib/transform/index.js';
import zygote, { type ZygoteVitePlugin } from '../../lib/transform/vite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('zygote-ts/vite', () => {
  it('rewrote this spec file', () => {
    const f = (x: number): number => x * 2;
    expect(isRewritten(f.toString())).toBe(true);
    expect(f(21)).toBe(42);
  });

  it('rewrites user modules and leaves node_modules, own files and virtual modules alone', () => {
    const plugin = zygote({ runtime: '/rt.js' });
    expect(plugin.enforce).toBe('post');
    const out = plugin.transform('export const f = (x) => x * x;', '/home/u/app/src/f.ts');
    expect(out?.code).toContain('import { __zy } from "/rt.js";');
    expect(out?.code).toContain('(typeof x === "number" ? x * x : (0, __zy.mul)(x, x))');
    expect(out?.map?.sources).toEqual(['/home/u/app/src/f.ts']);
    expect(plugin.transform('export const f = (x) => x * x;', '/home/u/app/node_modules/pkg/f.js')).toBeNull();
    expect(plugin.transform('export const f = (x) => x * x;', '\0virtual:f')).toBeNull();
    expect(plugin.transform('export const f = (x) => x * x;', '/home/u/app/src/f.ts?raw')).toBeNull();
    expect(plugin.transform('export const f = (x) => x * x;', '/home/u/app/src/f.ts?worker&v=1a2b')).toBeNull();
    expect(plugin.transform('export const s = "plain";', '/home/u/app/src/s.ts')).toBeNull();
  });

  it('rewrites included packages only', () => {
    const plugin = zygote({ include: ['pkg', '@scope/lib'], runtime: '/rt.js' });
    const src = 'export const f = (x) => x * x;';
    expect(plugin.transform(src, '/a/node_modules/pkg/f.js')).not.toBeNull();
    expect(plugin.transform(src, '/a/node_modules/@scope/lib/dist/f.js')).not.toBeNull();
    expect(plugin.transform(src, '/a/node_modules/other/f.js')).toBeNull();
    expect(zygote({ include: ['*'] }).transform(src, '/a/node_modules/other/f.js')).not.toBeNull();
    // The dev server serves files under node_modules with a version query.
    expect(plugin.transform(src, '/a/node_modules/pkg/f.js?v=d3a26af7')?.map?.sources).toEqual(['/a/node_modules/pkg/f.js']);
    expect(zygote({ exclude: ['/gen/'] }).transform(src, '/a/gen/f.js')).toBeNull();
  });

  it('keeps one copy of zygote-ts in the dev server, and hands included packages to the plugin (config hook)', () => {
    // Pre-bundled, zygote-ts would be a second runtime beside the one rewritten files import.
    const worker = { plugins: expect.any(Function) };
    expect(zygote().config()).toEqual({ optimizeDeps: { exclude: ['zygote-ts'] }, worker });
    expect(zygote({ include: ['culori', 'chroma-js'] }).config()).toEqual({
      ssr: { noExternal: ['culori', 'chroma-js'] },
      optimizeDeps: { exclude: ['zygote-ts', 'culori', 'chroma-js'] },
      test: { server: { deps: { inline: ['culori', 'chroma-js'] } } },
      worker,
    });
    expect(zygote({ include: ['*'] }).config()).toEqual({
      ssr: { noExternal: true },
      optimizeDeps: { exclude: ['zygote-ts'] },
      test: { server: { deps: { inline: true } } },
      worker,
    });
  });

  it("rewrites a Web Worker's code: served by the dev server, and bundled by vite build", async () => {
    // The dev server serves a worker's own module as `w.ts?worker_file&type=module`.
    const plugin = zygote({ runtime: '/rt.js' });
    expect(plugin.transform('export const f = (x) => x * x;', '/a/src/w.ts?worker_file&type=module')?.map?.sources).toEqual(['/a/src/w.ts']);
    expect(plugin.transform('export const f = (x) => x * x;', '/a/src/w.ts?worker_file&type=classic')).not.toBeNull();
    // vite build bundles workers with `worker.plugins` only: the plugin adds a copy of itself
    // there (after the user's own), and that copy adds none.
    const mine = { name: 'mine' };
    const plugins = zygote().config({ worker: { plugins: () => [mine] } }).worker!.plugins() as ZygoteVitePlugin[];
    expect(plugins.map((p) => p.name)).toEqual(['mine', 'zygote-ts']);
    expect(plugins[1]!.config().worker).toBeUndefined();
    // End to end: the worker chunk of a build runs rewritten (a traced 0 is falsy: `x ? x * x : 1`).
    const dir = mkdtempSync(join(tmpdir(), 'zygote-vite-worker-'));
    try {
      writeFileSync(join(dir, 'w.js'), `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};\nconst sq = (x) => (x ? x * x : 1);\nself.postMessage(gradient((x) => sq(x) * x, 2));\n`);
      writeFileSync(join(dir, 'main.js'), "export const w = new Worker(new URL('./w.js', import.meta.url), { type: 'module' });\n");
      const out = (await build({ root: dir, logLevel: 'silent', configFile: false, build: { write: false, lib: { entry: join(dir, 'main.js'), formats: ['es'] } }, plugins: [zygote({ cache: false })] })) as { output: { fileName: string; type: string; code?: string; source?: unknown }[] }[] | { output: { fileName: string; type: string; code?: string; source?: unknown }[] };
      const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
      const workerChunk = chunks.find((c) => /^assets\/w-.*\.js$/.test(c.fileName))!;
      const code = workerChunk.code ?? String(workerChunk.source);
      const posted: unknown[] = [];
      const location = { href: 'file:///worker/w.js' };
      runInNewContext(code, { self: { postMessage: (m: unknown) => posted.push(m), location }, location, process, console, WebAssembly, performance, TextEncoder, TextDecoder, URL, setTimeout, queueMicrotask });
      expect(posted).toEqual([[12]]); // d/dx x³ at 2
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("differentiates in the dev server's SSR, where zygote-ts is loaded by Node (external)", async () => {
    // The rewritten module imported the runtime by its path, which Vite's SSR evaluated itself,
    // beside the copy Node loaded for `import { gradient } from 'zygote-ts'`: "a traced number
    // from another copy of zygote-ts reached this one" (SvelteKit, Nuxt, Astro in dev).
    const dir = mkdtempSync(join(tmpdir(), 'zygote-vite-ssr-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'zygote-ts'));
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
      mkdirSync(join(dir, 'node_modules', 'cubed'));
      writeFileSync(join(dir, 'node_modules', 'cubed', 'package.json'), '{ "name": "cubed", "type": "module", "main": "index.js" }');
      writeFileSync(join(dir, 'node_modules', 'cubed', 'index.js'), 'export const cube = (x) => x * x * x;\n');
      writeFileSync(join(dir, 'app.js'), "import { gradient } from 'zygote-ts';\nimport { cube } from 'cubed';\nexport const run = () => [gradient((x) => x * x * 3, 1.5)[0], gradient((x) => cube(x) + x, 1.5)[0]];\n");
      const server = await createServer({
        root: dir, configFile: false, logLevel: 'silent', appType: 'custom', server: { middlewareMode: true, hmr: false },
        ssr: { external: ['zygote-ts'] }, // (as a dependency installed from npm is; a linked one is not)
        plugins: [zygote({ cache: false, include: ['cubed'] })], // (an included package: not external)
      });
      try {
        const app = (await server.ssrLoadModule('/app.js')) as { run: () => number[] };
        expect(app.run()).toEqual([9, 7.75]);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lowers standard decorators, which Vite 8 leaves as they are written, before the rewrite', async () => {
    // Vite 8's Oxc lowers only experimentalDecorators ones: the build stopped at the first `@`
    // ("Unexpected character '@'") where the plain build kept them for its minifier to lower.
    const dir = mkdtempSync(join(tmpdir(), 'zygote-vite-decorators-'));
    try {
      writeFileSync(join(dir, 'main.ts'), [
        `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
        'function twice(m: (this: M, x: number) => number, _: ClassMethodDecoratorContext) { return function (this: M, x: number) { return m.call(this, x) * 2; }; }',
        'class M { accessor w = 3; @twice f(x: number) { return this.w * x * x; } }',
        'const f = (x: number) => new M().f(x);',
        'console.log(JSON.stringify([f(1.5), gradient(f, 1.5)]));',
      ].join('\n'));
      await build({ root: dir, logLevel: 'silent', configFile: false, plugins: [zygote({ cache: false })], build: { outDir: join(dir, 'out'), minify: false, ssr: join(dir, 'main.ts'), rollupOptions: { output: { format: 'es', entryFileNames: 'main.mjs' } } }, ssr: { noExternal: true } });
      const code = readFileSync(join(dir, 'out', 'main.mjs'), 'utf8');
      expect(code).not.toMatch(/^\s*@twice/m);
      const run = spawnSync(process.execPath, [join(dir, 'out', 'main.mjs')], { encoding: 'utf8' });
      expect(JSON.parse(run.stdout)).toEqual([13.5, [18]]); // 2·3x², d/dx 12x
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strips the types of .cts files, which Vite leaves to Rolldown after the plugins, before the rewrite', async () => {
    // The plugin was handed lib.cts as it is written: "SyntaxError: Unexpected token" at `k: number`,
    // where the plain build (Rolldown strips .cts itself) gives 5.25 and its gradient 5.
    const dir = mkdtempSync(join(tmpdir(), 'zygote-vite-cts-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "target": "ES2022", "esModuleInterop": true } }');
      writeFileSync(join(dir, 'lib.cts'), 'const k: number = 2;\nfunction sq(x: number): number { return x * x; }\nexport = { k, sq };\n');
      writeFileSync(join(dir, 'main.ts'), [
        `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
        "import lib from './lib.cts';",
        'const f = (x: number) => x * lib.k + lib.sq(x);',
        'console.log(JSON.stringify([f(1.5), gradient(f, 1.5)]));',
      ].join('\n'));
      await build({ root: dir, logLevel: 'silent', configFile: false, plugins: [zygote({ cache: false })], build: { outDir: join(dir, 'out'), minify: false, ssr: join(dir, 'main.ts'), rollupOptions: { output: { format: 'es', entryFileNames: 'main.mjs' } } }, ssr: { noExternal: true } });
      const run = spawnSync(process.execPath, [join(dir, 'out', 'main.mjs')], { encoding: 'utf8' });
      expect(JSON.parse(run.stdout)).toEqual([5.25, [5]]); // 2x + x², d/dx 2 + 2x
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a CommonJS file its runtime by require in vite build: it runs before the runtime module', async () => {
    // Rolldown keeps a CommonJS file CommonJS and runs it where it is first imported: a program
    // importing one before zygote-ts stopped with "the zygote-ts runtime is not loaded" (the file
    // read the runtime off the global, which the runtime's module had not set yet).
    const dir = mkdtempSync(join(tmpdir(), 'zygote-vite-cjs-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "target": "ES2022", "esModuleInterop": true } }');
      writeFileSync(join(dir, 'lib.cjs'), 'function sq(x) { return x * x; }\nexports.f = function (x) { return sq(x) * 3; };\n');
      writeFileSync(join(dir, 'typed.cts'), 'const k: number = 2;\nexport = { g: (x: number): number => x * k };\n');
      // (an entry with nothing to rewrite, which imports the runtime first otherwise)
      writeFileSync(join(dir, 'main.js'), [
        "import { f } from './lib.cjs';",
        "import typed from './typed.cts';",
        `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
        'console.log([f(1.5), gradient(f, 1.5)[0], typed.g(1.5), gradient(typed.g, 1.5)[0]].join(" "));',
      ].join('\n'));
      for (const format of ['es', 'cjs'] as const) {
        const file = `main.${format === 'es' ? 'mjs' : 'cjs'}`;
        await build({ root: dir, logLevel: 'silent', configFile: false, plugins: [zygote({ cache: false })], build: { outDir: join(dir, 'out'), minify: true, ssr: join(dir, 'main.js'), rollupOptions: { output: { format, entryFileNames: file } } }, ssr: { noExternal: true } });
        const run = spawnSync(process.execPath, [join(dir, 'out', file)], { encoding: 'utf8' });
        expect([format, run.stderr.split('\n').find((l) => l.startsWith('Error')) ?? '', run.stdout.trim()]).toEqual([format, '', '6.75 9 3 2']); // 3x², d/dx 6x; 2x, d/dx 2
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks the files it rewrites in a bundle of Rolldown used without Vite, which calls no config hook', async () => {
    // (unmarked, the bundle was one rewritten file: a package left out of include converted a
    // traced number there unseen, and scale(x) + x, with the package's x * 3, had the gradient 1
    // where it is 4, with a warning only)
    const dir = mkdtempSync(join(tmpdir(), 'zygote-rolldown-'));
    try {
      mkdirSync(join(dir, 'node_modules/plainpkg'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/plainpkg/package.json'), '{ "name": "plainpkg", "version": "1.0.0", "type": "module", "main": "index.js" }');
      writeFileSync(join(dir, 'node_modules/plainpkg/index.js'), 'export function scale(x) { return x * 3; }\n');
      writeFileSync(join(dir, 'main.js'), [
        "import { scale } from 'plainpkg';",
        `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
        'const out = [];',
        'for (const f of [(x) => scale(x) + x, (x) => x * x]) { try { out.push(gradient(f, 1.5)[0]); } catch (e) { out.push(e.message.slice(0, 66)); } }',
        'console.log(JSON.stringify(out));',
      ].join('\n'));
      const { rolldown } = await import('rolldown');
      const bundle = await rolldown({ input: join(dir, 'main.js'), cwd: dir, platform: 'node', logLevel: 'silent', plugins: [zygote({ cache: false }) as never] });
      await bundle.write({ file: join(dir, 'out.mjs'), format: 'es' });
      const run = spawnSync(process.execPath, [join(dir, 'out.mjs')], { encoding: 'utf8' });
      const [scaled, own] = JSON.parse(run.stdout) as [unknown, unknown];
      expect(scaled).toMatch(/^zygote-ts: code that was not rewritten for differentiation used a /);
      expect(own).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the runtime from zygote-ts/recompile in files that call Function(…), whose bodies are rewritten at run time', () => {
    const plugin = zygote();
    const out = plugin.transform('export const f = (body) => new Function("x", body);', '/home/u/app/src/f.js');
    expect(out?.code).toMatch(/^import \{ __zy \} from ".*\/dist\/lib\/recompile\.js";/);
    expect(plugin.transform('export const f = (x) => x * x;', '/home/u/app/src/g.js')?.code).toMatch(/^import \{ __zy \} from ".*\/dist\/lib\/runtime\.js";/);
    // A runtime of the user's own is kept (its page provides the rewriter if it needs one).
    expect(zygote({ runtime: '/rt.js' }).transform('export const f = (b) => Function(b);', '/home/u/app/src/f.js')?.code).toContain('from "/rt.js"');
  });
});
