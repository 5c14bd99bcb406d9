// float32 arrays beside the float64 default: making them, the promotion rules, astype and
// its gradient, gradients of float32 arguments and parameters, and a mixed program.
import { describe, expect, it } from 'vitest';
import {
  __zy, add, array, astype, concat, gradient, jacobian, map, matmul, maximum, mean, mul, NDArray, ones, Params, pullback, rand, stack, sum, tanh,
  withgradient, zeros, type Dtype,
} from 'zygote-ts';
import { centralDifferences, expectClose, uniform } from '../rules/arrays/check.js';
import { plainTypeOf } from '../proxies/plain-data.js';

const M = __zy.Math as unknown as Record<string, (...xs: unknown[]) => NDArray>;
const sin = M.sin!;
const f32 = (x: NDArray) => astype(x, 'float32');
const rounded = (xs: number[]) => xs.map(Math.fround);
// TypeScript cannot type operators on arrays; the rewrite makes them elementwise.
type Untyped = any;

describe('making float32 arrays', () => {
  it('float64 by default; { dtype } asks for float32, whose numbers are rounded', () => {
    expect(array([0.1, 2]).dtype).toBe('float64');
    expect(zeros(2).dtype).toBe('float64');
    const x = array([[0.1, 2], [3, 0.7]], { dtype: 'float32' });
    expect(x.dtype).toBe('float32');
    expect(x.data).toBeInstanceOf(Float32Array);
    expect(x.toArray()).toEqual([rounded([0.1, 2]), rounded([3, 0.7])]);
  });

  it('a Float32Array is float32 unless asked otherwise; a Float64Array float64', () => {
    const data = Float32Array.of(0.5, 0.1);
    expect(array(data).dtype).toBe('float32');
    expect(array(data).data).not.toBe(data); // a copy: arrays are values
    expect(array(data, { dtype: 'float64' }).dtype).toBe('float64');
    expect(array(Float64Array.of(0.1)).dtype).toBe('float64');
    expect(array(Float64Array.of(0.1), { dtype: 'float32' }).toArray()).toEqual(rounded([0.1]));
  });

  it('zeros, ones and rand take { dtype } last; rand gives the same numbers, rounded', () => {
    const z = zeros(2, 3, { dtype: 'float32' });
    expect([z.dtype, z.shape, z.toArray()]).toEqual(['float32', [2, 3], [[0, 0, 0], [0, 0, 0]]]);
    const o = ones(3, { dtype: 'float32' });
    expect([o.dtype, o.toArray()]).toEqual(['float32', [1, 1, 1]]);
    const r = rand(2, 2, { seed: 5, dtype: 'float32' });
    expect(r.dtype).toBe('float32');
    expect(r.toArray()).toEqual(rand(2, 2, { seed: 5 }).toArray().map(rounded));
    expect(rand(4, { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('mean of float32 numbers divides before it rounds: no overflow where the mean fits, one rounding', () => {
    // (the float32 sum was stored first: mean([3e38, 3e38]) was Infinity, over all elements and along an axis)
    const x = array([3e38, 3e38], { dtype: 'float32' });
    const big = Math.fround(3e38);
    expect(mean(x)).toBe(big);
    expect(Array.from(mean(x, 0).data)).toEqual([big]);
    expect(Array.from(mean(array([[3e38, 3e38], [1, 2]], { dtype: 'float32' }), 1).data)).toEqual([big, 1.5]);
    // over all elements a number, as sum gives one: the float32 numbers' mean, not their rounded sum's
    const z = array([0.1, 0.2, 0.7], { dtype: 'float32' });
    expect(mean(z)).toBe((Math.fround(0.1) + Math.fround(0.2) + Math.fround(0.7)) / 3);
    expect(mean(z)).toBe(sum(z) / 3);
  });

  it('rand in float32 stays below 1 (a number within 2⁻²⁵ of 1 rounded up to 1)', () => {
    // (element 25 of this seed is 0.99999998…: rounded, it was 1, outside [0, 1))
    const r = rand(26, { seed: 1590081, dtype: 'float32' });
    expect(rand(26, { seed: 1590081 }).data[25]).toBeGreaterThan(1 - 2 ** -25);
    expect(Math.max(...r.data)).toBeLessThan(1);
    expect(r.data[25]).toBe(Math.fround(1 - 2 ** -24));
  });

  it('toFloat32Array and toFloat64Array copy the numbers out', () => {
    const x = array([0.1, 0.2]);
    expect(Array.from(x.toFloat32Array())).toEqual(rounded([0.1, 0.2]));
    const y = f32(x);
    expect(y.toFloat64Array()).toBeInstanceOf(Float64Array);
    expect(Array.from(y.toFloat64Array())).toEqual(rounded([0.1, 0.2]));
  });

  it('an array is cast by array(x, { dtype }) as by astype; the same dtype is the array itself', () => {
    const x = array([0.1, 0.3]);
    expect(array(x, { dtype: 'float32' }).toArray()).toEqual(f32(x).toArray());
    expect(astype(x, 'float64')).toBe(x);
    expect(array(x, { dtype: 'float64' })).toBe(x);
    expect(String(f32(x))).toContain('float32');
  });

  it('refuses a dtype it does not have', () => {
    expect(() => array([1], { dtype: 'int8' as Dtype })).toThrow(/dtype must be 'float64' or 'float32', got 'int8'/);
    expect(() => zeros(2, { dtype: 'float16' as Dtype })).toThrow(/zeros: dtype/);
    expect(() => astype(array([1]), undefined as unknown as Dtype)).toThrow(/astype: dtype/);
  });
});

describe('promotion (as in JAX and numpy)', () => {
  const a = array([0.5, -1.5, 2], { dtype: 'float32' });
  const b = array([1.5, 0.25, -1], { dtype: 'float32' });
  const d = array([1, 2, 3]);
  const A = array([[1, 2], [3, 4], [5, 6]], { dtype: 'float32' });
  const cases: [string, () => unknown, Dtype | 'number'][] = [
    ['float32 + float32', () => add(a, b), 'float32'],
    ['float32 * number (a number is weak)', () => mul(a, 3), 'float32'],
    ['number - float32, by the operator', () => 1 - (a as Untyped), 'float32'],
    ['float32 ** number', () => (a as Untyped) ** 2, 'float32'],
    ['float32 + float64', () => add(a, d), 'float64'],
    ['float64 * float32', () => mul(d, a), 'float64'],
    ['float32 + a 0-d float64 array (an array is not weak)', () => add(a, array(2)), 'float64'],
    ['float32 + a JavaScript number array (float64)', () => add(a, [1, 2, 3]), 'float64'],
    ['Math.tanh(float32)', () => M.tanh!(a), 'float32'],
    ['sin(float32)', () => sin(a), 'float32'],
    ['maximum(float32, number)', () => maximum(a, 0), 'float32'],
    ['maximum(float32, float64)', () => maximum(a, d), 'float64'],
    ['matmul(float32, float32)', () => matmul(a, A), 'float32'],
    ['matmul(float32, float64)', () => matmul(d, A), 'float64'],
    ['concat([float32, float32])', () => concat([a, b]), 'float32'],
    ['concat([float32, float64])', () => concat([a, d]), 'float64'],
    ['stack([float64, float32])', () => stack([d, a]), 'float64'],
    ['map(f, float32, number)', () => map((x, y) => x * y, a, 2), 'float32'],
    ['map(f, float32, float64)', () => map((x, y) => x * y, a, d), 'float64'],
    ['sum over an axis', () => sum(A, 0), 'float32'],
    ['sum of everything: a number', () => sum(a), 'number'],
    ['mean of everything: a number', () => mean(A), 'number'],
  ];
  for (const [label, op, dtype] of cases) {
    it(label, () => {
      const y = op();
      if (dtype === 'number') expect(plainTypeOf(y)).toBe('number');
      else expect((y as NDArray).dtype).toBe(dtype);
    });
  }

  it('a traced scalar is weak too, and its gradient is a number', () => {
    const seen: Dtype[] = [];
    const [g] = gradient((s: number) => {
      const y = mul(a, s);
      seen.push(y.dtype);
      return sum(y);
    }, 2);
    expect(seen).toEqual(['float32']);
    expect(g).toBeCloseTo(1, 6); // 0.5 - 1.5 + 2
  });
});

describe('astype', () => {
  it('rounds to float32 and widens back exactly', () => {
    const x = array([0.1, 1 / 3]);
    expect(f32(x).toArray()).toEqual(rounded([0.1, 1 / 3]));
    expect(astype(f32(x), 'float64').toArray()).toEqual(rounded([0.1, 1 / 3]));
  });

  it("casts the cotangent back: a float64 input's gradient through float32 is float64", () => {
    const x = array([0.1, 0.2, 0.3]);
    const w = array([1.5, -2, 0.25], { dtype: 'float32' });
    const [g] = gradient((x: NDArray) => sum(mul(astype(x, 'float32'), w)), x);
    expect(g!.dtype).toBe('float64');
    expect(g!.toArray()).toEqual([1.5, -2, 0.25]);
  });

  it('its gradient matches finite differences in float64', () => {
    // L in float64 of x through float32; the float32 rounding (6e-8) needs steps far wider
    // than the table's 1e-6, and a tolerance to match.
    const x = uniform([2, 3], 3);
    const w = uniform([2, 3], 4);
    const L = (x: NDArray) => sum(mul(sin(astype(x, 'float32')), w));
    const [g] = gradient(L, x);
    expect(g!.dtype).toBe('float64');
    expectClose(g!, centralDifferences(L as (...xs: unknown[]) => number, [x], 0, 1e-3), 5e-4, 'astype ∂/∂x');
  });
});

describe('gradients of float32 arguments and parameters', () => {
  const x64 = uniform([2, 3], 1);
  const x32 = f32(x64);

  it('an NDArray argument in float32 gets a float32 gradient, equal to float64 within float32 precision', () => {
    const L = (x: NDArray) => sum(mul(tanh(x), x));
    const [g32] = gradient(L, x32);
    const [g64] = gradient(L, astype(x32, 'float64'));
    expect(g32!.dtype).toBe('float32');
    expectClose(g32!, g64!.data, 1e-6, 'float32 gradient');
  });

  it('element reads accumulate into a float32 gradient', () => {
    const [g] = gradient((x: NDArray) => x.get(0, 1) * x.get(1, 2), x32);
    expect(g!.dtype).toBe('float32');
    expect(g!.toArray()).toEqual([[0, x32.get(1, 2), 0], [0, 0, x32.get(0, 1)]]);
  });

  it('a Float32Array argument gets a Float32Array gradient', () => {
    const [g] = gradient((x: Float32Array) => sum(mul(x, x)), Float32Array.of(1, -2, 0.5));
    expect(g).toBeInstanceOf(Float32Array);
    expect(Array.from(g!)).toEqual([2, -4, 1]);
  });

  it('array(x, { dtype }) of a typed array argument casts it as it casts a plain one', () => {
    // (the dtype is part of the value: a float32 array's numbers are rounded)
    const toFloat32 = (x: Float64Array) => {
      const a = array(x, { dtype: 'float32' });
      return sum(mul(a, a)) * 1e6 + (a.dtype === 'float32' ? 1 : 0);
    };
    const x = Float64Array.of(0.1, 0.2, 0.3);
    const { val, grad } = withgradient(toFloat32, x);
    expect(val).toBe(toFloat32(x));
    // the same cast of the numbers made an array first (astype's gradient)
    const [viaAstype] = gradient((v: NDArray) => sum(mul(astype(v, 'float32'), astype(v, 'float32'))) * 1e6, array(x));
    expect(Array.from(grad[0] as Float64Array)).toEqual(Array.from(viaAstype!.data));
    const toFloat64 = (x: Float32Array) => {
      const a = array(x, { dtype: 'float64' });
      return a.dtype === 'float64' ? sum(a) : -sum(a);
    };
    const y = Float32Array.of(0.1, 0.5);
    expect(withgradient(toFloat64, y).val).toBe(toFloat64(y));
  });

  it("the pullback of a float32-valued function takes a float64 cotangent and gives float32", () => {
    const [y, back] = pullback((x: NDArray) => mul(x, 2), x32);
    expect(y.dtype).toBe('float32');
    const [g] = back([[1, 0, 0.5], [0, 1, 2]]);
    expect(g!.dtype).toBe('float32');
    expect(g!.toArray()).toEqual([[2, 0, 1], [0, 2, 4]]);
  });

  it('Params in float32: float32 gradients, and update keeps the parameters float32', () => {
    const W = rand(2, 3, { seed: 9, dtype: 'float32' });
    const b = zeros(2, { dtype: 'float32' });
    const v = array([1, -1, 0.5], { dtype: 'float32' });
    const loss = () => sum(tanh(add(matmul(W, v), b)));
    const gs = gradient(loss, new Params([W, b]));
    expect([gs.get(W)!.dtype, gs.get(b)!.dtype]).toEqual(['float32', 'float32']);
    const before = W.toArray() as number[][];
    const step = gs.get(W)!.toArray() as number[][];
    gs.update(-0.5);
    expect(W.dtype).toBe('float32');
    expect(W.toArray()).toEqual(before.map((r, i) => r.map((v, j) => Math.fround(v - 0.5 * step[i]![j]!))));
  });
});

describe('a mixed float32/float64 program', () => {
  // One hidden layer: float32 weights, float64 inputs. The arithmetic runs in float64 (the
  // promoted dtype), so the float32 weights' gradients are the float64 ones, rounded.
  const X = uniform([4, 3], 11);
  const W1 = f32(uniform([3, 5], 12));
  const b1 = f32(uniform([5], 13));
  const W2 = f32(uniform([5, 2], 14));
  const predict = (W1: NDArray, b1: NDArray, W2: NDArray) => matmul(tanh(add(matmul(X, W1), b1)), W2);
  const loss = (W1: NDArray, b1: NDArray, W2: NDArray) => mean(mul(predict(W1, b1, W2), predict(W1, b1, W2)));
  const wide = [W1, b1, W2].map((p) => astype(p, 'float64'));

  it('gives float64 results', () => {
    expect(predict(W1, b1, W2).dtype).toBe('float64');
    expect(predict(W1, b1, W2).toArray()).toEqual(predict(wide[0]!, wide[1]!, wide[2]!).toArray());
  });

  it('and float32 gradients for the float32 weights: the float64 gradients, rounded', () => {
    const g = gradient(loss, W1, b1, W2);
    const reference = gradient(loss, wide[0]!, wide[1]!, wide[2]!);
    g.forEach((gk, k) => {
      expect(gk!.dtype).toBe('float32');
      expect(gk!.toArray()).toEqual(f32(reference[k]!).toArray());
    });
  });

  it('and so in second order: a gradient taken inside a gradient is float32 for a float32 weight', () => {
    const v = uniform([3, 5], 15);
    const seen: Dtype[] = [];
    const S = (W1: NDArray) => {
      const [g] = gradient(loss, W1, b1, W2);
      seen.push(g!.dtype);
      return sum(mul(g!, v));
    };
    const [h] = gradient(S, W1);
    const [reference] = gradient(S, wide[0]!);
    expect(seen).toEqual(['float32', 'float64']);
    expect(h!.dtype).toBe('float32');
    expectClose(h!, reference!.data, 1e-6, 'Hessian-vector product');
  });
});

describe('float32 through the rest of the API', () => {
  const w = array([1, 2, 3], { dtype: 'float32' });
  it('Grads arithmetic keeps a float32 parameter\'s gradient float32', () => {
    const g = gradient(() => sum(mul(w, w)), new Params([w]));
    const doubled = g.plus(g).get(w) as NDArray;
    expect(doubled.dtype).toBe('float32');
    expect(doubled.toArray()).toEqual([4, 8, 12]);
    expect((g.times(0.5).get(w) as NDArray).dtype).toBe('float32');
  });
  it('a Jacobian with respect to a float32 array is float32', () => {
    const [J] = jacobian((x: NDArray) => mul(x, 2), w) as [NDArray];
    expect(J.dtype).toBe('float32');
    expect(J.shape).toEqual([3, 3]);
    expect(J.toArray()).toEqual([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
  });
  it('a pullback takes a Float32Array cotangent', () => {
    const [, back] = pullback((x: NDArray) => mul(x, 3), w);
    const [g] = back(Float32Array.of(1, 0, 2) as unknown as number) as [NDArray];
    expect(g.dtype).toBe('float32');
    expect(g.toArray()).toEqual([3, 0, 6]);
  });
});
