// Method calls rewritten code sends through the runtime (`callMethod`, and `fn.call`, `fn.apply`,
// `fn.bind` of such a method): searches by value while a differentiation runs (keys.ts, sets.ts),
// and a receiver noted as written where the call may store an object in it (proxies/barrier.ts).

import { type Traced, isTraced, primal } from '../../lib/core/traced.js';
import { isDeriving, onIdle } from '../../lib/core/scope.js';
import { storesNoted } from '../../proxies/cleanup.js';
import { touch } from '../../proxies/barrier.js';
import { typedArrayMethodOn, typedStandIn } from '../../proxies/typed-arrays.js';
import { ArrayProto, TypedArrayProto, mapGroupBy, builtinApply, builtinBind, builtinCall, builtinReflectApply, mapDelete, mapGet, mapGetOrInsert, mapGetOrInsertComputed, mapHas, mapSet, objectAssign, setAdd, setDelete, setDifference, setHas, setIntersection, setIsDisjointFrom, setIsSubsetOf, setIsSupersetOf, setSymmetricDifference, setUnion, weakMapDelete, weakMapGet, weakMapGetOrInsert, weakMapGetOrInsertComputed, weakMapHas, weakMapSet, weakSetAdd, weakSetDelete, weakSetHas } from './platform.js';
import { NOT_A_SEARCH, builtinFormArgs, heldKey, keyValue, lookingUp, noteKey, noteMade, numberLike, search, searchByValue, start, storedKey } from './keys.js';
import { setAlgebra } from './sets.js';
import { followingNext } from '../../proxies/iterators.js';
import { draftCollection } from '../../proxies/drafts.js';
import { isIdentityObject } from '../../proxies/standins.js';

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
  if (typeof args[0] === 'function') {
    // (`Math.sin` read in rewritten code is the runtime's version; a search or key finds the built-in too)
    const given = builtinFormArgs(receiver, fn, args);
    if (!Array.isArray(given)) return given.found;
    args = given;
  }
  if (!isDeriving()) {
    // (a callback f scheduled runs after it with its stores noted, proxies/scheduled.ts: `m.set(k, v)` there is one)
    return storesNoted() ? notedCall(receiver, fn, args) : Reflect.apply(fn, receiver, args);
  }
  // (Map.groupBy as it is now: a polyfill's too, Node 20)
  if (fn === (Map as { groupBy?: unknown }).groupBy || (fn === mapGroupBy && fn !== undefined)) return groupedByValue(fn, receiver, args);
  let result = typeof receiver === 'object' && receiver !== null ? searchOrSetMethod(receiver, fn, args) : NOT_A_SEARCH;
  if (result === NOT_A_SEARCH) {
    const replaced = typeof receiver === 'object' && receiver !== null ? replacedSearch(receiver, fn) : undefined;
    result = replaced === undefined ? Reflect.apply(fn, receiver, args) : searchThroughReplacement(receiver as object, fn, replaced, args);
    // (an immer draft's own search keyed by value looked at no number as an object)
    if (replaced === undefined || draftCollection(receiver as object) === undefined) methodCalled(fn, args);
  }
  return noteReceiver(receiver, fn, args, result);
}

/** `receiver.fn(...args)` by value (keys.ts, sets.ts), or NOT_A_SEARCH when `fn` is neither a search nor one of Set's methods. */
function searchOrSetMethod(receiver: object, fn: Function, args: unknown[]): unknown {
  const result = searchByValue(receiver, fn, args);
  return result === NOT_A_SEARCH ? setAlgebra(receiver, fn, args[0]) : result;
}

/**
 * After `receiver.fn(...args)`: notes the receiver as written when an object is given to a
 * method that may store it there (a built-in's `set`, `add`, `push`), and returns `result`.
 */
export function noteReceiver(receiver: unknown, fn: Function, args: readonly unknown[], result: unknown): unknown {
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
  // (an immer Map or Set draft's own get, set, has, add, delete: keyed by the collection it reads, proxies/drafts.ts)
  if (searches !== ARRAY_SEARCHES && searches !== null && draftCollection(receiver) !== undefined) {
    const draftProto = Object.getPrototypeOf(receiver) as Record<string, unknown>;
    for (const [, name, builtin] of searches) if (draftProto[name] === fn) return builtin;
  }
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
  // (an immer draft stores into its copy, made by that call: the state produce returns)
  if (given !== args && (builtin === mapSet || builtin === setAdd)) noteKey(draftCollection(receiver) ?? receiver, given[0]);
  return result;
}

/** Collections immer Map and Set drafts read whose traced keys are noted (see `draftKeys`). */
let draftsKeyed = new WeakSet<object>();
onIdle(() => {
  draftsKeyed = new WeakSet();
});

/**
 * The Map or Set an immer draft reads (proxies/drafts.ts), with its traced keys noted by value,
 * else undefined: the copy immer makes of an argument's Set holds the stand-in's traced members,
 * unknown to it by value (`d.add(1)` of a Set argument holding 1 added a second member).
 */
function draftKeys(receiver: object): Map<unknown, unknown> | Set<unknown> | undefined {
  const c = draftCollection(receiver);
  if (c === undefined || draftsKeyed.has(c)) return c;
  draftsKeyed.add(c);
  for (const k of c instanceof Map ? Map.prototype.keys.call(c) : Set.prototype.values.call(c)) noteKey(c, k);
  return c;
}

/** `args` of the built-in search `builtin` on `receiver`, with the key `receiver` holds equal by value in place of a number (the key stored, for set and add). */
function heldArguments(receiver: object, builtin: Function, args: unknown[]): unknown[] {
  const x = args[0];
  if (!numberLike(x)) return isIdentityObject(x) ? draftObjectKey(receiver, x, args) : args;
  const given = [...args];
  if (builtin === ArrayProto.includes || builtin === ArrayProto.indexOf || builtin === ArrayProto.lastIndexOf) {
    const a = receiver as unknown[];
    const at = searchByValue(receiver, builtin, args) as number | boolean;
    const i = builtin === ArrayProto.includes ? (at === true ? search(a, x, Math.max(start(a.length, args, 0), 0), 1, true) : -1) : (at as number);
    given[0] = i >= 0 ? a[i] : isTraced(x) ? primal(x) : x;
    return given;
  }
  if (!(receiver instanceof Map || receiver instanceof Set)) return args;
  // (an immer draft's own entries are empty: the keys are those of the collection it reads)
  const keyed = draftKeys(receiver) ?? receiver;
  const held = heldKey(keyed, x, keyed instanceof Map ? mapHas : setHas);
  given[0] = builtin === mapSet || builtin === setAdd ? storedKey(held) : held;
  return given;
}

/**
 * `args` with the key an immer Map or Set draft holds for object `x` in its place (the caller's
 * object, where `x` is its stand-in: `d.m.get(k)` of a state keyed by the object f was given as
 * `k` found nothing, 11200 where plain code gives 11130), asked through the draft's own `has`
 * (a Set draft's copy holds drafts of its objects); else `args`.
 */
function draftObjectKey(receiver: object, x: object, args: unknown[]): unknown[] {
  if (!(receiver instanceof Map || receiver instanceof Set) || draftCollection(receiver) === undefined) return args;
  const held = heldKey(receiver, x, (receiver as { has(key: unknown): boolean }).has);
  return held === x ? args : [held, ...args.slice(1)];
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
  const next = followingNext(fn, receiver); // (`ArrayIteratorPrototype.next.call(it)` of an iterator argument)
  if (next !== undefined) return Reflect.apply(next, receiver, args);
  const own = typedMethodOn(receiver, fn);
  if (own !== undefined) return Reflect.apply(own, receiver, args);
  return isTraced(receiver) && NUMBER_METHODS.has(fn) ? numberMethod(fn, receiver, args) : callMethod(receiver, fn, ...args);
}

/**
 * The typed-array stand-in `receiver`'s own version of the built-in typed-array method `fn`
 * (`Float64Array.prototype.map.call(v, f)`, `Reflect.apply(…)`), or undefined: the built-in
 * refuses the stand-in, a Proxy, as `this` ("this is not a typed array").
 */
export function typedMethodOn(receiver: unknown, fn: unknown): Function | undefined {
  return isDeriving() ? typedArrayMethodOn(receiver, fn) : undefined;
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
export function argumentList(args: unknown, optional: boolean): unknown[] {
  if (optional && (args === undefined || args === null)) return [];
  if ((typeof args !== 'object' && typeof args !== 'function') || args === null) throw new TypeError('CreateListFromArrayLike called on non-object');
  return Array.prototype.slice.call(args);
}

/**
 * `fn` of `fn.call(r, …)`, `fn.apply(r, a)`, `fn.bind(r, …)` in rewritten code, read before
 * the arguments run as JavaScript reads `fn.call` then: null and undefined throw there.
 */
export function readableThrough(fn: unknown, name: string): unknown {
  if (fn === null || fn === undefined) throw new TypeError(`Cannot read properties of ${String(fn)} (reading '${name}')`);
  return fn;
}

/**
 * `fn.apply(receiver, args)` in rewritten code for a search method (`[].includes.apply(xs, [x])`):
 * the search `receiver.m(...args)` is, unless `apply` is not Function's own.
 */
export function applyOn(fn: unknown, receiver: unknown, args?: unknown): unknown {
  const apply = (fn as { apply: unknown }).apply; // (throws where `fn.apply` would)
  if (apply !== builtinApply) return Reflect.apply(apply as Function, fn, [receiver, args]);
  const next = followingNext(fn, receiver);
  if (next !== undefined) return Reflect.apply(next, receiver, argumentList(args, true));
  const own = typedMethodOn(receiver, fn);
  if (own !== undefined) return Reflect.apply(own, receiver, argumentList(args, true));
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

/** The arrays' methods that store into their receiver (rewrite-stores.ts's MUTATING_METHODS; Map's set and Set's add are searches too). */
const STORE_METHODS: ReadonlySet<unknown> = new Set<unknown>([Array.prototype.push, Array.prototype.unshift, Array.prototype.splice, Array.prototype.fill]);

/** Every method `searchByValue` takes. */
export const SEARCH_METHODS: ReadonlySet<unknown> = new Set<unknown>([
  ArrayProto.indexOf, ArrayProto.lastIndexOf, ArrayProto.includes, TypedArrayProto.indexOf, TypedArrayProto.lastIndexOf, TypedArrayProto.includes,
  mapGet, mapSet, mapHas, mapDelete, setAdd, setHas, setDelete,
  weakMapGet, weakMapSet, weakMapHas, weakMapDelete, weakSetAdd, weakSetHas, weakSetDelete,
  // (where the platform has them; Map.groupBy too, which callMethod groups by value: reached by a
  // computed key, bind or Reflect.apply, it made two groups of equal traced keys)
  ...[setUnion, setIntersection, setDifference, setSymmetricDifference, setIsSubsetOf, setIsSupersetOf, setIsDisjointFrom,
    mapGetOrInsert, mapGetOrInsertComputed, weakMapGetOrInsert, weakMapGetOrInsertComputed, mapGroupBy].filter((fn) => fn !== undefined),
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
