// Joining and cutting arrays: concat, stack, slice, row. Cutting (`take`) and placing into
// zeros (`place`) are each other's pullbacks, so every rule here differentiates to any order.

import { allocate, NDArray, promote, type FloatArray } from '../../lib/ndarray.js';
import { primal } from '../../lib/core/traced.js';
import { asArray, liveArray, recordStep, tapeOf } from './record.js';
import { fmt, normalizeAxis, refuseExtraArguments, type ArrayInput } from './axes.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * Copies blocks along `axis`: the array is `outer` blocks of (length along axis × inner)
 * contiguous elements. Copies `len` rows from row `from` of src into row `to` of dst.
 */
function copyRows(
  src: FloatArray, srcLen: number, from: number,
  dst: FloatArray, dstLen: number, to: number,
  len: number, outer: number, inner: number,
): void {
  for (let o = 0; o < outer; o++) {
    const s = (o * srcLen + from) * inner;
    dst.set(src.subarray(s, s + len * inner), (o * dstLen + to) * inner); // (converts float32 ↔ float64)
  }
}

const outerOf = (shape: readonly number[], axis: number) => sizeOf(shape.slice(0, axis));
const innerOf = (shape: readonly number[], axis: number) => sizeOf(shape.slice(axis + 1));

// ---- take / place (internal) ------------------------------------------------------------

/** Rows [start, end) along `axis`; with `drop` (one row) the axis is removed. */
function take(X: NDArray, axis: number, start: number, end: number, drop: boolean): NDArray {
  X = liveArray(X);
  const kept = X.shape.map((d, i) => (i === axis ? end - start : d));
  const shape = drop ? kept.filter((_, i) => i !== axis) : kept;
  const t = tapeOf([X]);
  if (t === null) {
    const out = allocate(X.dtype, sizeOf(kept));
    copyRows(X.data, X.shape[axis]!, start, out, end - start, 0, end - start, outerOf(X.shape, axis), innerOf(X.shape, axis));
    return new NDArray(shape, out);
  }
  const full = X.shape;
  return recordStep(t, [X], {
    name: 'slice',
    forward: ([v]) => take(v, axis, start, end, drop),
    backward: (g) => [place(g, full, axis, start, drop)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => take(d as NDArray, axis, start, end, drop),
    // (rows of the first axis, or of any axis with one block before it, are one run of the storage)
    window: outerOf(full, axis) === 1 ? start * innerOf(full, axis) : undefined,
  });
}

/** An array of `shape`, zero but for `G` at rows [start, …) along `axis` (the adjoint of take). */
function place(G: unknown, shape: readonly number[], axis: number, start: number, drop: boolean): NDArray {
  const X = asArray(G, 'cotangent');
  const len = drop ? 1 : X.shape[axis]!;
  const t = tapeOf([X]);
  if (t === null) {
    const out = allocate(X.dtype, sizeOf(shape));
    copyRows(X.data, len, 0, out, shape[axis]!, start, len, outerOf(shape, axis), innerOf(shape, axis));
    return new NDArray(shape, out);
  }
  return recordStep(t, [X], {
    name: 'place',
    forward: ([v]) => place(v, shape, axis, start, drop),
    backward: (h) => [take(h, axis, start, start + len, drop)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => place(d, shape, axis, start, drop),
  });
}

// ---- public ---------------------------------------------------------------------------

/** Joins arrays along an existing axis (all other lengths must agree). */
export function concat(arrays: readonly ArrayInput[], axis = 0): NDArray {
  refuseExtraArguments(arguments.length, 2, 'concat(arrays, axis)');
  const Xs = listOf(arrays, 'concat');
  const first = Xs[0]!;
  if (first.ndim === 0) throw new RangeError('zygote-ts: concat joins along an axis, but got 0-d arrays (use stack).');
  const a = normalizeAxis(axis, first.shape, 'concat');
  for (const X of Xs) {
    if (X.ndim !== first.ndim || X.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new RangeError(
        `zygote-ts: concat: shapes ${Xs.map((y) => fmt(y.shape)).join(', ')} do not match except along axis ${a}.`,
      );
    }
  }
  return join(Xs, a);
}

/** Joins arrays of one shape along a new axis. */
export function stack(arrays: readonly ArrayInput[], axis = 0): NDArray {
  refuseExtraArguments(arguments.length, 2, 'stack(arrays, axis)');
  const Xs = listOf(arrays, 'stack');
  const first = Xs[0]!;
  for (const X of Xs) {
    if (X.ndim !== first.ndim || X.shape.some((d, i) => d !== first.shape[i])) {
      throw new RangeError(`zygote-ts: stack needs arrays of one shape, got ${Xs.map((y) => fmt(y.shape)).join(', ')}.`);
    }
  }
  const a = normalizeAxis(axis, first.shape, 'stack', 1);
  const expanded = [...first.shape.slice(0, a), 1, ...first.shape.slice(a)];
  // Stacking is joining the arrays seen with a length-1 axis inserted (a view, not a node).
  const plain = Xs.map((X) => new NDArray(expanded, X.data));
  return join(plain, a, Xs);
}

/**
 * One node for concat/stack. `originals` (stack): the operands as given, whose pullback
 * parts drop the inserted axis.
 */
function join(Xs: readonly NDArray[], axis: number, originals?: readonly NDArray[]): NDArray {
  const lengths = Xs.map((X) => X.shape[axis]!);
  const total = lengths.reduce((s, n) => s + n, 0);
  const shape = Xs[0]!.shape.map((d, i) => (i === axis ? total : d));
  const operands = originals ?? Xs;
  const t = tapeOf(operands);
  if (t === null) {
    // float32 only when every part is (a float64 part's numbers are not rounded)
    const out = allocate(Xs.map((X) => X.dtype).reduce(promote), sizeOf(shape));
    const outer = outerOf(shape, axis);
    const inner = innerOf(shape, axis);
    let at = 0;
    Xs.forEach((X, k) => {
      copyRows(X.data, lengths[k]!, 0, out, total, at, lengths[k]!, outer, inner);
      at += lengths[k]!;
    });
    return new NDArray(shape, out);
  }
  const need = operands.map((X) => X.tracedTape === t);
  return recordStep(t, operands, {
    name: originals ? 'stack' : 'concat',
    forward: (values) => (originals ? stack(values, axis) : concat(values, axis)),
    backward: (g) => {
      let at = 0;
      return lengths.map((n, k) => {
        const part = need[k] ? take(g, axis, at, at + n, originals !== undefined) : null;
        at += n;
        return part;
      });
    },
    reads: { operands: operands.map(() => false), result: false },
    // the tangents joined the same way (zeros for the operands that have none)
    jvp: (tangents, values: readonly NDArray[]) => {
      const parts = tangents.map((d, k) => (d === null ? new NDArray(values[k]!.shape, allocate(values[k]!.dtype, values[k]!.size)) : (d as NDArray)));
      return originals ? stack(parts, axis) : concat(parts, axis);
    },
  });
}

function listOf(arrays: readonly ArrayInput[], op: string): NDArray[] {
  if (!Array.isArray(arrays) || arrays.length === 0) {
    throw new RangeError(`zygote-ts: ${op} takes a non-empty list of arrays.`);
  }
  return arrays.map((x, k) => asArray(x, `${op}: array ${k}`));
}

/** Rows [start, end) along the first axis: rows of a matrix, a range of a vector. Negative indices count from the end. */
export function slice(x: ArrayInput, start: number, end?: number): NDArray {
  refuseExtraArguments(arguments.length, 3, 'slice(x, start, end)', ' (it takes rows of the first axis, without a step: transpose to slice another)');
  const X = asArray(x, 'slice');
  if (X.ndim === 0) throw new RangeError('zygote-ts: slice: a 0-d array has no axis to slice.');
  const n = X.shape[0]!;
  // (an index per axis, `slice(x, [1, 0], [3, 2])` as lax.slice takes them, was reported as out of range)
  for (const [name, i] of [['start', start], ['end', end]] as const) {
    if (i !== undefined && typeof primal(i) !== 'number') {
      throw new TypeError(`zygote-ts: slice(x, start, end) takes row indices along the first axis (numbers), got ${Array.isArray(i) ? 'an array' : typeof i} as ${name}: it slices the first axis only (transpose to slice another).`);
    }
  }
  const s = position(start, n);
  const e = end === undefined ? n : position(end, n);
  if (s === null || e === null || s < 0 || e > n || s > e) {
    throw new RangeError(`zygote-ts: slice(${primal(start)}, ${end === undefined ? '' : primal(end)}) is out of range for shape ${fmt(X.shape)} (axis 0 has ${n}).`);
  }
  return take(X, 0, s, e, false);
}

/** Row `i` of a matrix (or of any array of 2 or more dimensions: x[i]); negative i counts from the end. */
export function row(x: ArrayInput, i: number): NDArray {
  refuseExtraArguments(arguments.length, 2, 'row(x, i)');
  const X = asArray(x, 'row');
  if (X.ndim < 2) throw new RangeError(`zygote-ts: row takes a matrix, got shape ${fmt(X.shape)} (for an element use get).`);
  const n = X.shape[0]!;
  const r = position(i, n);
  if (r === null || r < 0 || r >= n) throw new RangeError(`zygote-ts: row ${primal(i)} is out of range for shape ${fmt(X.shape)}.`);
  return take(X, 0, r, r + 1, true);
}

// An index read as its number (a traced one gets no derivative); negative from the end.
function position(i: unknown, n: number): number | null {
  const v = primal(i);
  if (typeof v !== 'number' || !Number.isInteger(v)) return null;
  return v < 0 ? v + n : v;
}

