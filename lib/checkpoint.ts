// Gradient checkpointing: trade compute for memory by recomputing on the backward pass.

import { NDArray, isNDArray } from './ndarray.js';
import { on, record, refuseHiddenInputs, tapeOf } from '../rules/arrays/record.js';
import { sum } from '../rules/arrays/elementwise.js';
import { mul } from '../rules/arithmetic.js';
import { pullback } from './api.js';

/**
 * `f(...args)`, storing nothing of `f`'s inside on the tape: each backward pass runs `f`
 * again, under its own pullback, to get the arguments' cotangents. Arguments are numbers
 * or NDArrays; the result a number or an NDArray.
 *
 * @example
 * gradient((x) => checkpointed((y) => Math.sin(y) * y, x) * 2, 1);
 */
export function checkpointed<A extends (number | NDArray)[], Y extends number | NDArray>(f: (...args: A) => Y, ...args: A): Y {
  const t = tapeOf(args);
  if (t === null || t.tangents !== null) return f(...args); // (forward mode stores nothing to save)
  const outer = args.map((x) => on(x, t)) as A;
  const value = f(...outer);
  refuseHiddenInputs(value, t, 'checkpointed(f, …): f', 'Pass every number it depends on as an argument: checkpointed((y, k) => …, y, k).');
  return record(t, value, args, function checkpointedPullback(dy: unknown) {
    // An array result is pulled back through ⟨f(x), dy⟩, a number.
    const scalar = isNDArray(dy) ? (...xs: unknown[]) => sum(mul(f(...(xs as A)), dy)) : (f as (...xs: unknown[]) => unknown);
    const [, back] = pullback(scalar, ...outer);
    return back(isNDArray(dy) ? 1 : (dy as number)) as unknown[];
  }) as Y;
}
