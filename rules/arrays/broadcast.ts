// numpy broadcasting (the convention of TensorFlow.js and jax-js): shapes are aligned at
// their last axes; an axis of length 1 (or a missing one) stretches to the other's length.

import { allocate, castData, NDArray, promote, type Dtype, type FloatArray } from '../../lib/ndarray.js';
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

/**
 * z = f(a, b) elementwise over the broadcast shape, on plain arrays or numbers. A number
 * stands for every element and takes the array's dtype (it is "weak", as in JAX); two
 * arrays give float32 only when both are float32.
 */
export function map2(a: NDArray | number, b: NDArray | number, f: (x: number, y: number) => number, op: string): NDArray {
  if (typeof a === 'number' && typeof b === 'number') return new NDArray([], Float64Array.of(f(a, b)));
  const dtype = typeof a === 'number' ? (b as NDArray).dtype : typeof b === 'number' ? a.dtype : promote(a.dtype, b.dtype);
  const shapeA = typeof a === 'number' ? [] : a.shape;
  const shapeB = typeof b === 'number' ? [] : b.shape;
  const A = typeof a === 'number' ? null : castData(a.data, dtype);
  const B = typeof b === 'number' ? null : castData(b.data, dtype);
  // One element with no more axes than the other side stands for every element, as a number does.
  const x = A === null ? (a as number) : A.length === 1 && shapeA.length <= shapeB.length ? A[0]! : null;
  const y = B === null ? (b as number) : B.length === 1 && shapeB.length <= shapeA.length ? B[0]! : null;
  // The four arithmetic operators have a kernel each: a loop calling `f` per element is
  // not inlined (map2 serves every operation) and costs ~4× on Rosenbrock over 10⁵.
  const kernelOp = isKernelOp(op) ? op : null;
  if (A !== null && B !== null && sameShape(shapeA, shapeB)) {
    if (kernelOp !== null) return new NDArray(shapeA, kernels().elementwise(kernelOp, A, B));
    const z = allocate(dtype, A.length);
    for (let k = 0; k < z.length; k++) z[k] = f(A[k]!, B[k]!);
    return new NDArray(shapeA, z);
  }
  if (A !== null && y !== null) {
    if (kernelOp !== null) return new NDArray(shapeA, kernels().elementwise(kernelOp, A, y));
    const z = allocate(dtype, A.length);
    for (let k = 0; k < z.length; k++) z[k] = f(A[k]!, y);
    return new NDArray(shapeA, z);
  }
  if (x !== null && B !== null) {
    if (kernelOp !== null) return new NDArray(shapeB, kernels().elementwise(kernelOp, x, B));
    const z = allocate(dtype, B.length);
    for (let k = 0; k < z.length; k++) z[k] = f(x, B[k]!);
    return new NDArray(shapeB, z);
  }
  return broadcastMap(A!, shapeA, B!, shapeB, f, op, dtype);
}

// The general case: both sides stretched along different axes.
function broadcastMap(
  A: FloatArray, shapeA: readonly number[], B: FloatArray, shapeB: readonly number[],
  f: (x: number, y: number) => number, op: string, dtype: Dtype,
): NDArray {
  const shape = broadcastShapes(shapeA, shapeB, op);
  const sa = stridesIn(shapeA, shape);
  const sb = stridesIn(shapeB, shape);
  const z = allocate(dtype, sizeOf(shape));
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

/** y = f(x) elementwise, on a plain array (of x's dtype). */
export function map1(x: NDArray, f: (v: number) => number): NDArray {
  const X = x.data;
  const z = allocate(x.dtype, x.size);
  for (let k = 0; k < z.length; k++) z[k] = f(X[k]!);
  return new NDArray(x.shape, z);
}

/** Sums a plain array over the axes that broadcasting stretched, back to `shape`. */
export function sumToShape(g: NDArray, shape: readonly number[]): NDArray {
  if (sameShape(g.shape, shape)) return g;
  // Summed in float64, then stored: a float32 sum kept in its float32 slot was rounded at each
  // element (the gradient of a float32 scalar broadcast over 10⁶ float32 elements was 3.6e-4
  // off, and past 2²⁴ a term of 1 is lost whole), where the sums of reductions are float64.
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
  return new NDArray(shape, g.dtype === 'float64' ? out : castData(out, g.dtype));
}

/** A plain array stretched to `shape` (the adjoint of `sumToShape`). */
export function stretchTo(x: NDArray, shape: readonly number[]): NDArray {
  if (sameShape(x.shape, shape)) return x;
  if (x.size === 1 && x.shape.length <= shape.length) return new NDArray(shape, allocate(x.dtype, sizeOf(shape)).fill(x.data[0]!));
  return map2(x, new NDArray(shape, allocate(x.dtype, sizeOf(shape))), (v) => v, 'broadcast');
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
