// Gradient control: what Zygote users reach for to stop, reshape or trade off a gradient.
// `dropgrad`, `ignore` and `nograd` stop it; `hook` rewrites it on its way back.
// (`checkpointed` and `isderiving` are in the API: they differentiate themselves.)

import { NDArray, isNDArray, viewOf } from '../lib/ndarray.js';
import { primal, isTraced } from '../lib/core/traced.js';
import { on, readsNothing, record, tapeOf } from './arrays/record.js';
import { markOwnDerivative } from '../lib/core/own-derivative.js';
import { isDeriving } from '../lib/core/scope.js';
import { numbersOf, typedStandIn } from '../proxies/typed-arrays.js';
import type { FloatArray } from '../lib/ndarray.js';
import type { Tape } from '../lib/core/tape.js';
import { tracedInside } from './held.js';
import { checkCotangent, refuseNoReturn } from './custom.js';

/**
 * `x` with no derivative, at every nesting level: numbers, NDArrays, and arrays, plain
 * objects, class instances, Maps, Sets and typed arrays of them. What holds a traced number
 * is copied (class and cycles kept; `x` is not changed); what holds none is `x` itself.
 *
 * @example
 * gradient((x) => x * dropgrad(x), 1); // [1]
 */
export function dropgrad<T>(x: T): T {
  return withoutDerivative(x, new Map()) as T;
}

// A copy is made only of objects that reach a traced number, so that the rest keeps its
// identity (a buffer given to nograd's fn is the caller's); `made` keeps cycles and sharing.
function withoutDerivative(x: unknown, made: Map<object, unknown>): unknown {
  if (isTraced(x)) return primal(x);
  if (isNDArray(x)) {
    if (x.tracedTape === null) return x;
    x.tracedTape.recorder?.constantArray(); // (compileGradient: a constant of the recording's call)
    return viewOf(x, x.shape);
  }
  if (typeof x !== 'object' || x === null) return x;
  const known = made.get(x);
  if (known !== undefined) return known;
  if (tracedInside(x) === null) return x;
  if (typedStandIn(x) !== undefined) {
    const numbers = numbersOf(x as FloatArray);
    const copy = new (numbers.constructor as Float64ArrayConstructor)(numbers);
    made.set(x, copy);
    return copy;
  }
  const proto = Object.getPrototypeOf(x) as object | null;
  // (a Map's or Set's entries through the built-in's own methods, and its class set after them: a
  // subclass's `set`, `add` or iterator may do otherwise; its own fields are copied as a record's.
  // It was a plain Map: `dropgrad(tally).total()` threw, `instanceof Tally` and its fields were lost)
  if (x instanceof Map) {
    const copy = new Map();
    made.set(x, copy);
    for (const [k, v] of Map.prototype.entries.call(x)) copy.set(withoutDerivative(k, made), withoutDerivative(v, made));
    return likeOriginal(x, copy, proto, made);
  }
  if (x instanceof Set) {
    const copy = new Set();
    made.set(x, copy);
    for (const v of Set.prototype.values.call(x)) copy.add(withoutDerivative(v, made));
    return likeOriginal(x, copy, proto, made);
  }
  // arrays (holes kept), records and class instances: own properties, values without derivative
  const copy: object = Array.isArray(x) ? new Array(x.length) : Object.create(proto);
  made.set(x, copy);
  return likeOriginal(x, copy, proto, made);
}

/**
 * `copy` given `x`'s prototype, own properties (values without derivative) and lock: a frozen,
 * sealed or non-extensible `x` gives a copy locked so (`Object.isFrozen(dropgrad(p))` was false).
 */
function likeOriginal(x: object, copy: object, proto: object | null, made: Map<object, unknown>): object {
  if (Object.getPrototypeOf(copy) !== proto) Object.setPrototypeOf(copy, proto);
  for (const key of Reflect.ownKeys(x)) {
    const d = Object.getOwnPropertyDescriptor(x, key)!;
    if ('value' in d) d.value = withoutDerivative(d.value, made);
    if (Array.isArray(copy) && key === 'length') continue;
    Object.defineProperty(copy, key, d);
  }
  if (!Object.isExtensible(x)) {
    if (Object.isFrozen(x)) Object.freeze(copy);
    else if (Object.isSealed(x)) Object.seal(copy);
    else Object.preventExtensions(copy);
  }
  return copy;
}

/** Runs `f` and drops the derivative of its result (Zygote's `ignore`). */
export function ignore<T>(f: () => T): T {
  return dropgrad(f());
}

/**
 * `fn` made never differentiated: its result carries no derivative. Outside a
 * differentiation `fn` gets its arguments as they are; inside one, as `dropgrad` gives them
 * (what holds no traced number is passed itself, so `fn` may write into it).
 */
export function nograd<A extends unknown[], Y>(fn: (...args: A) => Y): (...args: A) => Y {
  return markOwnDerivative(function (this: unknown, ...args: A): Y {
    if (!isDeriving()) return fn.apply(this, args);
    return dropgrad(fn.apply(this, args.map(dropgrad) as A));
  });
}

// A structure holding traced numbers has no cotangent of its own: hook returned it as it
// was and fn never ran (a hook zeroing [x]'s gradient left it 2, without a word).
function refuseHookOfStructure(x: unknown): void {
  if (typeof x !== 'object' || x === null || isNDArray(x) || !isDeriving()) return;
  const path = tracedInside(x);
  if (path === null) return;
  throw new TypeError(
    `zygote-ts: hook(fn, x) takes a number or an NDArray, but x is ${Array.isArray(x) ? 'an array' : 'an object'} holding a traced number (at ${path}): ` +
      'its cotangent would never pass through fn. Hook each number (hook(fn, x[0])), or pack them with array(…).',
  );
}

// The reverse tape that stands for a forward one (map's per-element tape under forward mode,
// rules/arrays/map.ts): a hook there passes the derivative through, as on a forward tape.
let passingHooks: Tape | null = null;

/** Makes `hook` on `t` pass derivatives through unchanged (see `passingHooks`); returns the tape that did before. */
export function letHooksPass(t: Tape | null): Tape | null {
  const before = passingHooks;
  passingHooks = t;
  return before;
}

/**
 * `x` unchanged, but its cotangent passes through `fn` on the way back.
 *
 * @example
 * gradient((a, b) => hook((g) => -g, a) * b, 2, 3); // [-3, 2]
 */
export function hook<T extends number | NDArray>(fn: (cotangent: T) => T, x: T): T {
  const t = tapeOf([x]);
  if (t === null) {
    refuseHookOfStructure(x);
    return x;
  }
  if (t.tangents !== null || t === passingHooks) {
    // A forward tape has no cotangents to hook: the tangent passes through, and the hook
    // stays on the value one level out (an enclosing reverse differentiation). (A reverse
    // tape standing for a forward one sweeps it as the identity.)
    return record(t, hook(fn, on(x, t) as T), [x], function hookPassed(g: T) {
      return [g];
    }, undefined, ([dx]) => dx) as T;
  }
  const expected = isNDArray(x) ? x.shape : 'number';
  return record(t, on(x, t), [x], function hookPullback(g: T) {
    // (fn gets its own copy: the cotangent buffer may be shared with another operand's, as
    // `add(a, b)` gives both the same, and a hook that writes into it would change theirs too)
    const part = fn((isNDArray(g) && g.tracedTape === null ? new NDArray(g.shape, g.data.slice()) : g) as T);
    refuseNoReturn(part, "hook's fn", 'the hooked value');
    checkCotangent(part, expected, "hook's fn", 'the hooked value');
    return [part];
  }, undefined, undefined, undefined, readsNothing(1)) as T;
}
