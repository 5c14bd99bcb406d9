// Every row of the array tables in float32: the array inputs rounded to float32 give
// float32 results (a JavaScript number where the operation reduces to one) and float32
// gradients, first and second order, that equal float64 on the same rounded inputs within
// float32's precision.
import { describe, expect, it } from 'vitest';
import { astype, broadcastTo, gradient, map, mul, NDArray, sum, withgradient, type Dtype } from 'zygote-ts';
import { expectClose, numbersOf, weigh, type ArrayFn, type Case, type Input } from './check.js';
import { tables } from './tables.js';
import { plainTypeOf } from '../../proxies/plain-data.js';

// Relative to the largest reference entry (at least 1); float32 rounds at 6e-8, and the
// cases chain a few operations (the bench holds tfjs's float32 gradients to the same 1e-4).
const TOL = 1e-4;

const cast = (x: Input, dtype: Dtype): Input => (typeof x === 'number' ? x : astype(x, dtype));

/** A result or gradient in float32 against float64: its kind, dtype, shape and numbers. */
function expectFloat32Like(got: unknown, reference: unknown, dtype: Dtype, what: string): void {
  if (reference === null) return void expect(got, `${what}: no path in float64, so none in float32`).toBeNull();
  if (typeof reference === 'number') expect(plainTypeOf(got), `${what} is a number`).toBe('number');
  else {
    expect(got, `${what} is an array`).toBeInstanceOf(NDArray);
    expect((got as NDArray).dtype, `${what}: dtype`).toBe(dtype);
    expect((got as NDArray).shape, `${what}: shape`).toEqual((reference as NDArray).shape);
  }
  expectClose(got as Input, numbersOf(reference as Input), TOL, what);
}

function checkFloat32(name: string, f: ArrayFn, inputs: Input[], second: boolean): void {
  const in32 = inputs.map((x) => cast(x, 'float32'));
  const in64 = in32.map((x) => cast(x, 'float64'));
  // Numbers are weak: with no array among the inputs there is no float32 to keep.
  const resultDtype: Dtype = inputs.some((x) => x instanceof NDArray) ? 'float32' : 'float64';
  const y64 = f(...in64);
  expectFloat32Like(f(...in32), y64, resultDtype, `${name}: value`);

  const L = (...xs: Input[]) => weigh(f(...xs), 7)(f(...xs));
  const g32 = withgradient(L, ...in32);
  const g64 = withgradient(L, ...in64);
  expectFloat32Like(g32.val, g64.val, 'float64', `${name}: traced value`);
  in32.forEach((_, k) => expectFloat32Like(g32.grad[k], g64.grad[k], 'float32', `${name} ∂/∂x${k}`));
  if (!second) return;
  in32.forEach((x, k) => {
    // the gradient of Σ ∂L/∂x_k ⊙ v: gradients of float32 arrays taken on a traced tape
    const S = (...xs: Input[]) => weigh(x, 11 + k)((gradient(L, ...xs) as (Input | null)[])[k] ?? 0);
    const s32 = gradient(S, ...in32) as unknown[];
    const s64 = gradient(S, ...in64) as unknown[];
    in32.forEach((_, j) => expectFloat32Like(s32[j], s64[j], 'float32', `${name} ∂²/∂x${j}∂x${k}`));
  });
}

for (const [domain, table] of Object.entries(tables)) {
  describe(`array rules in float32 against float64: ${domain}`, () => {
    for (const [name, cases] of Object.entries(table)) {
      it(name, () => {
        for (const c of cases as Case[]) checkFloat32(`${name} (${c.label ?? 'basic'})`, c.f, c.inputs, c.second ?? true);
      });
    }
  });
}

describe('a float32 gradient summed over broadcast elements', () => {
  // (the sum over the stretched axes was kept in its float32 slot, rounded at each element:
  // the gradient of a float32 scalar broadcast over 10⁶ float32 elements was 3.6e-4 off, where
  // float32 itself rounds at 6e-8; the reductions' sums were float64 already)
  const n = 1_000_000;
  const x = new NDArray([n], Float32Array.from({ length: n }, (_, i) => 1.1 + (i % 7) * 0.013));
  let exact = 0;
  for (const v of x.data) exact += v;
  const relative = (g: unknown) => Math.abs(numbersOf(g as Input)[0]! - exact) / exact;
  it('is summed in float64, then rounded once', () => {
    const s = new NDArray([], Float32Array.of(0.5));
    const g = gradient((y: NDArray) => sum(mul(x, y)), s)[0] as NDArray;
    expect(g.dtype).toBe('float32');
    expect(relative(g)).toBeLessThan(1e-7);
    expect(relative(gradient((y: NDArray) => sum(mul(broadcastTo(y, [n]), x)), new NDArray([1], Float32Array.of(0.5)))[0])).toBeLessThan(1e-7);
    // map's second operand, a traced number, broadcast over the float32 array
    expect(relative(gradient((w: number) => sum(map((v: number, u: number) => v * u, x, w)), 0.5)[0])).toBeLessThan(1e-7);
  });
});

describe("a float32 array's gradient from many element reads", () => {
  // (each read's cotangent was added into the array's float32 cotangent, rounded at each:
  // 10⁵ reads of one element gave a gradient 1.1e-4 off, where float32 rounds at 6e-8)
  it('adds the reads up in float64, and is float32', () => {
    const n = 100_000;
    const xs = Float64Array.from({ length: n }, (_, i) => 1.1 + (i % 7) * 0.013);
    let exact = 0;
    for (const v of xs) exact += v;
    const g = gradient((w: NDArray) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += w.get(0) * xs[i]!;
      return s;
    }, new NDArray([2], Float32Array.of(0.5, 2)))[0] as NDArray;
    expect(g.dtype).toBe('float32');
    expect(Math.abs(g.data[0]! - exact) / exact).toBeLessThan(1e-7);
    expect(g.data[1]).toBe(0);
  });
});
