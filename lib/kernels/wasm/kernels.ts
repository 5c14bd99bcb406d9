// The Kernels interface on the WebAssembly SIMD module (./module.ts): operands are copied
// into one WebAssembly.Memory, grown on demand, and the result copied out. The copies cost
// ~0.3 ns a number (memcpy), against ~50 ns of arithmetic per number of a 256³ matmul's
// operands, but they and the call dominate small work: below the thresholds measured in
// bench/kernels.js, the plain-JavaScript kernels run instead.

import type { ElementwiseOp, FloatArray, Kernels } from '../index.js';
import { jsKernels } from '../js.js';
import { V128, encodeModule, v128 } from './encoder.js';
import { ELEMENTWISE_OPS, KC, MC, MR, NC, SUM_BLOCK, kernelsModule, tileColumns } from './module.js';

/** The exports of the kernels module, one set per precision. */
type Precision = 'f64' | 'f32';
export type KernelExports = {
  [P in Precision as `matmul_${P}`]: (a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    row0: number, row1: number, column0: number, column1: number, packedA: number, packedB: number) => void;
} & {
  [P in Precision as `elementwise_${P}`]: (op: number, x: number, y: number, z: number, vectors: number, strideX: number, strideY: number) => void;
} & {
  [P in Precision as `sum_${P}`]: (x: number, blocks: number) => number;
} & {
  [P in Precision as `transpose_${P}`]: (a: number, t: number, m: number, n: number) => void;
};

/** The sizes below which the JavaScript kernels run instead: matmul's m·k·n, the others' element count. */
export interface Cutoffs {
  matmul: number;
  /** For m = 1 or n = 1, where most of a register tile would be padding. */
  vectorProduct: number;
  elementwise: number;
  sum: number;
  transpose: number;
}

/** Where the JavaScript kernels are as fast or faster (bench/kernels.js, 2-core EPYC, Node 20). */
export const JS_BELOW: Cutoffs = { matmul: 4096, vectorProduct: Infinity, elementwise: 256, sum: 256, transpose: 256 };

/** Bytes at the start of the memory that no operand uses (the threads' mailbox, ./threads.ts). */
export const RESERVED_BYTES = 256;
const ALIGN = 64;
const PAGE = 65536;

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/** A rectangle of C computed by one thread, with that thread's packing scratch. */
export interface MatmulPart {
  row0: number;
  row1: number;
  column0: number;
  column1: number;
  packedA: number;
  packedB: number;
}

/**
 * Splits a matmul among threads: given the arguments of matmul_<precision> (without the
 * part), runs the parts, the first on this thread. Without one, the whole runs here.
 */
export type MatmulRunner = (precision: Precision, args: number[], parts: MatmulPart[]) => void;

/** The memory and typed views on it, renewed when it grows. */
class Heap {
  private f64View: Float64Array;
  private f32View: Float32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.f64View = new Float64Array(memory.buffer);
    this.f32View = new Float32Array(memory.buffer);
  }

  /** Makes the memory at least `bytes` long; false if it cannot grow so far (a wasm32 memory holds 4 GiB). */
  reserve(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        this.memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return false;
      }
    }
    if (this.f64View.byteLength !== this.memory.buffer.byteLength) {
      this.f64View = new Float64Array(this.memory.buffer);
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return true;
  }

  /** A view of the memory of x's type. */
  viewLike(x: FloatArray): FloatArray {
    return x instanceof Float32Array ? this.f32View : this.f64View;
  }
}

const precisionOf = (x: FloatArray): Precision => (x instanceof Float32Array ? 'f32' : 'f64');

/** Bump allocation of one call's operands, from RESERVED_BYTES up. */
class Layout {
  top = RESERVED_BYTES;
  take(bytes: number): number {
    const at = this.top;
    this.top = roundUp(at + bytes, ALIGN);
    return at;
  }
}

export function wasmKernels(exports: KernelExports, memory: WebAssembly.Memory, jsBelow: Cutoffs, runMatmul?: MatmulRunner): Kernels {
  const heap = new Heap(memory);

  /** Copies x into the memory at `at`. */
  const copyIn = (x: FloatArray, at: number): void => heap.viewLike(x).set(x, at / x.BYTES_PER_ELEMENT);
  /** A new array of x's type holding the `length` numbers at `at`. */
  const copyOut = <T extends FloatArray>(x: T, at: number, length: number): T => {
    const from = at / x.BYTES_PER_ELEMENT;
    return heap.viewLike(x).slice(from, from + length) as T;
  };

  function matmul<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, transA: boolean, transB: boolean): T {
    const volume = m * k * n;
    if (volume === 0 || volume < jsBelow.matmul || ((m === 1 || n === 1) && volume < jsBelow.vectorProduct) || a.constructor !== b.constructor) {
      return jsKernels.matmul(a, b, m, k, n, transA, transB);
    }
    const bytes = a.BYTES_PER_ELEMENT;
    const nr = tileColumns(bytes);
    // C padded to whole register tiles: ldc columns, a multiple of MR rows
    const ldc = roundUp(n, nr);
    const layout = new Layout();
    const aAt = layout.take(m * k * bytes);
    const bAt = layout.take(k * n * bytes);
    const cAt = layout.take(roundUp(m, MR) * ldc * bytes);
    const parts = splitMatmul(m, k, n, nr, bytes, layout);
    if (!heap.reserve(layout.top)) return jsKernels.matmul(a, b, m, k, n, transA, transB);
    copyIn(a, aAt);
    copyIn(b, bAt);
    const precision = precisionOf(a);
    const args = [aAt, bAt, cAt, m, k, n, +transA, +transB];
    if (runMatmul) runMatmul(precision, args, parts);
    else {
      const { row0, row1, column0, column1, packedA, packedB } = parts[0]!;
      exports[`matmul_${precision}`](aAt, bAt, cAt, m, k, n, +transA, +transB, row0, row1, column0, column1, packedA, packedB);
    }
    if (ldc === n) return copyOut(a, cAt, m * n);
    const c = new (a.constructor as { new (length: number): T })(m * n);
    const view = heap.viewLike(a);
    const first = cAt / bytes;
    for (let i = 0; i < m; i++) c.set(view.subarray(first + i * ldc, first + i * ldc + n), i * n);
    return c;
  }

  /** One part (the whole of C) or, when a runner may use threads, a part per thread. */
  function splitMatmul(m: number, k: number, n: number, nr: number, bytes: number, layout: Layout): MatmulPart[] {
    const scratch = (rows: number, columns: number) => ({
      packedA: layout.take(Math.min(MC, roundUp(rows, MR)) * Math.min(KC, k) * bytes),
      packedB: layout.take(Math.min(KC, k) * Math.min(NC, roundUp(columns, nr)) * bytes),
    });
    return [{ row0: 0, row1: m, column0: 0, column1: n, ...scratch(m, n) }];
  }

  function elementwise<T extends FloatArray>(op: ElementwiseOp, x: T | number, y: T | number): T {
    const array = typeof x === 'number' ? y : x;
    if (typeof array === 'number' || array.length === 0 || array.length < jsBelow.elementwise) return jsKernels.elementwise(op, x, y);
    if (typeof x !== 'number' && typeof y !== 'number' && (x.length !== y.length || x.constructor !== y.constructor)) {
      return jsKernels.elementwise(op, x, y); // its error, or mixed types
    }
    const bytes = array.BYTES_PER_ELEMENT;
    const vectors = Math.ceil((array.length * bytes) / 16);
    const layout = new Layout();
    // a number operand is one vector of it, read with stride 0
    const operand = (v: T | number) => layout.take(typeof v === 'number' ? 16 : vectors * 16);
    const xAt = operand(x);
    const yAt = operand(y);
    const zAt = layout.take(vectors * 16);
    if (!heap.reserve(layout.top)) return jsKernels.elementwise(op, x, y);
    const place = (v: T | number, at: number): number => {
      if (typeof v === 'number') {
        heap.viewLike(array).fill(v, at / bytes, (at + 16) / bytes);
        return 0;
      }
      copyIn(v, at);
      return 16;
    };
    const strideX = place(x, xAt);
    const strideY = place(y, yAt);
    exports[`elementwise_${precisionOf(array)}`](ELEMENTWISE_OPS.indexOf(op), xAt, yAt, zAt, vectors, strideX, strideY);
    return copyOut(array, zAt, array.length);
  }

  function sum(x: FloatArray): number {
    if (x.length === 0 || x.length < jsBelow.sum) return jsKernels.sum(x);
    const blocks = Math.ceil(x.length / SUM_BLOCK);
    const layout = new Layout();
    const at = layout.take(blocks * SUM_BLOCK * x.BYTES_PER_ELEMENT);
    if (!heap.reserve(layout.top)) return jsKernels.sum(x);
    copyIn(x, at);
    const first = at / x.BYTES_PER_ELEMENT;
    heap.viewLike(x).fill(0, first + x.length, first + blocks * SUM_BLOCK);
    return exports[`sum_${precisionOf(x)}`](at, blocks);
  }

  function transpose<T extends FloatArray>(a: T, m: number, n: number): T {
    if (a.length < jsBelow.transpose) return jsKernels.transpose(a, m, n);
    const layout = new Layout();
    const aAt = layout.take(a.byteLength);
    const tAt = layout.take(a.byteLength);
    if (!heap.reserve(layout.top)) return jsKernels.transpose(a, m, n);
    copyIn(a, aAt);
    exports[`transpose_${precisionOf(a)}`](aAt, tAt, m, n);
    return copyOut(a, tAt, m * n);
  }

  return { name: 'wasm-simd', matmul, elementwise, sum, transpose };
}

/** A module of one function returning a SIMD constant: engines without SIMD reject it. */
const simdProbe = encodeModule({ functions: [{ params: [], results: [V128], locals: [], body: v128.zero() }] });

/** The WebAssembly SIMD kernels, or undefined where the engine lacks WebAssembly, SIMD, or permission to compile. */
export function loadWasmKernels(jsBelow = JS_BELOW): Kernels | undefined {
  try {
    if (!WebAssembly.validate(simdProbe)) return undefined;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelsModule(false)), { env: { memory } });
    return wasmKernels(instance.exports as unknown as KernelExports, memory, jsBelow);
  } catch {
    return undefined;
  }
}
