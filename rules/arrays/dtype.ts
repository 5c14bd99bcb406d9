// Casting between dtypes. `astype` is differentiable: its pullback casts the cotangent
// back to the input's dtype (as JAX's does), so a float32 array's gradient stays float32.

import { castData, checkDtype, NDArray, type Dtype } from '../../lib/ndarray.js';
import { asArray, recordStep, tapeOf } from './record.js';
import type { ArrayInput } from './axes.js';

/** `x` with elements of `dtype`: itself when it has that dtype already, else a copy (to float32: rounded). */
export function astype(x: ArrayInput | number, dtype: Dtype): NDArray {
  const to = checkDtype(dtype, 'astype');
  const X = asArray(x, 'astype');
  if (X.dtype === to) return X;
  const t = tapeOf([X]);
  if (t === null) return new NDArray(X.shape, castData(X.data, to));
  const from = X.dtype;
  return recordStep(t, [X], {
    name: 'astype',
    forward: ([v]) => astype(v, to),
    backward: (g: NDArray) => [astype(g, from)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => astype(d as NDArray, to),
  });
}
