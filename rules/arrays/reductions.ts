// Reductions over all elements (a number, traced when the input is) or over one axis (an
// array with that axis removed): sum, mean, prod, max, min, sumsq, logsumexp; and softmax,
// which normalises along an axis. Each records one node; each pullback is written with
// differentiable operations (or a rule whose own pullback is), so hessians work.

import { allocate, NDArray, type FloatArray } from '../../lib/ndarray.js';
import { div, mul, sub } from '../arithmetic.js';
import { nothingFromZeros, plus, sum as sumAll } from './elementwise.js';
import { asArray, liveArray, on, record, recordStep, tapeOf } from './record.js';
import {
  expandBack, fmt, groupsOf, normalizeAxis, reduceGroups, reducedValue, refuseExtraArguments, NO_KEEPDIMS, transformGroups,
  type ArrayInput, type Groups,
} from './axes.js';

type Axis = number | null;

/**
 * The skeleton of a reduction along `axis`: plain arrays go to `kernel`; a traced one
 * records the value computed one level out (by `self`) with the pullback `back` makes and
 * the tangent `tangent` gives (forward mode: from x's tangent ẋ, of x's shape).
 */
function reduction(
  op: string,
  x: unknown,
  axisArg: unknown,
  kernel: (X: NDArray, g: Groups, axis: Axis) => number | NDArray,
  self: (v: NDArray, axis: Axis) => unknown,
  back: (v: NDArray, y: unknown, X: NDArray, g: Groups, axis: Axis) => (cotangent: unknown) => unknown,
  tangent: (v: NDArray, dx: NDArray, g: Groups, axis: Axis) => unknown,
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
    jvp: ([dx], [v]) => tangent(v, dx as NDArray, groups, axis),
  });
}

const axisOf = (axis: Axis): number | undefined => (axis === null ? undefined : axis);

/** Σ over the reduced axis (all elements when it is null): the tangent of a reduction weighing x's tangent elementwise. */
const reduced = (a: unknown, axis: Axis): unknown => (axis === null ? sumAll(a) : sum(a as NDArray, axis));

// ---- sum, mean --------------------------------------------------------------------------

/** The sum over all elements (a number), or over `axis` (an array without that axis). */
export function sum(x: ArrayInput, axis: number): NDArray;
export function sum(x: ArrayInput | number): number;
export function sum(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'sum(x, axis)', NO_KEEPDIMS);
  if (axis === undefined || axis === null) return sumAll(x);
  return reduction('sum', x, axis, sumKernel, (v, a) => sum(v, axisOf(a)!), (_v, _y, X, g, a) =>
    function sumPullback(ct) {
      return expandBack(ct, X, g, a);
    },
    (_v, dx, _g, a) => sum(dx, axisOf(a)!),
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
  refuseExtraArguments(arguments.length, 2, 'mean(x, axis)', NO_KEEPDIMS);
  return reduction('mean', x, axis, meanKernel, (v, a) => mean(v, axisOf(a)!), (_v, _y, X, g, a) =>
    function meanPullback(ct) {
      return expandBack(div(ct, g.n), X, g, a);
    },
    (_v, dx, _g, a) => (a === null ? mean(dx) : mean(dx, a)),
  );
}

// Each sum divided in float64, then stored: a float32 sum stored first was rounded twice, and
// overflowed where the mean does not (the mean of float32 [3e38, 3e38] was Infinity, over all
// elements too, where sum gives 6e38 as a number).
function meanKernel(X: NDArray, g: Groups, axis: Axis): number | NDArray {
  if (axis === null) {
    let s = 0;
    for (const v of X.data) s += v;
    return s / g.n;
  }
  return reducedValue(reduceGroups(X, g, (d, base, stride, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[base + i * stride]!;
    return s / n;
  }), g, axis);
}

/** Σ x² over all elements (a number), or over `axis` (an array without that axis). */
export function sumsq(x: ArrayInput, axis: number): NDArray;
export function sumsq(x: ArrayInput | number): number;
export function sumsq(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'sumsq(x, axis)', NO_KEEPDIMS);
  return reduction('sumsq', x, axis, sumsqKernel, (v, a) => sumsq(v, axisOf(a)!), (v, _y, X, g, a) =>
    function sumsqPullback(ct) {
      // (as prod's: no 0·∞ = NaN from an infinite element where the cotangent or tangent is zero)
      const spread = expandBack(ct, X, g, a);
      return nothingFromZeros(mul(spread, mul(2, v)), spread);
    },
    (v, dx, _g, a) => reduced(nothingFromZeros(mul(mul(2, v), dx), dx), a),
  );
}

// Over all elements the sum stays a float64 number (a float32 array's too), as it always was.
function sumsqKernel(X: NDArray, g: Groups, axis: Axis): number | NDArray {
  if (axis === null) {
    let s = 0;
    for (const v of X.data) s += v * v;
    return s;
  }
  return reducedValue(reduceGroups(X, g, (d, base, stride, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[base + i * stride]! * d[base + i * stride]!;
    return s;
  }), g, axis);
}

// ---- prod: the gradient is the product of the other elements (prefix × suffix products,
// so zeros in the input are exact; dividing the product by x would give NaN at a zero) ----

/** The product over all elements, or over `axis`. */
export function prod(x: ArrayInput, axis: number): NDArray;
export function prod(x: ArrayInput): number;
export function prod(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'prod(x, axis)', NO_KEEPDIMS);
  return reduction('prod', x, axis, (X, g, a) => reducedValue(reduceGroups(X, g, (d, base, stride, n) => {
    let p = 1;
    for (let i = 0; i < n; i++) p *= d[base + i * stride]!;
    return p;
  }), g, a), (v, a) => prod(v, axisOf(a)!), (v, _y, X, g, a) =>
    function prodPullback(ct) {
      // (a zero cotangent or tangent takes nothing from an infinite element's others-product:
      // prod(x, 1) of [[Infinity, 2], [3, 4]] gave NaN for row 1's derivative in x[0][1])
      const spread = expandBack(ct, X, g, a);
      return nothingFromZeros(mul(spread, othersProduct(v, [], g)), spread);
    },
    (v, dx, g, a) => reduced(nothingFromZeros(mul(othersProduct(v, [], g), dx), dx), a),
  );
}

/**
 * For each element x_k, the product of the others in its group — and, given arrays
 * c₁…c_m of x's shape, Σ c₁[i₁]⋯c_m[i_m] · Π_{j ∉ {k, i₁…i_m}} x_j over distinct positions
 * i₁…i_m of the group other than k: prod's (m+1)-th derivative at x along c₁…c_m. Then
 * ⟨h, others(x; c)⟩ is prod's (m+2)-th derivative along h, c₁, …, c_m, symmetric in all of
 * them, so the pullback and the tangent are `others` with one array more: every order, in
 * both modes, exact at zeros.
 */
function othersProduct(X: NDArray, cs: readonly NDArray[], g: Groups): NDArray {
  X = liveArray(X);
  const Cs = cs.map(liveArray);
  const operands = [X, ...Cs];
  const t = tapeOf(operands);
  if (t === null) return new NDArray(X.shape, Cs.length === 0 ? transformGroups(X, g, othersKernel) : othersWithKernel(X, Cs, g));
  const v = on(X, t) as NDArray;
  const vs = Cs.map((c) => on(c, t) as NDArray);
  // (decided now: a parameter's tape fields are restored before the sweep runs)
  const need = operands.map((x) => x.tracedTape === t);
  /** others(x; c) with c_a replaced by `d` (a = -1: with `d` added, the derivative in x). */
  const along = (a: number, d: NDArray) => othersProduct(v, a < 0 ? [...vs, d] : vs.map((c, b) => (b === a ? d : c)), g);
  return record(
    t,
    othersProduct(v, vs, g),
    operands,
    function othersProductPullback(h: NDArray) {
      return [need[0] ? along(-1, h) : null, ...vs.map((_, a) => (need[a + 1] ? along(a, h) : null))];
    },
    undefined,
    function othersProductTangent(tangents) {
      return tangents.reduce((sum: unknown, d, k) => (d === null ? sum : plus(sum, along(k - 1, d as NDArray))), null);
    },
  );
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
 * others(x; c₁…c_m) on plain arrays. Element j of a group stands for x_j + Σ_a c_a[j]·ε_a,
 * where the ε_a commute and ε_a² = 0 (so each c_a is used once, and each position gives one
 * factor): the coefficient of ε₁⋯ε_m in the product over j ≠ k is element k's value. Such a
 * number is 2^m coefficients, one per subset S of {1…m} (bit a of S: ε_a); the products of
 * the elements before and after k are kept, as the prefix × suffix of `othersKernel`.
 */
function othersWithKernel(X: NDArray, cs: readonly NDArray[], g: Groups): FloatArray {
  const m = cs.length;
  const size = 1 << m;
  const full = size - 1;
  const x = X.data;
  const c = cs.map((ci) => ci.data);
  const out = allocate(X.dtype, X.size);
  const before = new Float64Array(g.n * size);
  const run = new Float64Array(size);
  // run ← run · (x_p + Σ_a c_a[p] ε_a), in place (subsets after their subsets: descending)
  const times = (p: number) => {
    for (let S = full; S >= 0; S--) {
      let v = run[S]! * x[p]!;
      for (let a = 0; a < m; a++) if (S & (1 << a)) v += run[S ^ (1 << a)]! * c[a]![p]!;
      run[S] = v;
    }
  };
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.inner; j++) {
      const base = o * g.n * g.inner + j;
      run.fill(0);
      run[0] = 1;
      for (let i = 0; i < g.n; i++) {
        before.set(run, i * size);
        times(base + i * g.inner);
      }
      run.fill(0);
      run[0] = 1;
      for (let i = g.n - 1; i >= 0; i--) {
        let s = 0;
        for (let S = 0; S <= full; S++) s += before[i * size + S]! * run[full ^ S]!;
        out[base + i * g.inner] = s;
        times(base + i * g.inner);
      }
    }
  }
  return out;
}

// ---- max, min: the cotangent to the extreme element of each group, shared equally by
// elements tied for it (as the scalar Math.max rule shares it; a NaN is the extreme) ------

/** The largest element, or the largest along `axis`. */
export function max(x: ArrayInput, axis: number): NDArray;
export function max(x: ArrayInput): number;
export function max(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'max(x, axis)', NO_KEEPDIMS);
  return extreme('max', x, axis, (a, b) => a > b);
}

/** The smallest element, or the smallest along `axis`. */
export function min(x: ArrayInput, axis: number): NDArray;
export function min(x: ArrayInput): number;
export function min(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'min(x, axis)', NO_KEEPDIMS);
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
    const mask = extremeMask(v, g, better);
    return function extremePullback(ct) {
      return mul(expandBack(ct, X, g, a), mask);
    };
  }, (v, dx, g, a) => reduced(mul(extremeMask(v, g, better), dx), a));
}

/**
 * Each group's share of the derivative: 1 at its extreme element, 1/k at each of k elements
 * tied for it (a NaN: 1 at the first), else 0 (decided from the numbers: a constant).
 */
function extremeMask(v: NDArray, g: Groups, better: (a: number, b: number) => boolean): NDArray {
  return new NDArray(v.shape, transformGroups(liveArray(v), g, (src, dst, base, stride, n) => {
    const at = base + argExtreme(src, base, stride, n, better) * stride;
    const best = src[at]!;
    if (best !== best) {
      dst[at] = 1;
      return;
    }
    let tied = 0;
    for (let i = 0; i < n; i++) if (src[base + i * stride] === best) tied++;
    for (let i = 0; i < n; i++) if (src[base + i * stride] === best) dst[base + i * stride] = 1 / tied;
  }));
}

// ---- logsumexp and softmax ------------------------------------------------------------

/** log Σ exp(x) over all elements or along `axis`, without overflow (the max is factored out). */
export function logsumexp(x: ArrayInput, axis: number): NDArray;
export function logsumexp(x: ArrayInput): number;
export function logsumexp(x: unknown, axis?: unknown): any {
  refuseExtraArguments(arguments.length, 2, 'logsumexp(x, axis)', NO_KEEPDIMS);
  return reduction('logsumexp', x, axis, (X, g, a) => reducedValue(reduceGroups(X, g, lseKernel), g, a),
    (v, a) => logsumexp(v, axisOf(a)!), (v, _y, X, g, a) =>
      function logsumexpPullback(ct) {
        // ∂ logsumexp / ∂x = softmax(x) along the same axis (NaN in a group holding +∞: it
        // reaches no group whose cotangent or tangent is zero, as prod's)
        const spread = expandBack(ct, X, g, a);
        return nothingFromZeros(mul(spread, softmaxAt(v, a)), spread);
      },
    (v, dx, _g, a) => reduced(nothingFromZeros(mul(softmaxAt(v, a), dx), dx), a),
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
  refuseExtraArguments(arguments.length, 2, 'softmax(x, axis)');
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
    // x̄ = y ⊙ (ȳ - Σ_axis ȳ ⊙ y); the Jacobian diag(y) - y yᵀ (per group) is symmetric, so
    // the tangent is the same map of ẋ
    backward: (ct, _values, y) => [softmaxLinear(ct, y, X, g, axis)],
    reads: { operands: [false], result: true },
    jvp: ([dx], _values, y) => softmaxLinear(dx, y, X, g, axis),
  });
}

function softmaxLinear(d: unknown, y: NDArray, X: NDArray, g: Groups, axis: Axis): unknown {
  // (a group holding +∞ has y NaN: nothing from it where d is zero, as prod's)
  return nothingFromZeros(mul(y, sub(d, expandBack(reduced(nothingFromZeros(mul(d, y), d), axis), X, g, axis))), d);
}

function softmaxKernel(src: FloatArray, dst: FloatArray, base: number, stride: number, n: number): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, src[base + i * stride]!);
  let s = 0;
  for (let i = 0; i < n; i++) s += dst[base + i * stride] = Math.exp(src[base + i * stride]! - m);
  for (let i = 0; i < n; i++) dst[base + i * stride]! /= s;
}
