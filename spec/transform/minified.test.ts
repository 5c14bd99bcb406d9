// Rewritten code that a minifier changed afterwards (a bundle minified by terser or swc):
// the source text here is shaped as their output, run in Node on the built runtime.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from '../../lib/transform/index.js';
import { run } from './helpers.js';

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

// Source as esbuild's and terser's minifiers write it: a keyword right before a token that is
// not a name (`else"number"`, `return[a]`, `"k"in o`). Text the rewrite put there that starts
// with a name ran into the keyword: `else"number".p^=0` became `else__zy$1 = "number", …`, an
// assignment to a global named `else__zy$1` (the `else` gone, its branch run always), which
// threw a TypeError where plain code logs "ok" (fuzz/cli.ts --through minify, seed 44110).
describe('minified source: keywords right before what the rewrite rewrites', () => {
  const bodies = [
    'var o={p:1};if(!o.p)0;else"number".p^=0;log("ok")',
    'function g(a){return[a][0]+=1}log(g(2))',
    'var o={k:1};log("k"in o,[1][0]in o,[o][0].k++in o)',
    'var a=[1];do"x".p^=0;while(0);log(a[0])',
    'function h(){throw[1][0]+=1}try{h()}catch(e){log(e)}',
    'var s=[2];switch(1){case[s][0][0]+=1:log("no");default:log(s[0])}',
    'function v(){return void[0][0]++}log(v())',
    'function t(x){return typeof[x][0]}log(t(1))',
  ];
  for (const body of bodies) {
    it(body, async () => {
      expect(await run(body, true)).toEqual(await run(body, false));
      expect(await run(`"use strict";${body}`, true)).toEqual(await run(`"use strict";${body}`, false));
    });
  }
});
