// `Object(x)`, `x instanceof C` and Object's reflection (is, getPrototypeOf, isFrozen, isSealed,
// isExtensible) given traced numbers: a traced number answers as its number does.

import { type Traced, isTraced, numberOf, primal, textOfTraced } from '../../lib/core/traced.js';
import { fieldInside } from '../../lib/core/scalars.js';
import { isIdentityObject as isIdentity, sameObject } from '../../proxies/standins.js';
import { sameAsProduced } from '../../proxies/drafts.js';
import { likeBuiltin, sameBuiltin } from '../like-builtin.js';
import { noteEqualityHeld, noteIdentityHeld } from '../equalities.js';
import { typedStandIn } from '../../proxies/typed-arrays.js';
import { builtinGetPrototypeOf, builtinIsExtensible, builtinIsFrozen, builtinIsSealed, builtinObjectIs } from './platform.js';

/**
 * What `Object(x)` gives for a traced number: a Number object, as for the number itself
 * (`Object(v) === v` is false, so the common "is it an object?" test says no, and
 * `Object.keys(Object(v))` is empty), whose value in rewritten code is the traced number:
 * `Object(x).valueOf() * 2` keeps the derivative. (Code that was not rewritten and converts
 * it gets the traced number from `Symbol.toPrimitive` and throws, rather than lose it.)
 */
class TracedNumberObject extends Number {
  readonly #traced: Traced;
  constructor(traced: Traced) {
    // (the object holds the plain number, which Number.prototype's methods read (toFixed,
    // toString): compileGradient's path depends on it, as on any number read as plain)
    super(primal(traced));
    this.#traced = traced;
  }
  override valueOf(): number {
    return this.#traced as unknown as number;
  }
  // (its text is the traced number's, which the runtime notes: read back, it keeps the derivative)
  override toString(radix?: number): string {
    return this.#traced.toString(radix);
  }
  override toFixed(digits?: number): string {
    return this.#traced.toFixed(digits);
  }
  override toPrecision(precision?: number): string {
    return this.#traced.toPrecision(precision);
  }
  override toExponential(digits?: number): string {
    return this.#traced.toExponential(digits);
  }
  override toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    return this.#traced.toLocaleString(locales, options);
  }
  [Symbol.toPrimitive](hint: string): unknown {
    return hint === 'string' ? textOfTraced(this.#traced) : this.#traced;
  }
}

/** `Object(v)` and `new Object(v)` in rewritten code (`__zy.builtin(Object)`). */
export function objectOf(value?: unknown): object {
  return isTraced(value) ? new TracedNumberObject(value) : Object(value);
}

const defaultHasInstance = Function.prototype[Symbol.hasInstance];
/**
 * `a instanceof C` in rewritten code: a traced number is a number, an instance of nothing
 * (`x instanceof Object` is false), unless C decides otherwise with its own
 * `Symbol.hasInstance`, which is then given the number.
 */
export function instanceOf(a: unknown, c: unknown): boolean {
  if (!isTraced(a)) return (a as object) instanceof (c as Function);
  // (one holding a number field's instance is that instance: `x instanceof Fraction`)
  const field = fieldInside(a);
  if (field !== undefined) return field instanceof (c as Function);
  const decides = (typeof c === 'function' || (typeof c === 'object' && c !== null)) && (c as { [Symbol.hasInstance]?: unknown })[Symbol.hasInstance] !== defaultHasInstance;
  // (`0 instanceof c` throws as the operator does when c is not a constructor)
  return ((decides ? primal(a) : 0) as unknown as object) instanceof (c as Function);
}

/**
 * `Object.is(a, b)`, noting a number found the same as a traced one (a cache's test, as `===`
 * notes it: rules/equalities.ts); at 0 only where `zeroIsStored` (neither argument is a number
 * written in the source: `Object.is(x, -0)` and `Object.is(x, 0)` are written to tell zeros apart).
 */
function objectIsNoting(a: unknown, b: unknown, zeroIsStored: boolean): boolean {
  if (!isTraced(a) && !isTraced(b)) {
    if (builtinObjectIs(a, b)) return true;
    if (!isIdentity(a) || !isIdentity(b)) return false;
    // (immer's result equal to its base: proxies/drafts.ts; a built-in and the runtime's version of it: rules/like-builtin.ts)
    if (!sameObject(a, b)) return sameBuiltin(a, b) || sameAsProduced(a, b, sameObject);
    noteIdentityHeld(a, b); // (`Object.is(p, lastP)`, a cache's test, as `===`'s: rules/equalities.ts)
    return true;
  }
  // (a number field's instance is an object, itself only)
  const fa = fieldInside(a);
  const fb = fieldInside(b);
  if (fa !== undefined || fb !== undefined) return builtinObjectIs(fa ?? a, fb ?? b);
  const numberLike = (x: unknown) => typeof x === 'number' || isTraced(x);
  const same = numberLike(a) && numberLike(b) && builtinObjectIs(primal(a), primal(b));
  // (`Object.is(t, lastT)`, a cache's test, is noted as `===` is; not at NaN, what
  // `Object.is(x, NaN)` is written for)
  if (same && (zeroIsStored || numberOf(a) !== 0) && !Number.isNaN(numberOf(a))) noteEqualityHeld(a, b);
  return same;
}

/** `Object.is`: a traced number is its value (and is the same as itself). */
export const objectIs = likeBuiltin({
  is: (a: unknown, b: unknown): boolean => objectIsNoting(a, b, false),
}.is, Object.is);

/**
 * `Object.is(a, b)` called with neither argument a number written in the source (rewrite-builtins.ts):
 * `Object.is(t, cachedT)` with a cached 0 hit while differentiating, returned the cached value and
 * the gradient was null with no word (at t = 0 of `t * t + 3 * t`, where it is 3).
 */
export const objectIsStored = likeBuiltin({
  is: (a: unknown, b: unknown): boolean => objectIsNoting(a, b, true),
}.is, Object.is);

/**
 * `Object.getPrototypeOf`, `Object.isFrozen`, `Object.isSealed`, `Object.isExtensible`: a traced
 * number answers as its number does (Number.prototype; a primitive is frozen and sealed, and
 * not extensible), where the built-ins saw the traced object: `Object.getPrototypeOf(x) ===
 * Number.prototype` was false, and a type test built on it took the other branch silently.
 */
export const objectGetPrototypeOf = likeBuiltin({
  getPrototypeOf(o: unknown): unknown {
    return isTraced(o) ? Number.prototype : builtinGetPrototypeOf(o);
  },
}.getPrototypeOf, Object.getPrototypeOf);

export const objectIsFrozen = likeBuiltin({
  isFrozen(o: unknown): boolean {
    return isTraced(o) || builtinIsFrozen(o);
  },
}.isFrozen, Object.isFrozen);

export const objectIsSealed = likeBuiltin({
  isSealed(o: unknown): boolean {
    // (a typed-array stand-in, a Proxy, reports its elements configurable, as a typed array does:
    // V8 answers for the typed array itself, locked, that it is sealed)
    return isTraced(o) || builtinIsSealed(typedStandIn(o)?.target ?? o);
  },
}.isSealed, Object.isSealed);

export const objectIsExtensible = likeBuiltin({
  isExtensible(o: unknown): boolean {
    return !isTraced(o) && builtinIsExtensible(o);
  },
}.isExtensible, Object.isExtensible);
