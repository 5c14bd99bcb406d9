// Reductions over all elements (a number, traced when the input is) or over one axis (an
// array with that axis removed): sum, mean, prod, max, min, sumsq, logsumexp; and softmax,
// which normalises along an axis. Each records one node; each pullback is written with
// differentiable operations (or a rule whose own pullback is), so hessians work.

import { allocate, NDArray, type FloatArray } from '../../lib/ndarray.js';
import { div, mul, sub } from '../arithmetic.js';
import { sum as sumAll } from './elementwise.js';
import { asArray, liveArray, on, record, recordStep, tapeOf } from './record.js';
import {
  expandBack, fmt, groupsOf, normalizeAxis, reduceGroups, reducedValue, transformGroups,
  type ArrayInput, type Groups,
} from './axes.js';

type Axis = number | null;

/**
 * The skeleton of a reduction along `axis`: plain arrays go to `kernel`; a traced one
 * records the value computed one level out (by `self`) with the pullback `back` makes.
 */
function reduction(
  op: string,
  x: unknown,
  axisArg: unknown,
  kernel: (X: NDArray, g: Groups, axis: Axis) => number | NDArray,
  self: (v: NDArray, axis: Axis) => unknown,
  back: (v: NDArray, y: unknown, X: NDArray, g: Groups, axis: Axis) => (cotangent: unknown) => unknown,
): any {
  const X = asArray(x, op);
  const axis = axisArg === undefined || axisArg === null ? null : normalizeAxis(axisArg, X.shape, op);
  const groups = groupsOf(X.shape, axis);
  const t = tapeOf([X]);
  if (t === null) return kernel(X, groups, axis);
  return recordStep(t, [X], {
    name: op,
    forward: ([v]) => self(v, axis),
    backward: (g, [v], y) => [back(v, y, X, groups, axis)(g)],
  });
}

const axisOf = (axis: Axis): number | undefined => (axis === null ? undefined : axis);

// ---- sum, mean --------------------------------------------------------------------------

/** The sum over all elements (a number), or over `axis` (an array without that axis). */
export function sum(x: ArrayInput, axis: number): NDArray;
export function sum(x: ArrayInput | number): number;
export function sum(x: unknown, axis?: unknown): any {
  if (axis === undefined || axis === null) return sumAll(x);
  return reduction('sum', x, axis, sumKernel, (v, a) => sum(v, axisOf(a)!), (_v, _y, X, g, a) =>
    function sumPullback(ct) {
      return expandBack(ct, X, g, a);
    },
  );
}

function sumKernel(X: NDArray, g: Groups, axis: Axis): number | NDArray {
  return reducedValue(reduceGroups(X, g, (d, base, stride, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[base + i * stride]!;
    return s;
  }), g, axis);
}

/** The mean over all elements, or over `axis`. */
export function mean(x: ArrayInput, axis: number): NDArray;
export function mean(x: ArrayInput): number;
export function mean(x: unknown, axis?: unknown): any {
  return reduction('mean', x, axis, (X, g, a) => {
    const s = sumKernel(X, g, a);
    return typeof s === 'number' ? s / g.n : new NDArray(s.shape, s.data.map((v) => v / g.n));
  }, (v, a) => mean(v, axisOf(a)!), (_v, _y, X, g, a) =>
    function meanPullback(ct) {
      return expandBack(div(ct, g.n), X, g, a);
    },
  );
}

/** Σ x² over all elements: a number. */
export function sumsq(x: ArrayInput | number): number {
  return reduction('sumsq', x, undefined, (X) => {
    let s = 0;
    for (const v of X.data) s += v * v;
    return s;
  }, (v) => sumsq(v), (v) =>
    function sumsqPullback(ct) {
      return mul(ct, mul(2, v));
    },
  );
}

// ---- prod: the gradient is the product of the other elements (prefix × suffix products,
// so zeros in the input are exact; dividing the product by x would give NaN at a zero) ----

/** The product over all elements, or over `axis`. */
export function prod(x: ArrayInput, axis: number): NDArray;
export function prod(x: ArrayInput): number;
export function prod(x: unknown, axis?: unknown): any {
  return reduction('prod', x, axis, (X, g, a) => reducedValue(reduceGroups(X, g, (d, base, stride, n) => {
    let p = 1;
    for (let i = 0; i < n; i++) p *= d[base + i * stride]!;
    return p;
  }), g, a), (v, a) => prod(v, axisOf(a)!), (v, _y, X, g, a) =>
    function prodPullback(ct) {
      return mul(expandBack(ct, X, g, a), othersProduct(v, g));
    },
  );
}

/** For each element, the product of the others in its group. */
function othersProduct(X: NDArray, g: Groups): NDArray {
  X = liveArray(X);
  const t = tapeOf([X]);
  if (t === null) return new NDArray(X.shape, transformGroups(X, g, othersKernel));
  const v = on(X, t) as NDArray;
  return record(t, othersProduct(v, g), [X], function othersProductPullback(ct) {
    // ∂others_i/∂x_k is a product of n-2 elements; its own derivative in x is not provided.
    if (liveArray(v).tape !== null) {
      throw new Error('zygote-ts: prod: derivatives of third and higher order are not implemented (the second order is).');
    }
    return [othersProductBack(ct, v, g)];
  });
}

function othersKernel(src: FloatArray, dst: FloatArray, base: number, stride: number, n: number): void {
  let p = 1;
  for (let i = 0; i < n; i++) {
    dst[base + i * stride] = p;
    p *= src[base + i * stride]!;
  }
  p = 1;
  for (let i = n - 1; i >= 0; i--) {
    dst[base + i * stride]! *= p;
    p *= src[base + i * stride]!;
  }
}

/**
 * x̄_k = Σ_{i≠k} c_i Π_{j∉{i,k}} x_j for constant x: linear in the cotangent c, by a
 * symmetric matrix, so its pullback is itself (differentiable in c to any order).
 */
function othersProductBack(C: unknown, x: NDArray, g: Groups): NDArray {
  const c = liveArray(C as NDArray);
  const t = tapeOf([c]);
  if (t === null) return new NDArray(x.shape, othersBackKernel(c.data, x, g));
  return record(t, othersProductBack(on(c, t), x, g), [c], function othersProductBackPullback(h) {
    return [othersProductBack(h, x, g)];
  });
}

function othersBackKernel(c: FloatArray, x: NDArray, g: Groups): FloatArray {
  const X = liveArray(x).data;
  const out = allocate(x.dtype, X.length);
  const before = new Float64Array(g.n);
  const after = new Float64Array(g.n);
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.inner; j++) {
      const base = o * g.n * g.inner + j;
      const at = (i: number) => base + i * g.inner;
      // before[k] = Π_{j<k} x_j, after[k] = Π_{j>k} x_j
      let p = 1;
      for (let i = 0; i < g.n; i++) (before[i] = p), (p *= X[at(i)]!);
      p = 1;
      for (let i = g.n - 1; i >= 0; i--) (after[i] = p), (p *= X[at(i)]!);
      // left_k = Σ_{i<k} c_i Π_{i≠j<k} x_j; right_k likewise over i > k
      let left = 0;
      for (let k = 0; k < g.n; k++) {
        out[at(k)] = left * after[k]!;
        left = left * X[at(k)]! + c[at(k)]! * before[k]!;
      }
      let right = 0;
      for (let k = g.n - 1; k >= 0; k--) {
        out[at(k)]! += right * before[k]!;
        right = right * X[at(k)]! + c[at(k)]! * after[k]!;
      }
    }
  }
  return out;
}

// ---- max, min: the whole cotangent to the first extreme element of each group (as the
// scalar Math.max rule gives it to the first tied argument; a NaN is the extreme) --------

/** The largest element, or the largest along `axis`. */
export function max(x: ArrayInput, axis: number): NDArray;
export function max(x: ArrayInput): number;
export function max(x: unknown, axis?: unknown): any {
  return extreme('max', x, axis, (a, b) => a > b);
}

/** The smallest element, or the smallest along `axis`. */
export function min(x: ArrayInput, axis: number): NDArray;
export function min(x: ArrayInput): number;
export function min(x: unknown, axis?: unknown): any {
  return extreme('min', x, axis, (a, b) => a < b);
}

/** Position (0…n-1) of the first extreme element of a group; a NaN wins at once. */
function argExtreme(d: FloatArray, base: number, stride: number, n: number, better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    const v = d[base + i * stride]!;
    if (v !== v) return i;
    if (better(v, d[base + best * stride]!)) best = i;
  }
  return best;
}

function extreme(op: 'max' | 'min', x: unknown, axis: unknown, better: (a: number, b: number) => boolean): unknown {
  const self = (v: NDArray, a: Axis) => extreme(op, v, axisOf(a), better);
  return reduction(op, x, axis, (X, g, a) => {
    if (g.n === 0) throw new RangeError(`zygote-ts: ${op} of an empty array (shape ${fmt(X.shape)}) has no value.`);
    return reducedValue(reduceGroups(X, g, (d, base, stride, n) => d[base + argExtreme(d, base, stride, n, better) * stride]!), g, a);
  }, self, (v, _y, X, g, a) => {
    // Which element is chosen is decided now, from the numbers: a constant mask.
    const mask = new NDArray(X.shape, transformGroups(liveArray(v), g, (src, dst, base, stride, n) => {
      dst[base + argExtreme(src, base, stride, n, better) * stride] = 1;
    }));
    return function extremePullback(ct) {
      return mul(expandBack(ct, X, g, a), mask);
    };
  });
}

// ---- logsumexp and softmax ------------------------------------------------------------

/** log Σ exp(x) over all elements or along `axis`, without overflow (the max is factored out). */
export function logsumexp(x: ArrayInput, axis: number): NDArray;
export function logsumexp(x: ArrayInput): number;
export function logsumexp(x: unknown, axis?: unknown): any {
  return reduction('logsumexp', x, axis, (X, g, a) => reducedValue(reduceGroups(X, g, lseKernel), g, a),
    (v, a) => logsumexp(v, axisOf(a)!), (v, _y, X, g, a) =>
      function logsumexpPullback(ct) {
        // ∂ logsumexp / ∂x = softmax(x) along the same axis
        return mul(expandBack(ct, X, g, a), softmaxAt(v, a));
      },
  );
}

function lseKernel(d: FloatArray, base: number, stride: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, d[base + i * stride]!);
  if (m === Infinity || m === -Infinity || m !== m) return m; // all -∞, some +∞, or a NaN
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(d[base + i * stride]! - m);
  return m + Math.log(s);
}

/** exp(x) / Σ exp(x) along `axis` (default: the last), computed without overflow. */
export function softmax(x: ArrayInput, axis = -1): NDArray {
  const X = asArray(x, 'softmax');
  return softmaxAt(X, normalizeAxis(axis, X.shape, 'softmax'));
}

function softmaxAt(X: NDArray, axis: Axis): NDArray {
  X = liveArray(X);
  const g = groupsOf(X.shape, axis);
  const t = tapeOf([X]);
  if (t === null) return new NDArray(X.shape, transformGroups(X, g, softmaxKernel));
  return recordStep(t, [X], {
    name: 'softmax',
    forward: ([v]) => softmaxAt(v, axis),
    backward: (ct, _values, y) => {
      // x̄ = y ⊙ (ȳ - Σ_axis ȳ ⊙ y)
      const inner = axis === null ? sumAll(mul(ct, y)) : sum(mul(ct, y), axis);
      return [mul(y, sub(ct, expandBack(inner, X, g, axis)))];
    },
    reads: { operands: [false], result: true },
  });
}

function softmaxKernel(src: FloatArray, dst: FloatArray, base: number, stride: number, n: number): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, src[base + i * stride]!);
  let s = 0;
  for (let i = 0; i < n; i++) s += dst[base + i * stride] = Math.exp(src[base + i * stride]! - m);
  for (let i = 0; i < n; i++) dst[base + i * stride]! /= s;
}
