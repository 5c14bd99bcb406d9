// The numeric kernels behind array operations, behind one small interface, so a faster
// implementation (WebAssembly SIMD, a later issue) can replace the plain-JavaScript one.

import { jsKernels } from './js.js';

export interface Kernels {
  /**
   * C = op(A)·op(B) for row-major A, B; op transposes when asked. A is m×k after op,
   * B is k×n after op; returns C, m×n.
   */
  matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float64Array;
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
