// numpy broadcasting (the convention of TensorFlow.js and jax-js): shapes are aligned at
// their last axes; an axis of length 1 (or a missing one) stretches to the other's length.

import { NDArray } from '../../lib/ndarray.js';
import { kernels, type ElementwiseOp } from '../../lib/kernels/index.js';

const isKernelOp = (op: string): op is ElementwiseOp => op === 'add' || op === 'sub' || op === 'mul' || op === 'div';

export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `zygote-ts: ${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast ` +
          `(axis ${i - n} has ${da} against ${db}; lengths must match or one must be 1).`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** For each output axis, the step in `shape`'s storage (0 where it is broadcast). */
function stridesIn(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = out.length - shape.length + i;
    strides[axis] = shape[i] === 1 ? 0 : step;
    step *= shape[i]!;
  }
  return strides;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** z = f(a, b) elementwise over the broadcast shape, on plain arrays. */
export function map2(a: NDArray, b: NDArray, f: (x: number, y: number) => number, op: string): NDArray {
  const A = a.data;
  const B = b.data;
  // The four arithmetic operators have a kernel each: a loop calling `f` per element is
  // not inlined (map2 serves every operation) and costs ~4× on Rosenbrock over 10⁵.
  if (isKernelOp(op)) {
    if (a.size === b.size && sameShape(a.shape, b.shape)) return new NDArray(a.shape, kernels().elementwise(op, A, B));
    if (b.size === 1 && b.shape.length <= a.shape.length) return new NDArray(a.shape, kernels().elementwise(op, A, B[0]!));
    if (a.size === 1 && a.shape.length <= b.shape.length) return new NDArray(b.shape, kernels().elementwise(op, A[0]!, B));
  }
  if (a.size === b.size && sameShape(a.shape, b.shape)) {
    const z = new Float64Array(a.size);
    for (let k = 0; k < z.length; k++) z[k] = f(A[k]!, B[k]!);
    return new NDArray(a.shape, z);
  }
  if (b.size === 1 && b.shape.length <= a.shape.length) {
    const y = B[0]!;
    const z = new Float64Array(a.size);
    for (let k = 0; k < z.length; k++) z[k] = f(A[k]!, y);
    return new NDArray(a.shape, z);
  }
  if (a.size === 1 && a.shape.length <= b.shape.length) {
    const x = A[0]!;
    const z = new Float64Array(b.size);
    for (let k = 0; k < z.length; k++) z[k] = f(x, B[k]!);
    return new NDArray(b.shape, z);
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const sa = stridesIn(a.shape, shape);
  const sb = stridesIn(b.shape, shape);
  const z = new Float64Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  let ia = 0;
  let ib = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = f(A[ia]!, B[ib]!);
    // advance the multi-index (odometer), keeping both storage offsets in step
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (index[d]! < shape[d]!) break;
      ia -= sa[d]! * shape[d]!;
      ib -= sb[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return new NDArray(shape, z);
}

/** y = f(x) elementwise, on a plain array. */
export function map1(x: NDArray, f: (v: number) => number): NDArray {
  const X = x.data;
  const z = new Float64Array(x.size);
  for (let k = 0; k < z.length; k++) z[k] = f(X[k]!);
  return new NDArray(x.shape, z);
}

/** Sums a plain array over the axes that broadcasting stretched, back to `shape`. */
export function sumToShape(g: NDArray, shape: readonly number[]): NDArray {
  if (sameShape(g.shape, shape)) return g;
  const out = new Float64Array(sizeOf(shape));
  const s = stridesIn(shape, g.shape);
  const index = new Array<number>(g.shape.length).fill(0);
  let at = 0;
  const G = g.data;
  for (let k = 0; k < G.length; k++) {
    out[at]! += G[k]!;
    for (let d = g.shape.length - 1; d >= 0; d--) {
      index[d]!++;
      at += s[d]!;
      if (index[d]! < g.shape[d]!) break;
      at -= s[d]! * g.shape[d]!;
      index[d] = 0;
    }
  }
  return new NDArray(shape, out);
}

/** A plain array stretched to `shape` (the adjoint of `sumToShape`). */
export function stretchTo(x: NDArray, shape: readonly number[]): NDArray {
  if (sameShape(x.shape, shape)) return x;
  if (x.size === 1 && x.shape.length <= shape.length) return new NDArray(shape, new Float64Array(sizeOf(shape)).fill(x.data[0]!));
  return map2(x, new NDArray(shape, new Float64Array(sizeOf(shape))), (v) => v, 'broadcast');
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
