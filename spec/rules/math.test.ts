import { describe, expect, it } from 'vitest';
import { __zy, gradient } from 'zygote-ts';
import { checkRule, type ScalarFn } from './check.js';

const M = __zy.Math as unknown as Record<string, ScalarFn>;

// One spec per differentiable Math function: sample points away from kinks and edges.
const specs: Record<string, number[][]> = {
  sin: [[0.3], [-2.1], [4]],
  cos: [[0.3], [-2.1], [4]],
  tan: [[0.3], [-1.1], [2]],
  asin: [[0.3], [-0.7]],
  acos: [[0.3], [-0.7]],
  atan: [[0.3], [-3], [10]],
  atan2: [[0.3, 0.8], [-1, 2], [2, -1.5]],
  sinh: [[0.3], [-2]],
  cosh: [[0.3], [-2]],
  tanh: [[0.3], [-2], [1.5]],
  asinh: [[0.3], [-2]],
  acosh: [[1.3], [4]],
  atanh: [[0.3], [-0.6]],
  exp: [[0.3], [-2], [3]],
  expm1: [[0.3], [-2], [1e-3]],
  log: [[0.3], [7]],
  log1p: [[0.3], [-0.5], [7]],
  log2: [[0.3], [7]],
  log10: [[0.3], [7]],
  sqrt: [[0.3], [7]],
  cbrt: [[0.3], [-7]],
  pow: [[1.7, 2.3], [0.5, -1.5], [3, 0.5]],
  abs: [[0.3], [-2]],
  hypot: [[3, 4], [-1, 2, 0.5], [2]],
  max: [[0.3, 2], [-1, -3, 2]],
  min: [[0.3, 2], [-1, -3, 2]],
};

// Functions whose derivative is zero wherever it exists; checked apart.
const zeroDerivative = ['floor', 'ceil', 'round', 'trunc', 'sign', 'clz32', 'imul'];
const notDifferentiable = ['random'];
// fround rounds to float32: its derivative is taken as 1 and checked with a wide step.
const widerStep = ['fround'];

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

  it('fround', () => {
    const h = 1e-2;
    const fd = (Math.fround(0.5 + h) - Math.fround(0.5 - h)) / (2 * h);
    const [g] = gradient((x: number) => M.fround!(x), 0.5);
    expect(Math.abs(g! - fd)).toBeLessThan(1e-5);
  });

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
