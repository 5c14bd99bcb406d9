// Finite-difference cases for the elementwise array operations, with broadcasting.
import { __zy, abs, abs2, add, div, exp, log, maximum, minimum, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, type NDArray } from 'zygote-ts';
import { uniform, type Case } from './check.js';

const M = __zy.Math as unknown as Record<string, (...xs: unknown[]) => NDArray>;
const u = uniform;
const positive = (shape: number[], seed: number) => uniform(shape, seed, 0.5, 2);
// Away from kinks (finite differences need smoothness there): no element near 0.
const spread = (shape: number[], seed: number) => uniform(shape, seed, -2, 2);
// The rewrite gives the operators meaning on arrays; TypeScript does not know it.
type Op = any;

export const elementwiseCases: Record<string, Case[]> = {
  add: [
    { label: '[2,3]+[2,3]', f: add, inputs: [u([2, 3], 1), u([2, 3], 2)] },
    { label: '[2,3]+[3]', f: add, inputs: [u([2, 3], 1), u([3], 2)] },
    { label: '[2,1]+[1,3]', f: add, inputs: [u([2, 1], 1), u([1, 3], 2)] },
    { label: 'scalar+array', f: add, inputs: [0.7, u([2, 3], 2)] },
    { label: 'operator +', f: (a: Op, b: Op) => a + b, inputs: [u([3], 1), u([2, 3], 2)] },
  ],
  sub: [
    { label: '[2,3]-[3]', f: sub, inputs: [u([2, 3], 1), u([3], 2)] },
    { label: 'array-scalar', f: sub, inputs: [u([4], 1), -0.3] },
    { label: 'operator -', f: (a: Op, b: Op) => a - b, inputs: [u([2, 1], 1), u([1, 3], 2)] },
  ],
  mul: [
    { label: '[2,3]*[2,3]', f: mul, inputs: [u([2, 3], 1), u([2, 3], 2)] },
    { label: '[2,1]*[1,3]', f: mul, inputs: [u([2, 1], 1), u([1, 3], 2)] },
    { label: 'traced scalar * array', f: mul, inputs: [1.3, u([2, 3], 2)] },
    { label: 'operator * (same array)', f: (a: Op) => a * a * a, inputs: [u([5], 3)] },
    { label: 'x² via scalar multiple', f: (a: Op, s: number) => a * s * a, inputs: [u([2, 2], 3), 0.8] },
  ],
  div: [
    { label: '[2,3]/[3]', f: div, inputs: [u([2, 3], 1), positive([3], 2)] },
    { label: 'scalar/array', f: div, inputs: [1.5, positive([2, 2], 2)] },
    { label: 'operator /', f: (a: Op, b: Op) => a / b, inputs: [u([2, 1], 1), positive([1, 3], 2)] },
  ],
  pow: [
    { label: 'array ** constant', f: (a: NDArray) => pow(a, 3), inputs: [u([2, 3], 1)] },
    { label: 'positive ** array', f: pow, inputs: [positive([2, 3], 1), u([3], 2)] },
    { label: 'array ** traced scalar', f: pow, inputs: [positive([4], 1), 1.7] },
    { label: 'operator **', f: (a: Op, b: number) => a ** b, inputs: [positive([2, 2], 1), 2.5] },
  ],
  neg: [
    { f: neg, inputs: [u([2, 3], 1)] },
    { label: 'unary -', f: (a: Op) => -a, inputs: [u([3], 1)] },
  ],
  exp: [{ f: exp, inputs: [u([2, 3], 1)] }],
  log: [{ f: log, inputs: [positive([2, 3], 1)] }],
  sqrt: [{ f: sqrt, inputs: [positive([2, 3], 1)] }],
  abs: [{ f: abs, inputs: [spread([2, 3], 1)] }],
  tanh: [{ f: tanh, inputs: [u([2, 3], 1)] }, { label: 'Math.tanh', f: (a: NDArray) => M.tanh!(a), inputs: [u([4], 2)] }],
  sigmoid: [{ f: sigmoid, inputs: [spread([2, 3], 1)] }, { label: 'number', f: sigmoid, inputs: [-0.4] }],
  relu: [{ f: relu, inputs: [spread([2, 3], 1)] }, { label: 'number', f: relu, inputs: [0.4] }],
  abs2: [{ f: abs2, inputs: [u([2, 3], 1)] }, { label: 'number', f: abs2, inputs: [-1.5] }],
  maximum: [
    { label: '[2,3] vs [2,3]', f: maximum, inputs: [u([2, 3], 1), u([2, 3], 2)] },
    { label: '[2,3] vs [3]', f: maximum, inputs: [u([2, 3], 1), u([3], 2)] },
    { label: 'array vs scalar', f: maximum, inputs: [u([2, 3], 1), 0.1] },
    { label: 'Math.max(A, B)', f: (a: NDArray, b: NDArray) => M.max!(a, b), inputs: [u([2, 1], 3), u([1, 3], 4)] },
    { label: 'Math.max(A, B, C)', f: (a: NDArray, b: NDArray, c: NDArray) => M.max!(a, b, c), inputs: [u([4], 3), u([4], 4), u([4], 5)] },
  ],
  minimum: [
    { label: '[2,1] vs [1,3]', f: minimum, inputs: [u([2, 1], 1), u([1, 3], 2)] },
    { label: 'scalar vs array', f: minimum, inputs: [0.2, u([2, 2], 2)] },
    { label: 'Math.min(A, B)', f: (a: NDArray, b: NDArray) => M.min!(a, b), inputs: [u([3], 3), u([2, 3], 4)] },
  ],
};
