// densegradient: zeros, not null, where the output does not depend on a number (issue 14).
import { describe, expect, it } from 'vitest';
import { array, densegradient, gradient, NDArray } from 'zygote-ts';

describe('densegradient', () => {
  it('gives zeros of each argument’s shape where no path leads', () => {
    const f = (p: { a: number; b: number; w: number[]; name: string }, x: number) => p.a * 2 + p.w[0]!;
    const p = { a: 1, b: 5, w: [1, 2], name: 'n' };
    expect(gradient(f, p, 3)).toEqual([{ a: 2, b: null, w: [1, 0], name: null }, null]);
    expect(densegradient(f, p, 3)).toEqual([{ a: 2, b: 0, w: [1, 0], name: null }, 0]);
  });
  it('for arrays, typed arrays, Maps and a constant f', () => {
    const [m, t, n] = densegradient((_m: Map<string, number>, _t: Float32Array, _n: NDArray) => 1, new Map([['k', 2]]), Float32Array.of(1, 2), array([1, 2]));
    expect(m).toEqual(new Map([['k', 0]]));
    expect(t).toEqual(Float32Array.of(0, 0));
    expect((n as NDArray).toArray()).toEqual([0, 0]);
  });
  it('equals gradient wherever gradient is not null', () => {
    const f = (x: number[], y: number) => x[0]! * y + Math.sin(x[1]!);
    expect(densegradient(f, [1, 2], 3)).toEqual(gradient(f, [1, 2], 3));
  });
});
