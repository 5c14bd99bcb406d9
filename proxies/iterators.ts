// An Array or Map iterator passed beside what it iterates (`gradient(f, xs, xs.values())`).
//
// A built-in iterator keeps its target in an internal slot: passed as it is (kinds.ts), it
// reads the caller's array, while f reads the stand-in elsewhere, so what it yields were
// constants: gradient((xs, it) => { let s = 0; for (const v of it) s += v * v; return s }, [2, 3],
// xs.values()) gave [[0, 0], null] where it is [[4, 6], null], without a word.
//
// The iterator keeps its identity and its place: while f runs it gets an own `next` (deleted
// when f ends) that moves the caller's iterator on as its own `next` would, and hands out
// the stand-in's element where the caller's was. Its target and place are found at its first
// step: the arguments' arrays, typed arrays and Maps hold marks (numbers no program holds)
// while the iterator reads one; each is restored at once. An iterator over anything else
// (an array f reads through a closure) is given back its own `next` at that first step.

import type { Node } from './standins.js';
import { LIVE_ITERATOR } from './typed-arrays.js';

export const ARRAY_ITERATOR = Object.getPrototypeOf([][Symbol.iterator]()) as { next(): IteratorResult<unknown> };
export const MAP_ITERATOR = Object.getPrototypeOf(new Map()[Symbol.iterator]()) as { next(): IteratorResult<unknown> };
export const SET_ITERATOR = Object.getPrototypeOf(new Set()[Symbol.iterator]()) as object;
const nativeArrayNext = ARRAY_ITERATOR.next;
const nativeMapNext = MAP_ITERATOR.next;

/** The own `next` each followed iterator has while f runs. */
const followingNexts = new WeakMap<object, Function>();

/**
 * The own `next` of a followed iterator where rewritten code calls the built-in `next` on it
 * through `call`, `apply` or `Reflect.apply` (`ArrayIteratorPrototype.next.call(it)`), which the
 * own one is for; else undefined. (Called so, the built-in read the caller's array: the elements
 * were constants, `[null, null]` where it is `[[4, 6, 8], null]`, and an own `next` called after
 * it handed out the wrong element.)
 */
export function followingNext(fn: unknown, receiver: unknown): Function | undefined {
  if (!((fn === nativeArrayNext || fn === nativeMapNext) && typeof receiver === 'object' && receiver !== null)) return undefined;
  // (a typed-array stand-in's iterator, which reads its elements at each step, is no built-in one: its own `next`)
  return followingNexts.get(receiver) ?? (fn === nativeArrayNext && Object.getPrototypeOf(receiver) === LIVE_ITERATOR ? (LIVE_ITERATOR as { next: Function }).next : undefined);
}

/** Whether `o` is an Array iterator (of an array or typed array) or a Map iterator, which can be followed. */
export function isFollowableIterator(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  return proto === ARRAY_ITERATOR || proto === MAP_ITERATOR;
}

const GENERATOR = Object.getPrototypeOf(function* () {}).prototype as object;

/**
 * Whether `o` is a generator object (`this.it = this.gen()` in a constructor). It is not
 * followed: a suspended generator keeps the `this` and variables it was started with, so it
 * reads the caller's objects, not their stand-ins.
 */
export function isGenerator(o: object): boolean {
  return GENERATOR.isPrototypeOf(o);
}

/** Whether `o` is a Set iterator, which is not followed: its elements are the Set's members. */
export function isSetIterator(o: object): boolean {
  return Object.getPrototypeOf(o) === SET_ITERATOR;
}

/**
 * Why iterator `it` may yield another argument's numbers as constants, where it cannot be
 * followed: a Set iterator beside a Set (marking a Set would reorder it), an Array iterator
 * beside an array that cannot be marked (frozen, sealed, or too long), or an iterator that is
 * itself frozen (no own `next`). Null where it is followed, or iterates no argument.
 */
export function unfollowed(it: object, nodes: Iterable<Node>): string | null {
  // (gradient((s) => s.it.next().value * s.xs[1], s) with `this.it = this.gen()` gave xs [0, 1, 0] where it is [2, 1, 0], without a word)
  if (isGenerator(it)) {
    for (const node of nodes) if (node.original !== it) return 'is a generator, which runs on the `this` and variables it was started with, not on the stand-ins f is given';
    return null;
  }
  const set = isSetIterator(it);
  const isMap = Object.getPrototypeOf(it) === MAP_ITERATOR;
  for (const node of nodes) {
    if (set ? node.kind !== 'set' : isMap ? node.kind !== 'map' : node.kind !== 'array' && node.kind !== 'typed') continue;
    if (!holdsNumbers(node.original)) continue; // (a Set of names, a frozen list of labels: nothing to lose)
    if (set) return 'is a Set iterator beside a Set among the arguments';
    if (!Object.isExtensible(it) || Object.prototype.hasOwnProperty.call(it, 'next')) return `is ${isMap ? 'a Map' : 'an Array'} iterator that is frozen (or has a next of its own), beside ${isMap ? 'a Map' : 'an array'} among the arguments`;
    if (!isMap && !markable(node.original)) return 'is an Array iterator beside an array among the arguments that is frozen, sealed or too long to be followed';
  }
  return null;
}

/** Whether the members or elements of `o` may hold numbers f differentiates (numbers, or objects). */
function holdsNumbers(o: object): boolean {
  if (ArrayBuffer.isView(o)) return true;
  for (const v of (o instanceof Set ? Set.prototype.values.call(o) : o instanceof Map ? Map.prototype.values.call(o) : (o as unknown[])) as Iterable<unknown>) {
    if (typeof v === 'number' || (typeof v === 'object' && v !== null)) return true;
  }
  return false;
}

const markable = (o: object): boolean =>
  Array.isArray(o) ? Object.isExtensible(o) && !Object.isSealed(o) && o.length <= MAX_MARKS : !ArrayBuffer.isView(o) || (o as Float64Array).length <= MAX_MARKS;

/** Marks: tiny numbers, exact in a Float32Array too (2⁻¹⁴⁹·n, n < 2²³). */
const MARK_UNIT = 2 ** -149;
const MAX_MARKS = 2 ** 23 - 1;

type Target = { node: Node; first: number };

/**
 * Gives each iterator of `iterators` an own `next` following the stand-ins of `nodes` (the
 * arguments' arrays, typed arrays and Maps); returns what removes them.
 */
export function followIterators(iterators: readonly object[], nodes: Iterable<Node>): () => void {
  const candidates: Node[] = [];
  for (const node of nodes) if (node.kind === 'array' || node.kind === 'typed' || node.kind === 'map') candidates.push(node);
  const installed: (() => void)[] = [];
  if (candidates.length === 0) return () => {};
  for (const it of iterators) {
    if (!Object.isExtensible(it) || Object.prototype.hasOwnProperty.call(it, 'next')) continue;
    const isMap = Object.getPrototypeOf(it) === MAP_ITERATOR;
    const nativeNext = isMap ? nativeMapNext : nativeArrayNext;
    const ofKind = candidates.filter((node) => (node.kind === 'map') === isMap);
    if (ofKind.length === 0) continue;
    let found: { node: Node; entries: boolean; at: number; keys: unknown[] | null } | null | undefined;
    const restore = () => {
      found = null; // (kept and called after f, `const next = it.next` in f: the native answer, never a stand-in's element)
      followingNexts.delete(it);
      // (not a `next` f gave the caller's iterator itself, `it.next = wrapped`: plain JavaScript keeps it)
      if (Object.getOwnPropertyDescriptor(it, 'next')?.value === own) delete (it as { next?: unknown }).next;
    };
    const own = function next(this: unknown): IteratorResult<unknown> {
      // (called on another receiver, as the method would be: the native one's answer)
      if (this !== it) return Reflect.apply(nativeNext, this, []) as IteratorResult<unknown>;
      if (found === undefined) {
        const step = firstStep(it, nativeNext, ofKind);
        found = step.found;
        if (found === null) restore();
        return step.result;
      }
      const result = Reflect.apply(nativeNext, it, []) as IteratorResult<unknown>;
      if (result.done === true || found === null) return result;
      found.at++;
      (result as { value: unknown }).value = elementAt(found, result.value);
      return result;
    };
    Object.defineProperty(it, 'next', { configurable: true, writable: true, enumerable: false, value: own });
    followingNexts.set(it, own);
    installed.push(restore);
  }
  return () => {
    for (const restore of installed) restore();
  };
}

/** The stand-in's element where the caller's iterator is (`value`: what the caller's yielded). */
function elementAt(found: { node: Node; entries: boolean; at: number; keys: unknown[] | null }, value: unknown): unknown {
  const { node, entries, at, keys } = found;
  if (keys !== null) {
    // (a Map: the stand-in has the caller's keys, in order, object keys as their stand-ins)
    const key = keys[at];
    const v = Map.prototype.get.call(node.standIn, key) as unknown;
    return entries ? [key, v] : v;
  }
  const v = (node.standIn as Record<number, unknown>)[at];
  return entries ? [at, v] : v;
}

/**
 * The iterator's first step, with the candidates marked: which of them it iterates, and
 * where. The caller's arrays and Maps are restored before anything else runs.
 */
function firstStep(
  it: object,
  nativeNext: () => IteratorResult<unknown>,
  candidates: readonly Node[],
): { result: IteratorResult<unknown>; found: { node: Node; entries: boolean; at: number; keys: unknown[] | null } | null } {
  const marked: { node: Node; first: number; undo: () => void }[] = [];
  let marks = 0;
  let result: IteratorResult<unknown>;
  try {
    for (const node of candidates) {
      const undo = mark(node.original, marks + 1);
      if (undo === null) continue;
      marked.push({ node, first: marks + 1, undo: undo.undo });
      marks += undo.count;
    }
    result = Reflect.apply(nativeNext, it, []) as IteratorResult<unknown>;
  } finally {
    for (const { undo } of marked) undo();
  }
  if (result.done === true) return { result, found: null };
  // (values: the element is a mark; entries: a pair [index or key, mark] the iterator made)
  let entries = false;
  let seen: unknown = result.value;
  let target = markOf(seen, marked);
  if (target === null && Array.isArray(seen) && seen.length === 2) {
    entries = true;
    target = markOf((seen = (result.value as unknown[])[1]), marked);
  }
  if (target === null) return { result, found: null };
  const { node, first } = target;
  const at = (seen as number) / MARK_UNIT - first;
  const keys = node.kind === 'map' ? [...(Map.prototype.keys.call(node.standIn) as Iterable<unknown>)] : null;
  // (an entry's first is its index, or its key: else a pair of some other array's marks, [mark, mark])
  if (entries && (result.value as unknown[])[0] !== (keys === null ? at : [...(Map.prototype.keys.call(node.original) as Iterable<unknown>)][at])) return { result, found: null };
  const state = { node, entries, at, keys };
  (result as { value: unknown }).value = elementAt(state, result.value);
  return { result, found: state };
}

/** The marked target a value is the mark of, or null. */
function markOf(v: unknown, marked: readonly { node: Node; first: number }[]): Target | null {
  if (typeof v !== 'number' || v <= 0 || v >= MARK_UNIT * (MAX_MARKS + 1)) return null;
  const n = v / MARK_UNIT;
  if (!Number.isInteger(n)) return null;
  for (let k = marked.length - 1; k >= 0; k--) if (n >= marked[k]!.first) return marked[k]!;
  return null;
}

/**
 * Puts marks first, first + 1, … in the elements (values) of the caller's `o`; what restores
 * them, or null where it cannot be marked (frozen, too many, elements by accessors).
 */
function mark(o: object, first: number): { count: number; undo: () => void } | null {
  if (Array.isArray(o)) {
    const a = o as unknown[];
    const n = a.length;
    if (first + n > MAX_MARKS || !Object.isExtensible(a) || Object.isSealed(a)) return null;
    const saved = a.slice(); // (holes kept as holes)
    for (let i = 0; i < n; i++) a[i] = (first + i) * MARK_UNIT;
    return {
      count: n,
      undo: () => {
        for (let i = 0; i < n; i++) {
          if (i in saved) a[i] = saved[i];
          else delete a[i];
        }
      },
    };
  }
  if (ArrayBuffer.isView(o) && (o instanceof Float64Array || o instanceof Float32Array)) {
    const n = o.length;
    if (first + n > MAX_MARKS) return null;
    const saved = o.slice();
    for (let i = 0; i < n; i++) o[i] = (first + i) * MARK_UNIT;
    return { count: n, undo: () => o.set(saved) };
  }
  if (o instanceof Map) {
    const entries = [...(Map.prototype.entries.call(o) as Iterable<[unknown, unknown]>)];
    if (first + entries.length > MAX_MARKS) return null;
    entries.forEach(([k], i) => Map.prototype.set.call(o, k, (first + i) * MARK_UNIT));
    return { count: entries.length, undo: () => entries.forEach(([k, v]) => Map.prototype.set.call(o, k, v)) };
  }
  return null;
}
