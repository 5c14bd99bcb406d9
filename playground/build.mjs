// @ts-check
// Builds the playground into playground/dist/ with esbuild: the page (editor, compiler,
// pictures), the worker (zygote-ts, and culori rewritten by zygote-ts's esbuild plugin, as
// ZYGOTE_INCLUDE=culori does in Node), the TypeScript language service's worker (loaded
// after the first run), esbuild-wasm's .wasm and the fonts — everything the page loads comes
// from here, nothing from a CDN, by relative paths: dist/ can be served from any folder.
//
//   node playground/build.mjs            build
//   node playground/build.mjs --serve    build, then serve on http://localhost:8080 (PORT=…)
//   node playground/build.mjs --watch    build on every change, and serve
// zygote-ts must be built first (npm run build): the worker bundles dist/, as users get it.
import { build as esbuild, context, transform } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import zygote from 'zygote-ts/esbuild';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);

/**
 * The examples compiled as the page compiles them (src/compile.ts, with native esbuild in
 * place of esbuild-wasm, same version and options), so that opening an example runs it
 * without waiting for the compiler to load. An example that does not compile is left to
 * the page, which reports the error.
 * @param {Record<string, string>} sources
 */
async function precompile(sources) {
  const bundle = join(tmpdir(), `zygote-playground-compile-${process.pid}-${Date.now()}.mjs`);
  await esbuild({ entryPoints: [join(here, 'src/compile.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, absWorkingDir: root, logLevel: 'error' });
  try {
    /** @type {typeof import('./src/compile.js')} */
    const { compile, STRIP_OPTIONS } = await import(pathToFileURL(bundle).href);
    /** @type {import('./src/compile.js').Strip} */
    const strip = async (code, sourcefile) => {
      const r = await transform(code, { ...STRIP_OPTIONS, sourcefile });
      return { code: r.code, map: r.map };
    };
    /** @type {Record<string, import('./src/compile.js').Compiled>} */
    const out = {};
    for (const [file, source] of Object.entries(sources)) {
      try {
        out[file] = await compile(source, strip);
      } catch {
        // the page compiles it, and shows the error
      }
    }
    return out;
  } finally {
    await rm(bundle, { force: true });
  }
}

/** `import sources, { compiled } from 'virtual:examples'`: the example files, name → text, and their compilations. */
const examplesPlugin = {
  name: 'playground-examples',
  /** @param {import('esbuild').PluginBuild} b */
  setup(b) {
    b.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: 'examples', namespace: 'virtual' }));
    b.onLoad({ filter: /^examples$/, namespace: 'virtual' }, async () => {
      const dir = join(here, 'examples');
      const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
      const sources = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
      const contents = `export default ${JSON.stringify(sources)};\nexport const compiled = ${JSON.stringify(await precompile(sources))};`;
      return { contents, loader: 'js', watchFiles: files.map((f) => join(dir, f)), watchDirs: [dir] };
    });
  },
};

/**
 * Files of a folder (recursively) whose names pass `keep`, as paths relative to it.
 * @param {string} dir
 * @param {(name: string) => boolean} keep
 * @returns {Promise<string[]>}
 */
async function filesIn(dir, keep, prefix = '') {
  /** @type {string[]} */
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...(await filesIn(join(dir, e.name), keep, `${prefix}${e.name}/`)));
    } else if (keep(e.name)) out.push(`${prefix}${e.name}`);
  }
  return out;
}

const declarations = (/** @type {string} */ name) => /\.d\.[cm]?ts$/.test(name) || name === 'package.json';

/**
 * `import files from 'virtual:type-files'`: what the TypeScript language service reads —
 * the standard library's declarations (ES only: the code runs in a worker, and its few
 * globals are declared in language-worker.ts) and the declarations of each module the
 * playground offers, placed where module resolution looks for them.
 */
const typeFilesPlugin = {
  name: 'playground-type-files',
  /** @param {import('esbuild').PluginBuild} b */
  setup(b) {
    b.onResolve({ filter: /^virtual:type-files$/ }, () => ({ path: 'type-files', namespace: 'virtual' }));
    b.onLoad({ filter: /^type-files$/, namespace: 'virtual' }, async () => {
      /** @type {Record<string, string>} */
      const files = {};
      const tsLib = dirname(require.resolve('typescript/lib/lib.d.ts'));
      for (const f of await filesIn(tsLib, (/** @type {string} */ n) => /^lib\.(es\d+|esnext|es5|decorators)[\w.]*\.d\.ts$/.test(n))) files[`/${f}`] = await readFile(join(tsLib, f), 'utf8');
      /** @type {[string, string, (name: string) => boolean][]} */
      const packages = [
        ['zygote-ts', root, (n) => n.startsWith('dist/lib/') || n === 'package.json'],
        ['@types/culori', join(root, 'node_modules', '@types/culori'), () => true],
        ['fraction.js', join(root, 'node_modules', 'fraction.js'), (n) => !n.includes('/')],
        ['complex.js', join(root, 'node_modules', 'complex.js'), (n) => !n.includes('/')],
        ['decimal.js', join(root, 'node_modules', 'decimal.js'), (n) => !n.includes('/')],
      ];
      for (const [name, dir, keep] of packages) {
        for (const f of await filesIn(dir, declarations)) if (keep(f)) files[`/node_modules/${name}/${f}`] = await readFile(join(dir, f), 'utf8');
      }
      return { contents: `export default ${JSON.stringify(files)};`, loader: 'js' };
    });
  },
};

/**
 * The page never runs TypeScript (its language service has a worker of its own), but
 * @valtown/codemirror-ts's index reaches `typescript` for two enums used only in that
 * worker: on the page it resolves to an empty stand-in, so the 4 MB compiler is not loaded twice.
 */
const noTypescriptOnThePage = {
  name: 'no-typescript-on-the-page',
  /** @param {import('esbuild').PluginBuild} b */
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'stand-in' }));
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({ contents: 'export default { ScriptElementKind: {}, DiagnosticCategory: {} };', loader: 'js' }));
  },
};

/**
 * Build into `outdir`; returns a function that stops watching (a no-op without watch).
 * @param {{ outdir?: string, watch?: boolean, minify?: boolean }} [options]
 */
export async function buildPlayground({ outdir = join(here, 'dist'), watch = false, minify = !watch } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
  await copyFile(join(dirname(require.resolve('esbuild-wasm/package.json')), 'esbuild.wasm'), join(outdir, 'esbuild.wasm'));
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    minify,
    keepNames: true, // class names are shown (Decimal, Point), and minifying would change them
    absWorkingDir: root,
    outdir,
    logLevel: 'warning',
    legalComments: 'linked',
  };
  const page = await context({
    ...common,
    entryPoints: { main: join(here, 'src/main.ts') },
    format: 'esm',
    // The language service's client is a chunk of its own, loaded after the first run.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    loader: { '.woff2': 'file', '.woff': 'file' },
    assetNames: 'fonts/[name]-[hash]',
    plugins: [examplesPlugin, noTypescriptOnThePage],
  });
  const typescript = await context({
    ...common,
    entryPoints: { 'typescript-worker': join(here, 'src/language-worker.ts') },
    format: 'esm',
    // typescript.js names Node's modules for its command-line use; in a browser it never loads them.
    external: ['fs', 'path', 'os', 'crypto', 'inspector', 'perf_hooks', 'buffer', 'source-map-support', 'node:*'],
    plugins: [typeFilesPlugin],
  });
  const worker = await context({
    ...common,
    entryPoints: { worker: join(here, 'src/worker/worker.ts') },
    format: 'esm', // a module worker (zygote-ts reads import.meta.url)
    // culori's files are rewritten and take `__zy` from the worker's instrumented runtime
    // (so its operations appear in the trace graph); the playground's own files never are.
    plugins: [zygote({ include: ['culori'], runtime: join(here, 'src/worker/runtime.ts'), exclude: [join(here, 'src') + '/'] })],
  });
  const all = [page, worker, typescript];
  if (watch) {
    await Promise.all(all.map((c) => c.watch()));
    return async () => Promise.all(all.map((c) => c.dispose())).then(() => undefined);
  }
  await Promise.all(all.map((c) => c.rebuild()));
  await Promise.all(all.map((c) => c.dispose()));
  return async () => {};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const watch = process.argv.includes('--watch');
  const started = Date.now();
  await buildPlayground({ watch });
  console.log(`playground built in ${Date.now() - started} ms → ${join('playground', 'dist')}${watch ? ' (watching for changes)' : ''}`);
  if (watch || process.argv.includes('--serve')) {
    const { url } = await serve(join(here, 'dist'), Number(process.env['PORT'] ?? 8080));
    console.log(`zygote-ts playground: ${url}  (Ctrl+C to stop)`);
  }
}
