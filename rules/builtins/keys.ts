// `xs.indexOf(Math.max(...xs))`, `xs.includes(2.7)`, `new Set(xs).size`, `m.get(x)`: the
// built-ins compare by identity (or SameValueZero), under which two traced numbers with one
// value are two things. Rewritten code calls these methods through `callMethod`, which, while
// a differentiation runs, searches arrays by value and keys Maps and Sets by a traced
// number's value (the first traced number stored under a value is the key kept; a plain
// number and a traced one with the same value are one key). Otherwise the method runs as it is.

import { type Traced, isTraced, numberOf, primal, reportEscape } from '../../lib/core/traced.js';
import { add } from '../arithmetic.js';
import { fieldInside } from '../../lib/core/scalars.js';
import { filledByLibrary } from '../../lib/core/library-keys.js';
import { formsOf, isIdentityObject as isIdentity, originalOf, sameObject, standInNode } from '../../proxies/standins.js';
import { producedBase, sameAsProduced } from '../../proxies/drafts.js';
import { kindOf } from '../../proxies/kinds.js';
import { noteWeakEntry } from '../../proxies/cleanup.js';
import { onIdle } from '../../lib/core/scope.js';
import { typedStandIn } from '../../proxies/typed-arrays.js';
import { noteEqualityHeld } from '../equalities.js';
import { builtinBehind, versionOf } from '../like-builtin.js';
import { ArrayProto, TypedArrayProto, mapDelete, mapGet, mapGetOrInsert, mapGetOrInsertComputed, mapHas, mapSet, setAdd, setDelete, setHas, weakMapDelete, weakMapGet, weakMapGetOrInsert, weakMapGetOrInsertComputed, weakMapHas, weakMapSet, weakSetAdd, weakSetDelete, weakSetHas } from './platform.js';

export const numberLike = (x: unknown): boolean => typeof x === 'number' || isTraced(x);
/** A key's value, under which `tracedKeys` (a Map: SameValueZero, as the collection's own) finds it: -0 is 0, NaN is NaN. */
export const keyValue = (x: unknown): number => primal(x);

/** A traced key as a Map or Set stores it: -0 as 0, as the built-in stores a -0 key (`+ 0` keeps the derivative). */
export const storedKey = (k: unknown): unknown => (isTraced(k) && Object.is(numberOf(k), -0) ? add(k, 0) : k);

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
export function noteMade(map: object): void {
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
export let lookingUp = 0;

/** The key collection `c` holds for `k`'s value (a traced or plain number), or `k` itself when none. */
export function heldKey(c: object, k: unknown, has: (this: object, key: unknown) => boolean): unknown {
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
  for (const form of formsOf(k)) {
    if (form === k || !has.call(c, form)) continue;
    originalOf(form); // (found by another form: a compileGradient recording hears that f compared an argument by identity)
    return form;
  }
  // (immer's result equal to its base, held under the base: proxies/drafts.ts)
  const base = producedBase(k, sameObject);
  if (base === undefined) return k;
  return has.call(c, base) ? base : heldOriginal(c, base, has);
}

/** Notes that `c` holds the traced key `k` (when it is the first key with its value). */
export function noteKey(c: object, k: unknown): void {
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
export function search(a: ArrayLike<unknown>, x: unknown, from: number, step: 1 | -1, zero: boolean): number {
  // (a traced value holding a number field's instance is that instance: `[x0].indexOf(x)`
  // of the argument's own Fraction found nothing)
  const field = fieldInside(x);
  for (let i = from; i >= 0 && i < a.length; i += step) {
    if (!zero && !(i in a)) continue; // (indexOf and lastIndexOf skip holes; includes reads them as undefined)
    const v = a[i];
    // (numbers by value first: a traced NaN is the same object where it was stored, but not
    // === to itself as a number: [t, 2].indexOf(t) at NaN is -1, not 0)
    if (numberLike(v) && numberLike(x)) {
      const pv = primal(v);
      const px = primal(x);
      if (pv === px || (zero && pv !== pv && px !== px)) return i;
      continue;
    }
    // (immer's result equal to its base is its base, as for ===: proxies/drafts.ts)
    if (v === x || (isIdentity(v) && isIdentity(x) && (sameObject(v, x) || sameAsProduced(v, x, sameObject)))) return i;
    if (field !== undefined ? v === field : typeof x === 'object' && x !== null && isTraced(v) && fieldInside(v) === x) return i;
  }
  return -1;
}

/**
 * Index `i` of a search for `x` in `a`; a traced number found equal to a stored one is noted as
 * `===` notes it (a memo's keys: `const i = keys.indexOf(t); if (i >= 0) return values[i]`).
 * (`includes` is not: `[0, 1].includes(x)` is a branch on numbers written in the source.)
 */
function foundAt(a: ArrayLike<unknown>, x: unknown, i: number): number {
  if (i >= 0 && isTraced(x)) noteEqualityHeld(x, a[i]);
  return i;
}

/** The fromIndex in a search's `args` as the array methods resolve it (`fallback` when none is given; a traced one is its value). */
export function start(length: number, args: unknown[], fallback: number): number {
  if (args.length < 2) return fallback;
  const n = Math.trunc(Number(primal(args[1]))) || 0;
  return n < 0 ? Math.max(length + n, -1) : n;
}

export const NOT_A_SEARCH = Symbol('not a search');

/** A search of an array, Map or Set by a traced number's value, or NOT_A_SEARCH when `fn` is none of those methods (Set's union and its kin: sets.ts). */
export function searchByValue(receiver: object, fn: Function, args: unknown[]): unknown {
  switch (fn) {
    case ArrayProto.indexOf: {
      const a = receiver as unknown[];
      return foundAt(a, args[0], search(a, args[0], Math.max(start(a.length, args, 0), 0), 1, false));
    }
    case ArrayProto.lastIndexOf: {
      const a = receiver as unknown[];
      return foundAt(a, args[0], search(a, args[0], Math.min(start(a.length, args, a.length - 1), a.length - 1), -1, false));
    }
    case ArrayProto.includes: {
      const a = receiver as unknown[];
      return search(a, args[0], Math.max(start(a.length, args, 0), 0), 1, true) >= 0;
    }
    // A typed array (one made outside f, or an integer one) holds plain numbers: the built-in
    // is asked for a traced number's value (it compared the object: -1, false).
    // (a memo's keys kept in one, `const i = keys.indexOf(t); if (i >= 0) return vals[i]`, hit while
    // differentiating, is noted as an array's is: it gave [null] with no word, where it is 2t)
    case TypedArrayProto.indexOf:
    case TypedArrayProto.lastIndexOf:
      return foundAt(receiver as ArrayLike<unknown>, args[0], Reflect.apply(fn, receiver, args.map((a) => (isTraced(a) ? primal(a) : a))) as number);
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
  return NOT_A_SEARCH;
}

/**
 * The other form a built-in function takes to the program (rules/like-builtin.ts): the built-in
 * behind a runtime version (`Math.sin` read in rewritten code), or the runtime version of a
 * built-in (`Reflect.get(Math, 'sin')`, one a package or `Object.values` handed over); else undefined.
 */
function otherBuiltinForm(k: unknown): Function | undefined {
  if (typeof k !== 'function') return undefined;
  const behind = builtinBehind(k);
  return behind !== k ? behind : versionOf(k);
}

/** The keyed methods of Map, Set, WeakMap and WeakSet, each with the `has` that tells whether the receiver holds a key. */
const KEYED: ReadonlyMap<unknown, Function> = new Map<unknown, Function>(
  [
    [mapGet, mapHas], [mapHas, mapHas], [mapDelete, mapHas], [mapSet, mapHas], [mapGetOrInsert, mapHas], [mapGetOrInsertComputed, mapHas],
    [setHas, setHas], [setDelete, setHas], [setAdd, setHas],
    [weakMapGet, weakMapHas], [weakMapHas, weakMapHas], [weakMapDelete, weakMapHas], [weakMapSet, weakMapHas], [weakMapGetOrInsert, weakMapHas], [weakMapGetOrInsertComputed, weakMapHas],
    [weakSetHas, weakSetHas], [weakSetDelete, weakSetHas], [weakSetAdd, weakSetHas],
  ].filter(([method]) => method !== undefined) as [unknown, Function][],
);

const holds = (has: Function, c: unknown, k: unknown): boolean => {
  try {
    return has.call(c, k) === true;
  } catch {
    return false; // (not a collection of that kind: the method itself throws, as it would)
  }
};

/**
 * `receiver.fn(...args)` in rewritten code where `args[0]` is a built-in function in one of its
 * two forms, for the searches and keyed methods: one function to the plain program, found in
 * either form. `[Reflect.get(Math, 'cos')].includes(Math.cos)` was false, `indexOf` -1, and
 * `m.get(Math.sin)` of a Map keyed by `Object.getOwnPropertyDescriptor(Math, 'sin').value`
 * undefined, where plain code finds them. An array search answers here; a keyed method gets the
 * form its receiver holds (or the key as given, which `set` and `add` store) in `args` returned;
 * anything else gets `args` as they are.
 */
export function builtinFormArgs(receiver: unknown, fn: Function, args: unknown[]): { readonly found: unknown } | unknown[] {
  const other = otherBuiltinForm(args[0]);
  if (other === undefined) return args;
  const withOther = (): unknown[] => [other, ...args.slice(1)];
  if (fn === ArrayProto.includes) return { found: Reflect.apply(fn, receiver, args) === true || Reflect.apply(fn, receiver, withOther()) === true };
  if (fn === ArrayProto.indexOf || fn === ArrayProto.lastIndexOf) {
    const at = Reflect.apply(fn, receiver, args) as number;
    const atOther = Reflect.apply(fn, receiver, withOther()) as number;
    if (at < 0 || atOther < 0) return { found: Math.max(at, atOther) };
    return { found: fn === ArrayProto.indexOf ? Math.min(at, atOther) : Math.max(at, atOther) };
  }
  const has = KEYED.get(fn);
  if (has === undefined || holds(has, receiver, args[0]) || !holds(has, receiver, other)) return args;
  return withOther();
}
