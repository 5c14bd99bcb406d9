// Forward mode through array rules beyond the tables: Hessian-vector products (forward over
// reverse) against reverse over reverse, prod's derivatives of every order in every mixing
// of the modes (exact at a zero), jacfwd of array-valued functions against jacobian, strong
// zeros, and operands that are packed into arrays (nested arrays of traced numbers, typed
// arrays).
import { describe, expect, it } from 'vitest';
import {
  __zy, add, array, astype, densegradient, div, exp, gradient, hessian, hvp, jacfwd, jacobian, jvp, log, map, matmul, mul, NDArray, pow, prod,
  rand, relu, rule, softmax, sqrt, sum, tanh, transpose,
} from 'zygote-ts';
import { centralDifferences, expectClose, uniform } from './check.js';

const floor = __zy.Math.floor as unknown as (x: NDArray) => NDArray;

const data = (x: unknown) => Array.from((x as NDArray).data);

describe('Hessian-vector products through array operations', () => {
  const x = uniform([5], 1);
  const v = uniform([5], 2);

  it('hvp(sum(x⊙x)·sum(exp(x))) is hessian·v (reverse over reverse) and the differences of the gradient', () => {
    const f = (x: NDArray) => sum(mul(x, x)) * sum(exp(x));
    const Hv = hvp(f, x, v) as NDArray;
    expect(Hv).toBeInstanceOf(NDArray);
    expect(Hv.shape).toEqual([5]);
    const reference = matmul(hessian(f, x), v) as NDArray;
    expectClose(Hv, reference.data, 1e-12, 'hvp against hessian·v');
    // d/dt ∇f(x + t v) at 0
    const byDifferences = centralDifferences((t) => sum(mul(densegradient(f, add(x, mul(t as number, v)) as NDArray)[0] as NDArray, array([1, 0, 0, 0, 0]))), [0], 0);
    expect(Hv.data[0]).toBeCloseTo(byDifferences[0]!, 6);
  });

  it('through matmul, tanh, softmax and log: every element of H·v', () => {
    const W = uniform([3, 5], 3);
    const f = (x: NDArray) => {
      const h = matmul(W, x);
      return sum(mul(softmax(tanh(h)), log(add(mul(h, h), 1)))) + sum(mul(x, exp(x)));
    };
    expectClose(hvp(f, x, v) as NDArray, (matmul(hessian(f, x), v) as NDArray).data, 1e-12, 'hvp');
  });
});

describe('prod: derivatives of every order, in every mode', () => {
  // D³prod(x)[u, v, w] = Σ over distinct i, j, k of u_i v_j w_k Π_{l ∉ {i,j,k}} x_l
  const x = array([1.5, 0, -0.5, 2, 0.75]);
  const [u, v, w] = [uniform([5], 4), uniform([5], 5), uniform([5], 6)];
  let third = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      for (let k = 0; k < 5; k++) {
        if (i === j || j === k || i === k) continue;
        let p = 1;
        for (let l = 0; l < 5; l++) if (l !== i && l !== j && l !== k) p *= x.data[l]!;
        third += u.data[i]! * v.data[j]! * w.data[k]! * p;
      }
    }
  }
  const dot = (a: unknown, b: NDArray) => sum(mul(a as NDArray, b));
  const hv = (y: NDArray) => hvp((z: NDArray) => prod(z), y, u) as NDArray;

  it('forward over forward over reverse (jvp of hvp)', () => {
    expect(dot(jvp(hv, [x], [v])[1], w)).toBeCloseTo(third, 12);
  });
  it('reverse over forward over reverse (gradient of hvp)', () => {
    expect(dot(gradient((y: NDArray) => dot(hv(y), v), x)[0], w)).toBeCloseTo(third, 12);
  });
  it('forward over reverse over reverse, reverse three deep, forward three deep', () => {
    const g2 = (y: NDArray) => densegradient((z: NDArray) => dot(densegradient((s: NDArray) => prod(s), z)[0], u), y)[0] as NDArray;
    expect(dot(jvp(g2, [x], [v])[1], w)).toBeCloseTo(third, 12);
    expect(dot(gradient((y: NDArray) => dot(g2(y), v), x)[0], w)).toBeCloseTo(third, 12);
    const f1 = (y: NDArray) => jvp((s: NDArray) => prod(s), [y], [u])[1] as number;
    const f2 = (y: NDArray) => jvp(f1, [y], [v])[1] as number;
    expect(jvp(f2, [x], [w])[1]).toBeCloseTo(third, 12);
  });
  it('sin(prod(x) + 0.3): third order in every mixing of the modes, against differences of the second', () => {
    // (the cotangents and tangents reaching prod's rules now depend on x too)
    const F = (y: NDArray) => Math.sin(prod(y) + 0.3);
    const second = (y: NDArray) => dot(densegradient((z: NDArray) => dot(densegradient(F, z)[0], u), y)[0], v);
    const h = 1e-5;
    const reference = (second(add(x, mul(h, w)) as NDArray) - second(add(x, mul(-h, w)) as NDArray)) / (2 * h);
    const rrr = dot(gradient(second, x)[0], w);
    const frr = jvp(second, [x], [w])[1] as number;
    const rfr = dot(gradient((y: NDArray) => dot(hvp(F, y, u), v), x)[0], w);
    const ffr = dot(jvp((y: NDArray) => hvp(F, y, u), [x], [v])[1], w);
    const fff = jvp((y: NDArray) => jvp((z: NDArray) => jvp(F, [z], [u])[1] as number, [y], [v])[1] as number, [x], [w])[1] as number;
    const rff = dot(gradient((y: NDArray) => jvp((z: NDArray) => jvp(F, [z], [u])[1] as number, [y], [v])[1] as number, x)[0], w);
    expect(Math.abs(rrr - reference)).toBeLessThan(1e-6 * Math.max(1, Math.abs(reference)));
    for (const [mode, value] of Object.entries({ frr, rfr, ffr, fff, rff })) expect(value, mode).toBeCloseTo(rrr, 10);
  });
  it('along an axis: jvp of prod(x, 1) against differences', () => {
    const X = uniform([3, 4], 7, 0.5, 1.5);
    const D = uniform([3, 4], 8);
    const [, dy] = jvp((y: NDArray) => prod(y, 1), [X], [D]);
    const h = 1e-6;
    const moved = (s: number) => prod(add(X, mul(s, D)) as NDArray, 1);
    expectClose(dy as NDArray, Float64Array.from(moved(h).data, (a, i) => (a - moved(-h).data[i]!) / (2 * h)), 1e-6, 'prod(x, 1)');
  });
});

describe('jacfwd of array-valued functions of an NDArray', () => {
  const W = uniform([4, 3], 9);
  const b = uniform([4], 10);
  const cases: Record<string, (x: NDArray) => NDArray> = {
    'tanh(W·x + b)': (x) => tanh(add(matmul(W, x), b)) as NDArray,
    'softmax(Wᵀ·relu(W·x))': (x) => softmax(matmul(transpose(W), relu(matmul(W, x)))),
    'x ⊙ exp(x) / Σx²': (x) => div(mul(x, exp(x)), sum(mul(x, x))) as NDArray,
    'map(Math.atan)': (x) => map(Math.atan, x),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      const x = uniform([3], 11);
      const [byForward] = jacfwd(f, x);
      const [byReverse] = jacobian(f, x);
      expect(byForward).toBeInstanceOf(NDArray);
      expect(byForward.shape).toEqual(byReverse.shape);
      expectClose(byForward, byReverse.data, 1e-12, name);
    });
  }
});

describe('strong zeros in forward mode', () => {
  it('a zero tangent element contributes nothing through an infinite partial (sqrt at 0, as reverse mode)', () => {
    const x = array([0, 1, 4]);
    const [J] = jacfwd((y: NDArray) => sqrt(y), x);
    expect(J.toArray()).toEqual([[Infinity, 0, 0], [0, 0.5, 0], [0, 0, 0.25]]);
    expect(J.toArray()).toEqual(jacobian((y: NDArray) => sqrt(y), x)[0].toArray());
    expect(data(jvp((y: NDArray) => sqrt(y), [x], [array([0, 1, 1])])[1])).toEqual([0, 0.5, 0.25]);
    expect(data(jvp((y: NDArray) => map(Math.sqrt, y), [x], [array([0, 1, 1])])[1])).toEqual([0, 0.5, 0.25]);
  });
  it('an operand without a tangent contributes nothing, however large its partial', () => {
    // ∂(xʸ)/∂y = xʸ·log x is 0·(-∞) at x = 0
    const f = (x: NDArray, y: NDArray) => pow(x, y);
    const [x, y] = [array([0, 2]), array([2, 3])];
    expect(data(jvp(f, [x, y], [array([1, 1]), null])[1])).toEqual([0, 12]);
    expect(data(jvp(f, [x, y], [array([1, 1]), array([0, 0])])[1])).toEqual([0, 12]);
  });
});

describe('a number from an array operation has a number as its tangent', () => {
  it('0 where it does not move (not null)', () => {
    const x = uniform([2, 3], 1, 0.1, 0.9);
    const v = uniform([2, 3], 2);
    expect(jvp((y: NDArray) => sum(floor(y)), [x], [v])).toEqual([0, 0]);
    expect(jvp((y: NDArray, s: number) => sum(mul(y, s)), [x, 0], [v, null])).toEqual([0, 0]);
  });
});

describe('operands packed into arrays', () => {
  it('a nested array of traced numbers as an array operand', () => {
    const f = (a: number, b: number) => sum(mul([[a, b], [b * a, 1]], array([[1, 2], [3, 4]])));
    // 1·a + 2·b + 3·a·b + 4
    const [value, tangent] = jvp(f, [2, 5], [0.5, -1]);
    expect(value).toBe(2 + 10 + 30 + 4);
    expect(tangent).toBeCloseTo(0.5 * (1 + 3 * 5) - 1 * (2 + 3 * 2), 12);
  });
  it('typed arrays: read whole, and packed after f writes into one', () => {
    const x = Float64Array.of(0.5, -1, 2);
    const d = Float64Array.of(1, 2, -1);
    const whole = (y: Float64Array) => sum(exp(y));
    const written = (y: Float64Array) => {
      y[1] = y[1]! * 3;
      return sum(exp(y));
    };
    expect(jvp(whole, [x], [d])[1]).toBeCloseTo(Math.exp(0.5) * 1 + Math.exp(-1) * 2 - Math.exp(2), 12);
    expect(jvp(written, [x.slice()], [d])[1]).toBeCloseTo(Math.exp(0.5) * 1 + Math.exp(-3) * 6 - Math.exp(2), 12);
  });
  it('a float32 array with a float64 tangent: float32 tangents', () => {
    const x = rand(2, 3, { seed: 3, dtype: 'float32' });
    const [y, dy] = jvp((z: NDArray) => exp(mul(z, 2)), [x], [uniform([2, 3], 4)]);
    expect((y as NDArray).dtype).toBe('float32');
    expect((dy as NDArray).dtype).toBe('float32');
  });
});

describe("a rule's tangent takes its value's shape and dtype", () => {
  // A custom rule's forward rule may give a tangent as broadcasting would (a number, or an
  // array that stretches to the value): it is stretched, so that element reads index it flat.
  const x = array([[1, 2, 3], [4, 5, 6]]);
  const shift = rule(
    (a: NDArray, s: number) => add(a, s) as NDArray,
    (a, s) => [add(a, s) as NDArray, (g: NDArray) => [g, sum(g)]],
    (a, s) => [add(a, s) as NDArray, (_da: NDArray, ds: number) => ds],
  );
  const rowShift = rule(
    (a: NDArray, r: NDArray) => add(a, r) as NDArray,
    (a, r) => [add(a, r) as NDArray, (g: NDArray) => [g, sum(g, 0)]],
    (a, r) => [add(a, r) as NDArray, (_da: NDArray, dr: NDArray) => dr],
  );

  it('a number for an array value', () => {
    const [, dy] = jvp((s: number) => shift(x, s), [0.5], [2]);
    expect((dy as NDArray).shape).toEqual([2, 3]);
    expect(data(dy)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(jvp((s: number) => shift(x, s).get(1, 2), [0.5], [2])[1]).toBe(2);
  });
  it('a row for a matrix value', () => {
    const [, dy] = jvp((r: NDArray) => rowShift(x, r), [array([1, 2, 3])], [array([1, -1, 0.5])]);
    expect((dy as NDArray).shape).toEqual([2, 3]);
    expect(data(dy)).toEqual([1, -1, 0.5, 1, -1, 0.5]);
    expect(jvp((r: NDArray) => rowShift(x, r).get(1, 0), [array([1, 2, 3])], [array([1, -1, 0.5])])[1]).toBe(1);
  });
  it('float64 for a float32 value becomes float32', () => {
    const x32 = astype(x, 'float32');
    const [y, dy] = jvp((r: NDArray) => rowShift(x32, r), [array([1, 2, 3], { dtype: 'float32' })], [array([0.1, 0, 0])]);
    expect((y as NDArray).dtype).toBe('float32');
    expect((dy as NDArray).dtype).toBe('float32');
    expect((dy as NDArray).data[3]).toBe(Math.fround(0.1));
  });
});
