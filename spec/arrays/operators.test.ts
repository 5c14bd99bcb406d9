// Operators and Math on arrays, through the rewrite: elementwise with broadcasting when one
// side is an NDArray (or a traced array argument); JavaScript's meaning otherwise.
import { describe, expect, it } from 'vitest';
import { array, gradient, matmul, NDArray, rand, sum } from 'zygote-ts';

type Untyped = any; // TypeScript cannot type operators on objects; the rewrite makes them work
const out = (x: unknown): unknown => (x as NDArray).toArray();

describe('operators on arrays', () => {
  const a: Untyped = array([[1, 2, 3], [4, 5, 6]]);
  const v: Untyped = array([10, 20, 30]);

  it('are elementwise with numpy broadcasting', () => {
    expect(out(a + v)).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(out(a * 2)).toEqual([[2, 4, 6], [8, 10, 12]]);
    expect(out(2 - a)).toEqual([[1, 0, -1], [-2, -3, -4]]);
    expect(out(a ** 2)).toEqual([[1, 4, 9], [16, 25, 36]]);
    expect(out(-v)).toEqual([-10, -20, -30]);
    expect(out(v / (array([[1], [10]]) as Untyped))).toEqual([[10, 20, 30], [1, 2, 3]]);
    let acc: Untyped = array([1, 1, 1]);
    acc += v;
    acc *= 2;
    expect(acc.toArray()).toEqual([22, 42, 62]);
  });
  it('a plain JavaScript array on the other side takes part as an array', () => {
    expect(out(v + [1, 2, 3])).toEqual([11, 22, 33]);
    expect(out(([[1], [2]] as Untyped) * v)).toEqual([[10, 20, 30], [20, 40, 60]]);
  });
  it('two plain JavaScript arrays, or an array and a string, keep JavaScript meaning', () => {
    const p: Untyped = [1, 2];
    const q: Untyped = [3];
    expect(p + q).toBe('1,23');
    expect(p * q).toBeNaN();
    expect(v + 'px').toBe(`${String(v)}px`);
  });
  it('Math functions apply elementwise, like numpy ufuncs', () => {
    const W = rand(2, 3, { seed: 4 });
    const x = array([0.1, 0.2, 0.3]);
    const y = Math.tanh(matmul(W, x)) as unknown as NDArray;
    expect(y.toArray()).toEqual((matmul(W, x) as NDArray).toArray().map(Math.tanh));
    expect(out(Math.exp(v) as unknown as NDArray)).toEqual([10, 20, 30].map(Math.exp));
    expect(out(Math.pow(a, 2) as unknown as NDArray)).toEqual([[1, 4, 9], [16, 25, 36]]);
  });
  it('a shape mismatch names both shapes', () => {
    expect(() => a + (array([1, 2]) as Untyped)).toThrow(/shapes \[2, 3\] and \[2\] do not broadcast/);
    expect(() => matmul(a, a)).toThrow(/matmul: shapes \[2, 3\] and \[2, 3\] do not match/);
  });
  it('a traced array argument (a plain array passed to gradient) takes part as an array', () => {
    const [g] = gradient((x: number[]) => {
      const X: Untyped = x;
      const c: Untyped = [1, 2, 3];
      return sum(X ** 2 + X * c);
    }, [1, 2, 3]);
    expect(g).toEqual([3, 6, 9]);
  });
  // (only element 0 was looked at: after a[0] = 0, a * a was JavaScript's NaN and the gradient null)
  it('a traced array argument whose first numbers f set to constants still takes part as an array', () => {
    const [g] = gradient((x: number[]) => {
      const X: Untyped = x;
      X[0] = 0;
      return sum(X * X) + sum(([[2, x[1]], [x[2], 0]] as Untyped) * 3);
    }, [1, 2, 3]);
    expect(g).toEqual([0, 2 * 2 + 3, 2 * 3 + 3]);
    const [h] = gradient((m: number[][]) => {
      m[0]![0] = 5;
      return sum((m as Untyped) * 2);
    }, [[1, 2], [3, 4]]);
    expect(h).toEqual([[0, 2], [2, 2]]);
  });
  it('an array with text or a hole before its first traced number keeps JavaScript meaning', () => {
    gradient((x: number) => {
      expect((['a', x] as Untyped) * 2).toBeNaN();
      expect(([, x] as Untyped) * 2).toBeNaN();
      expect(([1, x] as Untyped) + 'px').toBe(`1,${x}px`);
      return x;
    }, 1.5);
  });
  it('indexing a traced array gives traced numbers; the gradient accumulates sparsely', () => {
    const x = array([1, 2, 3, 4]);
    const [g] = gradient((x: NDArray) => {
      let s = 0;
      for (let i = 0; i < x.size; i += 2) s += x.get(i) * x.get(i);
      for (const e of x) s += e; // iteration reads elements too
      return s;
    }, x);
    expect(g!.toArray()).toEqual([3, 1, 7, 1]);
  });
});
