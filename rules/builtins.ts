// Built-ins that compare or copy numbers, given traced ones. A traced number is an object,
// so natively these would see its identity (`Object.is(a[0], 1.4)` false, two equal values
// two different things) or copy its fields (`structuredClone` of a traced number is a
// record of its tape). Rewritten code calls these instead (lib/transform/rewrite-builtins.ts);
// each behaves as the built-in does on the numbers, and keeps the derivatives.

import { touch } from '../proxies/barrier.js';
import { noteWeakEntry, storesNoted } from '../proxies/cleanup.js';
import { isTraced, live, numberOf, primal, reportEscape, textOfTraced, type Traced } from '../lib/core/traced.js';
import { isDeriving, onIdle } from '../lib/core/scope.js';
import { swapWhileDeriving } from '../lib/core/swaps.js';
import { fieldInside } from '../lib/core/scalars.js';
import { holdsTracedElements, noteBufferMade, noteNativeView, typedArrayMethodOn, typedArrayOf, typedArrayOnBuffer, typedArrayOver, typedStandIn } from '../proxies/typed-arrays.js';
import { watchInstance } from './wasm.js';
import { add } from './arithmetic.js';
import { formsOf, isIdentityObject as isIdentity, originalOf, sameObject, standInNode, weakTargetOf } from '../proxies/standins.js';
import { filledByLibrary } from '../lib/core/library-keys.js';
import { likeBuiltin } from './like-builtin.js';
import { kindOf } from '../proxies/kinds.js';

// ---- Object(x), x instanceof C ------------------------------------------------------------
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

// The built-ins the runtime's versions below call, as the platform made them: a program may
// replace the globals (rewritten code then calls the replacement: rules/as-installed.ts), and
// one that saved the runtime's version and put it back would make it call itself.
const builtinObjectIs = Object.is;
const builtinGetPrototypeOf = Object.getPrototypeOf;
const builtinIsFrozen = Object.isFrozen;
const builtinIsSealed = Object.isSealed;
const builtinIsExtensible = Object.isExtensible;
const builtinArrayFrom = Array.from;
const builtinReflectConstruct = Reflect.construct;
const builtinIsView = ArrayBuffer.isView;
const { call: builtinCall, apply: builtinApply, bind: builtinBind } = Function.prototype;
const builtinReflectApply = Reflect.apply;
const objectAssign = Object.assign;

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

/** `Object.is`: a traced number is its value (and is the same as itself). */
export const objectIs = likeBuiltin({
  is(a: unknown, b: unknown): boolean {
    if (!isTraced(a) && !isTraced(b)) return builtinObjectIs(a, b) || (isIdentity(a) && isIdentity(b) && sameObject(a, b));
    // (a number field's instance is an object, itself only)
    const fa = fieldInside(a);
    const fb = fieldInside(b);
    if (fa !== undefined || fb !== undefined) return builtinObjectIs(fa ?? a, fb ?? b);
    const numberLike = (x: unknown) => typeof x === 'number' || isTraced(x);
    return numberLike(a) && numberLike(b) && builtinObjectIs(primal(a), primal(b));
  },
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
    return isTraced(o) || builtinIsSealed(o);
  },
}.isSealed, Object.isSealed);

export const objectIsExtensible = likeBuiltin({
  isExtensible(o: unknown): boolean {
    return !isTraced(o) && builtinIsExtensible(o);
  },
}.isExtensible, Object.isExtensible);

// ---- structuredClone ----------------------------------------------------------------------

/**
 * `structuredClone`: the built-in, unless the value holds traced numbers while a
 * differentiation runs; then the same copy made here (records and class instances become
 * records of their own enumerable fields, arrays keep their holes, Maps and Sets their
 * entries, Dates and RegExps are copied, objects met twice are copied once), with each
 * traced number kept as it is: a copy of a number is the number, and so keeps its derivative.
 */
/** The built-in (this file's copies call it by this name: while a differentiation runs the global is structuredCloneOf). */
const nativeStructuredClone = (globalThis as { structuredClone?: typeof structuredClone }).structuredClone;
// (a realm without one at load may get a polyfill later, which is never swapped: the global then)
const builtinStructuredClone = (value: unknown, options?: StructuredSerializeOptions): unknown => (nativeStructuredClone ?? structuredClone)(value, options);

/**
 * A program's own structuredClone, whose code was not rewritten (a spy that calls the built-in
 * it saved, a polyfill), given `args`: its copy, unless it lost the traced numbers the value
 * holds while a differentiation runs (it copied each as a record of its fields, `{}`); then
 * the runtime's copy, which keeps them.
 */
export function clonedByReplacement(replacement: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  const copy: unknown = builtinReflectApply(replacement, self, args);
  return isDeriving() && holdsTraced(args[0]) && !holdsTraced(copy) ? cloneOf(args[0], args[1] as StructuredSerializeOptions | undefined) : copy;
}

function cloneOf(value: unknown, options?: StructuredSerializeOptions): unknown {
  if (!isDeriving() || !holdsTraced(value)) return builtinStructuredClone(value, options);
  return new Cloner().clone(value);
}
// (Node 22 and later write structuredClone in JavaScript, a function with a prototype that
// `new` takes, where Node 20's is native: the same shape as the platform's)
export const structuredCloneOf = likeBuiltin(
  nativeStructuredClone !== undefined && Object.prototype.hasOwnProperty.call(nativeStructuredClone, 'prototype')
    ? function structuredClone(value: unknown, options?: StructuredSerializeOptions): unknown { return cloneOf(value, options); }
    : { structuredClone: (value: unknown, options?: StructuredSerializeOptions): unknown => cloneOf(value, options) }.structuredClone,
  nativeStructuredClone,
); // (a realm may not have it)

// Code that was not rewritten (a package left out of include, @ungap/structured-clone deferring
// to the built-in) calls the global structuredClone, which copies a traced number as an empty
// record: `{}`, NaN in arithmetic, silently. While a differentiation runs the global is the copy
// above, which keeps traced numbers; the built-in again once none runs (unless the program put
// its own there meanwhile). Code that kept the built-in in a variable still gets the built-in.
// (a program's own structuredClone found there, a spy of the built-in: called, and its copy
// taken unless it lost the traced numbers)
const aroundClone = (installed: Function): Function => likeBuiltin({ structuredClone(value: unknown, options?: unknown): unknown { return clonedByReplacement(installed, undefined, options === undefined ? [value] : [value, options]); } }.structuredClone, nativeStructuredClone);
if (nativeStructuredClone !== undefined) swapWhileDeriving(globalThis, 'structuredClone', nativeStructuredClone, structuredCloneOf, aroundClone);

// ---- postMessage, v8's serializer ------------------------------------------------------------

// A message leaves this realm (a worker, another port, a BroadcastChannel; in Node a Worker's
// and a BroadcastChannel's postMessage go through MessagePort's, and so does a Worker's
// workerData), copied by the built-in structured clone, which copies a traced number as an
// empty record: f posting its progress (`parentPort.postMessage({ loss })`) sent
// `{ loss: {} }`, silently. Node's v8 serializer (`v8.serialize`, a child process's IPC with
// `serialization: 'advanced'`) writes it so too. No derivative can follow the copy, so while a
// differentiation runs these send the numbers, as plain code does. Code that kept the
// built-in in a variable still gets the built-in.
const MESSAGE_TARGETS = ['MessagePort', 'BroadcastChannel', 'Worker', 'DedicatedWorkerGlobalScope', 'Window', 'ServiceWorker', 'Client'];
for (const name of MESSAGE_TARGETS) sendNumbersWhileBusy((globalThis as unknown as Record<string, { prototype?: object } | undefined>)[name]?.prototype, 'postMessage', null);
// (a message is output, as printing is; v8's bytes are also read back in f, the deep copy
// `v8.deserialize(v8.serialize(o))`: there the derivative is lost, and said so)
const nodeV8 = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:v8') as { Serializer?: { prototype?: object } } | undefined;
sendNumbersWhileBusy(nodeV8?.Serializer?.prototype, 'writeValue', "v8's serializer (v8.serialize, a child process's advanced IPC), whose bytes hold only the number");

/**
 * While a differentiation runs, `proto[method](value, …)` is given a copy of `value` holding
 * numbers for its traced ones; `lost` (if not null) reports that as a lost derivative.
 */
function sendNumbersWhileBusy(proto: object | undefined, method: string, lost: string | null): void {
  const descriptor = proto === undefined ? undefined : Object.getOwnPropertyDescriptor(proto, method);
  if (descriptor === undefined || typeof descriptor.value !== 'function' || descriptor.writable !== true) return;
  const native = descriptor.value as (this: unknown, value: unknown, ...rest: unknown[]) => unknown;
  // (around the built-in, or a program's own function found there: a test's spy of postMessage)
  const withNumbers = (send: Function): Function =>
    likeBuiltin(
      {
        [method](this: unknown, value: unknown, ...rest: unknown[]): unknown {
          if (!isDeriving() || !holdsTraced(value)) return Reflect.apply(send, this, [value, ...rest]);
          // (v8's bytes are read back in f, `v8.deserialize(v8.serialize(o))`: a compiled path depends on the numbers)
          const cloner = new Cloner(true, lost !== null);
          const copy = cloner.clone(value);
          if (lost !== null && cloner.firstLive !== null) reportEscape(cloner.firstLive, lost);
          return Reflect.apply(send, this, [copy, ...rest]);
        },
      }[method]!,
      native,
    );
  swapWhileDeriving(proto!, method, native, withNumbers(native), withNumbers);
}

function holdsTraced(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (isTraced(v)) return true;
    if (typedStandIn(v) !== undefined && holdsTracedElements(v)) return true;
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v) || typedStandIn(v) !== undefined) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return false;
}

class Cloner {
  private readonly made = new Map<object, unknown>();

  /**
   * `numbers`: the copy a message leaving this realm needs (see postMessage, v8's serializer): each traced
   * number as its plain number, a typed-array stand-in as a typed array of numbers, and
   * every object the built-in copies itself (a Date, a typed array, a MessagePort, a
   * buffer in the transfer list) left as it is, for the built-in to copy or transfer.
   */
  constructor(
    private readonly numbers = false,
    /** With `numbers`: the copy is read back as numbers, so compileGradient's path is pinned to them (as by String(x)). */
    private readonly readBack = false,
  ) {}

  /** With `numbers`: the first number copied that is traced on a tape still recording. */
  firstLive: Traced | null = null;

  /** The copies of the buffers of typed-array stand-ins met (views of one buffer share its copy, as the built-in's do). */
  private readonly buffers = new Map<ArrayBufferLike, ArrayBuffer>();

  /**
   * A typed-array stand-in (a Proxy, which the built-in refuses): a Float64Array (Float32Array)
   * over a copy of its buffer, its own class's (a subclass is not kept, as by the built-in),
   * holding its elements, traced ones kept.
   */
  private typed(v: object): unknown {
    const s = typedStandIn(v)!;
    const buffer = s.target.buffer;
    let copy = this.buffers.get(buffer);
    if (copy === undefined) {
      copy = (buffer as ArrayBuffer).slice(0);
      if (!this.numbers) noteBufferMade(copy); // (f's own: no view outside f reads it)
      this.buffers.set(buffer, copy);
    }
    if (this.numbers) {
      const plain = new s.ctor(copy, s.target.byteOffset, s.length);
      this.made.set(v, plain);
      for (let i = 0; i < s.length; i++) plain[i] = this.clone(s.element(i)) as number;
      return plain;
    }
    const out = typedArrayOnBuffer(new s.ctor(copy, s.target.byteOffset, s.length));
    this.made.set(v, out);
    for (let i = 0; i < s.length; i++) out[i] = s.element(i) as number;
    return out;
  }

  clone(v: unknown): unknown {
    if (isTraced(v) && this.numbers) {
      const recording = live(v);
      if (this.firstLive === null && isTraced(recording)) this.firstLive = recording;
      // (a message that only leaves is output, as printing is: it does not pin the path)
      return this.readBack ? primal(v) : numberOf(v);
    }
    if (isTraced(v) || typeof v !== 'object' || v === null) {
      // (functions and symbols throw DataCloneError, as the built-in says it)
      return (typeof v === 'function' || typeof v === 'symbol') && !this.numbers ? builtinStructuredClone(v) : v;
    }
    const known = this.made.get(v);
    if (known !== undefined) return known;
    if (typedStandIn(v) !== undefined) return this.typed(v);
    // (a copy's traced keys are noted as `m.set(k, v)` notes them: it is looked up by their values too)
    if (v instanceof Map) {
      const out = new Map();
      this.made.set(v, out);
      if (!this.numbers) noteMade(out);
      for (const [k, x] of v) {
        const key = this.clone(k);
        if (!this.numbers) noteKey(out, key);
        out.set(key, this.clone(x));
      }
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      this.made.set(v, out);
      for (const x of v) {
        const key = this.clone(x);
        if (!this.numbers) noteKey(out, key);
        out.add(key);
      }
      return out;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      this.made.set(v, out);
      for (const k of Object.keys(v)) (out as unknown as Record<string, unknown>)[k] = this.clone((v as unknown as Record<string, unknown>)[k]);
      return out;
    }
    if (isPlainData(v)) {
      // (a message's MessagePort or stream is an instance too: one holding no traced number
      // is left for the built-in, which copies or transfers it)
      if (this.numbers && !isRecord(v) && !holdsTraced(v)) return v;
      const out: Record<string, unknown> = {};
      this.made.set(v, out);
      for (const k of Object.keys(v)) out[k] = this.clone((v as Record<string, unknown>)[k]);
      return out;
    }
    // Dates, RegExps, typed arrays, errors, wrappers…: they hold no traced number
    if (this.numbers) return v;
    const out = builtinStructuredClone(v);
    this.made.set(v, out);
    return out;
  }
}

const isRecord = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null;
};

/** An object the built-in copies as a record of its own enumerable fields (not a Date, a typed array, …). */
function isPlainData(v: object): boolean {
  return !(
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Error ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    v instanceof Boolean ||
    v instanceof Number ||
    v instanceof String ||
    v instanceof BigInt
  );
}

// ---- searching and keying by value --------------------------------------------------------
// `xs.indexOf(Math.max(...xs))`, `xs.includes(2.7)`, `new Set(xs).size`, `m.get(x)`: the
// built-ins compare by identity (or SameValueZero), under which two traced numbers with one
// value are two things. Rewritten code calls these methods through `callMethod`, which, while
// a differentiation runs, searches arrays by value and keys Maps and Sets by a traced
// number's value (the first traced number stored under a value is the key kept; a plain
// number and a traced one with the same value are one key). Otherwise the method runs as it is.

// (each method as the platform made it: a program may replace one on its prototype, a wrapper or
// a spy, and `case Array.prototype.includes:` read at the call took that for the built-in)
const ArrayProto = { indexOf: Array.prototype.indexOf, lastIndexOf: Array.prototype.lastIndexOf, includes: Array.prototype.includes };
/** %TypedArray%.prototype's searches, which every typed array shares. */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as { indexOf: Function; lastIndexOf: Function; includes: Function };
const TypedArrayProto = { indexOf: TypedArrayPrototype.indexOf, lastIndexOf: TypedArrayPrototype.lastIndexOf, includes: TypedArrayPrototype.includes };
const { get: mapGet, set: mapSet, has: mapHas, delete: mapDelete } = Map.prototype;
const { add: setAdd, has: setHas, delete: setDelete } = Set.prototype;
const { get: weakMapGet, set: weakMapSet, has: weakMapHas, delete: weakMapDelete } = WeakMap.prototype;
const { add: weakSetAdd, has: weakSetHas, delete: weakSetDelete } = WeakSet.prototype;

/** Set methods of ES2025 (Node 22 and later: undefined before) that compare members with another set's. */
interface SetAlgebra {
  union?: Function; intersection?: Function; difference?: Function; symmetricDifference?: Function;
  isSubsetOf?: Function; isSupersetOf?: Function; isDisjointFrom?: Function;
}
const { union: setUnion, intersection: setIntersection, difference: setDifference, symmetricDifference: setSymmetricDifference,
  isSubsetOf: setIsSubsetOf, isSupersetOf: setIsSupersetOf, isDisjointFrom: setIsDisjointFrom } = Set.prototype as SetAlgebra;
const setValues = Set.prototype.values;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
/** Map's and WeakMap's `getOrInsert` and `getOrInsertComputed` (Node 26 and later: undefined before). */
interface GetOrInsert { getOrInsert?: Function; getOrInsertComputed?: Function }
const { getOrInsert: mapGetOrInsert, getOrInsertComputed: mapGetOrInsertComputed } = Map.prototype as GetOrInsert;
const { getOrInsert: weakMapGetOrInsert, getOrInsertComputed: weakMapGetOrInsertComputed } = WeakMap.prototype as GetOrInsert;

const numberLike = (x: unknown): boolean => typeof x === 'number' || isTraced(x);
/** A key's value, under which `tracedKeys` (a Map: SameValueZero, as the collection's own) finds it: -0 is 0, NaN is NaN. */
const keyValue = (x: unknown): number => primal(x);

/** A traced key as a Map or Set stores it: -0 as 0, as the built-in stores a -0 key (`+ 0` keeps the derivative). */
const storedKey = (k: unknown): unknown => (isTraced(k) && Object.is(numberOf(k), -0) ? add(k, 0) : k);

/** For each Map or Set holding traced keys: the key it holds for each value. */
let tracedKeys = new WeakMap<object, Map<number, unknown>>();
/** Maps and WeakMaps made by rewritten code while a differentiation runs (they hold nothing from before it). */
let madeWhileDeriving = new WeakSet<object>();
/** For each WeakMap, the keys rewritten code set while a differentiation ran (what f stored is not a cache hit). */
let weakKeysSet = new WeakMap<object, WeakSet<object>>();
/** Whether any of the three above has been written since they were last emptied (new ones cost ~0.1 µs a gradient call). */
let keysWritten = false;
onIdle(() => {
  if (!keysWritten) return;
  keysWritten = false;
  tracedKeys = new WeakMap();
  madeWhileDeriving = new WeakSet();
  weakKeysSet = new WeakMap();
});

/** Notes a Map or WeakMap made during this differentiation. */
function noteMade(map: object): void {
  keysWritten = true;
  madeWhileDeriving.add(map);
}

/**
 * The traced keys Map or Set `c` holds, by value. A stand-in (a Set argument: its members are
 * traced from the start), or one the library filled (lib/core/library-keys.ts), has its keys
 * listed when first asked.
 */
// (this file's own Maps are read and written with the built-ins: a program's wrapper of
// Map.prototype.get that calls the one it saved, `saved.call(this, k)`, comes back through
// callMethod, here, and called itself without end)
function tracedKeysOf(c: object): Map<number, unknown> | undefined {
  let keys = weakMapGet.call(tracedKeys, c) as Map<number, unknown> | undefined;
  if (keys !== undefined || (standInNode(c) === undefined && !filledByLibrary(c))) return keys;
  keysWritten = true;
  weakMapSet.call(tracedKeys, c, (keys = new Map()));
  const held = c instanceof Set ? Set.prototype.values.call(c) : c instanceof Map ? Map.prototype.keys.call(c) : [];
  for (const k of held) if (isTraced(k) && !mapHas.call(keys, keyValue(k))) mapSet.call(keys, keyValue(k), k);
  return keys;
}

/**
 * How deep the runtime is in its own look-ups of keys (heldKey, noteKey). They read its own
 * Maps (and the stand-ins' tables) through Map.prototype.get and its kin: a program's wrapper
 * of one that calls the built-in it saved (`saved.call(this, k)`, rewritten: callOn) came back
 * to callMethod, here, and called itself without end (a RangeError). Such a call is the
 * built-in's, as it is for the runtime.
 */
let lookingUp = 0;

/** The key collection `c` holds for `k`'s value (a traced or plain number), or `k` itself when none. */
function heldKey(c: object, k: unknown, has: (this: object, key: unknown) => boolean): unknown {
  lookingUp++;
  try {
    return heldKeyOf(c, k, has);
  } finally {
    lookingUp--;
  }
}

function heldKeyOf(c: object, k: unknown, has: (this: object, key: unknown) => boolean): unknown {
  if (isIdentity(k)) {
    if (has.call(c, k)) return k;
    // (a traced key holding k, a number field's instance, is held under it: `s.has(x0)` of a Set holding x)
    const keys = tracedKeysOf(c);
    const held = keys === undefined ? undefined : mapGet.call(keys, k);
    return held !== undefined && isTraced(held) && has.call(c, held) ? held : heldOriginal(c, k, has);
  }
  if (!numberLike(k)) return k;
  const v = keyValue(k);
  const keys = tracedKeysOf(c);
  const held = keys === undefined ? undefined : mapGet.call(keys, v);
  if (held !== undefined && has.call(c, held)) return held;
  if (isTraced(k) && has.call(c, v)) return v;
  return k;
}

/**
 * The form of `k` that `c` holds, else `k`: the original of stand-in `k` (a collection keyed by
 * the caller's objects), or the stand-in of original `k` (a Set argument's members, a
 * collection f filled from an argument's objects, `k` reached through the closure).
 */
function heldOriginal(c: object, k: object, has: (this: object, key: unknown) => boolean): unknown {
  for (const form of formsOf(k)) if (form !== k && has.call(c, form)) return form;
  return k;
}

/** Notes that `c` holds the traced key `k` (when it is the first key with its value). */
function noteKey(c: object, k: unknown): void {
  if (!isTraced(k)) return;
  lookingUp++;
  try {
    noteKeyOf(c, k);
  } finally {
    lookingUp--;
  }
}

function noteKeyOf(c: object, k: unknown): void {
  let keys = tracedKeysOf(c);
  if (keys === undefined) {
    keysWritten = true;
    weakMapSet.call(tracedKeys, c, (keys = new Map()));
  }
  if (!mapHas.call(keys, keyValue(k))) mapSet.call(keys, keyValue(k), k);
}

/**
 * `value`, found in `map` by `key` under the entry `held`. A number (or a record or array of
 * numbers: `holdsNumbers`) stored outside this
 * differentiation (in a Map made before it, under a plain number, or under the caller's
 * object for a stand-in) is a constant here: when the Map caches values computed from the
 * key (memoization), the derivative through them is lost, so it is reported as a
 * conversion is (a warning once per place; strict mode stops there). A lookup table f
 * makes itself says nothing.
 */
function lookedUp(map: object, key: unknown, held: unknown, value: unknown): unknown {
  if (held !== key && isTraced(key) && isTraced(held)) return foundUnderAnother(map, key, held, value);
  // (a traced key was stored by this differentiation)
  if (held === key || isTraced(held) || !holdsNumbers(value) || madeWhileDeriving.has(map)) return value;
  const tape = isTraced(key) ? key.tracedTape : typeof key === 'object' && key !== null ? standInNode(key)?.wrapping.tape : undefined;
  if (tape !== undefined && tape.active) reportEscape({ tracedTape: tape }, 'a Map lookup that found a number stored outside this differentiation (a cache of values computed from the key?)');
  return value;
}

/**
 * `value`, found by traced `key` under another traced number of the same value that f stored
 * it under (a and b both 2: `memo.get(b)` after `memo.set(a, a * a)`). Keys compare by value,
 * as plain code's do, but a value f computed from that other number (memoization) carries
 * the derivative to it, not to `key`: `(a, b) => sq(a) + sq(b)` with a memoized `sq` gave
 * [8, null] at (2, 2) with no word, where it is [4, 4]. So a traced value found so is reported
 * as a lost derivative is (a warning once per place; strict mode stops there). An argument's
 * Map holds what the caller gave, not values computed from its keys: not looked at.
 */
function foundUnderAnother(map: object, key: Traced, held: Traced, value: unknown): unknown {
  if (key.tracedTape.active && standInNode(map) === undefined && holdsLiveTraced(value) && !related(key, held, value)) {
    reportEscape(key, 'a Map lookup by a traced number that found the value f stored under another traced number equal to it (a cache of values computed from the key? the value carries the derivative to that other number)');
  }
  return value;
}

/**
 * Whether the value found under `b` carries the derivative to `a` as well: one computed from
 * the other (`x` and `x * 1`, equal for every x, as `Map.groupBy`'s keys of one group are). `b`
 * of another level of a nested differentiation: only if the value was computed on `a`'s level.
 * (An inner gradient of a memoized `sq` that hit the entry the outer level stored,
 * `gradient(x => sq(x) + gradient(sq, x)[0], 3)`, gave [6] with no word, where it is [8].)
 */
function related(a: Traced, b: Traced, value: unknown): boolean {
  const tape = a.tracedTape;
  if (tape === b.tracedTape) return tape.followsAlike(a.tracedIndex, b.tracedIndex);
  return holdsTracedOn(value, tape);
}

/** Whether `value`, or a data field or element it directly holds, is traced on `tape` (at any level of its nesting). */
function holdsTracedOn(value: unknown, tape: object): boolean {
  return holdsDirectly(value, (v) => {
    for (; isTraced(v); v = v.tracedValue) if (v.tracedTape === tape) return true;
    return false;
  });
}

/** Whether `value` is, or directly holds (an array's elements, a record's data fields), a traced number of a running differentiation. */
function holdsLiveTraced(value: unknown): boolean {
  return holdsDirectly(value, (v) => isTraced(v) && v.tracedTape.active);
}

/** Whether `test` holds for `value`, or for an element or data field of it (an array or a record: no getter runs). */
function holdsDirectly(value: unknown, test: (v: unknown) => boolean): boolean {
  if (test(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const kind = kindOf(value);
  if (kind !== 'array' && kind !== 'record') return false;
  for (const k of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, k);
    if (d !== undefined && test(d.value)) return true;
  }
  return false;
}

/**
 * Whether a value found by a lookup is, or directly holds, plain numbers: a number, or an array,
 * float typed array or record with one among its elements or data fields. A cache of `{ value,
 * slope }` records or of arrays loses the derivative as one of numbers does, and said nothing.
 * (No getter runs, nor a Proxy's trap: `kindOf` refuses a Proxy it did not make.)
 */
function holdsNumbers(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'object' || value === null) return false;
  const kind = kindOf(value);
  if (kind === 'typed') return typedStandIn(value) === undefined && (value as Float64Array).length > 0;
  if (kind !== 'array' && kind !== 'record') return false;
  for (const k of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, k);
    if (d !== undefined && typeof d.value === 'number') return true;
  }
  return false;
}

/** A WeakMap's or WeakSet's key: a stand-in's original; a traced number is refused, as the number would be. */
function weakKey(k: unknown, what: string): object {
  if (isTraced(k)) throw new TypeError(`Invalid value used ${what === 'weak set' ? 'in weak set' : `as ${what}`}`);
  return isIdentity(k) ? originalOf(k) : (k as object);
}

/** Array search by value: `===` for indexOf/lastIndexOf, SameValueZero for includes. */
function search(a: ArrayLike<unknown>, x: unknown, from: number, step: 1 | -1, zero: boolean): number {
  // (a traced value holding a number field's instance is that instance: `[x0].indexOf(x)`
  // of the argument's own Fraction found nothing)
  const field = fieldInside(x);
  for (let i = from; i >= 0 && i < a.length; i += step) {
    if (!zero && !(i in a)) continue; // (indexOf and lastIndexOf skip holes; includes reads them as undefined)
    const v = a[i];
    if (v === x || (isIdentity(v) && isIdentity(x) && sameObject(v, x))) return i;
    if (numberLike(v) && numberLike(x)) {
      const pv = primal(v);
      const px = primal(x);
      if (pv === px || (zero && pv !== pv && px !== px)) return i;
    } else if (field !== undefined ? v === field : typeof x === 'object' && x !== null && isTraced(v) && fieldInside(v) === x) return i;
  }
  return -1;
}

/** The fromIndex in a search's `args` as the array methods resolve it (`fallback` when none is given; a traced one is its value). */
function start(length: number, args: unknown[], fallback: number): number {
  if (args.length < 2) return fallback;
  const n = Math.trunc(Number(primal(args[1]))) || 0;
  return n < 0 ? Math.max(length + n, -1) : n;
}

const NOT_A_SEARCH = Symbol('not a search');

// ---- Set methods (union, isSubsetOf, …) by value -------------------------------------------
// The built-ins compare members by identity (SameValueZero), also through the other set's `has`
// called from inside them: `new Set([x]).isSubsetOf(new Set([3]))` was false for a traced 3.
// These follow ECMA-262's algorithms step by step (which set's member each result keeps, when
// the other set's `has` or `keys` is called), with each membership test by value.

/** What GetSetRecord reads of `other` (a Set, a Map, or any object with size, has and keys). */
interface SetRecord { readonly set: object; readonly size: number; readonly has: Function; readonly keys: Function }

function setRecord(other: unknown, method: string): SetRecord {
  if ((typeof other !== 'object' && typeof other !== 'function') || other === null) throw new TypeError(`Set.prototype.${method} argument must be an object`);
  const record = other as { size: unknown; has: unknown; keys: unknown };
  const size = Number(primal(record.size));
  if (Number.isNaN(size)) throw new TypeError('The .size property is NaN');
  const whole = Math.trunc(size) || 0;
  if (whole < 0) throw new RangeError(`'${whole}' is an invalid size`);
  const has = record.has;
  if (typeof has !== 'function') throw new TypeError('string "has" is not a function');
  const keys = record.keys;
  if (typeof keys !== 'function') throw new TypeError('string "keys" is not a function');
  return { set: other, size: whole, has, keys };
}

/** `other.has(e)` as the set method calls it: a Set's or Map's own `has` by value. */
function otherHas(other: SetRecord, e: unknown): boolean {
  const found = other.has === setHas || other.has === mapHas ? searchByValue(other.set, other.has, [e]) : Reflect.apply(other.has, other.set, [e]);
  return Boolean(found);
}

/** Whether Set `s` holds `k`'s value (or `k`, an object). */
const holds = (s: object, k: unknown): boolean => setHas.call(s as Set<unknown>, heldKey(s, k, setHas));

/** Adds `k` to Set `s` made here (its traced keys noted, so that later searches of it find them by value). */
function addTo(s: Set<unknown>, k: unknown): void {
  noteKey(s, k);
  setAdd.call(s, k);
}

/** A copy of Set `s`'s members, by its data (not its iterator, which a program may have replaced). */
function copyOf(s: object): Set<unknown> {
  const copy = new Set<unknown>();
  for (const e of setValues.call(s as Set<unknown>)) addTo(copy, e);
  return copy;
}

/** `other.keys()`, the iterator the Set method goes through, and its `next`. */
interface Keys { readonly iterator: object; readonly next: Function }

function keysOf(other: SetRecord): Keys {
  const iterator: unknown = Reflect.apply(other.keys, other.set, []);
  if (!isObject(iterator)) throw new TypeError('Result of the keys method is not an object');
  return { iterator: iterator as object, next: (iterator as { next: Function }).next };
}

/**
 * Calls `visit` with each key of `keys` (-0 as 0; a traced -0 keeps its derivative) until it
 * returns true, which closes the iterator and returns true.
 */
function someKey(keys: Keys, visit: (k: unknown) => boolean): boolean {
  for (;;) {
    const result: unknown = Reflect.apply(keys.next, keys.iterator, []);
    if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
    if ((result as IteratorResult<unknown>).done) return false;
    if (visit(storedKey((result as IteratorResult<unknown>).value))) {
      const close = (keys.iterator as { return?: Function | null }).return;
      if (close !== undefined && close !== null && !isObject(Reflect.apply(close, keys.iterator, []))) throw new TypeError('iterator.return() did not return an object');
      return true;
    }
  }
}

/** Whether `s` is a Set (has its data: Set.prototype's methods take it). */
function isSet(s: object): boolean {
  try {
    Reflect.apply(setSize, s, []);
    return true;
  } catch {
    return false;
  }
}

const isObject = (v: unknown): boolean => (typeof v === 'object' && v !== null) || typeof v === 'function';

/** `s.m(other)` for Set `s` and a Set method `m` (ECMA-262 §24.2.4), or NOT_A_SEARCH for another `fn`. */
function setAlgebra(s: object, fn: Function, other: unknown): unknown {
  if (fn !== setUnion && fn !== setIntersection && fn !== setDifference && fn !== setSymmetricDifference &&
    fn !== setIsSubsetOf && fn !== setIsSupersetOf && fn !== setIsDisjointFrom) return NOT_A_SEARCH;
  if (!isSet(s)) return NOT_A_SEARCH; // (the built-in refuses it)
  const size = (): number => Reflect.apply(setSize, s, []) as number;
  const rec = setRecord(other, fn.name);
  const members = (): Iterable<unknown> => setValues.call(s as Set<unknown>);
  // (each case in the standard's order of calls to `other`'s has and keys)
  switch (fn) {
    case setUnion: {
      const keys = keysOf(rec);
      const result = copyOf(s);
      someKey(keys, (k) => {
        if (!holds(result, k)) addTo(result, k);
        return false;
      });
      return result;
    }
    case setIntersection: {
      const result = new Set<unknown>();
      if (size() <= rec.size) {
        for (const e of members()) if (otherHas(rec, e) && !holds(result, e)) addTo(result, e);
      } else {
        // (the members kept are the other set's)
        someKey(keysOf(rec), (k) => {
          if (holds(s, k) && !holds(result, k)) addTo(result, k);
          return false;
        });
      }
      return result;
    }
    case setDifference: {
      const result = copyOf(s);
      const remove = (k: unknown): false => (setDelete.call(result, heldKey(result, k, setHas)), false);
      if (size() <= rec.size) {
        for (const e of members()) if (otherHas(rec, e)) remove(e);
      } else {
        someKey(keysOf(rec), remove);
      }
      return result;
    }
    case setSymmetricDifference: {
      const keys = keysOf(rec);
      const result = copyOf(s);
      someKey(keys, (k) => {
        if (holds(s, k)) setDelete.call(result, heldKey(result, k, setHas));
        else if (!holds(result, k)) addTo(result, k);
        return false;
      });
      return result;
    }
    case setIsSubsetOf:
      if (size() > rec.size) return false;
      for (const e of members()) if (!otherHas(rec, e)) return false;
      return true;
    case setIsSupersetOf:
      if (size() < rec.size) return false;
      return !someKey(keysOf(rec), (k) => !holds(s, k));
    default: // isDisjointFrom
      if (size() <= rec.size) {
        for (const e of members()) if (otherHas(rec, e)) return false;
        return true;
      }
      return !someKey(keysOf(rec), (k) => holds(s, k));
  }
}

/** A search of an array, Map or Set by a traced number's value, or NOT_A_SEARCH when `fn` is none of those methods. */
function searchByValue(receiver: object, fn: Function, args: unknown[]): unknown {
  switch (fn) {
    case ArrayProto.indexOf: {
      const a = receiver as unknown[];
      return search(a, args[0], Math.max(start(a.length, args, 0), 0), 1, false);
    }
    case ArrayProto.lastIndexOf: {
      const a = receiver as unknown[];
      return search(a, args[0], Math.min(start(a.length, args, a.length - 1), a.length - 1), -1, false);
    }
    case ArrayProto.includes: {
      const a = receiver as unknown[];
      return search(a, args[0], Math.max(start(a.length, args, 0), 0), 1, true) >= 0;
    }
    // A typed array (one made outside f, or an integer one) holds plain numbers: the built-in
    // is asked for a traced number's value (it compared the object: -1, false).
    case TypedArrayProto.indexOf:
    case TypedArrayProto.lastIndexOf:
    case TypedArrayProto.includes:
      return Reflect.apply(fn, receiver, args.map((a) => (isTraced(a) ? primal(a) : a)));
    case mapGet: {
      const held = heldKey(receiver, args[0], mapHas);
      return lookedUp(receiver, args[0], held, mapGet.call(receiver as Map<unknown, unknown>, held));
    }
    case mapHas:
      return mapHas.call(receiver as Map<unknown, unknown>, heldKey(receiver, args[0], mapHas));
    case mapDelete:
      return mapDelete.call(receiver as Map<unknown, unknown>, heldKey(receiver, args[0], mapHas));
    case mapSet: {
      const k = storedKey(heldKey(receiver, args[0], mapHas));
      noteKey(receiver, k);
      return mapSet.call(receiver as Map<unknown, unknown>, k, args[1]);
    }
    case setHas:
      return setHas.call(receiver as Set<unknown>, heldKey(receiver, args[0], setHas));
    case setDelete:
      return setDelete.call(receiver as Set<unknown>, heldKey(receiver, args[0], setHas));
    case weakMapGet: {
      const k = args[0];
      const held = isIdentity(k) && !weakMapHas.call(receiver, k) ? heldOriginal(receiver, k, weakMapHas as (this: object, key: unknown) => boolean) : k;
      const value: unknown = weakMapGet.call(receiver as WeakMap<object, unknown>, held as object);
      return weakKeysSet.get(receiver)?.has(held as object) === true ? value : lookedUp(receiver, k, held, value);
    }
    case weakMapHas:
    case weakMapDelete:
    case weakSetHas:
    case weakSetDelete: {
      const k = args[0];
      const has = (fn === weakSetHas || fn === weakSetDelete ? weakSetHas : weakMapHas) as (this: object, key: unknown) => boolean;
      return Reflect.apply(fn, receiver, isIdentity(k) && !has.call(receiver, k) ? [heldOriginal(receiver, k, has)] : args);
    }
    case setAdd: {
      const k = storedKey(heldKey(receiver, args[0], setHas));
      noteKey(receiver, k);
      return setAdd.call(receiver as Set<unknown>, k);
    }
    // A WeakMap or WeakSet cannot be listed, so the clean-up cannot find a stand-in key in
    // it afterwards (the caller's wm.get(o) missed what f stored under its stand-in): the
    // entry goes under the caller's object, and a WeakMap's value is noted for the clean-up.
    case weakMapSet: {
      const k = weakKey(args[0], 'weak map key');
      weakMapSet.call(receiver as WeakMap<object, unknown>, k, args[1]);
      let keys = weakKeysSet.get(receiver);
      if (keys === undefined) {
        keysWritten = true;
        weakKeysSet.set(receiver, (keys = new WeakSet()));
      }
      keys.add(k);
      if (typeof args[1] === 'object' && args[1] !== null) noteWeakEntry(receiver, k);
      return receiver;
    }
    case weakSetAdd:
      weakSetAdd.call(receiver as WeakSet<object>, weakKey(args[0], 'weak set'));
      return receiver;
    // m.getOrInsert(k, v): m.get(k) if m has k, else m.set(k, v) and v; getOrInsertComputed
    // calls its callback for v, with the key m would store (the built-ins: by identity)
    case mapGetOrInsert:
    case weakMapGetOrInsert:
    case mapGetOrInsertComputed:
    case weakMapGetOrInsertComputed: {
      const weak = fn === weakMapGetOrInsert || fn === weakMapGetOrInsertComputed;
      const computed = fn === mapGetOrInsertComputed || fn === weakMapGetOrInsertComputed;
      if (computed && typeof args[1] !== 'function') return NOT_A_SEARCH; // (the built-in refuses it)
      const [k] = args;
      if (searchByValue(receiver, weak ? weakMapHas : mapHas, [k])) return searchByValue(receiver, weak ? weakMapGet : mapGet, [k]);
      const key = weak ? (weakKey(k, 'weak map key'), k) : Object.is(k, -0) ? 0 : storedKey(k);
      const value: unknown = computed ? Reflect.apply(args[1] as Function, undefined, [key]) : args[1];
      searchByValue(receiver, weak ? weakMapSet : mapSet, [k, value]);
      return value;
    }
  }
  return setAlgebra(receiver, fn, args[0]);
}

/**
 * A search call's receiver where rewritten code can declare no temporary (code a direct
 * `eval` runs): `callMethod(hold(r), held().m, …)` reads `r` once. Nothing runs between the
 * two, so one slot serves every call; `held` empties it.
 */
let heldReceiver: unknown;
export function hold<T>(receiver: T): T {
  heldReceiver = receiver;
  return receiver;
}
export function held(): unknown {
  const receiver = heldReceiver;
  heldReceiver = undefined;
  return receiver;
}

/** Told of each such call that was not a search (a package's `_.includes(xs, x)`): lib/imported.ts checks it. */
let methodCalled: (fn: Function, args: unknown[]) => void = () => {};
export function onMethodCall(handler: (fn: Function, args: unknown[]) => void): void {
  methodCalled = handler;
}

/** Whether `fn` is rewritten code (lib/imported.ts tells: read from its text once), which notes its own stores. */
let notesOwnStores: (fn: Function) => boolean = () => false;
export function onRewrittenCode(test: (fn: Function) => boolean): void {
  notesOwnStores = test;
}

/**
 * `receiver.m(...args)` in rewritten code for the methods that search or key by value
 * (indexOf, lastIndexOf, includes, get, set, has, delete, add; Set's union and its kin, Map's
 * getOrInsert where the platform has them), with `fn` = `receiver.m`
 * read already (rewritten code passes both, in JavaScript's order). While a
 * differentiation runs, arrays, Maps and Sets are searched by a traced number's value;
 * and a call given an object (a traced number is one) notes the receiver as written, as
 * the store barrier notes `m.set(k, v)` (proxies/barrier.ts).
 */
export function callMethod(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new TypeError(`${typeof fn} is not a function`); // (as the call itself would throw)
  if (lookingUp > 0) return Reflect.apply(fn, receiver, args); // (the runtime's own look-up, through a program's wrapper)
  if (!isDeriving()) {
    // (a callback f scheduled runs after it with its stores noted, proxies/scheduled.ts: `m.set(k, v)` there is one)
    return storesNoted() ? notedCall(receiver, fn, args) : Reflect.apply(fn, receiver, args);
  }
  if (fn === (Map as { groupBy?: unknown }).groupBy) return groupedByValue(fn, receiver, args);
  let result = typeof receiver === 'object' && receiver !== null ? searchByValue(receiver, fn, args) : NOT_A_SEARCH;
  if (result === NOT_A_SEARCH) {
    const replaced = typeof receiver === 'object' && receiver !== null ? replacedSearch(receiver, fn) : undefined;
    result = replaced === undefined ? Reflect.apply(fn, receiver, args) : searchThroughReplacement(receiver as object, fn, replaced, args);
    methodCalled(fn, args);
  }
  return noteReceiver(receiver, fn, args, result);
}

/**
 * After `receiver.fn(...args)`: notes the receiver as written when an object is given to a
 * method that may store it there (a built-in's `set`, `add`, `push`), and returns `result`.
 */
function noteReceiver(receiver: unknown, fn: Function, args: readonly unknown[], result: unknown): unknown {
  // (a built-in that only looks — `m.has(x)`, `xs.indexOf(x)` — stores nothing: noting its
  // receiver for the clean-up would walk a large Map made outside f on every gradient; a
  // rewritten method notes what it stores itself: a vector class's `v.add(w)`, called here
  // for its name, noted each receiver, and the clean-up walked thousands of vectors)
  if (LOOKS_ONLY.has(fn) || notesOwnStores(fn)) return result;
  // (`Object.assign` applied so stores into its first argument, which it returns)
  if (fn === objectAssign) return args.length > 1 ? touch(result, result) : result;
  for (const a of args) if (typeof a === 'object' && a !== null) return touch(receiver, result);
  return result;
}

/** The search methods a program may replace on the built-ins' prototypes, by the kind of receiver they search, with the built-ins they stand for. */
type Replaceable = readonly (readonly [Record<string, unknown>, string, Function])[];
const ARRAY_SEARCHES: Replaceable = (['includes', 'indexOf', 'lastIndexOf'] as const).map((name) => [Array.prototype as unknown as Record<string, unknown>, name, ArrayProto[name]] as const);
const MAP_SEARCHES: Replaceable = (['get', 'has', 'delete', 'set'] as const).map((name) => [Map.prototype as unknown as Record<string, unknown>, name, Map.prototype[name]] as const);
const SET_SEARCHES: Replaceable = (['has', 'delete', 'add'] as const).map((name) => [Set.prototype as unknown as Record<string, unknown>, name, Set.prototype[name]] as const);

/**
 * The built-in search that `fn` replaced on its prototype (a program's wrapper of
 * `Map.prototype.get`, a test's spy of `Array.prototype.includes`), `receiver` being what it
 * searches; else undefined (a subclass's own method, any other function). The receiver's kind
 * is asked first: a vector class's `add` (every `v.add(w)` comes here while tracing) costs
 * three tests, not a look at each replaceable method.
 */
function replacedSearch(receiver: object, fn: Function): Function | undefined {
  const searches = Array.isArray(receiver) ? ARRAY_SEARCHES : receiver instanceof Map ? MAP_SEARCHES : receiver instanceof Set ? SET_SEARCHES : null;
  if (searches !== null) for (const [proto, name, builtin] of searches) if (proto[name] === fn) return builtin;
  return undefined;
}

/**
 * `receiver.fn(x, …)` where `fn` replaced the built-in search `builtin` while a differentiation
 * runs: `fn` is called, as in plain code, with the key `receiver` holds equal to `x` by value
 * in place of `x` (the element an array holds, the key a Map or Set was given first). A wrapper
 * that calls the built-in it saved then finds it: given a traced number itself, the built-in
 * compared it by identity (`m.get(x)` undefined where plain code finds the entry for 3).
 */
function searchThroughReplacement(receiver: object, fn: Function, builtin: Function, args: unknown[]): unknown {
  const given = heldArguments(receiver, builtin, args);
  const result: unknown = Reflect.apply(fn, receiver, given);
  if (given !== args && (builtin === mapSet || builtin === setAdd)) noteKey(receiver, given[0]);
  return result;
}

/** `args` of the built-in search `builtin` on `receiver`, with the key `receiver` holds equal by value in place of a number (the key stored, for set and add). */
function heldArguments(receiver: object, builtin: Function, args: unknown[]): unknown[] {
  const x = args[0];
  if (!numberLike(x)) return args;
  const given = [...args];
  if (builtin === ArrayProto.includes || builtin === ArrayProto.indexOf || builtin === ArrayProto.lastIndexOf) {
    const a = receiver as unknown[];
    const at = searchByValue(receiver, builtin, args) as number | boolean;
    const i = builtin === ArrayProto.includes ? (at === true ? search(a, x, Math.max(start(a.length, args, 0), 0), 1, true) : -1) : (at as number);
    given[0] = i >= 0 ? a[i] : isTraced(x) ? primal(x) : x;
    return given;
  }
  if (!(receiver instanceof Map || receiver instanceof Set)) return args;
  const held = heldKey(receiver, x, receiver instanceof Map ? mapHas : setHas);
  given[0] = builtin === mapSet || builtin === setAdd ? storedKey(held) : held;
  return given;
}

/** The searches whose arguments `heldArguments` takes. */
const HELD_SEARCHES: ReadonlySet<unknown> = new Set([ArrayProto.includes, ArrayProto.indexOf, ArrayProto.lastIndexOf, mapGet, mapHas, mapDelete, mapSet, setHas, setDelete, setAdd]);

/**
 * A program's own Reflect.apply whose code was not rewritten (a spy that calls the built-in it
 * saved), given a search method while a differentiation runs: it is called with the key the
 * receiver holds equal by value in place of a traced number, which the built-in it calls then
 * finds (given the traced number, it compared it by identity).
 */
export function appliedByReplacement(replacement: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  const [fn, receiver, list] = args as unknown[];
  if (!isDeriving() || !HELD_SEARCHES.has(fn) || typeof receiver !== 'object' || receiver === null || typeof list !== 'object' || list === null) return builtinReflectApply(replacement, self, args);
  const given = heldArguments(receiver, fn as Function, Array.prototype.slice.call(list));
  const result: unknown = builtinReflectApply(replacement, self, [fn, receiver, given, ...Array.prototype.slice.call(args, 3)]);
  if (fn === mapSet || fn === setAdd) noteKey(receiver, given[0]);
  return result;
}

/** A program's own ArrayBuffer.isView whose code was not rewritten, given a typed array f received or made (a Proxy it does not see as a view): given the typed array under it. */
export function isViewByReplacement(replacement: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  const v = args[0];
  const s = typedStandIn(v);
  return builtinReflectApply(replacement, self, s === undefined ? args : [s.target, ...Array.prototype.slice.call(args, 1)]);
}

/** `receiver.fn(...args)` outside a differentiation, noting the receiver as written when an object is given (callMethod's rule). */
function notedCall(receiver: unknown, fn: Function, args: unknown[]): unknown {
  return noteReceiver(receiver, fn, args, Reflect.apply(fn, receiver, args));
}

/**
 * `super.m(...args)` in rewritten code, in a class extending Float64Array or Float32Array, with
 * `fn` = `super.m` read already. While a differentiation runs, an instance f received or made is a
 * stand-in, a Proxy, which the built-in `m` refuses as `this`: the stand-in's own version runs
 * (searching by value, as `callMethod` does). Anything else is `callMethod`'s.
 */
export function typedSuperCall(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  const own = isDeriving() ? typedArrayMethodOn(receiver, fn) : undefined;
  return own !== undefined ? Reflect.apply(own, receiver, args) : callMethod(receiver, fn, ...args);
}

/** The built-in searches that store nothing into their receiver. */
const LOOKS_ONLY: ReadonlySet<unknown> = new Set([
  mapGet, mapHas, mapDelete, setHas, setDelete, weakMapGet, weakMapHas, weakMapDelete, weakSetHas, weakSetDelete,
  ArrayProto.indexOf, ArrayProto.lastIndexOf, ArrayProto.includes, TypedArrayProto.indexOf, TypedArrayProto.lastIndexOf, TypedArrayProto.includes,
]);

/**
 * `Map.groupBy(items, f)` (browsers; Node from 21) while a differentiation runs. The built-in
 * keys its groups by identity: f returning a traced number and an equal number (or two equal
 * traced numbers) made two groups where plain JavaScript makes one (`Map.groupBy([x, -1, 2], (v) => v).size`
 * 3 at x = 2, not 2). Each group goes under the first key of its value, noted as `set` notes one.
 */
function groupedByValue(groupBy: Function, receiver: unknown, args: unknown[]): unknown {
  const [items, f] = args;
  const firsts = new Map<number, unknown>();
  const first = (k: unknown): unknown => {
    if (!numberLike(k)) return k;
    const held = firsts.get(keyValue(k));
    if (held !== undefined) return held;
    firsts.set(keyValue(k), k);
    return k;
  };
  // (f called as the built-in calls it: no `this`, the item and its index)
  const keyed = typeof f === 'function' ? (item: unknown, i: number): unknown => first((f as (item: unknown, i: number) => unknown)(item, i)) : f;
  const grouped = Reflect.apply(groupBy, receiver, [items, keyed]) as Map<unknown, unknown>;
  noteMade(grouped);
  for (const k of firsts.values()) noteKey(grouped, k);
  return grouped;
}

/**
 * `fn.call(receiver, ...args)` in rewritten code for a method of those names (`[].indexOf.call(xs, x)`,
 * `Map.prototype.get.call(m, k)`): the search `receiver.m(...args)` is, unless `call` is not
 * Function's own.
 */
export function callOn(fn: unknown, receiver: unknown, ...args: unknown[]): unknown {
  const call = (fn as { call: unknown }).call; // (throws where `fn.call` would)
  if (call !== builtinCall) return Reflect.apply(call as Function, fn, [receiver, ...args]);
  return isTraced(receiver) && NUMBER_METHODS.has(fn) ? numberMethod(fn, receiver, args) : callMethod(receiver, fn, ...args);
}

/** Number's methods a traced number has its own of (lib/core/traced.ts): they refuse it as `this`. */
const NUMBER_METHODS: ReadonlyMap<unknown, string> = new Map(
  (['toFixed', 'toPrecision', 'toExponential', 'toString', 'toLocaleString', 'valueOf'] as const).map((name) => [Number.prototype[name], name]),
);

/** `Number.prototype.m.call(x, …args)` for a traced x: x's own m, which keeps the text's derivative as `x.m(…)` does. */
function numberMethod(fn: unknown, receiver: Traced, args: unknown[]): unknown {
  const method = (receiver as unknown as Record<string, (...a: unknown[]) => unknown>)[NUMBER_METHODS.get(fn)!]!;
  return Reflect.apply(method, receiver, args);
}

/** The arguments list `apply` makes of `args` (`Reflect.apply` asks for an object; `Function.prototype.apply` takes none). */
function argumentList(args: unknown, optional: boolean): unknown[] {
  if (optional && (args === undefined || args === null)) return [];
  if ((typeof args !== 'object' && typeof args !== 'function') || args === null) throw new TypeError('CreateListFromArrayLike called on non-object');
  return Array.prototype.slice.call(args);
}

/**
 * `fn.apply(receiver, args)` in rewritten code for a search method (`[].includes.apply(xs, [x])`):
 * the search `receiver.m(...args)` is, unless `apply` is not Function's own.
 */
export function applyOn(fn: unknown, receiver: unknown, args?: unknown): unknown {
  const apply = (fn as { apply: unknown }).apply; // (throws where `fn.apply` would)
  if (apply !== builtinApply) return Reflect.apply(apply as Function, fn, [receiver, args]);
  if (isTraced(receiver) && NUMBER_METHODS.has(fn)) return numberMethod(fn, receiver, argumentList(args, true));
  return callMethod(receiver, fn, ...argumentList(args, true));
}

/**
 * `fn.bind(receiver, ...args)` in rewritten code: the bound function. For a search method
 * (`const has = s.has.bind(s)`), and a method `otherwise` names, a Proxy of it (its name,
 * length and `bind`'s other answers kept) whose calls while a differentiation runs search by
 * value, or go as `otherwise` says; unless `bind` is not Function's own.
 */
export function bindOn(fn: unknown, receiver: unknown, args: readonly unknown[], otherwise?: BoundWhileDeriving): unknown {
  const bind = (fn as { bind: unknown }).bind; // (throws where `fn.bind` would)
  const bound = Reflect.apply(bind as Function, fn, [receiver, ...args]) as Function;
  if (bind !== builtinBind) return bound;
  const viaCallMethod = searchesOrStores(fn);
  const call = viaCallMethod ? (self: unknown, all: unknown[]) => callMethod(self, fn, ...all) : otherwise?.(fn);
  if (call === undefined) return bound;
  // (a store, `const add = log.push.bind(log)`, is noted as `log.push(x)` is: also in a callback f
  // scheduled, where stores are noted while nothing is differentiated)
  const through = viaCallMethod ? () => isDeriving() || storesNoted() : isDeriving;
  return new Proxy(bound, {
    apply: (target, self, more: unknown[]) => (through() ? call(receiver, [...args, ...more]) : Reflect.apply(target, self, more)),
  });
}

/** For a built-in method other than a search, how a call of it bound so goes while a differentiation runs (the caller's say: lib/runtime.ts), or undefined: as bound. */
export type BoundWhileDeriving = (fn: unknown) => ((receiver: unknown, args: unknown[]) => unknown) | undefined;

/** Whether `fn` is a built-in method that `callMethod` is for: a search by value, or a store into its receiver. */
export const searchesOrStores = (fn: unknown): boolean => SEARCH_METHODS.has(fn) || STORE_METHODS.has(fn);

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

/** The arrays' methods that store into their receiver (rewrite-stores.ts's MUTATING_METHODS; Map's set and Set's add are searches too). */
const STORE_METHODS: ReadonlySet<unknown> = new Set<unknown>([Array.prototype.push, Array.prototype.unshift, Array.prototype.splice, Array.prototype.fill]);

/** Every method `searchByValue` takes. */
const SEARCH_METHODS: ReadonlySet<unknown> = new Set<unknown>([
  ArrayProto.indexOf, ArrayProto.lastIndexOf, ArrayProto.includes, TypedArrayProto.indexOf, TypedArrayProto.lastIndexOf, TypedArrayProto.includes,
  mapGet, mapSet, mapHas, mapDelete, setAdd, setHas, setDelete,
  weakMapGet, weakMapSet, weakMapHas, weakMapDelete, weakSetAdd, weakSetHas, weakSetDelete,
  // (where the platform has them)
  ...[setUnion, setIntersection, setDifference, setSymmetricDifference, setIsSubsetOf, setIsSupersetOf, setIsDisjointFrom,
    mapGetOrInsert, mapGetOrInsertComputed, weakMapGetOrInsert, weakMapGetOrInsertComputed].filter((fn) => fn !== undefined),
]);

/**
 * A search method given to a method that calls it (`a.filter(Set.prototype.has, setB)`,
 * `keys.map(m.get, m)`: lib/transform/rewrite-builtins.ts): called so, the built-in compared a
 * traced number by identity. A function that searches as `callMethod` does, with the `this`
 * and arguments it is called with (filter's index is includes' fromIndex there too); anything
 * else as it is.
 */
export function searchCallback(fn: unknown): unknown {
  if (!SEARCH_METHODS.has(fn)) return fn;
  return function (this: unknown, ...args: unknown[]): unknown {
    return callMethod(this, fn, ...args);
  };
}

// ---- stores a built-in makes ------------------------------------------------------------------
// `Reflect.set(o, k, v)`, `Reflect.defineProperty(o, k, d)`, `Object.defineProperty(o, k, d)` and
// `Object.defineProperties(o, ds)` store as `o[k] = v` does, where the store barrier did not see
// them: `Reflect.set(state, 'loss', x * 2)` in f left the traced number in the caller's object.
// Rewritten code calls these, which note the object as written (proxies/barrier.ts) when what is
// stored is an object (a descriptor: whatever it holds), as the barrier notes `o[k] = v`.

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
 * noted object's prototype, proxies/cleanup.ts).
 */
export function objectSetPrototypeOf<T>(target: T, proto: object | null): T {
  // (a number is left as it is: the built-in only checks `proto`)
  if (isTraced(target)) return (Object.setPrototypeOf(primal(target), proto), target);
  const done = Object.setPrototypeOf(target, proto) as T;
  return typeof proto === 'object' && proto !== null ? touch(target, done) : done;
}

export function reflectSetPrototypeOf(target: object, proto: object | null): boolean {
  const done = Reflect.setPrototypeOf(storeTarget(target), proto);
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
