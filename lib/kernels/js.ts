// Plain-JavaScript kernels on Float64Array and Float32Array.
//
// matmul follows the layout of the BLIS/GotoBLAS family, scaled down to what V8 compiles
// well: op(A) and op(B) are copied ("packed") block by block into scratch buffers laid out
// in the order the inner loop reads them — A in panels of MR rows, B in panels of NR
// columns, each panel stored p-major so that one step of p reads MR + NR consecutive
// numbers — and a register tile of MR×NR sums runs along p. Packing folds the transposes
// in (so Aᵀ·B and A·Bᵀ, which matmul's pullback uses, cost the same as A·B) and turns every
// read of the inner loop into a contiguous one; blocking p by KC, the rows by MC and the
// columns by NC keeps the packed A block in L2 and a packed B panel in L1 whatever the
// sizes, and the scratch bounded.
//
// The tile is 2×4: eight sums and six operands stay in the sixteen double registers V8
// uses on x64 (a 4×4 tile spills and was ~15% slower; 4×2, 3×4 and unrolling p by two
// measured the same as 2×4, within noise). About 4 GFLOP/s on a 2.6 GHz EPYC core, four
// times the unpacked loops this replaces.
//
// Float32 operands are packed into the same float64 scratch, so the inner loop stays
// monomorphic (V8 slows a loop that sees two array types); the products are summed in
// float64 and rounded to float32 when stored into C.

import type { ElementwiseOp, FloatArray, Kernels } from './index.js';

/** A new zeroed array of x's type. */
function alike<T extends FloatArray>(x: T, length: number): T {
  return (x instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as T;
}

const MR = 2;
const NR = 4;
/** Depth of one packed block (p). */
const KC = 256;
/** Rows of one packed A block. */
const MC = 128;
/** Columns of one packed B block (a multiple of NR): bounds the scratch at KC·NC numbers. */
const NC = 1024;

// Scratch for the packed blocks, grown on demand and reused (kernels never re-enter).
let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * 64);

function matmul<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, transA: boolean, transB: boolean): T {
  const c = alike(a, m * n);
  if (m === 0 || n === 0 || k === 0) return c;
  // A vector on either side (matrix·vector, vector·matrix): a tile would be mostly padding.
  if (n === 1) return vectorProduct(a, b, c, m, k, transA);
  if (m === 1) return vectorProduct(b, a, c, n, k, !transB);
  const ncMax = Math.min(NC, Math.ceil(n / NR) * NR);
  const mcMax = Math.min(MC, Math.ceil(m / MR) * MR);
  const kcMax = Math.min(KC, k);
  if (packedB.length < kcMax * ncMax) packedB = new Float64Array(kcMax * ncMax);
  if (packedA.length < kcMax * mcMax) packedA = new Float64Array(kcMax * mcMax);
  const pa = packedA;
  const pb = packedB;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packB(b, pb, p0, kc, j0, nc, k, n, transB);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(a, pa, i0, mc, p0, kc, m, k, transA);
        block(pa, pb, c, i0, mc, kc, j0, nc, n, p0 > 0);
      }
    }
  }
  return c;
}

/**
 * c = M·v for the m×k matrix M (stored k×m when `trans`) and the k-vector v. Also serves
 * vector·matrix: (vᵀ·B)ᵀ = Bᵀ·v.
 */
function vectorProduct<T extends FloatArray>(M: FloatArray, v: FloatArray, c: T, m: number, k: number, trans: boolean): T {
  if (trans) {
    // c += v[p]·(row p of the stored matrix)
    for (let p = 0; p < k; p++) {
      const vp = v[p]!;
      const row = p * m;
      for (let i = 0; i < m; i++) c[i]! += vp * M[row + i]!;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const row = i * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += M[row + p]! * v[p]!;
      c[i] = s;
    }
  }
  return c;
}

/**
 * Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) into panels of MR rows: panel r
 * holds, for each p, its MR numbers side by side (rows past m are zeros).
 */
function packA(a: FloatArray, pa: Float64Array, i0: number, mc: number, p0: number, kc: number, m: number, k: number, trans: boolean): void {
  for (let r = 0; r < mc; r += MR) {
    const base = r * kc;
    for (let ii = 0; ii < MR; ii++) {
      const i = i0 + r + ii;
      let at = base + ii;
      if (r + ii >= mc) {
        for (let p = 0; p < kc; p++, at += MR) pa[at] = 0;
      } else if (trans) {
        // op(A)[i, p] = A[p, i]
        for (let p = 0, from = p0 * m + i; p < kc; p++, at += MR, from += m) pa[at] = a[from]!;
      } else {
        for (let p = 0, from = i * k + p0; p < kc; p++, at += MR) pa[at] = a[from + p]!;
      }
    }
  }
}

/**
 * Packs rows [p0, p0+kc) × columns [c0, c0+nc) of op(B) into panels of NR columns: panel s
 * holds, for each p, its NR numbers side by side (columns past the block are zeros).
 */
function packB(b: FloatArray, pb: Float64Array, p0: number, kc: number, c0: number, nc: number, k: number, n: number, trans: boolean): void {
  const last = c0 + nc;
  for (let j0 = c0; j0 < last; j0 += NR) {
    const base = (j0 - c0) * kc;
    if (!trans && j0 + NR <= last) {
      // the common case: four neighbouring numbers of each row of B
      for (let p = 0, at = base, from = p0 * n + j0; p < kc; p++, at += NR, from += n) {
        pb[at] = b[from]!;
        pb[at + 1] = b[from + 1]!;
        pb[at + 2] = b[from + 2]!;
        pb[at + 3] = b[from + 3]!;
      }
      continue;
    }
    for (let jj = 0; jj < NR; jj++) {
      const j = j0 + jj;
      let at = base + jj;
      if (j >= last) {
        for (let p = 0; p < kc; p++, at += NR) pb[at] = 0;
      } else if (trans) {
        // op(B)[p, j] = B[j, p]
        for (let p = 0, from = j * k + p0; p < kc; p++, at += NR) pb[at] = b[from + p]!;
      } else {
        for (let p = 0, from = p0 * n + j; p < kc; p++, at += NR, from += n) pb[at] = b[from]!;
      }
    }
  }
}

/**
 * C[i0 .. i0+mc, c0 .. c0+nc] (+)= packed A block · packed B block, one MR×NR tile at a
 * time (C is m×n).
 */
function block(pa: Float64Array, pb: Float64Array, c: FloatArray, i0: number, mc: number, kc: number, c0: number, nc: number, n: number, accumulate: boolean): void {
  const last = c0 + nc;
  for (let j0 = c0; j0 < last; j0 += NR) {
    const bStart = (j0 - c0) * kc;
    const fullCols = j0 + NR <= last;
    for (let r = 0; r < mc; r += MR) {
      let x = r * kc;
      const end = x + kc * MR;
      let y = bStart;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (; x < end; x += MR, y += NR) {
        const a0 = pa[x]!;
        const a1 = pa[x + 1]!;
        const b0 = pb[y]!;
        const b1 = pb[y + 1]!;
        const b2 = pb[y + 2]!;
        const b3 = pb[y + 3]!;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
      }
      const i = i0 + r;
      const o = i * n + j0;
      const twoRows = r + 1 < mc;
      if (fullCols) {
        if (accumulate) {
          c[o]! += c00; c[o + 1]! += c01; c[o + 2]! += c02; c[o + 3]! += c03;
          if (twoRows) { c[o + n]! += c10; c[o + n + 1]! += c11; c[o + n + 2]! += c12; c[o + n + 3]! += c13; }
        } else {
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
          if (twoRows) { c[o + n] = c10; c[o + n + 1] = c11; c[o + n + 2] = c12; c[o + n + 3] = c13; }
        }
      } else {
        // the last, partial panel of columns (written as sums: C starts at zero)
        const cols = last - j0;
        c[o]! += c00;
        if (cols > 1) c[o + 1]! += c01;
        if (cols > 2) c[o + 2]! += c02;
        if (twoRows) {
          c[o + n]! += c10;
          if (cols > 1) c[o + n + 1]! += c11;
          if (cols > 2) c[o + n + 2]! += c12;
        }
      }
    }
  }
}

// ---- elementwise ------------------------------------------------------------------------
// One loop per operation and operand kind: each loop then sees a single operation, which V8
// compiles to a tight loop, where one loop calling the operation as a function (what a
// generic map does) makes an un-inlined call per element — 5–10× slower on 10⁵ elements.

function elementwise<T extends FloatArray>(op: ElementwiseOp, x: T | number, y: T | number): T {
  // (a number with a float32 array is rounded to float32 first, as the WebAssembly kernels
  // and numpy's weak scalars do: the result does not depend on the array's length)
  if (typeof x === 'number') {
    if (typeof y === 'number') return Float64Array.of(scalar(op, x, y)) as T;
    return numberArray[op](y instanceof Float32Array ? Math.fround(x) : x, y) as T;
  }
  if (typeof y === 'number') return arrayNumber[op](x, x instanceof Float32Array ? Math.fround(y) : y) as T;
  if (x.length !== y.length) throw new RangeError(`zygote-ts: kernels.elementwise: lengths ${x.length} and ${y.length} differ.`);
  return arrayArray[op](x, y) as T;
}

function scalar(op: ElementwiseOp, x: number, y: number): number {
  return op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y;
}

const arrayArray: Record<ElementwiseOp, (x: FloatArray, y: FloatArray) => FloatArray> = {
  add(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! + y[i]!;
    return z;
  },
  sub(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! - y[i]!;
    return z;
  },
  mul(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! * y[i]!;
    return z;
  },
  div(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! / y[i]!;
    return z;
  },
};

const arrayNumber: Record<ElementwiseOp, (x: FloatArray, y: number) => FloatArray> = {
  add(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! + y;
    return z;
  },
  sub(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! - y;
    return z;
  },
  mul(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! * y;
    return z;
  },
  div(x, y) {
    const z = alike(x, x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! / y;
    return z;
  },
};

const numberArray: Record<ElementwiseOp, (x: number, y: FloatArray) => FloatArray> = {
  add(x, y) {
    const z = alike(y, y.length);
    for (let i = 0; i < z.length; i++) z[i] = x + y[i]!;
    return z;
  },
  sub(x, y) {
    const z = alike(y, y.length);
    for (let i = 0; i < z.length; i++) z[i] = x - y[i]!;
    return z;
  },
  mul(x, y) {
    const z = alike(y, y.length);
    for (let i = 0; i < z.length; i++) z[i] = x * y[i]!;
    return z;
  },
  div(x, y) {
    const z = alike(y, y.length);
    for (let i = 0; i < z.length; i++) z[i] = x / y[i]!;
    return z;
  },
};

// ---- sum, transpose ---------------------------------------------------------------------

function sum(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** Square tiles of the source, so that both the rows read and the columns written stay in cache. */
const TRANSPOSE_TILE = 32;

function transpose<T extends FloatArray>(a: T, m: number, n: number): T {
  const t = alike(a, m * n);
  for (let i0 = 0; i0 < m; i0 += TRANSPOSE_TILE) {
    const i1 = Math.min(m, i0 + TRANSPOSE_TILE);
    for (let j0 = 0; j0 < n; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(n, j0 + TRANSPOSE_TILE);
      for (let i = i0; i < i1; i++) {
        for (let j = j0, from = i * n + j0, to = j0 * m + i; j < j1; j++, from++, to += m) t[to] = a[from]!;
      }
    }
  }
  return t;
}

export const jsKernels: Kernels = { name: 'js', matmul, elementwise, sum, transpose };
