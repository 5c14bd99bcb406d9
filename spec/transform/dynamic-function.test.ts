// Code built with Function(…) is rewritten too (numeric.js generates its loops this way).
import { describe, expect, it } from 'vitest';
import { gradient } from 'zygote-ts';

describe('Function(…) in rewritten code', () => {
  it('compiles a rewritten body: its operators and typeof see traced numbers', () => {
    const cube = new Function('x', 'var s = 1; for (var i = 0; i < 3; i++) s *= x; return s;') as (x: number) => number;
    expect(cube(2)).toBe(8);
    expect(gradient(cube, 2)).toEqual([12]);
    const square = Function('y', 'return typeof y === "number" ? y * y : -1') as (y: number) => number;
    expect(gradient(square, 3)).toEqual([6]);
  });
  it('rewrites a body whose own code looks like a rewritten test (a walk noting what it has seen)', () => {
    // (a typeof test, then a Set's add of the tested value in the other branch: once taken for the
    // transform's `typeof x … : R.add(x, y)`, so the body ran as it was, and a traced x was an object)
    const body = 'const seen = new Set(); const k = typeof x !== "object" || x === null ? x : (seen.add(x), 0); return k * k;';
    const plain = (x: number): number => { const seen = new Set(); const k = typeof x !== 'object' || x === null ? x : (seen.add(x), 0); return k * k; };
    const made = new Function('x', body) as (x: number) => number;
    expect(made(1.5)).toBe(plain(1.5));
    expect(gradient(made, 1.5)).toEqual(gradient(plain, 1.5));
    expect(gradient(made, 1.5)).toEqual([3]);
  });
  it('keeps Function semantics: apply, instanceof, prototype, syntax errors', () => {
    const mul = Function.apply(null, ['a', 'b', 'return a * b']) as (a: number, b: number) => number;
    expect(mul(3, 4)).toBe(12);
    expect(mul instanceof Function).toBe(true);
    expect(Function.prototype.call.call(mul, null, 2, 5)).toBe(10);
    expect(() => new Function('return (')).toThrow(SyntaxError);
  });
});
