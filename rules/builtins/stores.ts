// `Reflect.set(o, k, v)`, `Reflect.defineProperty(o, k, d)`, `Object.defineProperty(o, k, d)` and
// `Object.defineProperties(o, ds)` store as `o[k] = v` does, where the store barrier did not see
// them: `Reflect.set(state, 'loss', x * 2)` in f left the traced number in the caller's object.
// Rewritten code calls these, which note the object as written (proxies/barrier.ts) when what is
// stored is an object (a descriptor: whatever it holds), as the barrier notes `o[k] = v`.

import { isDeriving } from '../../lib/core/scope.js';
import { isTraced, primal } from '../../lib/core/traced.js';
import { noteBufferMade, noteNativeView, typedArrayOf, typedArrayOnBuffer, typedArrayOver, typedStandIn } from '../../proxies/typed-arrays.js';
import { storesNoted } from '../../proxies/cleanup.js';
import { touch } from '../../proxies/barrier.js';
import { watchInstance } from '../wasm.js';
import { weakTargetOf } from '../../proxies/standins.js';
import { rewritingFunction } from '../../lib/dynamic-function.js';
import { followingNext } from '../../proxies/iterators.js';
import { swapWhileDeriving } from '../../lib/core/swaps.js';
import { likeBuiltin } from '../like-builtin.js';
import { builtinArrayFrom, builtinIsView, builtinReflectApply, builtinReflectConstruct, mapSet, setAdd } from './platform.js';
import { noteKey, noteMade } from './keys.js';
import { SEARCH_METHODS, argumentList, callMethod, noteReceiver, typedMethodOn } from './calls.js';

// A traced number given as the object is given as its number: a number has no properties or
// prototype of its own to change. `Object.setPrototypeOf(y, p)` changed the traced number's own
// prototype, and its next use as a number threw "Cannot read properties of undefined (reading
// 'active')" where plain code leaves the number as it is; `Object.defineProperty(y, …)`,
// `Reflect.set(y, …)` and their kin stored on it where plain code throws a TypeError.

/** The object a store built-in is given, as plain code gives it: a traced number's value. */
const storeTarget = <T>(target: T): T => (isTraced(target) ? (primal(target) as T) : target);

export function reflectSet(...given: [target: object, key: PropertyKey, value?: unknown, receiver?: unknown]): boolean {
  const args = isTraced(given[0]) || isTraced(given[3]) ? (given.map((a, i) => (i === 0 || i === 3 ? storeTarget(a) : a)) as typeof given) : given;
  const done = Reflect.apply(Reflect.set, Reflect, args) as boolean; // (arity kept: a receiver given as undefined is one)
  const value = args[2];
  return typeof value === 'object' && value !== null ? touch(args.length > 3 ? args[3] : args[0], done) : done;
}

export function reflectDefineProperty(target: object, key: PropertyKey, descriptor: PropertyDescriptor): boolean {
  const done = Reflect.defineProperty(storeTarget(target), key, descriptor);
  return typeof descriptor === 'object' && descriptor !== null ? touch(target, done) : done;
}

export function objectDefineProperty<T>(target: T, key: PropertyKey, descriptor: PropertyDescriptor & ThisType<any>): T {
  if (isTraced(target)) return Object.defineProperty(primal(target), key, descriptor) as T; // (throws, as on a number)
  return touch(target, Object.defineProperty(target, key, descriptor));
}

/**
 * `Object.setPrototypeOf(o, proto)` and `Reflect.setPrototypeOf(o, proto)`: `o` noted as written
 * when `proto` is an object, whose traced numbers f reads through `o` (the clean-up walks a
 * noted object's prototype, proxies/cleanup.ts). A traced number as `proto` is its number,
 * which the built-ins refuse as JavaScript does (`Object.setPrototypeOf({}, x)` made the traced
 * number the prototype, and the clean-up's write of its number back threw after f, outside
 * f's try/catch).
 */
export function objectSetPrototypeOf<T>(target: T, proto: object | null): T {
  // (a number is left as it is: the built-in only checks `proto`)
  if (isTraced(target)) return (Object.setPrototypeOf(primal(target), storeTarget(proto)), target);
  const done = Object.setPrototypeOf(target, storeTarget(proto)) as T;
  return typeof proto === 'object' && proto !== null ? touch(target, done) : done;
}

export function reflectSetPrototypeOf(target: object, proto: object | null): boolean {
  const done = Reflect.setPrototypeOf(storeTarget(target), storeTarget(proto));
  return typeof proto === 'object' && proto !== null ? touch(target, done) : done;
}

export function objectDefineProperties<T>(target: T, descriptors: PropertyDescriptorMap & ThisType<any>): T {
  if (isTraced(target)) return Object.defineProperties(primal(target), descriptors) as T; // (throws, as on a number)
  return touch(target, Object.defineProperties(target, descriptors));
}

/**
 * `Reflect.apply(fn, receiver, args)` in rewritten code: while a differentiation runs, a search
 * method applied so (`Reflect.apply(Array.prototype.includes, xs, [x])`) searches by value, and a
 * built-in that stores what it is given (`Reflect.apply(Array.prototype.push, log, [x])`,
 * `Reflect.apply(Object.assign, null, [state, { loss }])`) has what it wrote noted, as `callMethod`
 * notes `log.push(x)`: the store barrier did not see it, and the traced number stayed in `log`.
 */
export function reflectApply(fn: unknown, receiver: unknown, args: unknown): unknown {
  if (typeof fn !== 'function' || !storesNoted()) return builtinReflectApply(fn as Function, receiver, args as unknown[]);
  const next = followingNext(fn, receiver); // (`Reflect.apply(ArrayIteratorPrototype.next, it, [])` of an iterator argument)
  if (next !== undefined) return builtinReflectApply(next, receiver, argumentList(args, false));
  const own = typedMethodOn(receiver, fn); // (`Reflect.apply(Float64Array.prototype.map, v, [f])` of a typed-array stand-in)
  if (own !== undefined) return builtinReflectApply(own, receiver, argumentList(args, false));
  if (isDeriving() && SEARCH_METHODS.has(fn)) return callMethod(receiver, fn, ...argumentList(args, false));
  const list = argumentList(args, false);
  return noteReceiver(receiver, fn, list, builtinReflectApply(fn, receiver, list));
}

/**
 * `new C(...args)` in rewritten code while a differentiation runs: a Map or a Set is filled
 * through `callMethod` (equal values are one key), and a Float64Array or Float32Array is a
 * typed-array stand-in (proxies/typed-arrays.ts), so the traced numbers f stores in it keep
 * their derivatives (`out[0] = a[0] + b[0]` into `new Float32Array(3)`, as gl-matrix does).
 * `new Number(x)` of a traced number is refused: the wrapper would keep only the number.
 */
export function construct(ctor: unknown, ...args: unknown[]): unknown {
  if (ctor === Function) return rewritingFunction(...args); // (`new globalThis.Function(…)`: its body rewritten, as `new Function(…)`'s is)
  if (typeof WebAssembly !== 'undefined' && ctor === WebAssembly.Instance) return watchInstance(Reflect.construct(WebAssembly.Instance, args));
  if (SIZED_CONSTRUCTORS.has(ctor)) for (let i = 0; i < args.length; i++) args[i] = sizeOf(args[i]); // (lengths and offsets)
  else if (ctor === Array && args.length === 1) args[0] = sizeOf(args[0]); // (`new globalThis.Array(n)`: a lone number is a length)
  if (!isDeriving()) return Reflect.construct(ctor as Function, args);
  if (ctor === Number && isTraced(args[0])) {
    throw new TypeError(
      'zygote-ts: new Number(x) was given a traced number: a Number object keeps only the number, so its derivative ' +
        'would be lost. Use the number itself (x, or Number(x), which keeps the derivative).',
    );
  }
  if (ctor === Float64Array || ctor === Float32Array) {
    const typed = ctor as Float64ArrayConstructor | Float32ArrayConstructor;
    const from = args[0];
    if (typeof from === 'object' && from !== null && !isBuffer(from)) {
      return typedArrayOf(typed, Array.from(from as ArrayLike<unknown>)); // (its elements, traced ones kept)
    }
    const made = Reflect.construct(typed as Function, args) as Float64Array;
    return isBuffer(from) ? typedArrayOnBuffer(made) : typedArrayOver(made);
  }
  // A subclass (`class Vec3 extends Float64Array`): its instance, made by its constructor, as a
  // stand-in too, so that the traced numbers f stores keep their derivatives.
  if (typeof ctor === 'function' && (ctor.prototype instanceof Float64Array || ctor.prototype instanceof Float32Array)) {
    const made = Reflect.construct(ctor, args) as unknown;
    if (!(made instanceof Float64Array || made instanceof Float32Array)) return made;
    return isBuffer(made.buffer) && made.buffer === args[0] ? typedArrayOnBuffer(made) : typedArrayOver(made);
  }
  if (ctor === globalThis.WeakRef && typeof args[0] === 'object' && args[0] !== null) return weakRefOutward(args[0]);
  if ((ctor === Map || ctor === Set) && args[0] !== undefined && args[0] !== null) {
    const made: object = ctor === Map ? new Map() : new Set();
    const adder = ctor === Map ? mapSet : setAdd;
    for (const item of args[0] as Iterable<unknown>) {
      if (ctor === Map) {
        if (typeof item !== 'object' || item === null) throw new TypeError(`Iterator value ${String(item)} is not an entry object`);
        callMethod(made, adder, (item as unknown[])[0], (item as unknown[])[1]);
      } else {
        callMethod(made, adder, item);
      }
    }
    if (made instanceof Map) noteMade(made);
    return made;
  }
  const made = Reflect.construct(ctor as Function, args) as unknown;
  if (made instanceof Map || made instanceof WeakMap) noteMade(made);
  // (views of one buffer: proxies/typed-arrays.ts keeps a float stand-in's traced numbers
  // right when other kinds of views write its bytes, and reports reads that lose them)
  else if (ArrayBuffer.isView(made)) noteNativeView(made);
  else if (isBuffer(made)) noteBufferMade(made);
  return made;
}

/**
 * The arguments of `super(…)` in a class that extends the global Map or Set, in rewritten
 * code (`class Counts extends Map {}`, `new Counts([[x, 1]])`: lib/transform/rewrite-builtins.ts).
 * The built-in constructor fills the instance through the built-in `set` or `add`, which keys
 * by identity: a traced key and an equal number were two keys. While a differentiation runs,
 * its entries are first made one by value, as `construct` does for `new Map(…)` (the first key
 * kept, in its place, with the last value); a subclass with a `set` or `add` of its own is
 * given them as they are (its `super.set(k, v)` keys by value).
 */
export function collectionArguments(newTarget: unknown, args: ArrayLike<unknown>): ArrayLike<unknown> {
  const from = args[0];
  if (!isDeriving() || from === undefined || from === null || typeof newTarget !== 'function') return args;
  const proto = (newTarget as { prototype: unknown }).prototype;
  const isMap = proto instanceof Map;
  if (!(isMap ? (proto as Map<unknown, unknown>).set === mapSet : proto instanceof Set && (proto as Set<unknown>).add === setAdd)) return args;
  const made: Map<unknown, unknown> | Set<unknown> = isMap ? new Map() : new Set();
  for (const item of from as Iterable<unknown>) {
    if (!isMap) {
      callMethod(made, setAdd, item);
      continue;
    }
    if (typeof item !== 'object' || item === null) throw new TypeError(`Iterator value ${String(item)} is not an entry object`);
    callMethod(made, mapSet, (item as unknown[])[0], (item as unknown[])[1]);
  }
  return [isMap ? Array.from(made as Map<unknown, unknown>) : Array.from(made as Set<unknown>), ...Array.prototype.slice.call(args, 1)];
}

/**
 * `super(…)`'s result in such a class: the instance, whose traced keys are noted (the
 * built-in stored them) so that an equal number finds them; a Map made while a
 * differentiation runs is noted as `construct` notes one.
 */
export function collectionMade<T>(made: T): T {
  if (!isDeriving() || !(made instanceof Map || made instanceof Set)) return made;
  if (made instanceof Map) noteMade(made);
  for (const k of made instanceof Map ? Map.prototype.keys.call(made) : Set.prototype.values.call(made)) noteKey(made, k);
  return made;
}

/** Constructors whose arguments that are numbers are sizes or offsets (a typed array's elements come in an array). */
const SIZED_CONSTRUCTORS: ReadonlySet<unknown> = new Set<unknown>([
  Float64Array, Float32Array, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array, DataView, ArrayBuffer, ...(typeof SharedArrayBuffer !== 'undefined' ? [SharedArrayBuffer] : []),
]);

function isBuffer(x: unknown): x is ArrayBufferLike {
  return x instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && x instanceof SharedArrayBuffer);
}

/**
 * A size given to `Array(n)`, `new Int32Array(n)`, `new ArrayBuffer(n)` and their kin in
 * rewritten code: a traced number stands for its value, as JavaScript reads a number there
 * (a size has no derivative, as shapes have none in JAX). Passed as it is, a traced number
 * is an object: `Array(n)` would be `[n]`, `new Int32Array(n)` would be empty.
 */
export function sizeOf(x: unknown): unknown {
  return isTraced(x) ? primal(x) : x;
}

/**
 * Arguments of a sized built-in given as a list: `Array(...dims)`, and what a subclass of
 * Array, of a typed array or of a buffer passes to `super(…)` (lib/transform/rewrite-builtins.ts).
 * Each is a size as {@link sizeOf} reads one; for Array (`alone`), only a lone argument,
 * as Array reads a lone number as a length and more arguments as elements.
 */
export function sizedArguments(args: ArrayLike<unknown>, alone: boolean): unknown[] {
  const list: unknown[] = [];
  for (let i = 0; i < args.length; i++) list[i] = args[i];
  if (!alone) for (let i = 0; i < list.length; i++) list[i] = sizeOf(list[i]);
  else if (list.length === 1) list[0] = sizeOf(list[0]);
  return list;
}

/**
 * `Reflect.construct(C, args, newTarget?)` in rewritten code: the sizes among `args` read as
 * `new C(...args)` reads them in rewritten code (Array's lone argument, a typed array's or a
 * buffer's arguments): `Reflect.construct(Array, [n])` made `[n]` of a traced n.
 */
export function reflectConstruct(target: unknown, args: unknown, ...newTarget: unknown[]): unknown {
  // (as `new target(...args)` while a differentiation runs: `Reflect.construct(Float64Array, [[x, 2 * x]])`
  // converted each element, "a traced number was given to new Float64Array", where `new` keeps them)
  if (isDeriving() && typeof target === 'function' && (newTarget.length === 0 || newTarget[0] === target)) {
    return construct(target, ...argumentList(args, false));
  }
  const alone = target === Array ? true : SIZED_CONSTRUCTORS.has(target) ? false : null;
  const list = alone !== null && typeof args === 'object' && args !== null ? sizedArguments(args as ArrayLike<unknown>, alone) : args;
  return Reflect.apply(builtinReflectConstruct, Reflect, [target, list, ...newTarget]);
}

/**
 * `Array.from(…)` in rewritten code: Array.from itself. The one number it converts is an
 * array-like's length (`Array.from({ length: n }, …)`), a count; called from here, the
 * report of conversions (lib/escapes.ts) tells it from a typed array's `from`, which
 * converts every element and whose stack frame V8 names alike (`Function.from`).
 */
export function arrayFrom(...args: unknown[]): unknown[] {
  return Reflect.apply(builtinArrayFrom, Array, args) as unknown[];
}

/**
 * `ArrayBuffer.isView(v)` in rewritten code: also true for a typed array f received or made,
 * whose stand-in is a Proxy the built-in does not see as a view (code testing it took an
 * array's or an object's path for a typed array).
 */
export function arrayBufferIsView(v: unknown): boolean {
  return builtinIsView(v) || typedStandIn(v) !== undefined;
}

/** `Float64Array.from` / `Float32Array.from` in rewritten code: a typed-array stand-in while a differentiation runs. */
export const float64ArrayFrom = typedFrom(Float64Array);
export const float32ArrayFrom = typedFrom(Float32Array);
/** `Float64Array.of` / `Float32Array.of` in rewritten code. */
export const float64ArrayOf = typedOf(Float64Array);
export const float32ArrayOf = typedOf(Float32Array);

function typedOf(ctor: Float64ArrayConstructor | Float32ArrayConstructor) {
  const builtinOf = ctor.of;
  return function of(...items: unknown[]): unknown {
    return isDeriving() ? typedArrayOf(ctor, items) : Reflect.apply(builtinOf, ctor, items);
  };
}

function typedFrom(ctor: Float64ArrayConstructor | Float32ArrayConstructor) {
  const builtinFrom = ctor.from;
  return function from(source: unknown, mapFn?: (v: unknown, k: number) => unknown, thisArg?: unknown): unknown {
    if (!isDeriving()) return Reflect.apply(builtinFrom, ctor, arguments);
    if (mapFn !== undefined && typeof mapFn !== 'function') return Reflect.apply(builtinFrom, ctor, arguments); // (throws the built-in's TypeError)
    const items = builtinArrayFrom(source as ArrayLike<unknown>);
    return typedArrayOf(ctor, items, mapFn, thisArg);
  };
}

/**
 * `V.from(list)` and `V.of(x, y)` of a Float64Array or Float32Array subclass (`class Vec3 extends
 * Float64Array`), whose statics are %TypedArray%'s, while a differentiation runs: the instance made
 * as the built-in makes it, `new V(n)`, then each element stored, here into the stand-in `new V(n)`
 * makes in f, which keeps traced numbers. The built-in converted each element to its number: the
 * run stopped ("given to V.from … keeps only its number") where plain JavaScript makes the vector.
 * Any other class (`Float64Array` itself, which code that was not rewritten may call) gets the built-in.
 */
const TypedArrayClass = Object.getPrototypeOf(Float64Array) as { from: Function; of: Function };
const builtinTypedFrom = TypedArrayClass.from;
const builtinTypedOf = TypedArrayClass.of;
const isFloatSubclass = (c: unknown): c is Function =>
  typeof c === 'function' && c !== Float64Array && c !== Float32Array && (c.prototype instanceof Float64Array || c.prototype instanceof Float32Array);

function madeOfSubclass(ctor: Function, items: readonly unknown[], mapFn?: Function, thisArg?: unknown): unknown {
  const made = construct(ctor, items.length) as Record<number, unknown>;
  for (let k = 0; k < items.length; k++) made[k] = mapFn === undefined ? items[k] : builtinReflectApply(mapFn, thisArg, [items[k], k]);
  return made;
}

const subclassFrom = likeBuiltin(
  {
    from(this: unknown, source: unknown, mapFn?: unknown, thisArg?: unknown): unknown {
      if (!isFloatSubclass(this) || (mapFn !== undefined && typeof mapFn !== 'function')) return builtinReflectApply(builtinTypedFrom, this, arguments);
      return madeOfSubclass(this, builtinArrayFrom(source as ArrayLike<unknown>), mapFn as Function | undefined, thisArg);
    },
  }.from,
  builtinTypedFrom,
);
const subclassOf = likeBuiltin(
  {
    of(this: unknown, ...items: unknown[]): unknown {
      return isFloatSubclass(this) ? madeOfSubclass(this, items) : builtinReflectApply(builtinTypedOf, this, items);
    },
  }.of,
  builtinTypedOf,
);
swapWhileDeriving(TypedArrayClass, 'from', builtinTypedFrom, subclassFrom);
swapWhileDeriving(TypedArrayClass, 'of', builtinTypedOf, subclassOf);

/**
 * `new WeakRef(p)` while a differentiation runs. For an argument's stand-in p (or a
 * compileGradient recording's copy), a WeakRef to the caller's object, whose `deref()` gives
 * the stand-in only while its differentiation runs (f reads and writes it as p). A WeakRef to
 * the stand-in itself gave the copy, holding traced numbers, after the call, and let go of
 * its target when the copy was collected, while the caller's object lived on.
 */
function weakRefOutward(target: object): WeakRef<object> {
  const { caller, during } = weakTargetOf(target);
  const ref = new WeakRef(caller);
  if (during.length === 0) return ref;
  duringCalls.set(ref, during.map(({ form, running }) => ({ form: new WeakRef(form), running })));
  Object.setPrototypeOf(ref, WEAK_REF_DURING_CALLS);
  return ref;
}

const duringCalls = new WeakMap<object, { readonly form: WeakRef<object>; readonly running: () => boolean }[]>();
const builtinDeref = typeof WeakRef === 'undefined' ? undefined : WeakRef.prototype.deref;
const WEAK_REF_DURING_CALLS: object | null =
  typeof WeakRef === 'undefined'
    ? null
    : Object.create(WeakRef.prototype, {
        deref: {
          value: function deref(this: WeakRef<object>): object | undefined {
            for (const { form, running } of duringCalls.get(this) ?? []) if (running()) return form.deref();
            return builtinDeref!.call(this);
          },
          writable: true,
          configurable: true,
        },
      });
