// Leaves: where a parameter structure keeps its numbers — a number, an NDArray, or a
// Float64Array/Float32Array. Optimisers, solvers and testRule compute on leaves
// elementwise; each formula is written once (`leafwise`) and serves all three kinds.

import { allocate, beforeStorageWrite, isFloatArray, isNDArray, NDArray, type FloatArray } from '../ndarray.js';

export type Leaf = number | NDArray | FloatArray;

/** True for a number, an NDArray or a float typed array. */
export const isLeaf = (x: unknown): x is Leaf => typeof x === 'number' || isNDArray(x) || isFloatArray(x);

/** What a leaf of a structure is, without its numbers (so a layout does not keep them alive). */
export type LeafSpec =
  | { readonly kind: 'number' }
  | { readonly kind: 'ndarray'; readonly shape: readonly number[]; readonly dtype: NDArray['dtype'] }
  | { readonly kind: 'typed'; readonly float32: boolean; readonly length: number };

export function specOf(x: Leaf): LeafSpec {
  if (typeof x === 'number') return NUMBER;
  if (isNDArray(x)) return { kind: 'ndarray', shape: x.shape, dtype: x.dtype };
  return { kind: 'typed', float32: x instanceof Float32Array, length: x.length };
}

const NUMBER: LeafSpec = { kind: 'number' };

/** How many numbers a leaf of `spec` holds. */
export function sizeOfSpec(spec: LeafSpec): number {
  if (spec.kind === 'number') return 1;
  if (spec.kind === 'typed') return spec.length;
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** A leaf of `spec` holding `data` (copied into storage of the leaf's element type). */
export function leafOfSpec(spec: LeafSpec, data: ArrayLike<number>): Leaf {
  if (spec.kind === 'number') return data[0]!;
  if (spec.kind === 'typed') return spec.float32 ? Float32Array.from(data) : Float64Array.from(data);
  const storage = allocate(spec.dtype, data.length);
  storage.set(data);
  return new NDArray(spec.shape, storage);
}

/** Zeros in the form of a leaf of `spec`. */
export const zerosOfSpec = (spec: LeafSpec): Leaf => leafOfSpec(spec, new Float64Array(sizeOfSpec(spec)));

/** The numbers of an array leaf. */
const dataOf = (x: NDArray | FloatArray): FloatArray => (isNDArray(x) ? x.data : x);

/** Whether `x` is a leaf of `spec`'s kind and size (the message says what it is instead). */
export function mismatchOf(spec: LeafSpec, x: unknown): string | null {
  if (spec.kind === 'number') return typeof x === 'number' ? null : `${describe(x)} where a number is`;
  const expected = spec.kind === 'ndarray' ? `an NDArray of shape [${spec.shape.join(', ')}]` : `a typed array of length ${spec.length}`;
  if (!isNDArray(x) && !isFloatArray(x)) return `${describe(x)} where ${expected} is`;
  // (an NDArray of another shape and the same size — a transposed gradient, 3×2 for a 2×3
  // parameter — was taken number by number in storage order, its places not the parameter's)
  if (spec.kind === 'ndarray' && isNDArray(x) && !sameShape(x.shape, spec.shape)) return `${describe(x)} where ${expected} is`;
  return dataOf(x).length === sizeOfSpec(spec) ? null : `${describe(x)} where ${expected} is`;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

export function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'number') return `the number ${x}`;
  if (isNDArray(x)) return `an NDArray of shape [${x.shape.join(', ')}]`;
  if (isFloatArray(x)) return `a ${x.constructor.name} of length ${x.length}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x instanceof Map) return 'a Map';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

/**
 * A leaf of the same kind, shape and element type as `like`, computed elementwise:
 * element i is `fn(a[i], b[i], c[i])` (b and c default to 0). The leaves must be of one size.
 *
 * @example
 * leafwise(p, (p, u) => p + u, p, u); // p + u, for numbers, NDArrays and typed arrays alike
 */
export function leafwise(like: Leaf, fn: (a: number, b: number, c: number) => number, a: Leaf, b: Leaf = 0, c: Leaf = 0): Leaf {
  if (typeof like === 'number') return fn(a as number, b as number, c as number);
  const da = dataOf(a as NDArray | FloatArray);
  const db = typeof b === 'number' ? null : dataOf(b);
  const dc = typeof c === 'number' ? null : dataOf(c);
  const out = isNDArray(like) ? allocate(like.dtype, da.length) : like instanceof Float32Array ? new Float32Array(da.length) : new Float64Array(da.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(da[i]!, db === null ? 0 : db[i]!, dc === null ? 0 : dc[i]!);
  return isNDArray(like) ? new NDArray(like.shape, out) : out;
}

/**
 * `next` with the slots whose leaves view one memory (an NDArray and a reshape of it, typed
 * arrays over one buffer) given new leaves that view one copy of it, stepped by every one of
 * their increments — as in place, where both write the shared numbers. Made apart (each
 * `leafwise`'s own array), each new leaf held its old numbers plus its own path's part of the
 * step only: two arrays that no longer agree, neither with the full step.
 */
export function sharingMemoryStepped(leaves: readonly (Leaf | null)[], increments: readonly (Leaf | null)[], next: (Leaf | null)[]): void {
  const byBuffer = new Map<ArrayBufferLike, number[]>();
  leaves.forEach((p, k) => {
    if (p === null || typeof p === 'number') return;
    const { buffer } = dataOf(p);
    const slots = byBuffer.get(buffer);
    if (slots === undefined) byBuffer.set(buffer, [k]);
    else slots.push(k);
  });
  for (const [buffer, slots] of byBuffer) {
    if (slots.length < 2 || slots.every((k) => increments[k] === null || increments[k] === undefined)) continue;
    const copy = buffer.slice(0);
    for (const k of slots) {
      const p = leaves[k] as NDArray | FloatArray;
      const d = dataOf(p);
      const view = d instanceof Float32Array ? new Float32Array(copy, d.byteOffset, d.length) : new Float64Array(copy, d.byteOffset, d.length);
      next[k] = isNDArray(p) ? new NDArray(p.shape, view) : view;
    }
    for (const k of slots) {
      const by = increments[k];
      if (by !== null && by !== undefined) addInto(next[k] as NDArray | FloatArray, by);
    }
  }
}

/**
 * Refuses x0 of a solver where two of its arrays view one memory (an NDArray and a reshape of
 * it): the solver moves each slot's numbers on its own, as coordinates of one vector, so the
 * iterates held two arrays that no longer agreed, and f — seeing the shared numbers as
 * independent — went wherever that led (minimize of sum(W·W) + flat[0] over { W, flat:
 * reshape(W) } ran off to -1e23, saying only 'lineSearch').
 */
export function refuseSharedMemory(leaves: readonly (Leaf | null)[], caller: string): void {
  const seen = new Map<ArrayBufferLike, { slot: number; start: number; end: number }[]>();
  leaves.forEach((p, k) => {
    if (p === null || typeof p === 'number') return;
    const { buffer, byteOffset, byteLength } = dataOf(p);
    const views = seen.get(buffer) ?? [];
    // (views of one buffer that do not overlap, rows of a pooled array, are independent numbers)
    const other = views.find((v) => v.start < byteOffset + byteLength && byteOffset < v.end)?.slot;
    if (other !== undefined) {
      throw new TypeError(
        `zygote-ts: ${caller}: x0's arrays ${other} and ${k} (in the order x0 holds them) view one memory (an NDArray and a reshape of it, ` +
          'typed arrays over one buffer), which the solver would move apart as independent numbers. Put one of them in x0 and make the other from it inside f (reshape(x.W, …)).',
      );
    }
    views.push({ slot: k, start: byteOffset, end: byteOffset + byteLength });
    seen.set(buffer, views);
  });
}

/** Σ a[i]·b[i] over the elements of two leaves of one size. */
export function dotLeaves(a: Leaf, b: Leaf): number {
  if (typeof a === 'number') return a * (b as number);
  const da = dataOf(a);
  const db = dataOf(b as NDArray | FloatArray);
  let s = 0;
  for (let i = 0; i < da.length; i++) s += da[i]! * db[i]!;
  return s;
}

/** The largest |element| of a leaf. */
export function maxAbsLeaf(a: Leaf): number {
  if (typeof a === 'number') return Math.abs(a);
  let m = 0;
  for (const v of dataOf(a)) m = Math.max(m, Math.abs(v));
  return m;
}

/** Writes a leaf's numbers into `v` at `offset`; returns the offset after them. */
export function writeLeaf(x: Leaf, v: Float64Array, offset: number): number {
  if (typeof x === 'number') {
    v[offset] = x;
    return offset + 1;
  }
  const d = dataOf(x);
  v.set(d, offset);
  return offset + d.length;
}

/** Copies `from`'s numbers into the array leaf `into` (an in-place update). */
export function assignInto(into: NDArray | FloatArray, from: Leaf): void {
  if (isNDArray(into)) beforeStorageWrite(into); // (inside a differentiation that used it: see there)
  dataOf(into).set(typeof from === 'number' ? [from] : dataOf(from));
}

/** Adds `by`'s numbers into the array leaf `into`, to what it holds now (an in-place step). */
export function addInto(into: NDArray | FloatArray, by: Leaf): void {
  if (isNDArray(into)) beforeStorageWrite(into);
  const d = dataOf(into);
  if (typeof by === 'number') d[0]! += by;
  else {
    const b = dataOf(by);
    for (let i = 0; i < d.length; i++) d[i]! += b[i]!;
  }
}
