// A bundle holds rewritten files and files that were not rewritten (a package left out of the
// plugin's `include`) in one file: a traced number converted by the latter must still be
// reported, as it is when each file is loaded on its own (lib/escapes.ts, TransformOptions.marksEnd).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { temporaryFolder } from './helpers.js';
import { build } from 'esbuild';
import zygote from '../../lib/transform/esbuild.js';
import { transform } from '../../lib/transform/index.js';

const { dir, write } = temporaryFolder('zygote-bundled-');

write('node_modules/plainpkg/package.json', '{ "name": "plainpkg", "version": "1.0.0", "type": "module", "main": "index.js" }');
write('node_modules/plainpkg/index.js', 'export function scale(x) { return x * 3; }\nexport function twice(f, x) { return f(x) * 2; }\n');
write('package.json', '{ "type": "module" }');
// Each case prints its gradient, or the error's first words.
const entry = write('main.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
import { scale, twice } from 'plainpkg';
import { own } from './own.js';
import { viaRequire } from './via-require.cjs';
const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });
const cases = {
  scale: (x) => scale(x) + x,
  twice: (x) => twice((y) => y * y, x),
  own: (x) => own(x) + x,
  formatted: (x) => (fmt.format(x).length > 0 ? x * 2 : 0) + (new Date(x).getTime() === 1.25 ? 0 : 1),
  texts: (x) => parseFloat('' + x + 'px') * x + parseFloat(String(x)) * 2 + parseFloat(\`\${Object(x)}\`),
  required: (x) => viaRequire(x),
};
const out = {};
for (const [name, f] of Object.entries(cases)) {
  try { out[name] = gradient(f, 1.25)[0]; } catch (e) { out[name] = String(e.message).slice(0, 70); }
}
out.requiredDifference = (viaRequire(1.25 + 1e-6) - viaRequire(1.25 - 1e-6)) / 2e-6;
console.log(JSON.stringify(out));
`);
write('own.js', 'export function own(x) { return x * x; }\n');
// An ES module of the program reached by `require`: the bundler initialises it lazily, and
// moves its function declarations out of that wrapper, above the module's first statement.
write('required.js', "const fmt = new Intl.NumberFormat('en');\nexport function formatted(x) { return fmt.format(x).length > 0 ? x * x : 0; }\n");
write('via-require.cjs', "const { formatted } = require('./required.js');\nexports.viaRequire = (x) => formatted(x) * 2;\n");

// A CommonJS file of the program that returns before its end, bundled before the package.
write('early-return.cjs', "exports.sq = (x) => x * x;\nif (typeof globalThis.notDefinedHere === 'undefined') return;\nexports.later = 1;\n");
const earlyEntry = write('early.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
import { sq } from './early-return.cjs';
import { scale } from 'plainpkg';
const out = {};
for (const [name, f] of Object.entries({ sq, scale: (x) => scale(x) + x })) {
  try { out[name] = gradient(f, 1.25)[0]; } catch (e) { out[name] = String(e.message).slice(0, 70); }
}
console.log(JSON.stringify(out));
`);
// An optional ES module of the program that throws as it loads, reached by a dynamic import
// that catches it, bundled before the package.
write('optional.js', "export const double = (x) => x * 2;\nif (!globalThis.notDefinedHere) throw new Error('not here');\n");
const optionalEntry = write('optional-entry.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
const optional = await import('./optional.js').catch(() => null);
const { scale } = await import('plainpkg');
const out = { optional: optional === null ? 'caught' : 'loaded' };
try { out.scale = gradient((x) => scale(x) + x, 1.25)[0]; } catch (e) { out.scale = String(e.message).slice(0, 70); }
console.log(JSON.stringify(out));
`);
// A module of the program that differentiates as it loads, reached by a dynamic import: the
// bundler initialises it lazily, and moves its function declarations up (the end's among them).
write('differentiating.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
const fmt = new Intl.NumberFormat('en');
const f = (x) => (fmt.format(x).length > 0 ? x * x : 0);
let g; try { g = gradient(f, 1.25)[0]; } catch (e) { g = String(e.message).slice(0, 70); }
export const whileLoading = g;
export const difference = (f(1.25 + 1e-6) - f(1.25 - 1e-6)) / 2e-6;
`);
const differentiatingEntry = write('differentiating-entry.js', `
const { whileLoading, difference } = await import('./differentiating.js');
console.log(JSON.stringify({ whileLoading, difference }));
`);

// A constructor's field the rewrite names as text (`touchNew(this, m, "m_")`), which a minifier
// run after the rewrite renames in the code only (esbuild's mangleProps): the instance is kept
// by a closure alone, so only that field's clean-up reaches it. Its kind is read by code that
// was not rewritten.
write('kind.js', '// @zygote-ignore\nexport const kind = (v) => typeof v;\n');
const mangledEntry = write('mangled.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
import { kind } from './kind.js';
const listeners = [];
class Body { constructor(m) { this.m_ = m; this.pair_ = [m, 2]; listeners.push(() => [this.m_, this.pair_[0]]); } }
const f = (x) => new Body(x * 2).m_ * 3;
const g = gradient(f, 1.5)[0];
console.log(JSON.stringify({ g, left: listeners[0]().map(kind) }));
`);

async function bundle(options: { minify: boolean; sourcemap?: boolean; entry?: string }): Promise<string> {
  const outfile = join(dir, `out-${options.minify ? 'min' : 'plain'}${options.sourcemap ? '-mapped' : ''}${options.entry === undefined ? '' : `-${basename(options.entry, '.js')}`}.mjs`);
  await build({
    entryPoints: [options.entry ?? entry], bundle: true, outfile, format: 'esm', platform: 'node', minify: options.minify, sourcemap: options.sourcemap ?? false,
    logLevel: 'silent', plugins: [zygote({ cache: false })],
  });
  return outfile;
}

const run = (file: string, nodeOptions: string[] = []) =>
  JSON.parse(execFileSync(process.execPath, [...nodeOptions, file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })) as Record<string, unknown>;
const lost = 'zygote-ts: code that was not rewritten for differentiation used a';

describe('a bundle whose properties a minifier renamed after the rewrite', () => {
  // The traced number stayed in the instance after the gradient, where the plain run has 3.
  it('leaves no traced number in an instance f made, kept by a closure (esbuild mangleProps)', async () => {
    const outfile = join(dir, 'out-mangled.mjs');
    await build({ entryPoints: [mangledEntry], bundle: true, outfile, format: 'esm', platform: 'node', mangleProps: /_$/, logLevel: 'silent', plugins: [zygote({ cache: false })] });
    expect(readFileSync(outfile, 'utf8')).not.toMatch(/this\.m_\b/); // (renamed: the rewrite's "m_" names nothing)
    expect(run(outfile)).toEqual({ g: 6, left: ['number', 'number'] });
  });
});

describe('a bundle of rewritten files and a package that was not rewritten', () => {
  // The bundle's file was registered as rewritten as a whole: the package's x * 3 on a traced
  // number was taken for rewritten code's (gradient 1 where it is 4, null where it is 5).
  it.each([false, true])('reports the package converting a traced number (minified: %s)', async (minify) => {
    const out = run(await bundle({ minify }));
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
    expect(out['twice']).toMatch(new RegExp(`^${lost}`));
    // the program's own files, and what they give built-ins to read, as before
    expect(out['own']).toBe(3.5);
    expect(out['formatted']).toBe(2);
    expect(out['texts']).toBe(5.5);
  });

  // An ES module reached by `require` is initialised lazily (esbuild's __esm, Rolldown's
  // __esmMin), its function declarations moved above the wrapper and so above the module's start
  // mark: their code was taken for code that was not rewritten, and Intl's format of a traced
  // number there stopped the gradient ("code that was not rewritten … used a traced number").
  it.each([[false, false], [true, false], [false, true]])('counts the functions of a module reached by require as rewritten (minified: %s, mapped: %s)', async (minify, sourcemap) => {
    const out = run(await bundle({ minify, sourcemap }), sourcemap ? ['--enable-source-maps'] : []);
    expect(out['required']).toBeCloseTo(out['requiredDifference'] as number, 6);
  });

  // A CommonJS file's top-level return skipped its end mark: its start mark stayed open, and the
  // package after it in the bundle was taken for rewritten code (gradient 1 where it is 4, silently).
  it.each([false, true])('closes the marks of a CommonJS file that returns early (minified: %s)', async (minify) => {
    const out = run(await bundle({ minify, entry: earlyEntry }));
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
    expect(out['sq']).toBe(2.5);
  });

  // A module that threw as it loaded never ran its last statement, the end mark: its start stayed
  // open, and the package after it in the bundle was taken for rewritten code (gradient 1 where it
  // is 4, silently). It marks its end as it starts too, from a function declared at its end.
  it.each([false, true])('closes the marks of a module that throws as it loads (minified: %s)', async (minify) => {
    const out = run(await bundle({ minify, entry: optionalEntry }));
    expect(out['optional']).toBe('caught');
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
  });

  // (and the end marked from where the function is declared waits until the module has loaded:
  // marked as it started, the lazily initialised module's own code, below the functions the
  // bundler moved up, was taken for code that was not rewritten while it loaded)
  it.each([false, true])('counts the code of a lazily initialised module as rewritten while it loads (minified: %s)', async (minify) => {
    const out = run(await bundle({ minify, entry: differentiatingEntry }));
    expect(out['whileLoading']).toBeCloseTo(out['difference'] as number, 6);
  });

  // Node mapping stack traces through the bundle's source map: a prologue maps to nothing, so
  // its frame named the file before it in the bundle, the package (gradient 1 where it is 4),
  // and Intl's formatting in the program's own file was taken for code that was not rewritten.
  it.each([false, true])('tells them apart where Node maps stack traces (--enable-source-maps, minified: %s)', async (minify) => {
    const out = run(await bundle({ minify, sourcemap: true }), ['--enable-source-maps']);
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
    expect(out['twice']).toMatch(new RegExp(`^${lost}`));
    expect(out['own']).toBe(3.5);
    expect(out['formatted']).toBe(2);
  });

  // terser's and swc's compress.unsafe write String(v) and v.toString() as "" + v, in the
  // runtime's own code too: its text of a traced number (a concatenation, `${Object(x)}`,
  // Traced's own Symbol.toPrimitive) became a conversion by code outside every rewritten file,
  // and stopped as the package's does. This is that rewrite of the bundle, done by hand.
  it('keeps the runtime\'s own text of a traced number where a minifier wrote String(v) as "" + v', async () => {
    const file = await bundle({ minify: false });
    const unsafe = file.replace(/\.mjs$/, '-unsafe.mjs');
    const code = readFileSync(file, 'utf8').replace(/\bString\(([\w$.]+)\)/g, '("" + $1)').replace(/\b([\w$]+)\.toString\(\)/g, '("" + $1)');
    writeFileSync(unsafe, code);
    const out = run(unsafe);
    expect(out['texts']).toBe(5.5);
    expect(out['formatted']).toBe(2);
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
  });

  // Firefox and Safari have no Error.captureStackTrace: the runtime reads the stack's text, where
  // in a bundle its own frames (the escape check, Symbol.toPrimitive) are not told apart by their
  // file. The frame under Symbol.toPrimitive is the converting code's.
  it.each([false, true])('tells them apart without Error.captureStackTrace (minified: %s)', async (minify) => {
    const without = write('no-capture.mjs', 'delete Error.captureStackTrace;\n');
    const out = run(await bundle({ minify }), ['--import', pathToFileURL(without).href]);
    expect(out['scale']).toMatch(new RegExp(`^${lost}`));
    expect(out['twice']).toMatch(new RegExp(`^${lost}`));
    expect(out['own']).toBe(3.5);
    expect(out['formatted']).toBe(2);
    expect(out['texts']).toBe(5.5);
  });

  it('marks the end of a rewritten file only when asked', () => {
    const src = 'export const f = (x) => x * x;\n// the end';
    expect(transform(src).code).not.toContain('rewritten)(1)');
    const marked = transform(src, { marksEnd: true }).code;
    expect(marked).toContain('(0, __zy.rewritten)(0, __zy$end);');
    expect(marked).toContain('\n;(0, __zy.rewritten)(1);');
    expect(marked.endsWith('\nfunction __zy$end() { (0, __zy.rewritten)(1); }')).toBe(true);
  });
});
