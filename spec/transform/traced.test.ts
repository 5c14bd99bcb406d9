// Rewritten code given a traced number answers as plain code given the number: each
// function of x below is compiled from its text exactly as written (the spec files
// themselves are printed by esbuild first, which drops parentheses and such), rewritten
// as a loaded file is (two bodies) and as the API recompiles a function (one), and
// differentiated at `at`: its value must be the plain function's, its derivative the
// plain function's central finite difference. Each case is smooth around `at`: what it
// compares is locally constant (a rounded number), so a wrong branch shows in both.
import { describe, expect, it } from 'vitest';
import { runInThisContext } from 'node:vm';
import { __zy, withgradient } from 'zygote-ts';
import { transform, transformFunctionSource } from '../../lib/transform/index.js';

interface Case {
  name: string;
  f: string;
  at: number;
}

const cases: Case[] = [
  // (found by helper W: the parentheses grouped the receiver and the method into one comma
  // expression: `(xs.includes)(x)` threw "object is not a function" while differentiating,
  // `(xs.indexOf.call)(xs, x)` did not parse)
  { name: 'a parenthesized callee of a search, a sort, a predicate or a global: (xs.includes)(x)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], o = { xs }; return ((xs.includes)(k) ? 2 : 5) * x + ((o.xs.indexOf))(k) * x + (xs.indexOf.call)(xs, k) + (/* c */ xs.lastIndexOf /* d */)(k) * x * x + (new Map([[3, 7]]).get)(k) * x + (o.xs.filter)((v) => v - k).length * x + (globalThis.parseFloat)(String(x)) * x + ([x, 1, 2].sort)((a, b) => a - b)[2] * x }` },
];

const h = 1e-6;

/** The function `src` as a loaded file has it (two bodies, the traced one run while differentiating). */
function asLoaded(src: string): (x: number) => number {
  const { code } = transform(`(${src})`, { runtime: { kind: 'global' }, sourceType: 'script', twoBodies: true, sourceMap: false });
  return runInThisContext(code) as (x: number) => number;
}

/** The function `src` as the API recompiles it (one body). */
function asRecompiled(src: string): (x: number) => number {
  return (runInThisContext(`(function (__zy) { return (${transformFunctionSource(src)}); })`) as (zy: unknown) => (x: number) => number)(__zy);
}

describe('rewritten code given a traced number answers as plain code given the number', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plain = runInThisContext(`(${c.f})`) as (x: number) => number;
      const slope = (plain(c.at + h) - plain(c.at - h)) / (2 * h);
      for (const rewritten of [asLoaded(c.f), asRecompiled(c.f)]) {
        expect(rewritten(c.at)).toBe(plain(c.at));
        const { val, grad } = withgradient(rewritten, c.at);
        expect(val).toBe(plain(c.at));
        expect(grad[0]).toBeCloseTo(slope, 5);
      }
    });
  }
});
