// compileGradient over custom rules: they run uncompiled, with the eager answer on every call.
import { describe, expect, it } from 'vitest';
import { array, compileGradient, gradient, mul, NDArray, rule, sum } from 'zygote-ts';

describe('compileGradient with a rule', () => {
  // (while recording, the rule's value is a symbolic number, which the rule's value check
  // refused: compileGradient threw "must return [value, pullback] with a number …, got object")
  it('a scalar rule falls back to the eager gradient, saying why', () => {
    const sq = rule((u: number) => u * u, (u) => [u * u, (c: number) => [2 * c * u]]);
    const h = (x: number, y: number) => sq(x * y) + Math.sin(x);
    const g = compileGradient(h);
    for (const [x, y] of [[2, 5], [0.5, 3], [-1.25, 0.75]] as const) {
      const [gx, gy] = g(x, y) as number[];
      expect([gx, gy]).toEqual(gradient(h, x, y));
      const e = 1e-6;
      expect(gx).toBeCloseTo((h(x + e, y) - h(x - e, y)) / (2 * e), 5);
      expect(gy).toBeCloseTo((h(x, y + e) - h(x, y - e)) / (2 * e), 5);
    }
    expect(g.fallback).toMatch(/f uses an operation that has no compiled form yet \(the custom rule for an anonymous function\): f runs uncompiled/);
  });
  it('an array rule too', () => {
    const sqa = rule((a: NDArray) => mul(a, a), (a) => [mul(a, a), (c: NDArray) => [mul(mul(c, a), 2)]]);
    const g = compileGradient((a: NDArray) => sum(sqa(a)));
    expect((g(array([1, 2]))[0] as NDArray).toArray()).toEqual([2, 4]);
    expect((g(array([3, 4]))[0] as NDArray).toArray()).toEqual([6, 8]);
    expect(g.fallback).toMatch(/an array operation that has no compiled form yet \(the custom rule for an anonymous function\)/);
  });
});
