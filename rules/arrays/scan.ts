// Cumulative sums. The pullback of a running sum is the running sum taken from the other
// end, and vice versa, so the two directions are each other's pullbacks (any order).

import { NDArray, type FloatArray } from '../../lib/ndarray.js';
import { asArray, liveArray, recordStep, tapeOf } from './record.js';
import { groupsOf, normalizeAxis, refuseExtraArguments, transformGroups, type ArrayInput } from './axes.js';
import { reshape } from './shape.js';

/**
 * Running sums along `axis`; without an axis, of all elements in row-major order (a
 * vector, as numpy's `cumsum` flattens).
 */
export function cumsum(x: ArrayInput, axis?: number): NDArray {
  refuseExtraArguments(arguments.length, 2, 'cumsum(x, axis)', " (numpy's dtype and out are not taken)");
  const X = asArray(x, 'cumsum');
  if (axis === undefined) return scan(X, null, false);
  return scan(X, normalizeAxis(axis, X.shape, 'cumsum'), false);
}

/** Running sums along `axis` (null: flattened), from the front or (`reverse`) from the back. */
function scan(X: NDArray, axis: number | null, reverse: boolean): NDArray {
  X = liveArray(X);
  const outShape = axis === null ? [X.size] : X.shape;
  const t = tapeOf([X]);
  if (t === null) {
    const out = transformGroups(X, groupsOf(X.shape, axis), reverse ? suffixSums : prefixSums);
    return new NDArray(outShape, out);
  }
  const shape = X.shape;
  return recordStep(t, [X], {
    name: 'cumsum',
    forward: ([v]) => scan(v, axis, reverse),
    backward: (g) => {
      // A flattened scan's cotangent is a vector: scanned along it, then given x's shape.
      const back = scan(g, axis === null ? 0 : axis, !reverse);
      return [axis === null ? reshape(back, shape) : back];
    },
    reads: { operands: [false], result: false },
    // linear: the running sums of the tangent
    jvp: ([d]) => scan(d as NDArray, axis, reverse),
  });
}

function prefixSums(src: FloatArray, dst: FloatArray, base: number, stride: number, n: number): void {
  let s = 0;
  for (let i = 0; i < n; i++) dst[base + i * stride] = s += src[base + i * stride]!;
}

function suffixSums(src: FloatArray, dst: FloatArray, base: number, stride: number, n: number): void {
  let s = 0;
  for (let i = n - 1; i >= 0; i--) dst[base + i * stride] = s += src[base + i * stride]!;
}
