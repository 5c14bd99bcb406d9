// Finite-difference checks for array rules: the gradient of L = Σ sin(f(...inputs)) ⊙ w (a
// random weight w, so every output element matters with its own factor) against central
// differences of L in every element of every input; and, for second order, the gradient
// of Σ ∂L/∂input ⊙ v against central differences of that gradient.
import { expect } from 'vitest';
import { __zy, array, astype, gradient, mul, NDArray, rand, ruleReport, sum, withgradient } from 'zygote-ts';

export type Input = NDArray | number;
export type ArrayFn = (...xs: any[]) => NDArray | number;

/** Uniform numbers in [lo, hi) of `shape`, reproducible by `seed`. */
export function uniform(shape: number[], seed: number, lo = -1, hi = 1): NDArray {
  const r = rand(...shape, { seed });
  return new NDArray(shape, r.data.map((v) => lo + (hi - lo) * v));
}

export const numbersOf = (x: Input): ArrayLike<number> => (typeof x === 'number' ? [x] : x.data);

function withElement(x: Input, k: number, v: number): Input {
  if (typeof x === 'number') return v;
  const d = Float64Array.from(x.data);
  d[k] = v;
  return new NDArray(x.shape, d);
}

/** Central differences of a scalar function in every element of input `k` (steps of `step` relative to the element, at least `step`). */
export function centralDifferences(L: (...xs: Input[]) => number, inputs: Input[], k: number, step = 1e-6): Float64Array {
  const x = inputs[k]!;
  const d = numbersOf(x);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const h = step * Math.max(1, Math.abs(d[i]!));
    const at = (v: number) => L(...inputs.map((y, j) => (j === k ? withElement(x, i, v) : y)));
    out[i] = (at(d[i]! + h) - at(d[i]! - h)) / (2 * h);
  }
  return out;
}

/** `actual` (a number or an array) against `expected`, to `tol` relative to the largest expected entry (at least 1). */
export function expectClose(actual: Input | null, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual, `${what} is null`).not.toBeNull();
  const a = numbersOf(actual!);
  expect(a.length, `${what}: size`).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - expected[i]!) / scale;
    expect(err, `${what}[${i}]: got ${a[i]}, expected ${expected[i]}`).toBeLessThan(tol);
  }
}

/**
 * A weighted scalar of an output: Σ sin(y) ⊙ w (w of y's shape and dtype, fixed by `seed`).
 * The sine makes the cotangent reaching the rule depend on its inputs, so second order also
 * exercises each pullback's derivative in its cotangent.
 */
export function weigh(y: NDArray | number, seed: number): (v: NDArray | number) => number {
  if (typeof y === 'number' || !(y instanceof NDArray)) {
    const w = 0.5 + uniform([1], seed).data[0]!;
    return (v) => mul(sin(v), w) as number;
  }
  const w = astype(uniform([...y.shape], seed), y.dtype);
  return (v) => sum(mul(sin(v), w));
}

const sin = __zy.Math.sin as unknown as <T>(x: T) => T;

export interface CheckOptions {
  /** Also check second derivatives (default true). */
  second?: boolean;
  tol?: number;
}

/**
 * Checks `f` at `inputs`: the traced value equals the plain one; the gradient of each input
 * matches central differences; and (unless `second: false`) so does the gradient of each
 * gradient, taken through a gradient nested in a gradient.
 */
export function checkArrayRule(name: string, f: ArrayFn, inputs: Input[], options: CheckOptions = {}): void {
  const tol = options.tol ?? 1e-6;
  // testRule's checks: value, a dot-product test of the pullback, untouched inputs, aliasing as in the plain call
  const report = ruleReport(f, inputs, { rtol: tol });
  expect(report.passed, `${name}:\n${report.text}`).toBe(true);
  const plain = f(...inputs);
  const w = weigh(plain, 7);
  const L = (...xs: Input[]) => w(f(...xs));
  const { val, grad } = withgradient(L, ...inputs);
  expect(val, `${name}: traced value`).toBeCloseTo(L(...inputs), 12);
  expect(grad.length).toBe(inputs.length);
  inputs.forEach((_, k) => expectClose(grad[k] as Input | null, centralDifferences(L, inputs, k), tol, `${name} ∂/∂x${k}`));
  if (options.second === false) return;
  inputs.forEach((x, k) => {
    // S = Σ ∂L/∂x_k ⊙ v: its gradient is a Hessian-vector product, in every input.
    const v = weigh(x, 11 + k);
    const S = (...xs: Input[]) => v((gradient(L, ...xs) as (Input | null)[])[k] ?? 0);
    const second = gradient(S, ...inputs) as (Input | null)[];
    inputs.forEach((y, j) => {
      const expected = centralDifferences(S, inputs, j);
      const got = second[j] ?? (typeof y === 'number' ? 0 : new NDArray(y.shape, new Float64Array(y.size)));
      expectClose(got, expected, Math.max(tol, 1e-5), `${name} ∂²/∂x${j}∂x${k}`);
    });
  });
}

/** One row of a table: inputs and options for `checkArrayRule`. */
export interface Case {
  f: ArrayFn;
  inputs: Input[];
  label?: string;
  second?: boolean;
}

export const A = array;
