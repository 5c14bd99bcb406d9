import { describe, expect, it } from 'vitest';
import { __zy, gradient } from 'zygote-ts';
import { checkRule, type ScalarFn } from './check.js';
import { specs, zeroDerivative, notDifferentiable, widerStep } from './math-points.js';

const M = __zy.Math as unknown as Record<string, ScalarFn>;

describe('Math rules against finite differences', () => {
  for (const [name, points] of Object.entries(specs)) {
    it(name, () => {
      for (const args of points) {
        const f: ScalarFn = (...xs) => M[name]!(...xs);
        checkRule(`Math.${name}`, f, args);
      }
    });
  }

  it('has a spec for every function of Math', () => {
    const functions = Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function');
    const covered = [...Object.keys(specs), ...zeroDerivative, ...notDifferentiable, ...widerStep];
    expect(functions.filter((k) => !covered.includes(k))).toEqual([]);
    expect(functions.filter((k) => !(k in __zy.Math))).toEqual([]);
  });

  it('keeps the values of Math exactly', () => {
    for (const name of Object.getOwnPropertyNames(Math)) {
      const original = (Math as unknown as Record<string, unknown>)[name];
      const ours = (__zy.Math as unknown as Record<string, unknown>)[name];
      if (typeof original !== 'function') expect(ours).toBe(original);
      else if (name !== 'random') for (const x of [0.3, -2.5, 7, 0, -0, NaN, Infinity]) expect(Object.is((ours as ScalarFn)(x, 2), (original as ScalarFn)(x, 2))).toBe(true);
    }
  });

  for (const name of widerStep) {
    it(name, () => {
      // (a step wide against the rounding's spacing near 0.5: 2⁻²⁴ for float32, 2⁻¹¹ for float16)
      const h = name === 'fround' ? 1e-2 : 0.1;
      const round = (Math as unknown as Record<string, ScalarFn>)[name]!;
      const fd = (round(0.5 + h) - round(0.5 - h)) / (2 * h);
      const [g] = gradient((x: number) => M[name]!(x), 0.5);
      expect(Math.abs(g! - fd)).toBeLessThan(name === 'fround' ? 1e-5 : 2 ** -11 / h);
      // (by its name in rewritten code too: Math.f16round(x) was the built-in, which refused x)
      const [called] = gradient((x: number) => (name === 'fround' ? Math.fround(x) : (Math as unknown as Record<string, ScalarFn>).f16round!(x)) * x, 0.5);
      expect(called).toBeCloseTo(2 * round(0.5), 3);
    });
  }

  it('gives zero (not null) through rounding functions', () => {
    for (const name of zeroDerivative) {
      const [g] = gradient((x: number) => M[name]!(x, 3), 2.7);
      expect(g, name).toBe(0);
    }
  });
});

describe('Math rules at non-smooth points (documented choices)', () => {
  it('abs has derivative 0 at 0, ±1 elsewhere', () => {
    expect(gradient((x: number) => M.abs!(x), 0)).toEqual([0]);
    expect(gradient((x: number) => M.abs!(x), -3)).toEqual([-1]);
  });
  it('max and min give the whole derivative to the first of tied arguments', () => {
    expect(gradient((a: number, b: number) => M.max!(a, b), 2, 2)).toEqual([1, 0]);
    expect(gradient((a: number, b: number) => M.min!(a, b), 2, 2)).toEqual([1, 0]);
    expect(gradient((a: number, b: number) => M.max!(a, b), 1, 2)).toEqual([0, 1]);
  });
  it('max with a NaN argument is NaN and follows that argument', () => {
    const [ga, gb] = gradient((a: number, b: number) => M.max!(a, b), 1, NaN);
    expect(ga).toBe(0);
    expect(gb).toBe(1);
  });
  it('hypot at the origin has zero partials, not NaN', () => {
    expect(gradient((a: number, b: number) => M.hypot!(a, b), 0, 0)).toEqual([0, 0]);
  });
  it('sqrt at 0 has an infinite derivative', () => {
    expect(gradient((x: number) => M.sqrt!(x), 0)).toEqual([Infinity]);
  });
  it('pow with a negative base and constant exponent has no NaN', () => {
    expect(gradient((x: number) => M.pow!(x, 2), -3)).toEqual([-6]);
    expect(gradient((x: number) => M.pow!(x, 3), -2)).toEqual([12]);
  });
  it('pow at 0 with exponent 0 has derivative 0 in the base', () => {
    expect(gradient((x: number) => M.pow!(x, 0), 0)).toEqual([0]);
  });
});
