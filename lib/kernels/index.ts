// The numeric kernels behind array operations, behind one small interface, so that the
// implementation (WebAssembly SIMD where the engine has it, plain JavaScript elsewhere)
// is chosen once, on first use, and can be swapped.

import { jsKernels } from './js.js';
import { loadWasmKernels } from './wasm/kernels.js';

/** The storage of an array: float64 (the default) or float32. */
export type FloatArray = Float64Array | Float32Array;

/** The elementwise binary operations the kernels implement. */
export type ElementwiseOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * Every kernel takes operands of one storage type (all Float64Array or all Float32Array)
 * and returns a new array of that type; float32 kernels round as float32 arithmetic does.
 */
export interface Kernels {
  /** What runs: 'wasm-simd', 'js', … (shown by benchmarks). */
  readonly name: string;
  /**
   * C = op(A)·op(B) for row-major A, B; op transposes when asked. A is m×k after op,
   * B is k×n after op; returns C, m×n.
   */
  matmul<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, transA: boolean, transB: boolean): T;
  /**
   * z[i] = x[i] ∘ y[i] for ∘ = op (+ − × ÷): x and y are arrays of one length, or one of them
   * is a number, which stands for every element. Returns z, a new array.
   */
  elementwise<T extends FloatArray>(op: ElementwiseOp, x: T | number, y: T | number): T;
  /** The sum of all elements (accumulated in float64 for both types). */
  sum(x: FloatArray): number;
  /** The transpose of a row-major m×n matrix: a new n×m matrix. */
  transpose<T extends FloatArray>(a: T, m: number, n: number): T;
}

/**
 * WebAssembly SIMD where the engine compiles it, else plain JavaScript;
 * ZYGOTE_KERNELS=js in the environment (Node) forces JavaScript.
 */
function chooseKernels(): Kernels {
  if (globalThis.process?.env?.['ZYGOTE_KERNELS'] === 'js') return jsKernels;
  return loadWasmKernels() ?? jsKernels;
}

// Chosen on first use, not at load: emitting and compiling the WebAssembly takes tens of
// milliseconds, which every process that loads the runtime (the Node loader does, before
// any user code) would pay even if it never touches an array.
let active: Kernels | null = null;

/** The kernels in use. */
export function kernels(): Kernels {
  return (active ??= chooseKernels());
}

/** Swaps in another implementation (returns the previous one). */
export function useKernels(next: Kernels): Kernels {
  const previous = kernels();
  active = next;
  return previous;
}
