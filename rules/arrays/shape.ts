// Reading elements, shapes and reshaping: `get`, `size`, `shape`, `reshape`, and the
// sparse accumulation a nested sweep needs.

import { allocate, NDArray, flatIndex, setElementReader, viewOf, type FloatArray, isNDArray } from '../../lib/ndarray.js';
import { primal } from '../../lib/core/traced.js';
import type { NodeRecord } from '../../lib/core/tape.js';
import { add, mul } from '../arithmetic.js';
import { asArray, liveArray, recordStep, tapeOf } from './record.js';
import type { ArrayInput } from './axes.js';

// ---- element reads: one tape row each, accumulated sparsely into the array's cotangent --
export function readElement(x: NDArray, k: number): number {
  x = liveArray(x);
  const t = x.tracedTape;
  if (t === null) return x.data[k]!;
  const outer = x.tracedValue.tracedTape === null ? x.data[k]! : readElement(x.tracedValue, k);
  return t.pushElement(outer, x.tracedIndex, k) as unknown as number;
}
setElementReader(readElement);

/** x[i, j, …] as a number (traced when `x` is). Also `x.get(i, j)`; a nested array of numbers is read as an array. */
export function get(x: ArrayInput, ...index: number[]): number {
  const X = isNDArray(x) ? x : asArray(x, 'get');
  return readElement(X, flatIndex(X.shape, index));
}

/** Array row `node`'s cotangent `acc` (null: zeros) plus `g` at element `k` (nested sweeps). */
export function addAt(acc: unknown, k: number, g: unknown, node: NodeRecord): unknown {
  const oneHot = allocate(node.dtype, node.size);
  oneHot[k] = 1;
  const part = mul(new NDArray(node.shape, oneHot), g);
  return acc === null ? part : add(acc, part);
}

/** What the runtime's algebra uses for plain cotangent buffers. */
export function arrayOf(data: FloatArray, node: NodeRecord): NDArray {
  return new NDArray(node.shape, data);
}

// ---- shapes -------------------------------------------------------------------------------
/** The shape of an array (ours or a nested JavaScript array). */
export function shape(x: unknown): number[] {
  return [...asArray(x, 'shape').shape];
}

/** The number of elements, or the length along axis `d` (counted from 0, as in numpy). */
export function size(x: unknown, d?: number): number {
  const s = isNDArray(x) ? x.shape : asArray(x, 'size').shape;
  if (d === undefined) return s.reduce((p, n) => p * n, 1);
  // An axis is an index: a traced one is read as its number, and gets no derivative.
  const axis = primal(d);
  if (!Number.isInteger(axis) || axis < -s.length || axis >= s.length) {
    throw new RangeError(`zygote-ts: size: axis ${axis} is out of range for shape [${s.join(', ')}].`);
  }
  return s[axis < 0 ? s.length + axis : axis]!;
}

/** The same elements in another shape (one length may be -1: inferred). */
export function reshape(x: unknown, newShape: readonly number[]): NDArray {
  const X = asArray(x, 'reshape');
  const target = resolveShape(X, newShape);
  const t = tapeOf([X]);
  if (t === null) return viewOf(X, target);
  return recordStep(t, [X], {
    name: 'reshape',
    forward: ([v]) => reshape(v, target),
    backward: (g: NDArray) => [reshape(g, X.shape)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => reshape(d, target),
  });
}

function resolveShape(x: NDArray, shape: readonly number[]): number[] {
  // (a length is read as its number, as an index is: a traced one, `Math.floor(x)`, was refused
  // as a traced number in an array's storage, where plain JavaScript reshapes)
  const out = shape.map((n) => (typeof n === 'number' ? n : primal(n)));
  const unknown = out.indexOf(-1);
  const known = out.reduce((p, n) => (n === -1 ? p : p * n), 1);
  if (unknown >= 0) out[unknown] = x.size / known;
  if (out.some((n) => !Number.isInteger(n) || n < 0) || out.reduce((p, n) => p * n, 1) !== x.size) {
    throw new RangeError(`zygote-ts: reshape: an array of shape [${x.shape.join(', ')}] (${x.size} elements) cannot take shape [${shape.join(', ')}].`);
  }
  return out;
}
