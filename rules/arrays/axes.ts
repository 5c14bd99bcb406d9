// Axes: checking them, and walking an array as groups of elements along one axis (what the
// reductions, scans and softmax share). An array of shape [..., n, ...] with the axis in the
// middle is `outer` blocks of `n` rows of `inner` contiguous elements; one group is the n
// elements at offsets base, base + inner, …, base + (n-1)·inner.

import { allocate, NDArray, type FloatArray, type IntegerArray } from '../../lib/ndarray.js';
import { primal } from '../../lib/core/traced.js';
import { broadcastTo, spread } from './elementwise.js';
import { reshape } from './shape.js';

/** What may be given where an array is expected: our arrays, nested numbers, typed arrays. */
export type NestedNumbers = readonly (number | NestedNumbers)[];
export type ArrayInput = NDArray | NestedNumbers | Float64Array | Float32Array | IntegerArray;

export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * `axis` as a position in `shape` (negative axes count from the end), checked. `extra`
 * admits one position past the end (where `stack` may insert a new axis).
 */
export function normalizeAxis(axis: unknown, shape: readonly number[], op: string, extra = 0): number {
  // An axis is an index: a traced one is read as its number and gets no derivative.
  const a = primal(axis);
  const n = shape.length + extra;
  // (an array of axes, numpy's sum(x, (0, 1)), or text was called out of range: "axis 1 is out
  // of range … (axes run from -2 to 1)" for [1])
  if (typeof a !== 'number') {
    const given: unknown = a;
    const what = Array.isArray(given) ? `an array [${given.join(', ')}] (several axes are not taken: apply it once per axis)` : typeof given === 'string' ? `the string '${given}'` : String(given);
    throw new TypeError(`zygote-ts: ${op} takes one axis, a whole number, got ${what}.`);
  }
  if (!Number.isInteger(a) || a < -n || a >= n) {
    const range = n === 0 ? 'it has no axes' : `axes run from ${-n} to ${n - 1}`;
    throw new RangeError(`zygote-ts: ${op}: axis ${String(a)} is out of range for shape ${fmt(shape)} (${range}).`);
  }
  return a < 0 ? a + n : a;
}

/**
 * Refuses arguments past an array function's last (`given`: its `arguments.length`). numpy's
 * and JAX's functions of these names take more (`keepdims`, `dtype`, `out`), which JavaScript
 * would drop without a word: `sum(x, 1, true)` had another shape than asked, and
 * `xs.map(sum)`, which passes each element's index and the array as well, summed each element
 * along the axis of its index.
 */
export function refuseExtraArguments(given: number, count: number, signature: string, hint = ''): void {
  if (given <= count) return;
  const name = signature.slice(0, signature.indexOf('('));
  throw new TypeError(
    `zygote-ts: ${signature} takes ${count} arguments at most, got ${given}: the others would be dropped without a word${hint}. ` +
      `Given as a callback (xs.map(${name})), it also gets each element's index and the array: write xs.map((x) => ${name}(x)).`,
  );
}

/** What {@link refuseExtraArguments} says to a reduction's third argument. */
export const NO_KEEPDIMS = " (numpy's keepdims is not taken: reshape the result to keep the axis, reshape(sum(x, 1), [n, 1]))";

/** An array split around one axis (`axis` null: all elements as one group). */
export interface Groups {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
  /** The shape with the axis removed ([] when reducing over everything). */
  readonly reduced: number[];
  /** The shape with the axis kept as length 1 (for broadcasting a reduced array back). */
  readonly kept: number[];
}

export function groupsOf(shape: readonly number[], axis: number | null): Groups {
  const size = shape.reduce((p, d) => p * d, 1);
  if (axis === null) return { outer: 1, n: size, inner: 1, reduced: [], kept: shape.map(() => 1) };
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const reduced = [...shape.slice(0, axis), ...shape.slice(axis + 1)];
  const kept = shape.map((d, i) => (i === axis ? 1 : d));
  return { outer, n: shape[axis]!, inner, reduced, kept };
}

/**
 * One number per group: `reduce(data, base, stride, n)` reads the group's elements at
 * data[base + i·stride]. The result has the reduced shape and x's dtype (row-major).
 */
export function reduceGroups(
  x: NDArray,
  g: Groups,
  reduce: (data: FloatArray, base: number, stride: number, n: number) => number,
): FloatArray {
  const out = allocate(x.dtype, g.outer * g.inner);
  const d = x.data;
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.inner; j++) out[o * g.inner + j] = reduce(d, o * g.n * g.inner + j, g.inner, g.n);
  }
  return out;
}

/** A new array of x's shape and dtype, each group written by `fill(src, dst, base, stride, n)`. */
export function transformGroups(
  x: NDArray,
  g: Groups,
  fill: (src: FloatArray, dst: FloatArray, base: number, stride: number, n: number) => void,
): FloatArray {
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.inner; j++) fill(x.data, out, o * g.n * g.inner + j, g.inner, g.n);
  }
  return out;
}

/** A reduction's result: a number over all elements, else an array of the reduced shape. */
export function reducedValue(out: FloatArray, g: Groups, axis: number | null): number | NDArray {
  return axis === null ? out[0]! : new NDArray(g.reduced, out);
}

/**
 * The cotangent of a result reduced from `x` stretched back over the reduced axis, in x's
 * shape and dtype (differentiable: pullbacks built on it can be differentiated again).
 */
export function expandBack(g: unknown, x: NDArray, groups: Groups, axis: number | null): NDArray {
  if (axis === null) return spread(g, x);
  return broadcastTo(reshape(g, groups.kept), x.shape);
}
