// The numeric kernels behind array operations, behind one small interface, so a faster
// implementation (WebAssembly SIMD, a later issue) can replace the plain-JavaScript one.

import { jsKernels } from './js.js';

/** The elementwise binary operations the kernels implement. */
export type ElementwiseOp = 'add' | 'sub' | 'mul' | 'div';

export interface Kernels {
  /**
   * C = op(A)·op(B) for row-major A, B; op transposes when asked. A is m×k after op,
   * B is k×n after op; returns C, m×n.
   */
  matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float64Array;
  /**
   * z[i] = x[i] ∘ y[i] for ∘ = op (+ − × ÷): x and y are arrays of one length, or one of them
   * is a number, which stands for every element. Returns z, a new array.
   */
  elementwise(op: ElementwiseOp, x: Float64Array | number, y: Float64Array | number): Float64Array;
}

let active: Kernels = jsKernels;

/** The kernels in use. */
export function kernels(): Kernels {
  return active;
}

/** Swaps in another implementation (returns the previous one). */
export function useKernels(next: Kernels): Kernels {
  const previous = active;
  active = next;
  return previous;
}
