// The size of a minimal browser app that uses zygote-ts — one file calling `gradient`,
// rewritten by the esbuild plugin and bundled by esbuild, minified, as a user builds it —
// minified and gzipped, with the inputs that weigh most. (The README's "Bundle size".)
//
//   node bench/bundle-size.js            this checkout (run `npm run build` first)
//   node bench/bundle-size.js <root>     another checkout of zygote-ts, built
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
const { default: zygote } = await import(pathToFileURL(join(root, 'dist/lib/transform/esbuild.js')).href);

const app = `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};
const f = (x) => (x > 0 ? 3 * x ** 2 + 2 * x + 1 : -x);
document.body.textContent = JSON.stringify(gradient(f, 5));
`;
const dir = mkdtempSync(join(tmpdir(), 'zygote-size-'));
try {
  const entry = join(dir, 'main.js');
  writeFileSync(entry, app);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'error',
    plugins: [zygote({ cache: false })],
  });
  const code = result.outputFiles[0].contents;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`minimal app (one gradient call), esbuild --minify: ${kb(code.length)} minified, ${kb(gzipSync(code).length)} minified+gzipped`);
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs);
  const byPackage = new Map();
  for (const [path, { bytesInOutput }] of inputs) {
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const own = relative(root, resolve(path));
    const group = inPackage ?? (own.startsWith('..') ? 'the app' : `zygote-ts ${own.split('/').slice(0, 2).join('/')}`);
    byPackage.set(group, (byPackage.get(group) ?? 0) + bytesInOutput);
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`largest parts (minified): ${top.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
