// Shape mismatches and bad axes are RangeErrors that name the shapes.
import { describe, expect, it, vi } from 'vitest';
import {
  __zy, add, array, broadcastTo, configure, concat, cumsum, dot, gradient, logsumexp, map, matmul, max, maximum, mean, min, mul,
  NDArray, ones, prod, reshape, row, slice, softmax, stack, sum, zeros,
} from 'zygote-ts';

const M = __zy.Math as unknown as Record<string, (...xs: unknown[]) => unknown>;
const m23 = ones(2, 3);

describe('array errors', () => {
  it('elementwise operations name the shapes that do not broadcast', () => {
    expect(() => add(m23, ones(2))).toThrow(RangeError);
    expect(() => add(m23, ones(2))).toThrow('add: shapes [2, 3] and [2] do not broadcast');
    expect(() => mul(ones(4), ones(3))).toThrow('mul: shapes [4] and [3] do not broadcast');
    expect(() => maximum(m23, ones(3, 2))).toThrow('maximum: shapes [2, 3] and [3, 2] do not broadcast');
    expect(() => M.min!(m23, ones(4))).toThrow('minimum: shapes [2, 3] and [4] do not broadcast');
    expect(() => map((a: number, b: number) => a + b, m23, ones(5))).toThrow('map: shapes [2, 3] and [5] do not broadcast');
    // also inside a differentiation
    expect(() => gradient((x: NDArray) => sum(add(x, ones(3, 3))), m23)).toThrow('shapes [2, 3] and [3, 3] do not broadcast');
  });

  it('new NDArray(shape, data) refuses storage of another length than the shape has (it was read past its end, or in part)', () => {
    expect(() => new NDArray([2, 3], new Float64Array(5))).toThrow('NDArray: shape [2, 3] has 6 elements, but the storage holds 5');
    expect(() => new NDArray([2, 2], new Float32Array(5))).toThrow(RangeError);
    expect(() => new NDArray([1.5], new Float64Array(1))).toThrow('not a whole number');
    expect(() => new NDArray([2], [1, 2] as unknown as Float64Array)).toThrow('must be a Float64Array or a Float32Array');
    // a matrix-vector product and a sum over such arrays were silently wrong: [6, NaN] and 15
    expect(() => matmul(new NDArray([2, 3], new Float64Array([1, 2, 3, 4, 5])), ones(3))).toThrow(RangeError);
    expect(() => sum(new NDArray([2, 2], new Float64Array([1, 2, 3, 4, 5])))).toThrow(RangeError);
    expect(sum(new NDArray([2, 2], new Float64Array([1, 2, 3, 4])))).toBe(10);
    expect(new NDArray([0, 3], new Float64Array(0)).size).toBe(0);
  });

  it('broadcastTo only stretches', () => {
    expect(() => broadcastTo(ones(3), [1])).toThrow('broadcastTo: shape [3] cannot be stretched to [1]');
    expect(() => broadcastTo(ones(2), [2, 3])).toThrow(RangeError);
  });

  it('linear algebra names both shapes', () => {
    expect(() => matmul(m23, ones(2, 3))).toThrow('matmul: shapes [2, 3] and [2, 3] do not match (3 columns against 2 rows)');
    expect(() => matmul(m23, ones(4))).toThrow('matmul: shapes [2, 3] and [4] do not match (3 columns against 4 rows)');
    expect(() => matmul(ones(2), 3 as unknown as NDArray)).toThrow('matmul takes vectors and matrices');
    expect(() => matmul(ones(2, 2, 2), ones(2, 2))).toThrow('matmul takes vectors and matrices, got shapes [2, 2, 2] and [2, 2]');
    expect(() => dot(ones(3), ones(4))).toThrow('dot takes two vectors of equal length, got shapes [3] and [4]');
  });

  it('bad axes name the axis and the shape', () => {
    expect(() => sum(m23, 2)).toThrow(RangeError);
    expect(() => sum(m23, 2)).toThrow('sum: axis 2 is out of range for shape [2, 3] (axes run from -2 to 1)');
    expect(() => mean(m23, -3)).toThrow('mean: axis -3 is out of range for shape [2, 3]');
    expect(() => prod(m23, 0.5)).toThrow('prod: axis 0.5 is out of range');
    expect(() => max(ones(3), 1)).toThrow('max: axis 1 is out of range for shape [3]');
    expect(() => softmax(array(2))).toThrow('softmax: axis -1 is out of range for shape [] (it has no axes)');
    expect(() => cumsum(m23, 5)).toThrow('cumsum: axis 5 is out of range for shape [2, 3]');
    expect(() => logsumexp(m23, -4)).toThrow('logsumexp: axis -4');
    expect(() => stack([ones(2), ones(2)], 3)).toThrow('stack: axis 3 is out of range for shape [2]');
    expect(() => concat([m23, m23], 2)).toThrow('concat: axis 2 is out of range for shape [2, 3]');
  });

  it("an axis that is not a number says so (numpy's several axes were called out of range: 'axis 1 … (axes run from -2 to 1)' for [1])", () => {
    expect(() => sum(m23, [0, 1] as unknown as number)).toThrow('sum takes one axis, a whole number, got an array [0, 1] (several axes are not taken: apply it once per axis)');
    expect(() => mean(m23, [1] as unknown as number)).toThrow('mean takes one axis, a whole number, got an array [1]');
    expect(() => sum(m23, '1' as unknown as number)).toThrow("sum takes one axis, a whole number, got the string '1'");
    expect(() => cumsum(m23, null as unknown as number)).toThrow('cumsum takes one axis, a whole number, got null');
  });

  it('joining names the shapes that do not fit', () => {
    expect(() => concat([m23, ones(2, 2)])).toThrow('concat: shapes [2, 3], [2, 2] do not match except along axis 0');
    expect(() => concat([ones(2), ones(2, 1)])).toThrow(RangeError);
    expect(() => concat([array(1), array(2)])).toThrow('use stack');
    expect(() => concat([])).toThrow('concat takes a non-empty list of arrays');
    expect(() => stack([ones(2), ones(3)])).toThrow('stack needs arrays of one shape, got [2], [3]');
  });

  it('cutting names the range and the shape', () => {
    expect(() => slice(ones(4, 2), 1, 5)).toThrow('slice(1, 5) is out of range for shape [4, 2] (axis 0 has 4)');
    expect(() => slice(ones(4), 3, 1)).toThrow(RangeError);
    expect(() => slice(array(3), 0)).toThrow('a 0-d array has no axis to slice');
    // (an index per axis, as lax.slice takes them, was reported as out of range)
    expect(() => slice(ones(4, 3), [1, 0] as unknown as number, [3, 2] as unknown as number)).toThrow('slice(x, start, end) takes row indices along the first axis (numbers), got an array as start');
    expect(() => row(ones(3), 0)).toThrow('row takes a matrix, got shape [3]');
    expect(() => row(m23, 2)).toThrow('row 2 is out of range for shape [2, 3]');
    expect(() => m23.get(2, 0)).toThrow('index 2 is out of bounds for axis 0 of shape [2, 3]');
    expect(() => reshape(m23, [4, 2])).toThrow('reshape: an array of shape [2, 3] (6 elements) cannot take shape [4, 2]');
  });

  it('reductions with no value and misuse are clear errors', () => {
    expect(() => max(zeros(0))).toThrow('max of an empty array (shape [0]) has no value');
    expect(() => min(zeros(2, 0), 1)).toThrow(RangeError);
    expect(() => M.max!(m23)).toThrow('use max(x) or min(x)');
  });

  it('map: f must be a function returning a number', () => {
    expect(() => map(3 as unknown as (v: number) => number, m23)).toThrow('map(f, x) needs a function f');
    expect(() => map(((v: number) => [v]) as unknown as (v: number) => number, m23)).toThrow('f must return a number, got object');
    expect(() => gradient((x: NDArray) => sum(map(((v: number) => `${v}`) as unknown as (v: number) => number, x)), m23)).toThrow(
      'f must return a number, got string',
    );
  });
});

describe('leaving differentiation through an array', () => {
  // (reading `x.data[i]` inside f gave a null gradient, and nothing was said)
  it("a traced array's raw storage read in f is reported, as toArray is; a plain one's is not", () => {
    const viaData = (x: NDArray) => (x.data[1] as number) * 3;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient(viaData, array([1, 2]))).toEqual([null]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/first by NDArray\.data/));
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(viaData, array([1, 2]))).toThrow(/strict.*NDArray\.data/s);
      expect(() => gradient((x: NDArray) => sum(x) * (x.toArray() as number[])[0]!, array([1, 2]))).toThrow(/NDArray\.toArray/);
      // an array f did not get from the differentiation, and any other object's `data`, as they are
      const k = array([5, 6]);
      expect(gradient((x: NDArray) => sum(x) * (k.data[1] as number) + ({ data: 2 }).data, array([1, 2]))).toEqual([new NDArray([2], Float64Array.of(6, 6))]);
    } finally {
      configure(previous);
    }
  });
});
