// Finite-difference cases for linear algebra, shapes, joining and cutting, and casts.
import { astype, broadcastTo, concat, dot, exp, get, matmul, outer, reshape, row, slice, stack, transpose, type NDArray } from 'zygote-ts';
import { uniform as u, type Case } from './check.js';

export const linalgCases: Record<string, Case[]> = {
  matmul: [
    { label: 'matrix·matrix', f: matmul, inputs: [u([2, 3], 1), u([3, 4], 2)] },
    { label: 'matrix·vector', f: matmul, inputs: [u([2, 3], 1), u([3], 2)] },
    { label: 'vector·matrix', f: matmul, inputs: [u([2], 1), u([2, 3], 2)] },
    { label: 'vector·vector', f: matmul, inputs: [u([3], 1), u([3], 2)] },
    { label: 'A·Aᵀ', f: (a: NDArray) => matmul(a, transpose(a)), inputs: [u([2, 3], 3)] },
  ],
  transpose: [
    { f: transpose, inputs: [u([2, 3], 1)] },
    { label: 'vector (unchanged)', f: transpose, inputs: [u([3], 1)] },
  ],
  dot: [{ f: dot, inputs: [u([4], 1), u([4], 2)] }],
  outer: [{ f: outer, inputs: [u([2], 1), u([3], 2)] }],
};

export const shapeCases: Record<string, Case[]> = {
  reshape: [
    { label: '[2,3]→[3,2]', f: (x: NDArray) => reshape(x, [3, 2]), inputs: [u([2, 3], 1)] },
    { label: '[2,3]→[-1]', f: (x: NDArray) => reshape(x, [-1]), inputs: [u([2, 3], 1)] },
  ],
  get: [
    { label: 'x.get(i, j)', f: (x: NDArray) => x.get(1, 2) * x.get(0, 1), inputs: [u([2, 3], 1)] },
    { label: 'get(x, i)', f: (x: NDArray) => get(x, 2) ** 2, inputs: [u([4], 1)] },
  ],
  broadcastTo: [
    { label: '[3]→[2,3]', f: (x: NDArray) => broadcastTo(x, [2, 3]), inputs: [u([3], 1)] },
    { label: '[2,1]→[2,3]', f: (x: NDArray) => broadcastTo(x, [2, 3]), inputs: [u([2, 1], 1)] },
    { label: 'scalar→[2,2]', f: (s: number) => broadcastTo(s, [2, 2]), inputs: [0.3] },
  ],
  concat: [
    { label: 'axis 0', f: (a: NDArray, b: NDArray) => concat([a, b]), inputs: [u([2, 3], 1), u([1, 3], 2)] },
    { label: 'axis 1', f: (a: NDArray, b: NDArray) => concat([a, b, a], 1), inputs: [u([2, 1], 1), u([2, 2], 2)] },
    { label: 'axis -1 of vectors', f: (a: NDArray, b: NDArray) => concat([a, b], -1), inputs: [u([2], 1), u([3], 2)] },
  ],
  stack: [
    { label: 'axis 0', f: (a: NDArray, b: NDArray) => stack([a, b]), inputs: [u([3], 1), u([3], 2)] },
    { label: 'axis 1', f: (a: NDArray, b: NDArray) => stack([a, b], 1), inputs: [u([2, 2], 1), u([2, 2], 2)] },
    { label: 'axis -1 (new last)', f: (a: NDArray, b: NDArray) => stack([a, b, a], -1), inputs: [u([2], 1), u([2], 2)] },
  ],
  slice: [
    { label: 'rows 1..3 of a matrix', f: (x: NDArray) => slice(x, 1, 3), inputs: [u([4, 2], 1)] },
    { label: 'range of a vector, negative start', f: (x: NDArray) => slice(x, -3), inputs: [u([5], 1)] },
  ],
  row: [
    { label: 'row 1', f: (x: NDArray) => row(x, 1), inputs: [u([3, 2], 1)] },
    { label: 'row -1 of 3-d', f: (x: NDArray) => row(x, -1), inputs: [u([2, 2, 2], 1)] },
  ],
};

// In float64 these casts are no-ops (finite differences cannot see through float32
// rounding; spec/arrays/dtype.test.ts checks a cast to float32 with a wider step); the
// float32 spec runs them on float32 inputs, where both casts are real.
export const dtypeCases: Record<string, Case[]> = {
  astype: [
    { label: 'to its own dtype (unchanged)', f: (x: NDArray) => astype(x, x.dtype), inputs: [u([2, 3], 1)] },
    { label: 'through float64 and back', f: (x: NDArray) => astype(exp(astype(x, 'float64')), x.dtype), inputs: [u([2, 3], 2)] },
  ],
};
