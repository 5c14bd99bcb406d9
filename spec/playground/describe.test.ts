// Values as the playground shows them (playground/src/describe.ts): by structure.
import { describe as group, expect, it } from 'vitest';
import Fraction from 'fraction.js';
import { array, gradient, Params } from 'zygote-ts';
import { describe } from '../../playground/src/describe.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

group('describing values for the page', () => {
  it('numbers, including the ones JSON cannot hold', () => {
    expect([1.5, NaN, Infinity, -0].map(describe)).toEqual([
      { t: 'num', v: 1.5 },
      { t: 'num', v: 'NaN' },
      { t: 'num', v: 'Infinity' },
      { t: 'num', v: '-0' },
    ]);
  });
  it('records, class instances, Maps, null and cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(describe(new Point(3, 4))).toEqual({ t: 'obj', cls: 'Point', fields: [['x', { t: 'num', v: 3 }], ['y', { t: 'num', v: 4 }]] });
    expect(describe(new Map([['W', null]]))).toEqual({ t: 'map', entries: [[{ t: 'str', v: 'W' }, { t: 'null' }]] });
    expect(describe(cyclic)).toEqual({ t: 'obj', fields: [['a', { t: 'num', v: 1 }], ['self', { t: 'ref', text: '[Circular]' }]] });
  });
  it('an array’s holes as holes (they vanished: [1, , 3] was shown as [1, 3])', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(describe([1, , 3])).toEqual({ t: 'arr', items: [{ t: 'num', v: 1 }, { t: 'other', text: '<empty>' }, { t: 'num', v: 3 }] });
    const sparse = new Array(70);
    sparse[0] = 1;
    sparse[69] = 2;
    const d = describe(sparse);
    expect(d.t).toBe('arr');
    expect(d.t === 'arr' && d.items.length).toBe(70);
    expect(d.t === 'arr' && d.items[1]).toEqual({ t: 'other', text: '<empty>' });
  });
  it('NDArrays with their shape, and number classes by their own text', () => {
    expect(describe(array([[1, 2], [3, 4]]))).toEqual({ t: 'nd', shape: [2, 2], data: [1, 2, 3, 4] });
    expect(describe(new Fraction(7, 2))).toEqual({ t: 'scalar', cls: 'Fraction', text: '7/2' });
  });
  it('a big array whole, with its smallest and largest number (the page shows a summary)', () => {
    const xs = Array.from({ length: 300 }, (_, i) => Math.cos(i));
    const d = describe(xs);
    expect(d).toMatchObject({ t: 'nums', range: [Math.min(...xs), Math.max(...xs)] });
    expect(d.t === 'nums' && d.values).toEqual(xs);
    expect(describe(new Float32Array(100).fill(2))).toMatchObject({ t: 'nums', cls: 'Float32Array', range: [2, 2] });
    // The range of the numbers that are not NaN, and the NaNs counted (one NaN made it NaN, NaN).
    expect(describe([1, NaN, ...new Array(70).fill(0)])).toMatchObject({ t: 'nums', range: [0, 1], nan: 1 });
    expect(describe(new Array(70).fill(NaN))).toMatchObject({ t: 'nums', range: ['NaN', 'NaN'], nan: 70 });
    expect(describe(array([NaN, ...new Array(99).fill(2), -3]))).toMatchObject({ t: 'nd', range: [-3, 2], nan: 1 });
    const big = describe(array(Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => i * 10 + j))));
    expect(big).toMatchObject({ t: 'nd', shape: [10, 10], range: [0, 99] });
    expect(big.t === 'nd' && big.data.length).toBe(100);
    // Small ones keep their structure.
    expect(describe([1, 2, 3])).toEqual({ t: 'arr', items: [1, 2, 3].map((v) => ({ t: 'num', v })) });
  });
  it('Grads of implicit parameters, parameter by parameter', () => {
    const w = [1, 2];
    const g = gradient(() => w[0]! * w[1]!, new Params([w]));
    expect(describe(g)).toEqual({ t: 'grads', entries: [[describe([1, 2]), describe([2, 1])]] });
  });
  it('getters are not run', () => {
    let runs = 0;
    const o = {
      get g() {
        return ++runs;
      },
    };
    expect(describe(o)).toEqual({ t: 'obj', fields: [['g', { t: 'other', text: '(getter)' }]] });
    expect(runs).toBe(0);
  });
});
