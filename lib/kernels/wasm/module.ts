// The kernels as WebAssembly SIMD, emitted by TypeScript at load time (no build step, no
// binary in the repository): the functions below write each kernel's code with the
// encoder's helpers, once for float64 (f64x2) and once for float32 (f32x4).
//
// All addresses and strides are in bytes. The caller (./kernels.ts) copies the operands
// into the memory, calls, and copies the result out.
//
// matmul is laid out as lib/kernels/js.ts explains (BLIS-style packing and blocking), with
// a 4×(2 vectors) register tile: a 4×4 tile of float64, 4×8 of float32. Per step of p it
// loads the two vectors of B's row and, for each of the 4 rows of A, one number splatted
// to a vector, then multiplies and adds (no FMA: relaxed SIMD is not in Node 20). V8's
// TurboFan loads a step's six operands before its arithmetic, so the step holds 8
// accumulators + 2 B vectors + 4 A vectors + 1 product = 15 xmm registers, all V8
// allocates (xmm15 is its scratch); V8 unrolls the loop by two itself. Unrolling it in the
// wasm made V8 load every unrolled step's operands first and spill (4 steps: 12 GFLOP/s;
// 1 step: 18), and a larger tile spills likewise. C is padded to whole tiles (rows to a
// multiple of MR, columns to a multiple of NR) so that no tile needs an edge case;
// packing pads A's and B's panels with zeros.

import {
  FunctionBuilder, I32, F64, V128, call, doWhile, encodeModule, f32, f32x4, f64, f64x2, get, i32, inc, memory,
  select, set, v128, when, whileLoop, type Code, type FunctionDefinition,
} from './encoder.js';

/** Rows of the register tile. */
export const MR = 4;
/** Vectors per row of the register tile. */
const TILE_VECTORS = 2;
const VECTOR_BYTES = 16;
/** Columns of the register tile (NR) for numbers of this many bytes: 4 float64, 8 float32. */
export const tileColumns = (bytesPerNumber: number): number => (TILE_VECTORS * VECTOR_BYTES) / bytesPerNumber;
/** Depth of one packed block (p); rows of one packed A block; columns of one packed B block. */
export const KC = 256;
export const MC = 128;
export const NC = 1024;

/** Elements per block of sum (the caller pads with zeros to whole blocks). */
export const SUM_BLOCK = 8;

interface Precision {
  name: 'f64' | 'f32';
  bytes: number;
  load(address: Code, offset?: number): Code;
  store(address: Code, value: Code, offset?: number): Code;
  /** Loads one number into every lane. */
  splat(address: Code, offset?: number): Code;
  vector: Record<'add' | 'sub' | 'mul' | 'div', (a: Code, b: Code) => Code>;
  /** Adds the SUM_BLOCK numbers at `address`, widened to float64, into four f64x2 sums (`scratch`: a v128 local). */
  sumBlock(sums: number[], address: Code, scratch: number): Code;
}

const float64: Precision = {
  name: 'f64', bytes: 8, load: f64.load, store: f64.store, splat: v128.load64Splat, vector: f64x2,
  sumBlock: (sums, address) => sums.flatMap((s, v) => set(s, f64x2.add(get(s), v128.load(address, v * VECTOR_BYTES)))),
};

const float32: Precision = {
  name: 'f32', bytes: 4, load: f32.load, store: f32.store, splat: v128.load32Splat, vector: f32x4,
  sumBlock: (sums, address, x) => [0, 1].flatMap((v) => {
    const low = sums[2 * v]!;
    const high = sums[2 * v + 1]!;
    // lanes 2, 3 moved down to 0, 1 (the upper half of the shuffle is unused)
    const upper = v128.shuffle(get(x), get(x), [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    return [
      ...set(x, v128.load(address, v * VECTOR_BYTES)),
      ...set(low, f64x2.add(get(low), f64x2.promoteLowF32x4(get(x)))),
      ...set(high, f64x2.add(get(high), f64x2.promoteLowF32x4(upper))),
    ];
  }),
};

const log2 = (bytes: number): number => Math.log2(bytes);
const times = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/**
 * pack(src, dst, width, count, depth, across, along): copies `count` lines of `depth`
 * numbers — line w starts at src + w·across, its numbers are `along` bytes apart — into
 * panels of `width` lines, each panel depth × width numbers, p-major (the order the register
 * tile reads them); lines past `count` are zeros (they reach only C's padding, but stale
 * bits there could be subnormal numbers, which are slow). The copy walks the source in its own
 * order (along the lines or across them, whichever stride is shorter), so that reading B
 * untransposed does not stride down its columns.
 */
function pack(t: Precision): FunctionDefinition {
  const f = new FunctionBuilder();
  const [src, dst, width, count, depth, across, along] = f.params(I32, I32, I32, I32, I32, I32, I32);
  const linesInner = f.local(I32);
  const rowBytes = f.local(I32);
  const panelBytes = f.local(I32);
  const start = f.local(I32);
  const valid = f.local(I32);
  const outerLeft = f.local(I32);
  const innerLeft = f.local(I32);
  const outerFrom = f.local(I32);
  const outerTo = f.local(I32);
  const from = f.local(I32);
  const to = f.local(I32);
  // the source and destination steps of the inner and outer loops
  const innerFromStep = f.local(I32);
  const innerToStep = f.local(I32);
  const outerFromStep = f.local(I32);
  const outerToStep = f.local(I32);
  return f.define([
    ...set(rowBytes, i32.shl(get(width), i32.const(log2(t.bytes)))),
    ...set(panelBytes, i32.mul(get(rowBytes), get(depth))),
    ...set(linesInner, i32.ltU(get(across), get(along))),
    ...set(innerFromStep, select(get(across), get(along), get(linesInner))),
    ...set(innerToStep, select(i32.const(t.bytes), get(rowBytes), get(linesInner))),
    ...set(outerFromStep, select(get(along), get(across), get(linesInner))),
    ...set(outerToStep, select(get(rowBytes), i32.const(t.bytes), get(linesInner))),
    ...set(start, i32.const(0)),
    ...whileLoop(i32.ltU(get(start), get(count)), [
      ...set(valid, i32.minU(get(width), i32.sub(get(count), get(start)))),
      ...when(i32.ne(get(valid), get(width)), memory.fill(get(dst), i32.const(0), get(panelBytes))),
      ...set(outerFrom, i32.add(get(src), i32.mul(get(start), get(across)))),
      ...set(outerTo, get(dst)),
      ...set(outerLeft, select(get(depth), get(valid), get(linesInner))),
      ...doWhile([
        ...set(from, get(outerFrom)),
        ...set(to, get(outerTo)),
        ...set(innerLeft, select(get(valid), get(depth), get(linesInner))),
        ...doWhile([
          ...t.store(get(to), t.load(get(from))),
          ...inc(from, get(innerFromStep)),
          ...inc(to, get(innerToStep)),
          ...set(innerLeft, i32.sub(get(innerLeft), i32.const(1))),
        ], get(innerLeft)),
        ...inc(outerFrom, get(outerFromStep)),
        ...inc(outerTo, get(outerToStep)),
        ...set(outerLeft, i32.sub(get(outerLeft), i32.const(1))),
      ], get(outerLeft)),
      ...inc(dst, get(panelBytes)),
    ], inc(start, get(width))),
  ]);
}

/**
 * gemm(pa, pb, c, rowPanels, columnPanels, depth, ldc, accumulate): C (+)= packed A · packed
 * B, rowPanels × columnPanels register tiles; ldc is the byte distance between C's rows.
 * For each panel of B (kept in L1), every panel of A (kept in L2) passes by.
 */
function gemm(t: Precision): FunctionDefinition {
  const f = new FunctionBuilder();
  const [pa, pb, c, rowPanels, columnPanels, depth, ldc, accumulate] = f.params(I32, I32, I32, I32, I32, I32, I32, I32);
  const nr = tileColumns(t.bytes);
  const bPanel = f.local(I32);
  const cColumn = f.local(I32);
  const aPanel = f.local(I32);
  const cRow = f.local(I32);
  const rowsLeft = f.local(I32);
  const aAt = f.local(I32);
  const bAt = f.local(I32);
  const bEnd = f.local(I32);
  const aPanelBytes = f.local(I32);
  const bPanelBytes = f.local(I32);
  const sums = times(MR).map(() => times(TILE_VECTORS).map(() => f.local(V128)));
  const bVectors = times(TILE_VECTORS).map(() => f.local(V128));
  const aVector = f.local(V128);

  return f.define([
    ...set(aPanelBytes, i32.mul(get(depth), i32.const(MR * t.bytes))),
    ...set(bPanelBytes, i32.mul(get(depth), i32.const(nr * t.bytes))),
    ...set(bPanel, get(pb)),
    ...set(cColumn, get(c)),
    ...doWhile([
      ...set(aPanel, get(pa)),
      ...set(cRow, get(cColumn)),
      ...set(rowsLeft, get(rowPanels)),
      ...doWhile([
        ...sums.flat().flatMap((s) => set(s, v128.zero())),
        ...set(aAt, get(aPanel)),
        ...set(bAt, get(bPanel)),
        ...set(bEnd, i32.add(get(bPanel), get(bPanelBytes))),
        // one step of p: B's row of the tile as vectors, then each row of A's, splatted
        ...doWhile([
          ...bVectors.flatMap((b, v) => set(b, v128.load(get(bAt), v * VECTOR_BYTES))),
          ...sums.flatMap((row, r) => [
            ...set(aVector, t.splat(get(aAt), r * t.bytes)),
            ...row.flatMap((s, v) => set(s, t.vector.add(get(s), t.vector.mul(get(aVector), get(bVectors[v]!))))),
          ]),
          ...inc(aAt, i32.const(MR * t.bytes)),
          ...inc(bAt, i32.const(nr * t.bytes)),
        ], i32.ne(get(bAt), get(bEnd))),
        // the tile into C, row by row (cRow walks down and ends at the next tile's first row)
        ...sums.flatMap((row) => [
          ...when(get(accumulate), ...row.map((s, v) => set(s, t.vector.add(get(s), v128.load(get(cRow), v * VECTOR_BYTES))))),
          ...row.flatMap((s, v) => v128.store(get(cRow), get(s), v * VECTOR_BYTES)),
          ...inc(cRow, get(ldc)),
        ]),
        ...inc(aPanel, get(aPanelBytes)),
        ...set(rowsLeft, i32.sub(get(rowsLeft), i32.const(1))),
      ], get(rowsLeft)),
      ...inc(bPanel, get(bPanelBytes)),
      ...inc(cColumn, i32.const(nr * t.bytes)),
      ...set(columnPanels, i32.sub(get(columnPanels), i32.const(1))),
    ], get(columnPanels)),
  ]);
}

/**
 * matmul(a, b, c, m, k, n, transA, transB, row0, row1, column0, column1, pa, pb): rows
 * [row0, row1) × columns [column0, column1) of C = op(A)·op(B) (row0 a multiple of MR,
 * column0 of NR, so that threads sharing C write separate tiles). C has
 * roundUp(n, NR) columns; pa and pb are the packing scratch (MC·KC and KC·NC numbers).
 */
function matmul(t: Precision, packIndex: number, gemmIndex: number): FunctionDefinition {
  const f = new FunctionBuilder();
  const [a, b, c, m, k, n, transA, transB, row0, row1, column0, column1, pa, pb] =
    f.params(I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32);
  const nr = tileColumns(t.bytes);
  const bytes = (x: number): Code => i32.shl(get(x), i32.const(log2(t.bytes)));
  const roundUp = (x: Code, multiple: number): Code => i32.and(i32.add(x, i32.const(multiple - 1)), i32.const(-multiple));
  const ldc = f.local(I32);
  const acrossA = f.local(I32);
  const alongA = f.local(I32);
  const acrossB = f.local(I32);
  const alongB = f.local(I32);
  const j0 = f.local(I32);
  const nc = f.local(I32);
  const p0 = f.local(I32);
  const kc = f.local(I32);
  const i0 = f.local(I32);
  const mc = f.local(I32);
  return f.define([
    ...set(ldc, i32.shl(roundUp(get(n), nr), i32.const(log2(t.bytes)))),
    // op(A)[i, p] is at a + i·acrossA + p·alongA; op(B)[p, j] at b + j·acrossB + p·alongB
    ...set(acrossA, select(i32.const(t.bytes), bytes(k), get(transA))),
    ...set(alongA, select(bytes(m), i32.const(t.bytes), get(transA))),
    ...set(acrossB, select(bytes(k), i32.const(t.bytes), get(transB))),
    ...set(alongB, select(i32.const(t.bytes), bytes(n), get(transB))),
    ...set(j0, get(column0)),
    ...whileLoop(i32.ltU(get(j0), get(column1)), [
      ...set(nc, i32.minU(i32.const(NC), i32.sub(get(column1), get(j0)))),
      ...set(p0, i32.const(0)),
      ...whileLoop(i32.ltU(get(p0), get(k)), [
        ...set(kc, i32.minU(i32.const(KC), i32.sub(get(k), get(p0)))),
        ...call(packIndex,
          i32.add(get(b), i32.add(i32.mul(get(j0), get(acrossB)), i32.mul(get(p0), get(alongB)))),
          get(pb), i32.const(nr), get(nc), get(kc), get(acrossB), get(alongB)),
        ...set(i0, get(row0)),
        ...whileLoop(i32.ltU(get(i0), get(row1)), [
          ...set(mc, i32.minU(i32.const(MC), i32.sub(get(row1), get(i0)))),
          ...call(packIndex,
            i32.add(get(a), i32.add(i32.mul(get(i0), get(acrossA)), i32.mul(get(p0), get(alongA)))),
            get(pa), i32.const(MR), get(mc), get(kc), get(acrossA), get(alongA)),
          ...call(gemmIndex,
            get(pa), get(pb), i32.add(get(c), i32.add(i32.mul(get(i0), get(ldc)), bytes(j0))),
            i32.shrU(i32.add(get(mc), i32.const(MR - 1)), i32.const(log2(MR))),
            i32.shrU(i32.add(get(nc), i32.const(nr - 1)), i32.const(log2(nr))),
            get(kc), get(ldc), get(p0)),
        ], inc(i0, i32.const(MC))),
      ], inc(p0, i32.const(KC))),
    ], inc(j0, i32.const(NC))),
  ], [], `matmul_${t.name}`);
}

/** The elementwise operations, in the order of their codes (op 0 = add, …). */
export const ELEMENTWISE_OPS = ['add', 'sub', 'mul', 'div'] as const;

/**
 * elementwise(op, x, y, z, vectors, strideX, strideY): z = x ∘ y, `vectors` vectors of z;
 * x and y advance by their strides — 16, or 0 for a number splatted into one vector.
 */
function elementwise(t: Precision): FunctionDefinition {
  const f = new FunctionBuilder();
  const [op, x, y, z, vectors, strideX, strideY] = f.params(I32, I32, I32, I32, I32, I32, I32);
  return f.define(ELEMENTWISE_OPS.flatMap((name, code) =>
    when(i32.eq(get(op), i32.const(code)), doWhile([
      ...v128.store(get(z), t.vector[name](v128.load(get(x)), v128.load(get(y)))),
      ...inc(x, get(strideX)),
      ...inc(y, get(strideY)),
      ...inc(z, i32.const(VECTOR_BYTES)),
      ...set(vectors, i32.sub(get(vectors), i32.const(1))),
    ], get(vectors)))), [], `elementwise_${t.name}`);
}

/** sum(x, blocks): the sum of `blocks` blocks of SUM_BLOCK numbers, in float64. */
function sum(t: Precision): FunctionDefinition {
  const f = new FunctionBuilder();
  const [x, blocks] = f.params(I32, I32);
  const sums = times(4).map(() => f.local(V128));
  const [s0, s1, s2, s3] = sums as [number, number, number, number];
  const scratch = f.local(V128);
  return f.define([
    ...sums.flatMap((s) => set(s, v128.zero())),
    ...doWhile([
      ...t.sumBlock(sums, get(x), scratch),
      ...inc(x, i32.const(SUM_BLOCK * t.bytes)),
      ...set(blocks, i32.sub(get(blocks), i32.const(1))),
    ], get(blocks)),
    ...set(s0, f64x2.add(f64x2.add(get(s0), get(s1)), f64x2.add(get(s2), get(s3)))),
    ...f64.add(f64x2.extractLane(get(s0), 0), f64x2.extractLane(get(s0), 1)),
  ], [F64], `sum_${t.name}`);
}

/** Rows per strip of transpose: a strip's column is one 64-byte line of the result. */
const strip = (t: Precision): number => 64 / t.bytes;

/**
 * transpose(a, t, m, n): t = aᵀ for the row-major m×n a. A strip of rows is read column by
 * column, so each column's numbers are written side by side and the strip's rows stay in L1.
 */
function transpose(t: Precision): FunctionDefinition {
  const f = new FunctionBuilder();
  const [a, out, m, n] = f.params(I32, I32, I32, I32);
  const i0 = f.local(I32);
  const rows = f.local(I32);
  const j = f.local(I32);
  const left = f.local(I32);
  const from = f.local(I32);
  const to = f.local(I32);
  const shift = i32.const(log2(t.bytes));
  return f.define([
    ...set(i0, i32.const(0)),
    ...whileLoop(i32.ltU(get(i0), get(m)), [
      ...set(rows, i32.minU(i32.const(strip(t)), i32.sub(get(m), get(i0)))),
      ...set(j, i32.const(0)),
      ...whileLoop(i32.ltU(get(j), get(n)), [
        ...set(from, i32.add(get(a), i32.shl(i32.add(i32.mul(get(i0), get(n)), get(j)), shift))),
        ...set(to, i32.add(get(out), i32.shl(i32.add(i32.mul(get(j), get(m)), get(i0)), shift))),
        ...set(left, get(rows)),
        ...doWhile([
          ...t.store(get(to), t.load(get(from))),
          ...inc(from, i32.shl(get(n), shift)),
          ...inc(to, i32.const(t.bytes)),
          ...set(left, i32.sub(get(left), i32.const(1))),
        ], get(left)),
      ], inc(j, i32.const(1))),
    ], inc(i0, i32.const(strip(t)))),
  ], [], `transpose_${t.name}`);
}

/** The most pages a wasm32 memory can have (4 GiB); a shared memory must declare a maximum. */
export const MAX_PAGES = 65536;

/** The module's bytes: matmul_f64, elementwise_f64, sum_f64, transpose_f64 and their f32 twins. */
export function kernelsModule(sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const functions: FunctionDefinition[] = [];
  for (const t of [float64, float32]) {
    const packIndex = functions.push(pack(t)) - 1;
    const gemmIndex = functions.push(gemm(t)) - 1;
    functions.push(matmul(t, packIndex, gemmIndex), elementwise(t), sum(t), transpose(t));
  }
  return encodeModule({ memory: { shared: sharedMemory, maximumPages: MAX_PAGES }, functions });
}
