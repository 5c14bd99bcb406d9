// Rewritten code that a minifier changed afterwards (a bundle minified by terser or swc):
// the source text here is shaped as their output, run in Node on the built runtime.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from '../../lib/transform/index.js';

const dist = (file: string) => pathToFileURL(resolve('dist/lib', file)).href;

/** Rewrites `source`, applies `edit` to the output (the minifier's change), runs `main` after it, and returns what it prints. */
function runEdited(source: string, edit: (code: string) => string, main: string): string {
  const { code } = transform(source, { runtime: { kind: 'import', specifier: dist('runtime.js') } });
  const edited = edit(code);
  expect(edited).not.toBe(code);
  const dir = mkdtempSync(join(tmpdir(), 'zygote-minified-'));
  try {
    const file = join(dir, 'main.mjs');
    writeFileSync(file, `${edited}\nimport { gradient as __g } from ${JSON.stringify(dist('index.js'))};\n${main}\n`);
    return execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('rewritten code changed by a minifier', () => {
  // terser's and swc's `compress: { unsafe: true }` write `${x}` and String(x) as "" + x, x + "":
  // a raw `+` on a traced number, in a rewritten file. parseFloat of that text lost the
  // derivative silently (gradient 1.3 where finite differences give 2.6).
  it('keeps the text round trip of "" + x and x + ""', () => {
    const out = runEdited(
      'export function f(x) { return parseFloat(String(x)) * x; }\nexport function g(y) { return parseFloat(String(y)) * 2; }',
      (code) => code.replaceAll('String(x)', '"" + x').replaceAll('String(y)', 'y + ""'),
      'console.log(JSON.stringify([__g(f, 1.3)[0], __g(g, 1.3)[0]]));',
    );
    expect(JSON.parse(out)).toEqual([2.6, 2]);
  });
});
