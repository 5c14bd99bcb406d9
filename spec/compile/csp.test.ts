// Where code from strings is refused (a page's Content Security Policy without
// 'unsafe-eval'; node --disallow-code-generation-from-strings stands in for it here),
// compileGradient cannot make its code: f runs uncompiled, and `fallback` says why. It
// threw "internal error: generated code that does not parse" on its second call.
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { fixtures, node, registerUrl } from '../packages/run.js';

it('compileGradient runs f uncompiled where code from strings is refused, saying so', () => {
  const r = node(['--disallow-code-generation-from-strings', '--import', registerUrl, join(fixtures, '../csp/compile.ts')]);
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { first: number[]; second: number[]; fallback: string; ofArray: number[]; arraysFallback: string };
  expect(out.first[0]).toBeCloseTo(Math.cos(1) * 1 + Math.sin(1), 14);
  expect(out.second[0]).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 14);
  expect(out.fallback).toMatch(/refuses to compile code from strings.*f runs uncompiled/);
  expect(out.ofArray).toEqual([2, 4, 6]);
  expect(out.arraysFallback).toMatch(/refuses to compile code from strings/);
});

it('a function that was not rewritten is said to be so, where it cannot be recompiled for that reason', () => {
  // (no loader: the function is plain code, which gradient would recompile from its source)
  const script = "import { gradient } from 'zygote-ts'; try { gradient((x) => x * 2, 3); } catch (e) { console.log(e.message); }";
  const r = node(['--disallow-code-generation-from-strings', '--input-type=module', '-e', script]);
  expect(r.stdout).toMatch(/not rewritten for differentiation, and this platform refuses to compile code from strings .*, so it cannot be recompiled here/);
});
