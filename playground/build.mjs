// @ts-check
// Builds the playground into playground/dist/ with esbuild: the page (editor, compiler,
// pictures), the worker (zygote-ts, and culori rewritten by zygote-ts's esbuild plugin, as
// ZYGOTE_INCLUDE=culori does in Node), esbuild-wasm's .wasm and the fonts — everything the
// page loads comes from here, nothing from a CDN.
//
//   node playground/build.mjs            build
//   node playground/build.mjs --serve    build, then serve on http://localhost:8080 (PORT=…)
//   node playground/build.mjs --watch    build on every change, and serve
// zygote-ts must be built first (npm run build): the worker bundles dist/, as users get it.
import { context } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import zygote from 'zygote-ts/esbuild';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);

/** `import sources from 'virtual:examples'`: the example files, name → text. */
const examplesPlugin = {
  name: 'playground-examples',
  /** @param {import('esbuild').PluginBuild} b */
  setup(b) {
    b.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: 'examples', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, async () => {
      const dir = join(here, 'examples');
      const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
      const sources = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
      return { contents: `export default ${JSON.stringify(sources)};`, loader: 'js', watchFiles: files.map((f) => join(dir, f)), watchDirs: [dir] };
    });
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
    loader: { '.woff2': 'file', '.woff': 'file' },
    assetNames: 'fonts/[name]-[hash]',
    plugins: [examplesPlugin],
  });
  const worker = await context({
    ...common,
    entryPoints: { worker: join(here, 'src/worker/worker.ts') },
    format: 'esm', // a module worker (zygote-ts reads import.meta.url)
    // culori's files are rewritten and take `__zy` from the worker's instrumented runtime
    // (so its operations appear in the trace graph); the playground's own files never are.
    plugins: [zygote({ include: ['culori'], runtime: join(here, 'src/worker/runtime.ts'), exclude: [join(here, 'src') + '/'] })],
  });
  if (watch) {
    await Promise.all([page.watch(), worker.watch()]);
    return async () => Promise.all([page.dispose(), worker.dispose()]).then(() => undefined);
  }
  await Promise.all([page.rebuild(), worker.rebuild()]);
  await Promise.all([page.dispose(), worker.dispose()]);
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
