// How the rules read their operands: JavaScript's own coercions, kept for traced values.

import { live, primal, isTracedOperand, reportEscape, type Traced } from '../lib/core/traced.js';
import { innermostOpenTape, isDeriving } from '../lib/core/scope.js';
import type { Tape } from '../lib/core/tape.js';
import { readBack } from './text.js';
import { isSymbolic } from '../lib/core/symbolic.js';
import { refuseForeignTraced } from '../lib/core/foreign.js';
import { fieldInside, isFieldInstance } from '../lib/core/scalars.js';

/**
 * An operand as tape `t` sees it, after ToNumber: the primal of a value recorded on `t`;
 * a value traced on an outer tape as it is (under a closed tape's layers: the value inside
 * them, which may be traced on `t` or an outer tape); anything else as a number.
 */
export function operandOn(x: unknown, t: Tape): unknown {
  if (isTracedOperand(x)) {
    const inside = x.tracedTape.active ? x : live(x);
    return isTracedOperand(inside) && inside.tracedTape === t ? inside.tracedValue : inside;
  }
  // (a number field's instance is a number of its own: a constant operand, kept exact)
  return typeof x === 'number' || isFieldInstance(x) ? x : +(x as number);
}

/** True when either operand is a traced value (here: one whose tape has closed). */
export function eitherTraced(a: unknown, b: unknown): boolean {
  return isTracedOperand(a) || isTracedOperand(b);
}

/**
 * Whether `x` is an object JavaScript would convert with ToPrimitive (a traced number is a
 * number, and so is a symbolic one: compileGradient's recording).
 */
export const convertsToPrimitive = (x: unknown): boolean =>
  (typeof x === 'object' || typeof x === 'function') && x !== null && !isTracedOperand(x) && !isSymbolic(x);

/**
 * ECMAScript's ToPrimitive (7.1.1), step for step, except that a traced number returned by
 * `Symbol.toPrimitive`, `valueOf` or `toString` is taken as the number it is. Natively it is
 * an object, so JavaScript would try the next method or throw; here a class whose
 * `valueOf` returns a traced field (`class R { valueOf() { return this.r } }`) converts to
 * that field, derivative and all. Primitives and traced numbers are returned as they are.
 */
export function toPrimitive(x: unknown, hint: 'default' | 'number' | 'string' = 'default'): unknown {
  if (!convertsToPrimitive(refuseForeignTraced(x))) return x;
  const target = x as Record<string | symbol, unknown>;
  const exotic = target[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError(`${String(exotic)} is not a function`);
    const result: unknown = askedByRuntime(exotic, x, hint);
    if (!convertsToPrimitive(result)) return result;
    throw new TypeError('Cannot convert object to primitive value');
  }
  for (const method of hint === 'string' ? ['toString', 'valueOf'] : ['valueOf', 'toString']) {
    const fn = target[method];
    if (typeof fn === 'function') {
      const result: unknown = askedByRuntime(fn, x, undefined);
      if (!convertsToPrimitive(result)) {
        // (asked once the conversion is done, and only then: a Proxy's traps run as JavaScript runs them)
        if (result === '[object Object]' && hint !== 'string' && isDeriving() && isEmptyRecord(x)) copiedTracedNumber();
        return result;
      }
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

let runtimeAsking = 0;

/**
 * Whether the runtime's own conversion is calling an object's `valueOf` or `Symbol.toPrimitive`
 * now (a rewritten one keeps a traced result then: lib/coercion.ts conversionResult).
 */
export const runtimeAsksPrimitive = (): boolean => runtimeAsking > 0;

function askedByRuntime(method: Function, x: unknown, hint: string | undefined): unknown {
  runtimeAsking++;
  try {
    return hint === undefined ? method.call(x) : method.call(x, hint);
  } finally {
    runtimeAsking--;
  }
}

/** `{}`: no own key, Object.prototype's. */
function isEmptyRecord(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Object.getPrototypeOf(x) !== Object.prototype) return false;
  for (const _ in x) return false; // (cheaper than Reflect.ownKeys for the usual record with keys)
  return Reflect.ownKeys(x).length === 0;
}

/**
 * An empty record used as a number (NaN) while a differentiation runs: most likely a traced
 * number copied by code that was not rewritten — a deep copy of a package left out of include
 * (rfdc's `clone(state)`), which sees an object with no keys of its own and copies none — where
 * plain JavaScript copied the number. Reported as a lost derivative (a warning; strict: an error).
 */
function copiedTracedNumber(): void {
  const tape = innermostOpenTape();
  if (tape === undefined) return;
  reportEscape(
    { tracedTape: tape },
    'a copy that kept none of it (an empty object used as a number, NaN: a deep copy by a package left out of ZYGOTE_INCLUDE or the plugin’s include option? Include it)',
  );
}

/**
 * ToNumber (7.1.4), keeping a traced number (also one an object converts to: see
 * toPrimitive, and one whose text is read back: rules/text.ts).
 */
export function toNumber(x: unknown): unknown {
  if (typeof x === 'number' || isSymbolic(x)) return x;
  if (isTracedOperand(x)) return typeof x.tracedValue === 'number' ? x : fieldAsNumber(x);
  const p = toPrimitive(x, 'number');
  if (isTracedOperand(p)) return p;
  const n = +(p as number); // (unary plus is ToNumber: a BigInt or Symbol throws)
  return typeof p === 'string' ? readBack(p, n, true) : n;
}

/**
 * A traced value as ToNumber sees it: one holding a number field's instance becomes that
 * instance's number (its `valueOf`, as plain code converts it), with derivative 1. It stayed
 * the instance: `+x`, `Number(x)` and `x++` gave a Fraction where plain code gives a number
 * (`(+x).toFixed(2)` threw).
 */
export function fieldAsNumber(x: Traced): unknown {
  const field = fieldInside(x);
  if (field === undefined) return x;
  const p = toPrimitive(field, 'number');
  // (derivative 1 only where the primitive is the instance's number: complex.js's valueOf is
  // null off the real axis, so Number(z) is the constant 0 there, not a function of z)
  return numberLayers(x, +(p as number), typeof p === 'number' || typeof p === 'string' ? 1 : 0);
}

/** `n` recorded on each live layer of `x`, with `partial`. */
function numberLayers(x: unknown, n: number, partial: 0 | 1): unknown {
  if (!isTracedOperand(x)) return n;
  const inner = numberLayers(x.tracedValue, n, partial);
  return x.tracedTape.active ? x.tracedTape.push(inner, x.tracedIndex, partial, -1, 0) : inner;
}

/** ToNumeric (7.1.3): as toNumber, but a BigInt stays a BigInt. */
export function toNumeric(x: unknown): unknown {
  if (typeof x === 'bigint') return x;
  const p = convertsToPrimitive(x) ? toPrimitive(x, 'number') : x;
  return typeof p === 'bigint' ? p : toNumber(p);
}

/** A traced value's number where JavaScript semantics need a primitive; others unchanged. */
export function plain(x: unknown): unknown {
  return isTracedOperand(x) ? primal(x) : x;
}

export { live };
