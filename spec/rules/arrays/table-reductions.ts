// Finite-difference cases for reductions, scans and softmax, over all elements and along axes.
import { cumsum, logsumexp, max, mean, min, NDArray, prod, softmax, sum, sumsq } from 'zygote-ts';
import { uniform as u, type Case } from './check.js';

// x with exact zeros at positions `ks` (prod's gradient must not divide by them).
const zeroAt = (x: NDArray, ks: number[]) => new NDArray(x.shape, x.data.map((v, i) => (ks.includes(i) ? 0 : v)));

export const reductionCases: Record<string, Case[]> = {
  sum: [
    { label: 'all', f: sum, inputs: [u([2, 3], 1)] },
    { label: 'axis 0', f: (x: NDArray) => sum(x, 0), inputs: [u([2, 3], 1)] },
    { label: 'axis 1', f: (x: NDArray) => sum(x, 1), inputs: [u([2, 3], 1)] },
    { label: 'axis -2 of 3-d', f: (x: NDArray) => sum(x, -2), inputs: [u([2, 3, 2], 1)] },
  ],
  mean: [
    { label: 'all', f: mean, inputs: [u([2, 3], 1)] },
    { label: 'axis -1', f: (x: NDArray) => mean(x, -1), inputs: [u([2, 3], 1)] },
    { label: 'axis 1 of 3-d', f: (x: NDArray) => mean(x, 1), inputs: [u([2, 3, 2], 2)] },
  ],
  prod: [
    { label: 'all', f: prod, inputs: [u([2, 3], 1, 0.5, 1.5)] },
    { label: 'axis 0', f: (x: NDArray) => prod(x, 0), inputs: [u([3, 2], 2, -1.5, 1.5)] },
    { label: 'with a zero', f: prod, inputs: [zeroAt(u([5], 3), [2])] },
    { label: 'two zeros in one row, axis 1', f: (x: NDArray) => prod(x, 1), inputs: [zeroAt(u([2, 3], 4), [0, 1, 3])] },
  ],
  max: [
    { label: 'all', f: max, inputs: [u([2, 3], 1)] },
    { label: 'axis 0', f: (x: NDArray) => max(x, 0), inputs: [u([3, 4], 2)] },
    { label: 'axis -1', f: (x: NDArray) => max(x, -1), inputs: [u([2, 3, 2], 3)] },
  ],
  min: [
    { label: 'all', f: min, inputs: [u([2, 3], 1)] },
    { label: 'axis 1', f: (x: NDArray) => min(x, 1), inputs: [u([3, 4], 2)] },
  ],
  sumsq: [
    { label: 'all', f: sumsq, inputs: [u([2, 3], 1)] },
    { label: 'axis 0', f: (x: NDArray) => sumsq(x, 0), inputs: [u([3, 2], 2)] },
    { label: 'axis -1 of 3-d', f: (x: NDArray) => sumsq(x, -1), inputs: [u([2, 2, 3], 3)] },
  ],
  cumsum: [
    { label: 'vector', f: cumsum, inputs: [u([5], 1)] },
    { label: 'flattened matrix', f: cumsum, inputs: [u([2, 3], 1)] },
    { label: 'axis 0', f: (x: NDArray) => cumsum(x, 0), inputs: [u([3, 2], 2)] },
    { label: 'axis -1 of 3-d', f: (x: NDArray) => cumsum(x, -1), inputs: [u([2, 2, 3], 3)] },
  ],
  logsumexp: [
    { label: 'all', f: logsumexp, inputs: [u([2, 3], 1, -3, 3)] },
    { label: 'axis 0', f: (x: NDArray) => logsumexp(x, 0), inputs: [u([3, 2], 2, -3, 3)] },
    { label: 'large values', f: (x: NDArray) => logsumexp(x, 1), inputs: [u([2, 3], 3, 700, 702)] },
  ],
  softmax: [
    { label: 'vector', f: softmax, inputs: [u([4], 1, -2, 2)] },
    { label: 'last axis', f: softmax, inputs: [u([2, 3], 2, -2, 2)] },
    { label: 'axis 0', f: (x: NDArray) => softmax(x, 0), inputs: [u([3, 2], 3, -2, 2)] },
  ],
};
