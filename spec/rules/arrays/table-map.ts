// Finite-difference cases for map: unary, binary (zip, broadcast), and f closing over a
// traced number (which takes the element-by-element path).
import { map, mul, sum, type NDArray } from 'zygote-ts';
import { uniform as u, type Case } from './check.js';

const smooth = (v: number) => Math.sin(v) * v + v ** 3 / 3;
const pair = (a: number, b: number) => a * Math.exp(b) - Math.atan2(a, 1.5 + b * b);

export const mapCases: Record<string, Case[]> = {
  map: [
    { label: 'unary', f: (x: NDArray) => map(smooth, x), inputs: [u([2, 3], 1)] },
    { label: 'with a branch', f: (x: NDArray) => map((v) => (v > 0 ? v * v : -v / 2), x), inputs: [u([5], 2)] },
    { label: 'binary', f: (x: NDArray, y: NDArray) => map(pair, x, y), inputs: [u([2, 3], 1), u([2, 3], 2)] },
    { label: 'binary, broadcast [2,1] with [3]', f: (x: NDArray, y: NDArray) => map(pair, x, y), inputs: [u([2, 1], 1), u([3], 2)] },
    { label: 'binary, array and number', f: (x: NDArray, s: number) => map(pair, x, s), inputs: [u([3], 1), 0.4] },
    { label: 'f closes over a traced number', f: (x: NDArray, s: number) => map((v) => Math.tanh(s * v), x), inputs: [u([4], 3), 0.7] },
    { label: 'composed with array ops', f: (x: NDArray) => sum(mul(map(Math.cos, x), x)), inputs: [u([3], 4)] },
  ],
};
