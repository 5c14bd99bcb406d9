// The built-ins compare members by identity (SameValueZero), also through the other set's `has`
// called from inside them: `new Set([x]).isSubsetOf(new Set([3]))` was false for a traced 3.
// These follow ECMA-262's algorithms step by step (which set's member each result keeps, when
// the other set's `has` or `keys` is called), with each membership test by value.

import { primal } from '../../lib/core/traced.js';
import { mapHas, setAdd, setDelete, setDifference, setHas, setIntersection, setIsDisjointFrom, setIsSubsetOf, setIsSupersetOf, setSize, setSymmetricDifference, setUnion, setValues } from './platform.js';
import { NOT_A_SEARCH, heldKey, noteKey, storedKey } from './keys.js';

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
  const has = other.has;
  const found = has === setHas || has === mapHas ? has.call(other.set, heldKey(other.set, e, has as (this: object, key: unknown) => boolean)) : Reflect.apply(has, other.set, [e]);
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
export function setAlgebra(s: object, fn: Function, other: unknown): unknown {
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
