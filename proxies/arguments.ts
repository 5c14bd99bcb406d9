// Wrapping the arguments of a differentiation call.
//
// Numbers become inputs on the tape. Values that cannot carry a derivative (strings,
// booleans, functions, …) pass through and get a `null` gradient. Objects, arrays and
// Maps are where the Proxy-based tracing of structures plugs in; until it does, they are
// refused with a clear error rather than silently given no gradient.

import { live, Traced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';

/**
 * What `f` receives for `arg`: numbers become inputs on `tape` (a `Traced` recorded there,
 * whose cotangent is the argument's gradient); values with no derivative pass through.
 */
export function wrapArgument(arg: unknown, tape: Tape, position: number): unknown {
  if (typeof arg === 'number') return tape.input(arg);
  const x = live(arg);
  if (typeof x === 'number' || x instanceof Traced) return tape.input(x);
  if (x === null || typeof x !== 'object') return x;
  throw new TypeError(
    `zygote-ts: argument ${position} is ${describe(x)}; only numbers (and values without a derivative, ` +
      `such as strings, booleans and functions) can be differentiated so far. Pass the numbers you want ` +
      `gradients for as separate arguments, or close over the object and differentiate with respect to numbers.`,
  );
}

function describe(x: object): string {
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Map) return 'a Map';
  const name = Object.getPrototypeOf(x)?.constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}
