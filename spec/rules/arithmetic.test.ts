import { describe, expect, it } from 'vitest';
import { __zy, gradient } from 'zygote-ts';
import { checkRule, type ScalarFn } from './check.js';

const z = __zy;
// Written with the runtime's entries directly, so this file checks the rules themselves.
const ops: Record<string, [ScalarFn, number[][]]> = {
  add: [(a, b) => z.add(a, b), [[1.5, -2], [0.3, 7]]],
  sub: [(a, b) => z.sub(a, b), [[1.5, -2], [0.3, 7]]],
  mul: [(a, b) => z.mul(a, b), [[1.5, -2], [0.3, 7]]],
  div: [(a, b) => z.div(a, b), [[1.5, -2], [0.3, 7]]],
  mod: [(a, b) => z.mod(a, b), [[7.5, 2], [-7.5, 2.2]]],
  // ([2, 0], [0.5, 0]: an exponent of 0 made the base's partial the constant 0, and ∂²/∂b∂a 0, not 1/a)
  pow: [(a, b) => z.pow(a, b), [[1.5, 2.5], [0.3, -1.2], [2, 3], [2, 0], [0.5, 0]]],
  neg: [(a) => z.neg(a), [[1.5], [-2]]],
  pos: [(a) => z.pos(a), [[1.5]]],
  inc: [(a) => z.inc(a), [[1.5]]],
  dec: [(a) => z.dec(a), [[1.5]]],
};

describe('arithmetic rules against finite differences', () => {
  for (const [name, [f, points]] of Object.entries(ops)) {
    it(name, () => {
      for (const args of points) checkRule(name, f, args);
    });
  }

  it('a constant on either side', () => {
    checkRule('x*3', (x) => z.mul(x, 3), [1.7]);
    checkRule('3/x', (x) => z.div(3, x), [1.7]);
    checkRule('2**x', (x) => z.pow(2, x), [1.7]);
    checkRule('x**2.5', (x) => z.pow(x, 2.5), [1.7]);
    checkRule('5-x', (x) => z.sub(5, x), [1.7]);
    checkRule('x%3', (x) => z.mod(x, 3), [4.2]);
  });

  // (the divisor's partial was -a/(b·b): b·b overflowed to Infinity or underflowed to 0, giving
  // -0 or -Infinity where the partial -a/b² is an ordinary number)
  it("a quotient's partials where b·b overflows or underflows (eager, second order, compiled)", () => {
    const f = (a: number, b: number) => z.div(a, b);
    expect(gradient(f, 1e300, 1e200)).toEqual([1e-200, -1e-100]);
    expect(gradient(f, 1e-300, 1e-200)).toEqual([1e200, -1e100]);
    expect(gradient((b: number) => z.div(1e-300, b), 1e-200)).toEqual([-1e100]);
    // (the partial's own derivative, through the general path: ∂²/∂b² = 2a/b³)
    expect((gradient((b: number) => gradient((c: number) => z.div(1e300, c), b)[0] as number, 1e200)[0] as number) / 2e-300).toBeCloseTo(1, 12);
  });

  it('booleans, strings and null take part as JavaScript converts them', () => {
    expect(gradient((x: number) => z.mul(z.mul(true, x), 2), 5)).toEqual([2]);
    expect(gradient((x: number) => z.add(z.mul(false, x), x), 5)).toEqual([1]);
    expect(gradient((x: number) => z.mul('3', x), 5)).toEqual([3]);
    expect(gradient((x: number) => z.add(null, x), 5)).toEqual([1]);
  });

  it('a traced number plus a string concatenates its number', () => {
    let s = '';
    gradient((x: number) => {
      s = z.add(z.add('x=', x), 'px');
      return x;
    }, 5);
    expect(s).toBe('x=5px');
  });

  it('mixing a traced number with a BigInt throws as JavaScript does', () => {
    expect(() => gradient((x: number) => z.mul(x, 2n), 5)).toThrow(TypeError);
  });
});
