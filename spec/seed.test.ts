// The scalar examples of the seed (Zygote's docs), in TypeScript, with the same numbers.
import { describe, expect, it } from 'vitest';
import { gradient, hessian, pullback, withgradient } from 'zygote-ts';

function pow(x: number, n: number): number {
  let r = 1;
  for (let i = 1; i <= n; i++) r *= x;
  return r;
}

const pow2 = (x: number, n: number): number => (n <= 0 ? 1 : x * pow2(x, n - 1));

describe('the seed, scalar examples', () => {
  it('differentiates a polynomial', () => {
    expect(gradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5)).toEqual([32]);
  });
  it('gives one gradient per argument', () => {
    expect(gradient((a: number, b: number) => a * b, 2, 3)).toEqual([3, 2]);
    expect(gradient((a: number, b: number, c: number) => a * b * c, 2, 3, 5)).toEqual([15, 10, 6]);
  });
  it('follows loops and recursion', () => {
    expect(gradient((x: number) => pow(x, 3), 5)).toEqual([75]);
    expect(gradient((x: number) => pow2(x, 3), 5)).toEqual([75]);
  });
  it('follows closures over outer numbers', () => {
    const k = 7;
    let calls = 0;
    const scaled = (x: number) => {
      calls++;
      return k * x * x;
    };
    expect(gradient(scaled, 2)).toEqual([28]);
    expect(calls).toBe(1);
  });
  it('gives null for an argument that is never used', () => {
    expect(gradient((a: number, _b: number) => a * 2, 1, 2)).toEqual([2, null]);
  });
  it('gives 0 (not null) for an argument used with no effect', () => {
    expect(gradient((a: number, b: number) => a + 0 * b, 1, 2)).toEqual([1, 0]);
  });
  it('withgradient keeps the value', () => {
    expect(withgradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5)).toEqual({ val: 86, grad: [32] });
  });
  it('pullback scales by dy and can be called again', () => {
    const [y, back] = pullback((a: number, b: number) => a * b, 2, 3);
    expect(y).toBe(6);
    expect(back(1)).toEqual([3, 2]);
    expect(back(2.5)).toEqual([7.5, 5]);
    expect(back()).toEqual([3, 2]);
  });
  it('hessian of x³ at 2 is 12', () => {
    expect(hessian((x: number) => x ** 3, 2)).toBe(12);
  });
});
