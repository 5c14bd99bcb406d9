// Escape clean-up: no traced value stays in user data after a differentiation.
//
// f may store traced values into objects it did not receive as arguments: a Map or a
// record captured by its closure, a log array it pushes to. Rewritten code notes each
// container written to during a differentiation (`touch`, in barrier.ts); when the call
// ends — returning or throwing — every noted container is walked and each traced value
// in it replaced by its value outside the call (its number, or, inside a nested
// differentiation, the value traced on the enclosing tape). Stand-ins f stored are
// replaced by the objects they stand for.

import { live, isTraced } from '../lib/core/traced.js';
import { isSymbolic } from '../lib/core/symbolic.js';
import { kindOf } from './kinds.js';
import { liveArray, isNDArray } from '../lib/ndarray.js';
import { standInNode, type Node } from './standins.js';
import { outwardTyped, typedStandIn } from './typed-arrays.js';

/** Containers written to, one list per open differentiation (innermost last). */
const noted: object[][] = [];

/**
 * Rewrites a `#private` member in place: called with the host and a function from the
 * member's value to the value to leave there. Made by rewritten code at the store site
 * (only the class can name the member), as `(h, s) => { h.#x = s(h.#x); }`.
 */
export type PrivateUpdate = (host: any, settle: (v: unknown) => unknown) => void;

/**
 * `#private` members that were given a traced value or a stand-in, per open
 * differentiation (parallel to `noted`): host, member name, update, flat.
 */
const notedPrivates: (unknown[] | null)[] = [];

/**
 * Rewrites a variable of an enclosing scope in place (a closure's or a module's: the runtime
 * cannot name it), as `(s) => { kept = s(kept); }`: made by rewritten code at the write.
 */
export type VariableUpdate = (settle: (v: unknown) => unknown) => void;

/** Variables of enclosing scopes given a traced value or a stand-in, per open differentiation: their updates. */
const notedVariables: (VariableUpdate[] | null)[] = [];

/** WeakMap entries given an object value (a traced number, or one that may hold some), per open differentiation: map, key. */
const notedWeak: (object[] | null)[] = [];
const { get: weakGet, set: weakSet, has: weakHas } = WeakMap.prototype;

/** After `map.set(key, value)` on a WeakMap with an object `value`: the entry is settled when the call ends (a WeakMap cannot be listed). */
export function noteWeakEntry(map: object, key: object): void {
  const depth = notedWeak.length;
  if (depth > 0) (notedWeak[depth - 1] ??= []).push(map, key);
}

/** How many of the latest notes a new one is compared with (a loop storing into a few members of one object). */
const RECENT = 4;

/**
 * Instances a class's constructor made while a differentiation ran (`touchNew`), and objects f
 * put where they outlive the call otherwise than inside a container (a variable of an enclosing
 * scope, one a closure reaches, a `#private` member), per open differentiation. A frozen
 * instance f made and let go (`new Vec(x, y)` of an immutable class, `Object.freeze(this)` in
 * its constructor) holds traced numbers the clean-up cannot replace; no one holds it, so that
 * is not said. (Lists, looked into only when a frozen container is found: a WeakSet entry per
 * instance made would weigh on every collection, as `openWrappings` says.)
 */
const madeInside: (object[] | null)[] = [];
const keptOutside: (object[] | null)[] = [];

/**
 * The fields a class's constructor gave an object value while a differentiation ran (`this.x =
 * v` with v traced or any object: `touchNew` with the key), per open differentiation: instance,
 * key, instance, key… Each is settled when the call ends, whoever holds the instance, as a
 * noted container is; but by reading that one field, not by walking the instance. A simulation
 * makes tens of thousands of small instances (`new Vec(x, y)` for each step), nearly all let go:
 * walked as containers, each cost the clean-up some 700 ns (its keys, symbols, kind, frozenness),
 * three quarters of a spring–mass gradient. Fields f gives an instance otherwise (a store
 * outside its constructor) note the instance as a container, which is walked.
 */
const madeFields: (unknown[] | null)[] = [];

/** Notes `o` as made while a differentiation runs (see `madeInside`). */
export function noteMade(o: unknown): void {
  if (typeof o === 'object' && o !== null) noteInnermost(madeInside, o);
}

/** Notes field `key` of `o`, an instance its constructor is making, as given an object (see `madeFields`). */
export function noteMadeField(o: object, key: string | number): void {
  const depth = madeFields.length;
  if (depth === 0) return;
  const list = (madeFields[depth - 1] ??= []);
  const n = list.length;
  if (n > 0 && list[n - 2] === o && list[n - 1] === key) return; // (a loop in the constructor storing one field)
  list.push(o, key);
}

/** Notes `o`, which f put in a variable or a member, as kept (see `madeInside`). */
function noteKept(o: object): void {
  noteInnermost(keptOutside, o);
}

/** Adds `o` to the innermost open differentiation's list of `lists`, unless it was the last one added (a constructor's stores one after the other, a loop keeping one object). */
function noteInnermost(lists: (object[] | null)[], o: object): void {
  const depth = lists.length;
  if (depth === 0) return;
  const list = (lists[depth - 1] ??= []);
  if (list[list.length - 1] !== o) list.push(o);
}

export function noteStore(container: unknown): void {
  const depth = noted.length;
  if (depth === 0 || (typeof container !== 'object' && typeof container !== 'function') || container === null) return;
  const list = noted[depth - 1]!;
  if (list[list.length - 1] !== container) list.push(container);
}

/**
 * Notes `original`, which the closing differentiation's write-back just wrote f's changes
 * into, for the enclosing differentiation: what was written is traced on the enclosing tapes,
 * and the write-back is library code, which no `touch` notes. Without it a middle
 * differentiation left its own traced values there when it ended (an innermost gradient
 * writing `p.v * b` into the outer's `o`): the outer read them as constants, a `null` gradient.
 */
export function noteWrittenBack(original: object): void {
  const depth = noted.length;
  if (depth < 2) return;
  const enclosing = noted[depth - 2]!;
  if (enclosing[enclosing.length - 1] !== original) enclosing.push(original);
}

/** Whether stores are being noted: a differentiation runs, or a callback one scheduled (proxies/scheduled.ts). */
export const storesNoted = (): boolean => noted.length > 0;

/** Starts noting stores for a differentiation that is opening. */
export function beginStores(): void {
  noted.push([]);
  madeInside.push(null);
  keptOutside.push(null);
  madeFields.push(null);
  notedPrivates.push(null);
  notedWeak.push(null);
  notedVariables.push(null);
}

/**
 * After `host.#name = value` with an object `value` (rewritten code tests `typeof` inline):
 * whether the site must hand over an update of the member (`notePrivate`), which it makes
 * only then. That is when a differentiation is open and the value itself is one the
 * clean-up replaces (a traced number or array, a stand-in, frozen data, which may be given a
 * copy) and the member is not noted yet; any other object may hold such values, and is
 * noted as a container instead.
 */
export function privateStored(host: object, name: string, value: unknown): boolean {
  const depth = noted.length;
  if (depth === 0 || value === null) return false;
  if (!replacedWhole(value) && !isFrozenData(value as object)) {
    noteKept(value as object);
    noteStore(value);
    return false;
  }
  // (noted again is harmless, only slower: a member the recent notes hold is not noted again)
  const list = notedPrivates[depth - 1];
  if (list == null) return true;
  for (let i = list.length - 3, k = 0; i >= 0 && k < RECENT; i -= 3, k++) if (list[i] === host && list[i + 1] === name) return false;
  return true;
}

/**
 * The `#private` members noted in the innermost open differentiation (given a traced value,
 * an NDArray or a stand-in), by host: member name to update. For forward mode's outputs.
 */
export function notedPrivatesByHost(): Map<object, Map<string, PrivateUpdate>> {
  const byHost = new Map<object, Map<string, PrivateUpdate>>();
  const list = notedPrivates[notedPrivates.length - 1];
  if (list == null) return byHost;
  for (let i = 0; i < list.length; i += 3) {
    const host = list[i] as object;
    let members = byHost.get(host);
    if (members === undefined) byHost.set(host, (members = new Map()));
    members.set(list[i + 1] as string, list[i + 2] as PrivateUpdate);
  }
  return byHost;
}

/**
 * After a write of an object `value` to a variable of an enclosing scope (rewritten code
 * tests `typeof` inline): whether the site must hand over an update of the variable
 * (`noteVariable`). That is when a differentiation is open and the value is one the
 * clean-up replaces (a traced number or array, a stand-in, frozen data, which may be given
 * a copy); any other object may hold such values, and is noted as a container instead.
 */
export function variableStored(value: unknown): boolean {
  if (notedVariables.length === 0 || value === null) return false;
  if (replacedWhole(value) || isFrozenData(value as object)) return true;
  noteKept(value as object);
  noteStore(value);
  return false;
}

/**
 * After a write of a variable that a closure reaches, by the function that declares it
 * (`const y = x * 2; fns.push(() => y)`): whether the site must hand over an update of it,
 * as `variableStored` says. Only a value the clean-up replaces as a whole is noted: another
 * object is not taken for a container (the closure seldom outlives the call, and the data
 * arrays a loss function's closures read would be walked at the end of every gradient).
 */
export function capturedStored(value: unknown): boolean {
  if (notedVariables.length === 0) return false;
  if (replacedWhole(value)) return true;
  if (value !== null) noteKept(value as object); // (a closure may keep it)
  return false;
}

/**
 * A value the clean-up replaces as a whole (not inside): a traced number or array, a stand-in,
 * a typed array f made (its Proxy). (So may frozen data be, by a copy: see `isFrozenData`.)
 */
const replacedWhole = (value: unknown): boolean => isTraced(value) || isNDArray(value) || standInNode(value) !== undefined || typedStandIn(value) !== undefined;

/**
 * Notes a variable `variableStored` asked for. A module's variable has one update, made once
 * (a loop writing it is noted once); a closure's is made at each write that needs one.
 */
export function noteVariable(update: VariableUpdate): void {
  const depth = notedVariables.length;
  if (depth === 0) return;
  const list = (notedVariables[depth - 1] ??= []);
  for (let i = list.length - 1, k = 0; i >= 0 && k < RECENT; i--, k++) if (list[i] === update) return;
  list.push(update);
}

/**
 * The update of a global written in f (`g = x * 2`, declared or made by a sloppy write):
 * `read` and `write` are the name's, in the program's code. The global may be gone by the
 * time the clean-up runs (`delete g`, as a sloppy program tidies one up): reading it threw a
 * ReferenceError out of the gradient, which the program itself never meets. It may be an
 * accessor: it is read once, and written only where the clean-up changes its value.
 */
export function settleGlobal(settle: (v: unknown) => unknown, read: () => unknown, write: (v: unknown) => void): void {
  let value: unknown;
  try {
    value = read();
  } catch {
    return; // (gone, or a getter that throws: nothing f left there to clean)
  }
  const left = settle(value);
  if (left !== value) write(left);
}

/** Notes a member `privateStored` asked for; returns `value` (the store's value). */
export function notePrivate<V>(host: object, name: string, value: V, update: PrivateUpdate): V {
  const depth = notedPrivates.length;
  if (depth > 0) (notedPrivates[depth - 1] ??= []).push(host, name, update);
  return value;
}

/**
 * Cleans what the closing differentiation wrote. Values traced on an enclosing tape stay
 * (that differentiation is still running), so its containers are handed to it as well.
 * `copies` (compileGradient's recording, which runs f on a copy of the arguments): each
 * copy found is replaced by the caller's object it copies.
 */
export function endStores(copiesOf?: () => ReadonlyMap<object, object>): void {
  const list = noted.pop() ?? [];
  const madeList = madeInside.pop() ?? null;
  const keptList = keptOutside.pop() ?? null;
  const fields = madeFields.pop() ?? null;
  // (handed to the enclosing differentiation, which the instances were made in too)
  if (madeList !== null) handToEnclosing(madeInside, madeList);
  if (keptList !== null) handToEnclosing(keptOutside, keptList);
  if (fields !== null) handToEnclosing(madeFields, fields);
  // (a compileGradient recording's: where f kept an argument in a variable, a `#private` member or a
  // WeakMap entry, the caller's object is left there, not the recording's copy, as in a container)
  const settle = (v: unknown): unknown => outwardOf(v, copiesOf);
  const privates = notedPrivates.pop() ?? null;
  if (privates !== null) settlePrivates(privates, settle);
  const weak = notedWeak.pop() ?? null;
  if (weak !== null) settleWeak(weak, settle);
  const variables = notedVariables.pop() ?? null;
  if (variables !== null) settleVariables(variables, settle);
  if (list.length === 0 && fields === null) return;
  const copies = copiesOf?.(); // (made only when f stored into something)
  // (a frozen instance f made and kept nowhere: see `madeInside`; the Sets are made when one is asked about)
  let made: Set<object> | null = null;
  let kept: Set<object> | null = null;
  const letGo =
    madeList === null ? undefined : (o: object) => Object.isFrozen(o) && (made ??= new Set(madeList)).has(o) && !(kept ??= new Set(keptList ?? [])).has(o);
  // (`seen` also skips a container noted twice)
  const seen = new Set<object>();
  // (the closing differentiation's stand-ins were written back; an enclosing one's is data its f still uses, cleaned as any)
  for (const container of list) {
    if (seen.has(container) || finishedStandIn(container) !== undefined || copies?.has(container) === true) continue;
    const left = cleanDeep(container, seen, copies, letGo);
    // (a frozen record or array f wrote into, then froze: its holders, which the clean-up does not
    // know, keep it with its traced numbers, where nothing was said: `cfg.k = x; Object.freeze(cfg)`)
    if (left !== container && frozenHeld === null && frozenCopies.get(container) === left) frozenHeld = placeIn(container, left);
  }
  if (fields !== null) settleMadeFields(fields, seen, copies, keptList, letGo);
  const enclosing = noted[noted.length - 1];
  // (not this differentiation's stand-ins, written back now: the enclosing one would no longer
  // know them as stand-ins, and cleaned one as data — a frozen argument's, where f's write was
  // ignored — and said f had left traced numbers in a frozen object)
  if (enclosing !== undefined) for (const container of new Set(list)) if (finishedStandIn(container) === undefined) enclosing.push(container); // (not a spread: it may be long)
}

/**
 * Settles each field a constructor gave an object value (see `madeFields`): a traced number
 * is replaced by its value outside the call, any other object is cleaned as a container's
 * values are (walked, or replaced: a stand-in by its original). An instance without the field
 * the rewrite named is walked as a container (`letGo` as for one).
 */
function settleMadeFields(fields: unknown[], seen: Set<object>, copies: ReadonlyMap<object, object> | undefined, keptList: readonly object[] | null, letGo: ((o: object) => boolean) | undefined): void {
  let kept: Set<object> | null = null;
  for (let i = 0; i < fields.length; i += 2) {
    const o = fields[i] as object;
    const key = fields[i + 1] as string | number;
    let d: PropertyDescriptor | undefined;
    try {
      d = Object.getOwnPropertyDescriptor(o, key);
    } catch {
      continue; // (a revoked Proxy the constructor's `this` was: see `holdsNothingToClean`)
    }
    if (d === undefined) {
      // A minifier run after the rewrite renamed the field (esbuild's `mangleProps`, terser's
      // `mangle.properties`), not the name the rewrite wrote as text: a traced number it held stayed
      // in the instance after the call (`this.m_ = m` kept by a closure), where the plain run has a number.
      cleanDeep(o, seen, copies, letGo);
      continue;
    }
    if (!('value' in d)) continue;
    const v: unknown = d.value;
    if (typeof v !== 'object' || v === null) continue;
    const r = isTraced(v) ? settled(live(v)) : cleanDeep(v, seen, copies);
    if (!replaces(r, v)) continue;
    if (d.writable) (o as Record<PropertyKey, unknown>)[key] = r;
    else if (d.configurable) Object.defineProperty(o, key, { ...d, value: r });
    // (a frozen instance f made and let go, `Object.freeze(this)`, holds what no one reads: see `madeInside`)
    else if (!Object.isFrozen(o) || (kept ??= new Set(keptList ?? [])).has(o)) noteLocked(o, key);
  }
}

/**
 * Leaves each noted `#private` member holding its value outside the call (what it holds
 * now: f may have stored a number over the traced value since). Inside a nested
 * differentiation the value left may be traced on the enclosing tape: the enclosing one
 * is handed the members too.
 */
function settlePrivates(privates: unknown[], settle: (v: unknown) => unknown): void {
  for (let i = 0; i < privates.length; i += 3) (privates[i + 2] as PrivateUpdate)(privates[i], settle);
  handToEnclosing(notedPrivates, privates);
}

/** Hands what a closing differentiation noted to the enclosing one (the innermost list of `lists`), if any is open. */
function handToEnclosing<T>(lists: (T[] | null)[], items: readonly T[]): void {
  const depth = lists.length;
  if (depth === 0) return;
  const enclosing = (lists[depth - 1] ??= []);
  for (const x of items) enclosing.push(x); // (not a spread: it may be long)
}

/** Leaves each noted WeakMap entry holding its value outside the call; an enclosing differentiation is handed them too. */
function settleWeak(entries: object[], settle: (v: unknown) => unknown): void {
  for (let i = 0; i < entries.length; i += 2) {
    const map = entries[i]!;
    const key = entries[i + 1]!;
    if (!weakHas.call(map, key)) continue;
    const v: unknown = weakGet.call(map, key);
    const r = settle(v);
    if (r !== v) weakSet.call(map, key, r);
  }
  handToEnclosing(notedWeak, entries);
}

/** Leaves each noted variable holding its value outside the call; an enclosing differentiation is handed them too (as `#private` members). */
function settleVariables(updates: VariableUpdate[], settle: (v: unknown) => unknown): void {
  for (const update of updates) update(settle);
  handToEnclosing(notedVariables, updates);
}

/**
 * `v` with each compileGradient copy in it (itself, or one held anywhere inside an object f
 * made) replaced by the caller's object it copies (`copies`: copy → original).
 */
export function withOriginals(v: unknown, copies: ReadonlyMap<object, object>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const original = copies.get(v);
  if (original !== undefined) return original;
  return cleanDeep(v, new Set(), copies);
}

/** The value to leave in user data for `v` once this differentiation has closed. */
/**
 * `v` as the caller may hold it (`outward`); with `copiesOf` (compileGradient's recording), each
 * copy of an argument in it replaced by the caller's object it copies.
 */
export function outwardOf(v: unknown, copiesOf?: () => ReadonlyMap<object, object>): unknown {
  return copiesOf === undefined ? outward(v) : withOriginals(outward(v), copiesOf());
}

export function outward(v: unknown): unknown {
  if (isTraced(v)) return settled(live(v));
  if (isNDArray(v)) return liveArray(v);
  if (typeof v !== 'object' || v === null) return v;
  const node = finishedStandIn(v);
  if (node !== undefined) return node.original;
  const typed = outwardTyped(v);
  if (typed !== undefined) return typed;
  return cleanDeep(v, new Set());
}

/**
 * The node of a stand-in of a differentiation that has finished (the one closing): outside
 * it, its original is what it stood for. A stand-in of an enclosing differentiation, still
 * running, stays what that f sees (put back as the caller's object, its f would read and
 * write the caller's object from then on: constants, and writes its stand-in does not see);
 * it is cleaned inside as any data is.
 */
function finishedStandIn(v: object): Node | undefined {
  const node = standInNode(v);
  return node !== undefined && !node.wrapping.open ? node : undefined;
}

// A value left by compileGradient's recording holds a symbolic number: leave its number.
const settled = (v: unknown): unknown => (isSymbolic(v) ? v.value : v);

/**
 * An object that can no longer be read holds nothing anyone can reach. That is what f's
 * stores into an immer draft leave noted: `produce` revokes its drafts when the recipe
 * returns (a draft record or array is a revoked Proxy, on which every operation throws; a
 * draft Map or Set throws on any use), and what f stored through a draft lives on in the
 * state `produce` returned, not in it.
 */
function holdsNothingToClean(o: object): boolean {
  // A module namespace (`import * as lib`, whose `lib.fn(xs)` notes it as a receiver): its
  // properties are the module's bindings, which no store can write (assigning one throws)
  // and which the rewrite of module-level writes already follows.
  try {
    if (isModuleNamespace(o)) return true;
    if (o instanceof Map || o instanceof Set) void o.size;
    else Object.isFrozen(o);
    return false;
  } catch {
    return true;
  }
}

const isModuleNamespace = (o: object): boolean =>
  Object.getPrototypeOf(o) === null && !Object.isExtensible(o) && (o as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';

/**
 * A frozen plain record or array, which the clean-up cannot write: f may have made it
 * holding traced values (`Object.freeze({ y: x * 2 })`, the state immer's `produce`
 * returns), so it is given a copy holding what it should hold (see `cleanDeep`). Not a
 * class's instance: a copy would have none of its `#private` members, nor its identity.
 * (A frozen Map's or Set's entries can still be changed: they are cleaned in place.)
 */
function isFrozenData(o: object): boolean {
  try {
    if (!Object.isFrozen(o)) return false;
    const proto = Object.getPrototypeOf(o) as object | null;
    if (Array.isArray(o)) return proto === Array.prototype;
    return proto === Object.prototype || proto === null || isImmerable(o);
  } catch {
    return false; // (a revoked draft)
  }
}

/** immer's mark of a class whose instances it copies (`[immerable] = true`, on the instance or its class). */
const IMMERABLE = Symbol.for('immer-draftable');

/**
 * An instance of a class marked `[immerable]`: immer copies such instances itself (a new object
 * of the prototype with the same own fields), so the clean-up may give the state `produce`
 * returned a copy as it does a record (its traced number was left in, with a warning).
 */
function isImmerable(o: object): boolean {
  // (immer's own test, isDraftable: the mark read as a truth value)
  const record = o as Record<symbol, unknown> & { constructor?: unknown };
  if (record[IMMERABLE]) return true;
  const made = record.constructor;
  return typeof made === 'function' && Boolean((made as unknown as Record<symbol, unknown>)[IMMERABLE]);
}

/**
 * The first place the clean-up could not write a value it had to replace (a frozen class
 * instance f made holding a traced number, a read-only field it defined): there, a traced
 * value or a stand-in stays. Taken, and said, by the caller of `endStores` (`takeLocked`).
 */
let locked: string | null = null;
/** Objects said once (a later clean-up walking a log that holds one would say it again at each call). */
const lockedSaid = new WeakSet<object>();

function noteLocked(o: object, key: PropertyKey): void {
  if (lockedSaid.has(o)) return;
  lockedSaid.add(o);
  if (locked !== null) return;
  const name = typeof o === 'function' ? o.name : (o as { constructor?: { name?: unknown } }).constructor?.name;
  const owner = typeof name === 'string' && name !== '' && name !== 'Object' && name !== 'Array' ? `a ${name}` : Array.isArray(o) ? 'an array' : 'an object';
  locked = `${placeOfKey(o, key)} of ${owner}`;
}

/**
 * The first frozen record or array noted as written that the clean-up could only copy (see
 * `endStores`): where f may have left a traced number in data its caller holds (or in one f made
 * and let go, which no one holds: it is said as a suspicion, not stopped at). Taken by
 * `takeFrozenHeld`.
 */
let frozenHeld: string | null = null;

/** Where the first key of `o` whose value its copy `copy` replaced is, for messages. */
function placeIn(o: object, copy: object): string {
  const key = ownKeys(o).find((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return d !== undefined && 'value' in d && !Object.is(d.value, (copy as Record<PropertyKey, unknown>)[k]);
  });
  return `${key === undefined ? '' : placeOfKey(o, key)} of ${Array.isArray(o) ? 'an array' : 'an object'}`;
}

/** `key` of `o` as a message writes it: `[2]`, `[Symbol(s)]`, `.name`. */
function placeOfKey(o: object, key: PropertyKey): string {
  return Array.isArray(o) ? `[${String(key)}]` : typeof key === 'symbol' ? `[${key.toString()}]` : `.${key}`;
}

/** Where a frozen record or array written by f was left holding a traced number (null: nowhere); forgets it. */
export function takeFrozenHeld(): string | null {
  const place = frozenHeld;
  frozenHeld = null;
  return place;
}

/** Where the clean-up just ended left a traced value or a stand-in it could not replace (null: nowhere); forgets it. */
export function takeLocked(): string | null {
  const place = locked;
  locked = null;
  return place;
}

/**
 * Each frozen record or array the clean-up copied → its copy (`cleanDeep`), so that one
 * reached again (from another container, a variable, a later clean-up) is given the same
 * copy. Weak: the frozen original holds values of a closed tape, and is garbage once no
 * one holds it.
 */
const frozenCopies = new WeakMap<object, object>();

/**
 * Frozen records and arrays found holding nothing to replace all the way down (numbers,
 * text, functions, and frozen data so found): nothing inside them can change, so a later
 * clean-up does not walk them again (a large frozen state that f's stores only reach).
 */
const frozenClean = new WeakSet<object>();

/** Puts `value` in the read-only data property `key` of `o`, keeping its attributes, where it can be redefined; else says the place. */
function redefineValue(o: object, key: PropertyKey, value: unknown, quiet: boolean): void {
  const d = Object.getOwnPropertyDescriptor(o, key);
  if (d !== undefined && 'value' in d && d.configurable === true && Reflect.defineProperty(o, key, { ...d, value })) return;
  if (!quiet) noteLocked(o, key);
}

/** Prototypes that hold only the built-ins' methods: the clean-up does not walk them (see `cleanDeep`). */
const BUILTIN_PROTOTYPES: ReadonlySet<object> = new Set<object>([Object.prototype, Array.prototype, Function.prototype, Map.prototype, Set.prototype]);

/** `Reflect.ownKeys(o)`, in another order. */
function ownKeys(o: object): PropertyKey[] {
  const names: PropertyKey[] = Object.getOwnPropertyNames(o);
  const symbols = Object.getOwnPropertySymbols(o);
  return symbols.length === 0 ? names : names.concat(symbols);
}


/**
 * Whether `settled`, what the clean-up settles `held` to, replaces it: not the same value, a
 * NaN being itself (as Object.is has it; `settle` never turns 0 into -0, where they differ).
 * The clean-up compares every field of every object f stored (spring–mass: each vector).
 */
const replaces = (settled: unknown, held: unknown): boolean => settled !== held && (settled === settled || held === held);

/**
 * Replaces, in place, traced values and stand-ins anywhere inside `root`; returns what to
 * leave in place of `root` (itself, or a copy of it where it is frozen data holding some).
 * A frozen record or array that holds such values anywhere inside (which cannot be written)
 * is replaced by a frozen copy holding their replacements, in its holder, which is cleaned
 * so (the same copy wherever it is held: `frozenCopies`); a frozen one reached again
 * through a cycle of frozen objects made in f keeps its traced values.
 */
function cleanDeep(root: object, seen: Set<object>, copies?: ReadonlyMap<object, object>, letGoRoot?: (o: object) => boolean): object {
  const stack: object[] = [];
  let o: object | undefined;
  // Replaces one held value; returns the replacement (or `v` itself) and queues objects.
  // (compared by `replaces`: a NaN held is no replacement, where `!==` took it for one, copied
  // a frozen record holding it and said the global object's NaN could not be written)
  const settle = (v: unknown): unknown => {
    if (isTraced(v)) return settled(live(v));
    if (isNDArray(v)) return liveArray(v);
    if (typeof v !== 'object' || v === null) return v;
    const node = finishedStandIn(v);
    if (node !== undefined) return copies?.get(node.original) ?? node.original;
    const original = copies?.get(v);
    if (original !== undefined) return original;
    const typed = outwardTyped(v);
    if (typed !== undefined) return typed;
    if (seen.has(v)) return frozenCopies.get(v) ?? v;
    if (isFrozenData(v)) return settleFrozen(v);
    stack.push(v);
    return v;
  };
  // A frozen record or array, its values settled first (recursively: frozen data nests as deep as its state).
  const settleFrozen = (o: object): object => {
    const known = frozenCopies.get(o);
    if (known !== undefined) return settle(known) as object; // (copied by an earlier clean-up: a nested one's copy may hold values traced on the tape closing now)
    if (frozenClean.has(o)) return o;
    seen.add(o);
    const fields = ownKeys(o).map((key) => [key, Object.getOwnPropertyDescriptor(o, key)!] as const);
    let replaced = false;
    let clean = true; // (all the way down)
    for (const [, d] of fields) {
      if (!('value' in d)) continue;
      const v: unknown = d.value;
      const r = settle(v);
      if (replaces(r, v)) {
        d.value = r; // (the descriptor is the copy's, below)
        replaced = true;
      } else if (clean && typeof v === 'object' && v !== null && !frozenClean.has(v)) clean = false;
    }
    if (!replaced) {
      if (clean) frozenClean.add(o);
      return o;
    }
    const copy = Array.isArray(o) ? new Array<unknown>(o.length) : (Object.create(Object.getPrototypeOf(o) as object | null) as object);
    for (const [key, d] of fields) if (!(key === 'length' && Array.isArray(o))) Object.defineProperty(copy, key, d);
    frozenCopies.set(o, Object.freeze(copy));
    return copy;
  };
  let keptProto: object | null = null;
  let top = root;
  if (typeof root === 'function') stack.push(root); // (a class's static fields)
  else top = settle(root) as object;
  while ((o = stack.pop()) !== undefined) {
    if (seen.has(o)) continue;
    seen.add(o);
    if (holdsNothingToClean(o)) continue;
    // (a noted container that is a frozen instance f made and let go: what it holds is not said,
    // and another container reaching it later walks it again, and says it: see `madeInside`)
    const quiet = o === root && letGoRoot !== undefined && letGoRoot(o);
    if (quiet) seen.delete(o);
    // (a class's static fields; an Error's own fields: one f threw, or kept, may hold what it computed)
    const kind = typeof o === 'function' || o instanceof Error ? 'record' : kindOf(o);
    if (kind === 'array') {
      const a = o as unknown[];
      const frozen = Object.isFrozen(a); // (an Array subclass's instance: not copied, see `isFrozenData`)
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        const r = settle(v);
        if (!replaces(r, v)) continue;
        if (frozen) {
          if (!quiet) noteLocked(a, i);
        } else {
          try {
            a[i] = r;
          } catch {
            // (an element f made read-only, `Object.defineProperty(a, 0, { value, writable: false })`:
            // the assignment threw, in this strict module, and stopped the clean-up of everything after)
            redefineValue(a, i, r, quiet);
          }
        }
      }
    } else if (kind === 'map') {
      // (Map's own methods: a frozen immer state's Map has its own `set`, which throws)
      // A replaced key is not deleted and set again, which moved its entry to the end (a Map
      // captured by f iterated in another order than plain code leaves it: an LRU cache's
      // oldest entry was another): the entries are put back in their order.
      const m = o as Map<unknown, unknown>;
      const entries = [...Map.prototype.entries.call(m)];
      let rekeyed = false;
      for (let i = 0; i < entries.length; i++) {
        const [k, v] = entries[i]!;
        const rk = settle(k);
        const rv = settle(v);
        if (replaces(rk, k)) rekeyed = true;
        else if (replaces(rv, v)) Map.prototype.set.call(m, k, rv);
        entries[i] = [rk, rv];
      }
      if (rekeyed) {
        Map.prototype.clear.call(m);
        for (const [k, v] of entries) Map.prototype.set.call(m, k, v);
      }
    } else if (kind === 'set') {
      // (in their order too, as a Map's)
      const s = o as Set<unknown>;
      const members = [...Set.prototype.values.call(s)];
      let replaced = false;
      for (let i = 0; i < members.length; i++) {
        const v = members[i];
        const r = settle(v);
        if (replaces(r, v)) replaced = true;
        members[i] = r;
      }
      if (replaced) {
        Set.prototype.clear.call(s);
        for (const v of members) Set.prototype.add.call(s, v);
      }
    }
    // Its prototype, unless a built-in's: one f made holding traced numbers (`Object.create({ v: x * 2 })`,
    // `{ __proto__: defaults }`, `Object.setPrototypeOf(o, { v })`) kept them, read through `o.v`. (A
    // class's prototype is walked once a clean-up: its methods are functions, not walked further.)
    // An argument's stand-in as the prototype (`Object.create(p)`) is replaced by the caller's object.
    // (the last prototype left as it is is not asked about again: an array of a class's instances)
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto !== null && proto !== keptProto && !BUILTIN_PROTOTYPES.has(proto)) {
      const r = settle(proto);
      if (r === proto) keptProto = proto;
      else if (!Reflect.setPrototypeOf(o, r as object) && !quiet) noteLocked(o, '__proto__');
    }
    // A Map's or Set's own fields (a subclass's `total`, a label) and those of built-ins with
    // internal slots (a Date's, a RegExp's, a Promise's, a WeakMap's) kept the traced numbers
    // f stored there. (Not an array's or any typed array's, an integer one's too: listing their
    // keys lists every index, which costs far more than the walk of the elements.)
    if (kind !== 'array' && kind !== 'typed' && !ArrayBuffer.isView(o)) {
      // (names and symbols asked apart: Reflect.ownKeys took 150 ns an object, these 60)
      for (const key of ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        if (d === undefined || !('value' in d)) continue;
        const r = settle(d.value);
        if (replaces(r, d.value)) {
          if (d.writable) (o as Record<PropertyKey, unknown>)[key] = r;
          else redefineValue(o, key, r, quiet);
        }
      }
    }
  }
  return top;
}
