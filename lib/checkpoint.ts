// Gradient checkpointing: trade compute for memory by recomputing on the backward pass.

import { NDArray, isNDArray, type FloatArray } from './ndarray.js';
import { on, record, refuseHiddenInputs, tapeOf } from '../rules/arrays/record.js';
import { sum } from '../rules/arrays/elementwise.js';
import { mul } from '../rules/arithmetic.js';
import { isTraced, numberOf } from './core/traced.js';
import { isSymbolic } from './core/symbolic.js';
import { isScalarObject } from './core/scalars.js';
import { describeValue } from './call.js';
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
  // (any other value came back wrapped as a traced number holding it: `typeof` said
  // 'number' of an array, `r ?? x` was never x, and `r[0]` undefined, without a word)
  if (!(typeof value === 'number' || isTraced(value) || isNDArray(value) || isSymbolic(value) || isScalarObject(value))) {
    throw new TypeError(`zygote-ts: checkpointed(f, …): f returned ${describeValue(value)}; it must return a number or an NDArray (for several numbers, return array([…]) and take them apart after the call).`);
  }
  refuseHiddenInputs(value, t, 'checkpointed(f, …): f', 'Pass every number it depends on as an argument: checkpointed((y, k) => …, y, k).');
  return record(t, value, args, function checkpointedPullback(dy: unknown) {
    // An array result is pulled back through ⟨f(x), dy⟩, a number.
    // (the closure has no operator of its own, or it would be taken for code not rewritten)
    const again: unknown[] = [];
    const scalar = isNDArray(dy) ? (...xs: unknown[]) => sum(mul(kept(again, f(...(xs as A))), dy)) : (f as (...xs: unknown[]) => unknown);
    const [y, back] = pullback(scalar, ...outer);
    refuseIfRecomputedDiffers(value, isNDArray(dy) ? again[0] : y);
    return back(isNDArray(dy) ? 1 : (dy as number)) as unknown[];
  }) as Y;
}

/**
 * The backward pass differentiates f as it runs then: where that gives another value than
 * the forward pass did, f read state that changed in between (a variable of a loop that
 * steps `t += dt` after each checkpointed step, a field written later, Math.random), and
 * the gradient was that of another function, silently. (Within a relative 1e-12 the values
 * count as equal: traced and plain arithmetic may round one step apart.)
 */
function refuseIfRecomputedDiffers(before: unknown, after: unknown): void {
  const a = numbersOf(before);
  const b = numbersOf(after);
  const same = (u: number, v: number) => u === v || (u !== u && v !== v) || Math.abs(u - v) <= 1e-12 * Math.max(1, Math.abs(u), Math.abs(v));
  let k = 0;
  while (k < a.length && a.length === b.length && same(a[k]!, b[k]!)) k++;
  if (k === a.length && a.length === b.length) return;
  throw new Error(
    `zygote-ts: checkpointed(f, …): run again on the backward pass, f gave ${b.length === 1 ? b[0] : `another value (at ${k}: ${b[k]})`} where it gave ${a.length === 1 ? a[0] : a[k]} on the forward pass, so the gradient would be that of f as it is now, not as it ran: f reads something that changed in between (a variable or a field written after the call, random numbers). ` +
      'Pass what changes as an argument (checkpointed((y, t) => …, y, t)), or copy it into a const before the call.',
  );
}

/** `v`, kept in `box`. */
function kept<V>(box: unknown[], v: V): V {
  box[0] = v;
  return v;
}

/** The plain numbers of a number or an NDArray result, under any traced layers. */
function numbersOf(x: unknown): ArrayLike<number> {
  if (!isNDArray(x)) return [numberOf(x)];
  let a = x;
  while (a.tracedTape !== null) a = a.tracedValue;
  return a.data as FloatArray;
}
