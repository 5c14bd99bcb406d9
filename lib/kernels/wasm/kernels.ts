// The Kernels interface on the WebAssembly SIMD module (./module.ts): operands are copied
// into one WebAssembly.Memory, grown on demand, and the result copied out. For a 256³
// matmul the copies are ~5% of the time (0.07 of 1.56 ms, float64, one thread); for small
// work they and the call dominate, and below the cutoffs measured by bench/kernels.js the
// plain-JavaScript kernels run instead.

import type { ElementwiseOp, FloatArray, Kernels } from '../index.js';
import { jsKernels } from '../js.js';
import { V128, encodeModule, v128 } from './encoder.js';
import { ELEMENTWISE_OPS, KC, MAX_PAGES, MC, MR, NC, SUM_BLOCK, kernelsModule, tileColumns } from './module.js';
import { MAILBOX_BYTES, MatmulHelper, helperThreadsPossible } from './threads.js';

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

/** Where each implementation runs. */
export interface Cutoffs {
  /** Below these sizes the JavaScript kernels run: matmul's m·k·n, the others' element count. */
  matmul: number;
  elementwise: number;
  sum: number;
  transpose: number;
  /**
   * From this m·k·n on, a matmul is split with a helper thread, where there is one
   * (float32's m·k·n counts half: it runs twice as fast, so the fixed costs weigh double).
   */
  matmulThreads: number;
}

/**
 * The crossovers measured by bench/kernels.js (2-core EPYC, Node 20): JavaScript is as
 * fast up to ~11³ for matmul, ~250 elements for sum and ~250 (float32) to ~500 (float64)
 * for elementwise and transpose — the call and the copies (~0.15 µs + ~0.3 ns a number)
 * dominate there; a second thread breaks even at ~64³ (float64) and gains 1.2× at 96³.
 */
export const CUTOFFS: Cutoffs = { matmul: 12 ** 3, elementwise: 512, sum: 256, transpose: 512, matmulThreads: 96 ** 3 };

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/** Operands start on cache lines. */
const ALIGN = 64;
/** Bytes at the start of the memory that no operand uses: the threads' mailbox. */
const RESERVED_BYTES = roundUp(MAILBOX_BYTES, ALIGN);
const PAGE = 65536;

/** A rectangle of C computed by one thread, with that thread's packing scratch. */
export interface MatmulPart {
  row0: number;
  row1: number;
  column0: number;
  column1: number;
  packedA: number;
  packedB: number;
}

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

/** The WebAssembly kernels, and a way to wait for their helper thread (benchmarks, specs). */
export interface WasmKernels extends Kernels {
  /** Starts the helper thread if there can be one; resolves whether it is ready. */
  whenHelperReady(): Promise<boolean>;
}

function wasmKernels(exports: KernelExports, memory: WebAssembly.Memory, cutoffs: Cutoffs, helper: MatmulHelper | undefined): WasmKernels {
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
    if (volume === 0 || volume < cutoffs.matmul || a.constructor !== b.constructor) return jsKernels.matmul(a, b, m, k, n, transA, transB);
    const bytes = a.BYTES_PER_ELEMENT;
    const nr = tileColumns(bytes);
    // C padded to whole register tiles: ldc columns, a multiple of MR rows
    const ldc = roundUp(n, nr);
    const layout = new Layout();
    const aAt = layout.take(m * k * bytes);
    const bAt = layout.take(k * n * bytes);
    const cAt = layout.take(roundUp(m, MR) * ldc * bytes);
    const threadsPay = helper !== undefined && (volume * bytes) / 8 >= cutoffs.matmulThreads;
    if (threadsPay) helper.start();
    const parts = splitMatmul(m, k, n, nr, bytes, layout, threadsPay && helper.ready);
    if (!heap.reserve(layout.top)) return jsKernels.matmul(a, b, m, k, n, transA, transB);
    copyIn(a, aAt);
    copyIn(b, bAt);
    const precision = precisionOf(a);
    const args = [aAt, bAt, cAt, m, k, n, +transA, +transB];
    const [mine, theirs] = parts;
    if (theirs) helper!.run(precision, args, mine!, theirs);
    else {
      const { row0, row1, column0, column1, packedA, packedB } = mine!;
      exports[`matmul_${precision}`](aAt, bAt, cAt, m, k, n, +transA, +transB, row0, row1, column0, column1, packedA, packedB);
    }
    if (ldc === n) return copyOut(a, cAt, m * n);
    const c = new (a.constructor as new (length: number) => T)(m * n);
    const view = heap.viewLike(a);
    const first = cAt / bytes;
    for (let i = 0; i < m; i++) c.set(view.subarray(first + i * ldc, first + i * ldc + n), i * n);
    return c;
  }

  /**
   * The whole of C as one part, or two halves (split along C's longer side at a tile
   * boundary) for two threads; each part has its own packing scratch.
   */
  function splitMatmul(m: number, k: number, n: number, nr: number, bytes: number, layout: Layout, twoThreads: boolean): MatmulPart[] {
    const part = (row0: number, row1: number, column0: number, column1: number): MatmulPart => ({
      row0, row1, column0, column1,
      packedA: layout.take(Math.min(MC, roundUp(row1 - row0, MR)) * Math.min(KC, k) * bytes),
      packedB: layout.take(Math.min(KC, k) * Math.min(NC, roundUp(column1 - column0, nr)) * bytes),
    });
    const rowHalf = roundUp(m / 2, MR);
    const columnHalf = roundUp(n / 2, nr);
    if (twoThreads && m >= n && rowHalf < m) return [part(0, rowHalf, 0, n), part(rowHalf, m, 0, n)];
    if (twoThreads && columnHalf < n) return [part(0, m, 0, columnHalf), part(0, m, columnHalf, n)];
    return [part(0, m, 0, n)];
  }

  function elementwise<T extends FloatArray>(op: ElementwiseOp, x: T | number, y: T | number): T {
    const array = typeof x === 'number' ? y : x;
    if (typeof array === 'number' || array.length === 0 || array.length < cutoffs.elementwise) return jsKernels.elementwise(op, x, y);
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
    if (x.length === 0 || x.length < cutoffs.sum) return jsKernels.sum(x);
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
    if (a.length < cutoffs.transpose) return jsKernels.transpose(a, m, n);
    const layout = new Layout();
    const aAt = layout.take(a.byteLength);
    const tAt = layout.take(a.byteLength);
    if (!heap.reserve(layout.top)) return jsKernels.transpose(a, m, n);
    copyIn(a, aAt);
    exports[`transpose_${precisionOf(a)}`](aAt, tAt, m, n);
    return copyOut(a, tAt, m * n);
  }

  const whenHelperReady = async (): Promise<boolean> => (helper ? helper.whenReady() : false);
  return { name: 'wasm-simd', matmul, elementwise, sum, transpose, whenHelperReady };
}

/** A module of one function returning a SIMD constant: engines without SIMD reject it. */
const simdProbe = encodeModule({ functions: [{ params: [], results: [V128], locals: [], body: v128.zero() }] });

/**
 * The WebAssembly SIMD kernels, or undefined where the engine lacks WebAssembly, SIMD, or
 * permission to compile. Where a helper thread can run (Node), the memory is shared so
 * that one can join later; `threads: false` keeps to one thread.
 */
export function loadWasmKernels(cutoffs = CUTOFFS, threads = true): WasmKernels | undefined {
  try {
    if (!WebAssembly.validate(simdProbe)) return undefined;
  } catch {
    return undefined;
  }
  if (threads && helperThreadsPossible()) {
    const kernels = instantiate(cutoffs, true);
    if (kernels) return kernels;
  }
  return instantiate(cutoffs, false);
}

function instantiate(cutoffs: Cutoffs, shared: boolean): WasmKernels | undefined {
  try {
    // a shared memory must declare its maximum, and may fail to reserve it
    const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(kernelsModule(shared));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    return wasmKernels(exports, memory, cutoffs, shared ? new MatmulHelper(module, memory, exports) : undefined);
  } catch {
    return undefined;
  }
}
