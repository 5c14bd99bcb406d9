// How the rules read their operands: JavaScript's own coercions, kept for traced values.

import { live, primal, isTracedOperand } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';

/**
 * An operand as tape `t` sees it, after ToNumber: the primal of a value recorded on `t`;
 * a value traced on an outer tape (or a closed one) as it is; anything else as a number.
 */
export function operandOn(x: unknown, t: Tape): unknown {
  if (isTracedOperand(x)) return x.tape === t ? x.value : x;
  return typeof x === 'number' ? x : +(x as number);
}

/** True when either operand is a traced value (here: one whose tape has closed). */
export function eitherTraced(a: unknown, b: unknown): boolean {
  return isTracedOperand(a) || isTracedOperand(b);
}

/** ECMAScript's ToPrimitive with the 'default' hint, used by `+` to choose concatenation. */
export function toPrimitive(x: unknown): unknown {
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return x;
  const target = x as Record<string | symbol, unknown>;
  const exotic = target[Symbol.toPrimitive];
  if (typeof exotic === 'function') {
    const result: unknown = exotic.call(x, 'default');
    if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return result;
    throw new TypeError('Cannot convert object to primitive value');
  }
  for (const method of ['valueOf', 'toString']) {
    const fn = target[method];
    if (typeof fn === 'function') {
      const result: unknown = fn.call(x);
      if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return result;
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/** A traced value's number where JavaScript semantics need a primitive; others unchanged. */
export function plain(x: unknown): unknown {
  return isTracedOperand(x) ? primal(x) : x;
}

export { live };
