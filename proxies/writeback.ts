// Writing f's changes to a stand-in back into the original, when the call ends.
//
// Plain JavaScript would have mutated the caller's object; zygote-ts mutated the stand-in,
// so each difference between what the node put in the stand-in and what the stand-in
// holds now is written to the original — with numbers for traced values (`outward`), and
// the originals for stand-ins f stored. Frozen originals cannot have changed.

import { notePrivate, noteWrittenBack, outward, privateStored } from './cleanup.js';
import { isTraced, live } from '../lib/core/traced.js';
import { ACCESSOR, isRecordingCopy, Node, pathOf, sealLike, sealOf, standInNode, type Slot } from './standins.js';
import { namedWrites, numbersOf, typedStandIn, wasWritten } from './typed-arrays.js';

const hasOwn = (o: object, k: PropertyKey) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Puts the value f left under an own data property of the original. A read-only field f
 * redefined (`Object.defineProperty(p, 'x', { value: 12 })`, allowed where it is configurable)
 * refuses an assignment: it is defined instead, as f's redefinition did (assigned only, the
 * caller's object kept its old number), with the attributes f left.
 */
function putValue(o: object, key: PropertyKey, v: unknown, now: PropertyDescriptor): void {
  if (!Reflect.set(o, key, v)) Reflect.defineProperty(o, key, { ...now, value: v });
}

/**
 * Where the caller's objects changed while f ran by a way other than f's argument (a variable
 * of a closure or module holding the same object: `origin.x = 5` beside `ps[0]`), first place;
 * f's argument is a copy, which did not see the change (see `takeChangedElsewhere`).
 */
let changedElsewhere: string | null = null;

/** Where the write-backs just ended found an original changed other than through its stand-in (null: nowhere); forgets it. */
export function takeChangedElsewhere(): string | null {
  const place = changedElsewhere;
  changedElsewhere = null;
  return place;
}

const UNKNOWN = Symbol('unknown');

/**
 * What the original held under an entry when the stand-in was made (`slot` and `placed`: the
 * entry's): a number input's own value, a stand-in's original, or the value itself.
 */
function heldAtWrap(slot: Slot, placed: unknown): unknown {
  if (slot instanceof Node) return slot.original;
  if (slot === null) return placed;
  return isTraced(placed) ? placed.tracedValue : UNKNOWN; // (an NDArray's input: not compared)
}

/** Whether `now`, what the original holds, is what it held when its stand-in was made. */
function stillHeld(now: unknown, slot: Slot, placed: unknown): boolean {
  const held = heldAtWrap(slot, placed);
  return held === UNKNOWN || Object.is(now, held) || (isTraced(now) && Object.is(live(now), held));
}

/** Notes the first place changed elsewhere: `key` of `node`. */
function noteChangedElsewhere(node: Node, key: unknown): void {
  changedElsewhere ??= pathOf(node, key);
}

/** Notes the first place changed elsewhere: `node`'s object itself, whose `what` (its length, its size) changed. */
function noteResizedElsewhere(node: Node, what: string): void {
  changedElsewhere ??= `${pathOf(node.parent, node.keyInParent)} (its ${what})`;
}

/**
 * Before `node`'s write-back, notes (the first place only) where its original no longer holds
 * what its stand-in was made from: its size (`sizeNow` against `sizeThen`, said as `what`), else
 * the first entry `stillThere` says changed (by its key; a Set's, as its `what`).
 */
function checkHeld(node: Node, sizeNow: number, sizeThen: number, what: string, stillThere: (i: number) => boolean, byKey = true): void {
  if (changedElsewhere !== null) return;
  if (sizeNow !== sizeThen) return noteResizedElsewhere(node, what);
  const e = node.entries;
  for (let i = 0; i < e.length; i += 3) {
    if (!stillThere(i)) return byKey ? noteChangedElsewhere(node, e[i]) : noteResizedElsewhere(node, what);
  }
}

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get! as (this: Map<unknown, unknown>) => number;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get! as (this: Set<unknown>) => number;

export function writeBack(node: Node): void {
  const { original } = node;
  // (a frozen record or array cannot have changed; a frozen Map's or Set's entries, and any object's #private members, can)
  const frozen = Object.isFrozen(original);
  if (frozen && node.kind !== 'map' && node.kind !== 'set') {
    if (node.privates !== null) writeBackPrivates(node, original);
    return;
  }
  switch (node.kind) {
    case 'record':
      writeBackRecord(node, node.standIn as Record<PropertyKey, unknown>, original as Record<PropertyKey, unknown>);
      break;
    case 'array':
      writeBackArray(node, node.standIn as unknown[], original as unknown[]);
      if (node.named !== null) writeBackArrayNamed(node.named, node.standIn, original);
      break;
    case 'map':
      writeBackMap(node, node.standIn as Map<unknown, unknown>, original as Map<unknown, unknown>);
      writeBackOwnProperties(node, node.standIn, original);
      break;
    case 'set':
      writeBackSet(node, node.standIn as Set<unknown>, original as Set<unknown>);
      writeBackOwnProperties(node, node.standIn, original);
      break;
    case 'typed':
      // (its stand-in keeps the numbers f wrote in a typed array of its own)
      if (wasWritten(node.standIn)) writeBackTyped(node.standIn as Float64Array, original as Float64Array);
      writeBackNamed(node.standIn, original);
      break;
  }
  if (node.privates !== null) writeBackPrivates(node, original);
  if (node.kind !== 'typed' && !frozen) writeBackShape(node.standIn, original);
  noteWrittenBack(original);
}

/** What f did to a Map's or Set's own properties (copied as they were: see `copyOwnProperties`). */
function writeBackOwnProperties(node: Node, s: object, o: object): void {
  const keys = Reflect.ownKeys(s);
  const named = node.named;
  if (keys.length === 0 && named === null) return;
  const was = new Map<unknown, unknown>();
  if (named !== null) {
    for (let i = 0; i < named.length; i += 2) {
      was.set(named[i], named[i + 1]);
      if (!hasOwn(s, named[i] as PropertyKey)) Reflect.deleteProperty(o, named[i] as PropertyKey);
    }
  }
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(s, key)!;
    if (!('value' in d)) {
      if (!hasOwn(o, key)) Reflect.defineProperty(o, key, d);
      continue;
    }
    if (was.has(key) && was.get(key) === d.value) continue;
    if (hasOwn(o, key)) putValue(o, key, outward(d.value), d);
    else Reflect.defineProperty(o, key, { ...d, value: outward(d.value) });
  }
}

/**
 * What f did to the named and Symbol-keyed properties an array had when f received it
 * (`a.label = 'b'`, `delete a.label`). One f adds is not seen: that would take a list of
 * the array's keys, index by index, on every call.
 */
function writeBackArrayNamed(named: unknown[], s: object, o: object): void {
  for (let i = 0; i < named.length; i += 2) {
    const key = named[i] as PropertyKey;
    const d = Object.getOwnPropertyDescriptor(s, key);
    if (d === undefined) Reflect.deleteProperty(o, key);
    else if (named[i + 1] === ACCESSOR) writeBackAccessor(s, o, key);
    else if ('value' in d && d.value !== named[i + 1]) putValue(o, key, outward(d.value), d);
  }
}

/**
 * The numbers f left in a typed array. In nested differentiation the original is the
 * enclosing differentiation's stand-in: it is given what f wrote as traced there (its
 * numbers alone would cut the enclosing derivative: `w[1] = w[1] * 5` inside gave null
 * for `v[1] * 3` outside, where it is 15); elements f did not write are left alone.
 */
function writeBackTyped(s: Float64Array, o: Float64Array): void {
  const inner = typedStandIn(s)!;
  if (typedStandIn(o) === undefined) return o.set(numbersOf(s));
  for (let i = 0; i < inner.length; i++) {
    const e = inner.recordedElement(i);
    if ('value' in e) o[i] = outward(e.value) as number;
  }
}

/** Named properties f set or deleted on a typed array (`v.label = 'b'`): as plain JavaScript leaves them. */
function writeBackNamed(s: object, o: object): void {
  const writes = namedWrites(s);
  if (writes === null) return;
  for (const key of writes.keys) {
    const d = Reflect.getOwnPropertyDescriptor(writes.holder, key);
    if (d === undefined) Reflect.deleteProperty(o, key);
    else Reflect.defineProperty(o, key, 'value' in d ? { ...d, value: outward(d.value) } : d);
  }
}

/**
 * What f did to the object itself rather than to its keys: `Object.setPrototypeOf(p, …)`,
 * and locking it (`Object.freeze(p)`, `seal`, `preventExtensions`), last, after the values
 * (the stand-in starts with its original's prototype and lock: the common case is two reads).
 */
function writeBackShape(s: object, o: object): void {
  const proto = Object.getPrototypeOf(s) as object | null;
  if (proto !== Object.getPrototypeOf(o)) Reflect.setPrototypeOf(o, outward(proto) as object | null);
  if (Object.isExtensible(s)) return; // (f cannot unlock an object)
  const seal = sealOf(s);
  if (seal !== sealOf(o)) sealLike(o, seal);
}

function writeBackPrivates(node: Node, original: object): void {
  // (a compileGradient recording's copy has no #private members: the recording then has f differentiated eagerly)
  if (![...node.privates!.values()].some((member) => member.write !== null) || isRecordingCopy(original)) return;
  // (nested: the enclosing differentiation's stand-in records the write, as f's own would be)
  const enclosing = standInNode(original);
  for (const [key, member] of node.privates!) {
    if (member.write === null) continue;
    const value = outward(member.value);
    if (enclosing !== undefined) enclosing.writePrivate(key, value, member.write);
    else {
      member.write(original, () => value);
      // (a number an enclosing differentiation traces, as a store in its rewritten code would
      // leave it: noted for that one's clean-up, which left it in the caller's object)
      if (typeof value === 'object' && value !== null && privateStored(original, key, value)) notePrivate(original, key, value, member.write);
    }
  }
}

function writeBackRecord(node: Node, s: Record<PropertyKey, unknown>, o: Record<PropertyKey, unknown>): void {
  const e = node.entries;
  let kept = true;
  let written = false;
  for (let i = 0; i < e.length; i += 3) {
    const key = e[i] as string;
    // (a read, not a descriptor, for speed: the key held data when f began, so only a change
    // made elsewhere can have put a getter there)
    if (changedElsewhere === null && !stillHeld(o[key], e[i + 1] as Slot, e[i + 2])) noteChangedElsewhere(node, key);
    // (its descriptor, not a read: a getter f defined there must not run)
    const d = Object.getOwnPropertyDescriptor(s, key);
    if (d === undefined) {
      Reflect.deleteProperty(o, key);
      kept = false;
    } else if (!(d.writable && d.enumerable && d.configurable) && redefinedLike(d, o, key, e[i + 2])) {
      written = true;
    } else if (d.value !== e[i + 2]) {
      putValue(o, key, outward(d.value), d);
      written = true;
    }
  }
  // (the original's own getters and setters, copied as they are, are not among the entries)
  if ((3 * node.ownCount !== e.length || node.symbolCount > 0) && writeBackAccessors(s, o, node.symbolCount > 0)) written = true;
  // Keys f added (the common case, none, is told by the counts alone); also what f did
  // under Symbol keys (copied as they are, so not among the entries).
  const names = Object.getOwnPropertyNames(s);
  if (kept && names.length === node.ownCount && Object.getOwnPropertySymbols(s).length === 0 && node.symbolCount === 0) {
    // (`delete p.a; p.a = v` moved a key last, also when v is the value it had; a key f only rewrote stays)
    if (written || !inEntryOrder(names, e)) orderLike(s, o);
    return;
  }
  const held = new Set<unknown>();
  for (let i = 0; i < e.length; i += 3) held.add(e[i]);
  for (const key of Reflect.ownKeys(o)) if (!held.has(key) && !hasOwn(s, key)) Reflect.deleteProperty(o, key);
  for (const key of Reflect.ownKeys(s)) {
    if (held.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(s, key)!;
    if (hasOwn(o, key)) {
      // (a Symbol key's value f replaced; an accessor or a key f did not touch is the same)
      const was = Object.getOwnPropertyDescriptor(o, key)!;
      if (!('value' in d) || !('value' in was) || d.value === was.value) continue;
      putValue(o, key, outward(d.value), d);
      continue;
    }
    if ('value' in d) d.value = outward(d.value);
    Reflect.defineProperty(o, key, d);
  }
  orderLike(s, o);
}

/**
 * What f did to the original's own getters and setters, which its stand-in was given as they
 * are: one f redefined (`Object.defineProperty(p, 'a', { value: 40 })`, or another getter) is
 * defined so on the original (the caller kept its getter, and read 20 where plain JavaScript
 * left 40). One f deleted is deleted with the keys f deleted. Whether anything was written.
 */
function writeBackAccessors(s: object, o: object, symbols: boolean): boolean {
  let written = false;
  for (const key of symbols ? Reflect.ownKeys(o) : Object.getOwnPropertyNames(o)) if (writeBackAccessor(s, o, key)) written = true;
  return written;
}

/** `key` of the original, where it is a getter or setter that f redefined on the stand-in: defined as f left it. Whether it was. */
function writeBackAccessor(s: object, o: object, key: PropertyKey): boolean {
  const was = Object.getOwnPropertyDescriptor(o, key);
  if (was === undefined || 'value' in was) return false;
  const d = Object.getOwnPropertyDescriptor(s, key);
  if (d === undefined || (d.get === was.get && d.set === was.set && d.enumerable === was.enumerable && d.configurable === was.configurable)) return false;
  if ('value' in d) d.value = outward(d.value);
  return Reflect.defineProperty(o, key, d);
}

/**
 * A key of the stand-in that is not an ordinary field (read-only, hidden, locked, a getter):
 * where f made it so (`Object.defineProperty(p, 'x', { enumerable: false })`, or a getter in
 * place of the field), it is defined so on the original too, with the number f left or the
 * original's own (`held`: what the stand-in held there). False where the attributes are the
 * original's: then only the value can have changed.
 */
function redefinedLike(d: PropertyDescriptor, o: object, key: string, held: unknown): boolean {
  const was = Object.getOwnPropertyDescriptor(o, key);
  if (was === undefined || ('value' in d && d.writable === was.writable && d.enumerable === was.enumerable && d.configurable === was.configurable)) return false;
  Reflect.defineProperty(o, key, 'value' in d ? { ...d, value: d.value === held ? was.value : outward(d.value) } : d);
  return true;
}

/** Whether the stand-in's own keys are its entries' keys in their order (`e`: key, …, … per entry). */
function inEntryOrder(names: readonly string[], e: readonly unknown[]): boolean {
  if (3 * names.length !== e.length) return false;
  for (let k = 0; k < names.length; k++) if (names[k] !== e[3 * k]) return false;
  return true;
}

/** Puts `o`'s string keys in `s`'s order, which f changed by deleting a key and adding it again (as far as they can be deleted). */
export function orderLike(s: object, o: object): void {
  orderAs(Object.getOwnPropertyNames(o), Object.getOwnPropertyNames(s), (key) => {
    const d = Object.getOwnPropertyDescriptor(o, key as string);
    if (d === undefined || !d.configurable) return;
    Reflect.deleteProperty(o, key as string);
    Reflect.defineProperty(o, key as string, d);
  });
}

function writeBackArray(node: Node, s: unknown[], o: unknown[]): void {
  const e = node.entries;
  const n = s.length;
  checkHeld(node, o.length, node.length, 'length', (i) => stillHeld(o[e[i] as number], e[i + 1] as Slot, e[i + 2]));
  // Unchanged in place is the common case: compare in one pass before anything else.
  if (n === node.length && e.length === 3 * n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (s[i] !== e[3 * i + 2]) {
        same = false;
        break;
      }
    }
    if (same) return;
  }
  const was = new Array<unknown>(Math.max(node.length, n)).fill(HOLE);
  for (let i = 0; i < e.length; i += 3) was[e[i] as number] = e[i + 2];
  // (a read-only length, or an element that cannot be deleted below the new length, where the
  // array is not frozen or sealed as a whole: f's copy took the change, silently refused here)
  if (o.length !== n && !Reflect.set(o, 'length', n)) throw lockedLength(pathOf(node.parent, node.keyInParent), o, n);
  let i = 0;
  try {
    for (; i < n; i++) {
      if (!(i in s)) {
        if (i in o) delete o[i];
      } else if (s[i] !== was[i]) {
        o[i] = outward(s[i]);
      }
    }
  } catch (error) {
    throw lockedElement(pathOf(node, i), o, i, error);
  }
}

/**
 * A write-back refused by an element the caller locked alone (`Object.defineProperty(a, 0,
 * { writable: false })`, a getter), at `path` (compileGradient's first call writes its copy
 * back too: lib/compile/arguments.ts). The stand-in is an ordinary array (seeing such elements
 * would cost a descriptor per element on every call), so f's write there went through where
 * plain JavaScript refuses it: said, naming the place, rather than JavaScript's own error.
 */
export function lockedElement(path: string, o: unknown[], i: number, error: unknown): unknown {
  const d = Object.getOwnPropertyDescriptor(o, i);
  if (d === undefined || ('value' in d && d.writable && d.configurable)) return error;
  return new TypeError(
    `zygote-ts: ${path} is ${'value' in d ? (d.writable ? 'a fixed' : 'a read-only') : 'a getter'} element of an array that is not frozen or sealed as a whole: ` +
      "f's copy of the array took a write there that plain JavaScript refuses (or f redefined the element), and it cannot be followed. " +
      'Freeze the whole array (Object.freeze), or make its elements writable.',
  );
}

/**
 * A write-back of a length `n` that `o` refuses: its length is read-only (`Object.defineProperty(a,
 * 'length', { writable: false })`), or an element at or above `n` cannot be deleted, the array not
 * frozen or sealed as a whole. f's copy of it is an ordinary array, so f's push, pop, splice or
 * `a.length = k` went through where plain JavaScript refuses it: said, naming the place.
 */
function lockedLength(path: string, o: unknown[], n: number): TypeError {
  const length = Object.getOwnPropertyDescriptor(o, 'length');
  const what = length?.writable === false ? 'a read-only length' : `an element at or above ${n} that cannot be deleted`;
  return new TypeError(
    `zygote-ts: ${path} is an array with ${what}, not frozen or sealed as a whole: f's copy of the array changed its length ` +
      `to ${n}, which plain JavaScript refuses there, and it cannot be followed. Freeze the whole array (Object.freeze), or make its length writable and its elements configurable.`,
  );
}

const HOLE = Symbol('hole');

function writeBackMap(node: Node, s: Map<unknown, unknown>, o: Map<unknown, unknown>): void {
  const e = node.entries;
  const keys = node.keyStandIns; // (the stand-in holds the stand-in of a key object reached otherwise)
  const held = (i: number): unknown => (keys === null ? e[i] : (keys.get(e[i] as object) ?? e[i]));
  checkHeld(node, mapSize.call(o), e.length / 3, 'size', (i) => {
    const now = Map.prototype.get.call(o, e[i]);
    return (now !== undefined || Map.prototype.has.call(o, e[i])) && stillHeld(now, e[i + 1] as Slot, e[i + 2]);
  });
  // The same keys in the same order is the common case, told in one pass.
  let same = s.size === e.length / 3;
  if (same) {
    let i = 0;
    for (const k of s.keys()) {
      if (k !== held(i)) {
        same = false;
        break;
      }
      i += 3;
    }
  }
  for (let i = 0; i < e.length; i += 3) {
    const k = held(i);
    if (!s.has(k)) Map.prototype.delete.call(o, e[i]);
    else if (s.get(k) !== e[i + 2]) Map.prototype.set.call(o, e[i], outward(s.get(k)));
  }
  if (same) return;
  // Keys f added, then the order f left (a key deleted and set again went last).
  const originalKey = new Map<unknown, unknown>();
  for (let i = 0; i < e.length; i += 3) originalKey.set(held(i), e[i]);
  const want: unknown[] = [];
  for (const [k, v] of s) {
    const key = originalKey.has(k) ? originalKey.get(k) : outward(k);
    want.push(key);
    if (!Map.prototype.has.call(o, key)) Map.prototype.set.call(o, key, outward(v));
  }
  orderAs([...Map.prototype.keys.call(o)], want, (key) => {
    const v = Map.prototype.get.call(o, key);
    Map.prototype.delete.call(o, key);
    Map.prototype.set.call(o, key, v);
  });
}

function writeBackSet(node: Node, s: Set<unknown>, o: Set<unknown>): void {
  const e = node.entries;
  checkHeld(node, setSize.call(o), e.length / 3, 'members', (i) => Set.prototype.has.call(o, e[i]), false);
  if (s.size === e.length / 3) {
    let i = 0;
    for (const m of s) {
      if (m !== e[i + 2]) break;
      i += 3;
    }
    if (i === e.length) return; // (unchanged, in order)
  }
  const originalMember = new Map<unknown, unknown>();
  for (let i = 0; i < e.length; i += 3) {
    originalMember.set(e[i + 2], e[i]);
    if (!s.has(e[i + 2])) Set.prototype.delete.call(o, e[i]);
  }
  // Members f added, then the order f left (a member deleted and added again went last).
  const want: unknown[] = [];
  for (const m of s) {
    const member = originalMember.has(m) ? originalMember.get(m) : outward(m);
    want.push(member);
    if (!Set.prototype.has.call(o, member)) Set.prototype.add.call(o, member);
  }
  orderAs([...Set.prototype.values.call(o)], want, (member) => {
    Set.prototype.delete.call(o, member);
    Set.prototype.add.call(o, member);
  });
}

/**
 * Puts the keys `have` lists (the same keys as `want`) in `want`'s order by moving keys last,
 * as few as plain JavaScript moved: the longest start of `want` already in order stays (a
 * caller iterating the collection then sees what it would have seen).
 */
function orderAs(have: unknown[], want: unknown[], moveLast: (key: unknown) => void): void {
  let i = 0;
  for (let j = 0; j < have.length && i < want.length; j++) if (have[j] === want[i]) i++;
  for (; i < want.length; i++) moveLast(want[i]);
}
