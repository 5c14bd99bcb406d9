// jacobian over arrays (a matrix per argument, rows = outputs) and hessian for vectors,
// both against finite differences.
import { describe, expect, it } from 'vitest';
import { add, array, hessian, jacfwd, jacobian, matmul, mul, NDArray, pullback, rand, slice, sum, tanh, withjacobian } from 'zygote-ts';

const h = 1e-5;

/** Central differences of f: R^n -> R^m at x (plain numbers), as an m×n nested array. */
function numericJacobian(f: (x: NDArray) => NDArray, x: NDArray): number[][] {
  const y0 = f(x).toArray().flat(Infinity) as number[];
  const J = y0.map(() => new Array<number>(x.size).fill(0));
  for (let j = 0; j < x.size; j++) {
    const up = Float64Array.from(x.data);
    const down = Float64Array.from(x.data);
    up[j]! += h;
    down[j]! -= h;
    const fu = f(new NDArray(x.shape, up)).toArray().flat(Infinity) as number[];
    const fd = f(new NDArray(x.shape, down)).toArray().flat(Infinity) as number[];
    for (let i = 0; i < y0.length; i++) J[i]![j] = (fu[i]! - fd[i]!) / (2 * h);
  }
  return J;
}

function expectClose(actual: number[][], expected: number[][], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(tol * Math.max(1, Math.abs(expected[i]![j]!)))));
}

describe('jacobian over arrays', () => {
  const W = rand(3, 4, { seed: 11 });
  const b = rand(3, { seed: 12 });
  const f = (x: NDArray) => tanh(add(matmul(W, x), b)) as NDArray;
  const x = rand(4, { seed: 13 });

  it('of an NDArray function: an m×n NDArray, rows = outputs', () => {
    const [J] = jacobian(f, x);
    expect(J).toBeInstanceOf(NDArray);
    expect(J.shape).toEqual([3, 4]);
    expectClose(J.toArray(), numericJacobian(f, x));
  });
  // (with no outputs there were no rows to stack: jacobian gave [], jacfwd an NDArray 0×n)
  it('of a function returning an empty array: a 0×n NDArray of the argument\'s dtype, as jacfwd gives', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const v = array([1, 2, 3], { dtype });
      const none = (y: NDArray) => slice(y, 0, 0);
      const [J] = jacobian(none, v);
      expect(J).toBeInstanceOf(NDArray);
      expect([J.shape, J.dtype]).toEqual([[0, 3], dtype]);
      const [F] = jacfwd(none, v);
      expect([F.shape, F.dtype]).toEqual([J.shape, J.dtype]);
    }
  });
  it('withjacobian keeps the value; several arguments each get their matrix', () => {
    const g = (x: NDArray, c: NDArray) => mul(x, c) as NDArray;
    const c = array([2, 3, 4, 5]);
    const { val, grad } = withjacobian(g, x, c);
    expect((val as NDArray).toArray()).toEqual(mul(x, c).toArray());
    expectClose(grad[0].toArray(), numericJacobian((v) => g(v, c), x));
    expectClose(grad[1].toArray(), numericJacobian((v) => g(x, v), c));
  });
  it('of a function of a plain array returning a plain array: nested arrays', () => {
    const [J] = jacobian((v: number[]) => [v[0]! * v[1]!, Math.sin(v[1]!), v[0]! + 2 * v[2]!], [1, 2, 3]);
    expectClose(J, [
      [2, 1, 0],
      [0, Math.cos(2), 0],
      [1, 0, 2],
    ]);
  });
});

describe('hessian for vectors', () => {
  it('of an NDArray function, with matmul and tanh: symmetric, and the Jacobian of the gradient by differences', () => {
    const A = rand(3, 3, { seed: 21 });
    const f = (x: NDArray) => sum(tanh(matmul(A, x))) + sum(mul(mul(x, x), x));
    const x = array([0.3, -0.5, 0.8]);
    const H = hessian(f, x);
    expect(H.shape).toEqual([3, 3]);
    const rows = H.toArray() as number[][];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(rows[i]![j]).toBeCloseTo(rows[j]![i]!, 10);
    // the gradient, analytically: Aᵀ(1 - tanh²(Ax)) + 3x²
    const grad = (v: NDArray) => {
      const t = tanh(matmul(A, v)) as NDArray;
      return add(matmul(mul(add(mul(mul(t, t), -1), 1), 1), A), mul(mul(v, v), 3)) as NDArray;
    };
    expectClose(rows, numericJacobian(grad, x), 1e-5);
  });
  it('of a function of a plain array: nested arrays', () => {
    expect(hessian((v: number[]) => v[0]! * v[0]! * v[1]!, [1, 2])).toEqual([
      [4, 2],
      [2, 0],
    ]);
  });
});

describe('pullback of an array-valued f', () => {
  it('back takes a cotangent of the output shape: a vector-Jacobian product', () => {
    const W = array([[1, 2, 3], [4, 5, 6]]);
    const [y, back] = pullback((x: NDArray) => matmul(W, x), array([1, 0, -1]));
    expect((y as NDArray).toArray()).toEqual([-2, -2]);
    expect(back(array([1, 10]))[0]!.toArray()).toEqual([41, 52, 63]);
    expect(back([1, 0])[0]!.toArray()).toEqual([1, 2, 3]);
    expect(() => back(1)).toThrow(/cotangent of that shape/);
  });
});
