// Forward mode through every `Math` function and arithmetic operator applied to arrays
// (elementwise, with broadcasting, as numpy's ufuncs): each is one array node whose
// tangent comes from its scalar rule's partials. The same checks as the tables' rows
// (spec/rules/arrays/check-forward.ts), at points inside each function's domain.
import { describe, expect, it } from 'vitest';
import { __zy, jvp, NDArray, pullback } from 'zygote-ts';
import { uniform, type Input } from './check.js';
import { checkForward, direction, inner } from './check-forward.js';

const M = __zy.Math as unknown as Record<string, (...xs: unknown[]) => NDArray>;
type Op = any; // (the rewrite gives the operators their meaning on arrays; TypeScript does not know it)

// Each function's arguments: [lo, hi) of every argument's elements.
const unary: Record<string, [number, number]> = {
  sin: [-3, 3], cos: [-3, 3], tan: [-1.1, 1.1], asin: [-0.8, 0.8], acos: [-0.8, 0.8], atan: [-3, 3],
  sinh: [-2, 2], cosh: [-2, 2], tanh: [-2, 2], asinh: [-2, 2], acosh: [1.2, 4], atanh: [-0.7, 0.7],
  exp: [-2, 2], expm1: [-2, 2], log: [0.3, 7], log1p: [-0.5, 7], log2: [0.3, 7], log10: [0.3, 7],
  sqrt: [0.3, 7], cbrt: [-7, -0.3], abs: [-2, 2],
  // derivative zero wherever it exists (away from the steps)
  floor: [0.1, 0.9], ceil: [0.1, 0.9], round: [0.1, 0.4], trunc: [1.1, 1.9], sign: [0.2, 2], clz32: [2.1, 2.9],
};
const binary: Record<string, [[number, number], [number, number]]> = {
  atan2: [[-2, 2], [0.5, 2]],
  pow: [[0.5, 2], [-1.5, 2.5]],
  hypot: [[0.3, 2], [-2, -0.3]],
  max: [[-1, 1], [-1, 1]],
  min: [[-1, 1], [-1, 1]],
  imul: [[2.1, 2.9], [3.1, 3.9]],
};
const operators: Record<string, [(a: Op, b: Op) => Op, [number, number], [number, number]]> = {
  '+': [(a, b) => a + b, [-1, 1], [-1, 1]],
  '-': [(a, b) => a - b, [-1, 1], [-1, 1]],
  '*': [(a, b) => a * b, [-1, 1], [-1, 1]],
  '/': [(a, b) => a / b, [-1, 1], [0.5, 2]],
  '%': [(a, b) => a % b, [2.2, 2.8], [1, 1.05]],
  '**': [(a, b) => a ** b, [0.5, 2], [-1.5, 2.5]],
};

const at = (shape: number[], [lo, hi]: [number, number], seed: number) => uniform(shape, seed, lo, hi);
const inside = ([lo, hi]: [number, number]) => (lo + hi) / 2;

describe('forward mode through Math functions on arrays', () => {
  for (const [name, range] of Object.entries(unary)) {
    it(`Math.${name}`, () => checkForward(`Math.${name}`, (x: NDArray) => M[name]!(x), [at([2, 3], range, 1)]));
  }
  for (const [name, [r1, r2]] of Object.entries(binary)) {
    it(`Math.${name}`, () => {
      const f = (a: Input, b: Input) => M[name]!(a, b);
      checkForward(`Math.${name} [2,3] with [2,3]`, f, [at([2, 3], r1, 1), at([2, 3], r2, 2)]);
      checkForward(`Math.${name} [2,3] with [3]`, f, [at([2, 3], r1, 3), at([3], r2, 4)]);
      checkForward(`Math.${name} [2,1] with a number`, f, [at([2, 1], r1, 5), inside(r2)]);
      checkForward(`Math.${name} a number with [3]`, f, [inside(r1), at([3], r2, 6)]);
    });
  }
  it('Math.fround: the identity for derivatives, so its tangent is the direction (rounding hides it from differences)', () => {
    const x = uniform([2, 3], 1);
    const v = direction(x, 2) as NDArray;
    const [, dy] = jvp((y: NDArray) => M.fround!(y), [x], [v]);
    expect(Array.from((dy as NDArray).data)).toEqual(Array.from(v.data));
    const [, back] = pullback((y: NDArray) => M.fround!(y), x);
    expect(inner(back(v as never)[0], v)).toBe(inner(dy, v));
  });
});

describe('forward mode through the operators on arrays', () => {
  for (const [name, [f, r1, r2]] of Object.entries(operators)) {
    it(name, () => {
      checkForward(`${name} [2,3] with [2,3]`, f, [at([2, 3], r1, 1), at([2, 3], r2, 2)]);
      checkForward(`${name} [2,1] with [1,3]`, f, [at([2, 1], r1, 3), at([1, 3], r2, 4)]);
      checkForward(`${name} [3] with a number`, f, [at([3], r1, 5), inside(r2)]);
      checkForward(`${name} a number with [2,2]`, f, [inside(r1), at([2, 2], r2, 6)]);
    });
  }
  it('unary -', () => checkForward('unary -', (x: Op) => -x, [uniform([2, 3], 1)]));
});
