// How the rules read their operands: JavaScript's own coercions, kept for traced values.

import { live, primal, Traced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';

/**
 * An operand as tape `t` sees it, after ToNumber: the primal of a value recorded on `t`;
 * a value traced on an outer tape (or a closed one) as it is; anything else as a number.
 */
export function operandOn(x: unknown, t: Tape): unknown {
  if (x instanceof Traced) return x.tape === t ? x.value : x;
  return typeof x === 'number' ? x : +(x as number);
}

// How two operands stand, for the rules' fast paths.
/** Anything not below (outer tapes, closed tapes, non-numbers): the general path. */
export const GENERAL = 0;
/** `a` is a number traced on an active tape; `b` is a plain number. */
export const TRACED_NUMBER = 1;
/** `a` is a plain number; `b` is a number traced on an active tape. */
export const NUMBER_TRACED = 2;
/** Both are numbers traced on the same active tape. */
export const BOTH_TRACED = 3;

/** Classifies the common cases in a few checks; the rules then read `.value` directly. */
export function classify(a: unknown, b: unknown): number {
  if (a instanceof Traced) {
    if (!a.tape.active || typeof a.value !== 'number') return GENERAL;
    if (typeof b === 'number') return TRACED_NUMBER;
    return b instanceof Traced && b.tape === a.tape && typeof b.value === 'number' ? BOTH_TRACED : GENERAL;
  }
  if (typeof a === 'number' && b instanceof Traced && b.tape.active && typeof b.value === 'number') return NUMBER_TRACED;
  return GENERAL;
}

/** True when either operand is a traced value (here: one whose tape has closed). */
export function eitherTraced(a: unknown, b: unknown): boolean {
  return a instanceof Traced || b instanceof Traced;
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
  return x instanceof Traced ? primal(x) : x;
}

export { live };
