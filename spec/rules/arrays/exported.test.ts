// Every exported array operation takes nested arrays of numbers (and typed arrays) as it
// takes NDArrays: the same values, and gradients in the nested shape (issue 12). Cases are
// the finite-difference tables' own, with their array inputs given as nested arrays.
// (JavaScript's operators on two plain arrays keep their meaning: those cases are left out.)
import { describe, expect, it } from 'vitest';
import * as zygote from 'zygote-ts';
import { abs2, array, exp, gradient, matmul, mul, NDArray, sum, tanh } from 'zygote-ts';
import { tables } from './tables.js';

// (values as nested arrays; a zero's sign is not compared: the two forms sum contributions in another order)
const plain = (x: unknown): unknown =>
  x instanceof NDArray ? plain(x.toArray()) : Array.isArray(x) ? x.map(plain) : Object.is(x, -0) ? 0 : x;

describe('exported array operations take nested arrays of numbers', () => {
  for (const [domain, table] of Object.entries(tables)) {
    for (const [name, cases] of Object.entries(table)) {
      // (cases calling the export itself: others use JavaScript's own syntax or NDArray methods)
      const usable = cases.filter((c) => c.f === (zygote as Record<string, unknown>)[name] && c.inputs.some((x) => x instanceof NDArray));
      if (usable.length === 0) continue;
      it(`${domain}: ${name}`, () => {
        for (const c of usable) {
          const nested = c.inputs.map(plain);
          expect(plain(c.f(...(nested as NDArray[]))), c.label).toEqual(plain(c.f(...c.inputs)));
          if (typeof c.f(...c.inputs) !== 'number') continue;
          const f = c.f as (...args: unknown[]) => number;
          const expected = (gradient(f, ...c.inputs) as unknown[]).map(plain);
          expect((gradient(f, ...nested) as unknown[]).map(plain), c.label).toEqual(expected);
        }
      });
    }
  }

  it('the seed’s sum(abs2(x)) on a plain array, and typed arrays', () => {
    expect(gradient((x: number[]) => sum(abs2(x)), [7, 11, 13])).toEqual([[14, 22, 26]]);
    expect(exp([0, 1]).toArray()).toEqual([1, Math.E]);
    expect(tanh(Float64Array.of(0, 0)).toArray()).toEqual([0, 0]);
    expect(() => exp(['a'] as unknown as number[])).toThrow(/exp: x\[0\] is not a number/);
  });

  // (an integer typed array was no array to the operations: x * i32 was NaN with a null
  // gradient, x + i32 the text 'NDArray(2) [1,2]3,4', matmul and sum refused it)
  it('integer typed arrays are arrays of constants (float64), as operands and in operators', () => {
    const x = array([1, 2]);
    const counts = Int32Array.of(3, 4);
    const times = (a: any, b: any): NDArray => (a * b) as any; // (the operators, rewritten)
    const plus = (a: any, b: any): NDArray => a + b;
    expect(times(x, counts).toArray()).toEqual([3, 8]);
    expect(plus(x, Uint8Array.of(3, 4)).toArray()).toEqual([4, 6]);
    expect(mul(x, Uint16Array.of(3, 4)).toArray()).toEqual([3, 8]);
    expect([matmul(x, counts), sum(Int8Array.of(-1, 2))]).toEqual([11, 1]);
    expect(array(Uint32Array.of(5)).dtype).toBe('float64');
    expect(array([Int32Array.of(1, 2), Int32Array.of(3, 4)] as unknown as number[][]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect((gradient((v: NDArray) => sum(times(v, counts)), x)[0] as NDArray).toArray()).toEqual([3, 4]);
  });
});
