// Writing slots back into a parameter structure (layout.ts has the slots): functionally —
// a new structure made with immer's `produce`, whose unchanged parts are the old ones (same
// identity) and whose class instances keep their class — or in place, for code that
// mutates its model.
//
// immer copies what it can draft: plain objects and classes marked `[immerable]`. A Map is
// copied here, keeping its class and own properties (immer's copy is a plain Map). An array is sliced (its named properties kept, which produce drops),
// without its Proxy: a write through an immer draft costs ~0.8 µs (measured: 76 µs to
// update 100 numbers, against 0.15 µs for a slice). Any other class instance is copied here the way immer copies an
// immerable one: an object of the same prototype with the same own properties. A copy is
// frozen when its original was (an immer state stays deeply frozen) and otherwise left as
// mutable as the original: done functionally, nothing the caller passed is frozen or written.

import { enableMapSet, freeze, Immer, isDraftable } from 'immer';
import { madeForInstance } from '../../proxies/barrier.js';
import { addInto, assignInto, type Leaf } from './leaves.js';
import { Layout, SlotRef, into, pathText, type Path, type Skeleton, type Step } from './layout.js';

// Map and Set drafts are an immer plugin, registered once for this copy of immer.
enableMapSet();
// Freezing is decided per copy (see above), so immer's own, which would also freeze the
// caller's unchanged objects shared into the result, is off.
const immer = new Immer({ autoFreeze: false });

export interface RebuildOptions {
  /** The public function rebuilding, for messages. */
  caller: string;
  /** Write into `x` itself (NDArray and typed array leaves are filled in place; a number root is returned). */
  inPlace?: boolean;
  /** Freeze every new container (a snapshot), not only copies of frozen ones. */
  freeze?: boolean;
  /** The leaves are increments, added to what each slot holds when it is written (in place). */
  increments?: boolean;
}

type Change = [key: unknown, value: unknown];

/**
 * `x` with slot k's leaf replaced by `leaves[k]` wherever it is not null (`layout` is x's).
 * Functionally, unless `inPlace`.
 */
export function rebuild<T>(x: T, layout: Layout, leaves: readonly (Leaf | null)[], options: RebuildOptions): T {
  const done = new Map<object, unknown>();
  const underway = new Set<object>();
  const inPlace = options.inPlace === true;
  const increments = options.increments === true;
  if (inPlace) checkWritable(x, layout.skeleton, leaves, options.caller);

  // (`up` and `step` say where `node` is; the path is made only for a container or a message)
  const walk = (node: unknown, s: Skeleton, up: Path, step: Step | null): unknown => {
    if (s === null) return node;
    if (s instanceof SlotRef) {
      const next = leaves[s.slot];
      if (next === null || next === undefined) return node;
      if (typeof node === 'number') return increments ? node + (next as number) : next;
      const known = done.get(node as object);
      if (known !== undefined) return known;
      const result = inPlace ? ((increments ? addInto : assignInto)(node as Exclude<Leaf, number>, next), node) : likeLeaf(node as object, next as object);
      done.set(node as object, result);
      return result;
    }
    const container = node as object;
    const known = done.get(container);
    if (known !== undefined) return known;
    const path = step === null ? up : into(up, step);
    if (underway.has(container)) {
      if (inPlace) return container;
      throw new TypeError(`zygote-ts: ${options.caller}: the parameters hold a cycle (at ${pathText(path)}), which a new structure cannot copy; update them in place.`);
    }
    underway.add(container);
    let result: object;
    if (Array.isArray(s)) {
      // An array is written element by element into its copy (or itself), made at the first
      // change: parameter arrays of thousands of numbers are rebuilt on every step.
      const a = container as unknown[];
      let out: unknown[] | null = null;
      for (let i = 0; i < s.length; i++) {
        const next = walk(a[i], s[i]!, path, i);
        if (next === a[i]) continue; // (the copy holds it already, or a hole stays a hole)
        out ??= inPlace ? writable(a, path, options.caller) : copyOfArray(a);
        out[i] = next;
      }
      result = out === null ? a : inPlace ? a : sealed(a, out, options.freeze === true);
    } else {
      const changes: Change[] = [];
      if (s instanceof Map) {
        const m = container as Map<unknown, unknown>;
        for (const [k, sub] of s) {
          const child = m.get(k);
          const next = walk(child, sub, path, { mapKey: k });
          if (next !== child) changes.push([k, next]);
        }
      } else {
        const o = container as Record<string, unknown>;
        for (const key of Object.keys(s)) {
          const next = walk(o[key], s[key]!, path, key);
          if (next !== o[key]) changes.push([key, next]);
        }
      }
      if (changes.length > 0 && !inPlace) refuseFunctionsOfInstance(container, path, options.caller);
      result = changes.length === 0 ? container : inPlace ? (write(writable(container, path, options.caller), changes), container) : copyWith(container, changes, options.freeze === true);
    }
    underway.delete(container);
    done.set(container, result);
    return result;
  };
  return walk(x, layout.skeleton, null, null) as T;
}

/**
 * The new leaf `next` (an NDArray or float typed array made by the optimiser or solver) as one
 * of `node`'s class, holding the properties `node` has of its own beyond an NDArray's: a
 * subclass (`class Vec3 extends Float64Array { get x() … }`, an NDArray subclass) came back as
 * the base class, its getters undefined, and minimize went on with f reading `p.pos.x` as
 * undefined (a default taken, `?? 100`: "converged" on another function). A typed array's named
 * properties are not copied (listing them lists every index: ten times the step's own cost).
 */
function likeLeaf(node: object, next: object): object {
  likeOriginal(node, next, !ArrayBuffer.isView(node));
  return next;
}

/**
 * Gives `copy` the prototype of `original` and, with `ownProperties`, each own property of
 * `original` it lacks, defined as the original has it.
 */
function likeOriginal(original: object, copy: object, ownProperties: boolean): void {
  const proto = Object.getPrototypeOf(original) as object | null;
  if (Object.getPrototypeOf(copy) !== proto) Object.setPrototypeOf(copy, proto);
  if (!ownProperties) return;
  for (const key of Reflect.ownKeys(original)) {
    if (!Object.prototype.hasOwnProperty.call(copy, key)) Reflect.defineProperty(copy, key, Reflect.getOwnPropertyDescriptor(original, key)!);
  }
}

/**
 * Refuses an in-place update before any number is written where a container that holds a
 * number to update is frozen or holds it in a read-only property: refused on the way, the
 * parameters were left half stepped (those before it written), and applying the update
 * again — as the error advises, with applyUpdates — stepped them twice.
 */
function checkWritable(x: unknown, skeleton: Skeleton, leaves: readonly (Leaf | null)[], caller: string): void {
  const seen = new Set<object>();
  const walk = (node: unknown, s: Skeleton, path: Path): void => {
    if (s === null || s instanceof SlotRef || typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const child = (step: Step, value: unknown, sub: Skeleton) => {
      if (!(sub instanceof SlotRef)) return walk(value, sub, into(path, step));
      if (typeof value !== 'number' || leaves[sub.slot] === null || leaves[sub.slot] === undefined) return;
      writable(node, path, caller);
      const own = typeof step === 'object' ? undefined : Object.getOwnPropertyDescriptor(node, step);
      if (own !== undefined && own.writable === false) {
        throw new TypeError(`zygote-ts: ${caller}: ${pathText(into(path, step))} is read-only, so it cannot be updated in place; applyUpdates returns the updated parameters instead.`);
      }
    };
    if (Array.isArray(s)) {
      // (checked once, not per element: a parameter array of thousands of numbers is stepped
      // often, and a read-only index in an unfrozen array is not something code makes)
      let checked = false;
      for (let i = 0; i < s.length; i++) {
        const sub = s[i]!;
        if (sub instanceof SlotRef && checked) continue;
        child(i, (node as unknown[])[i], sub);
        checked ||= sub instanceof SlotRef && typeof (node as unknown[])[i] === 'number' && leaves[sub.slot] != null;
      }
    } else if (s instanceof Map) {
      for (const [k, sub] of s) child({ mapKey: k }, (node as Map<unknown, unknown>).get(k), sub);
    } else {
      for (const k of Object.keys(s)) child(k, (node as Record<string, unknown>)[k], s[k]!);
    }
  };
  walk(x, skeleton, null);
}

/**
 * Refuses to copy an object holding a function made for it (an arrow field reading `this`, a
 * `bind(this)` in its constructor): the copy holds the same function, which runs on the old
 * object. A model `{ w; predict = (x) => this.w * x }` stepped by applyUpdates predicted with
 * its first numbers ever after, and minimize's iterates all evaluated x0, with no word.
 */
function refuseFunctionsOfInstance(container: object, path: Path, caller: string): void {
  if (container instanceof Map || container instanceof Set) return;
  for (const key of Reflect.ownKeys(container)) {
    const d = Reflect.getOwnPropertyDescriptor(container, key)!;
    if (typeof d.value !== 'function' || !madeForInstance(d.value as Function)) continue;
    const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
    const ctor = (Object.getPrototypeOf(container) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    const what = typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? `a new ${ctor}` : 'a new object';
    throw new TypeError(
      `zygote-ts: ${caller}: ${pathText(into(path, typeof key === 'symbol' ? String(key) : key))} is a function made for the object it is on ` +
        `(an arrow reading \`this\`, or a bind(this), made in its constructor, a field initializer or a method), which runs on that object: ` +
        `${caller} makes ${what} with new numbers, and that function would still compute with the old ones. ` +
        `Make it a method of the class (${name}(…) { … })${caller === 'applyUpdates' ? ', or step the parameters in place with applyUpdatesInPlace' : ''}.`,
    );
  }
}

function write(target: object, changes: readonly Change[]): void {
  if (target instanceof Map) for (const [k, v] of changes) target.set(k, v);
  else for (const [k, v] of changes) (target as Record<PropertyKey, unknown>)[k as PropertyKey] = v;
}

/** `container` itself, to be written in place (refused when frozen). */
function writable<C extends object>(container: C, path: Path, caller: string): C {
  if (Object.isFrozen(container)) {
    throw new TypeError(
      `zygote-ts: ${caller}: ${pathText(path)} is frozen (an immer state is), so it cannot be updated in place; ` +
        `applyUpdates returns the updated parameters instead.`,
    );
  }
  return container;
}

/** A copy of a record, Map or Set with `changes` made: immer's produce where immer drafts it. */
function copyWith(container: object, changes: readonly Change[], freezeAll: boolean): object {
  let copy: object;
  if (container instanceof Map) {
    // (immer's copy of a Map is a Map: a subclass's methods were gone, `m.total is not a
    // function` in minimize, and its own properties dropped) Its class, its own properties,
    // its entries in their order, the changed ones set as Map's own `set` sets them.
    copy = new Map(container);
    likeOriginal(container, copy, true);
    for (const [k, v] of changes) Map.prototype.set.call(copy, k, v);
  } else if (isDraftable(container)) {
    copy = immer.produce(container, (draft: object) => write(draft, changes));
    if (!(copy instanceof Map || copy instanceof Set)) keepOwnProperties(container, copy, changes);
  } else {
    // A class instance immer does not draft: same prototype, same own properties.
    // (its changed properties are given their new values as they are defined, which a
    // read-only one would refuse afterwards)
    const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(container);
    for (const [k, v] of changes) descriptors[k as string] = { ...descriptors[k as string], value: v };
    copy = Object.create(Object.getPrototypeOf(container) as object | null, descriptors) as object;
  }
  return sealed(container, copy, freezeAll);
}

/**
 * immer copies a plain object by spreading it, and an `[immerable]` instance with its getters
 * read and its fields made writable: an own getter became a field holding the number it gave
 * then (stale after the step: { y: 2, twice: 2 } where `get twice() { return this.y * 2 }`, and
 * minimize then met a number with no slot), a non-enumerable field was dropped (f read it as
 * undefined), a read-only one was made writable. Each own property of the original that is not
 * an ordinary field is defined on the copy as the original has it, with its new value if updated.
 */
function keepOwnProperties(original: object, copy: object, changes: readonly Change[]): void {
  let updated: Map<unknown, unknown> | null = null;
  for (const key of Reflect.ownKeys(original)) {
    const d = Reflect.getOwnPropertyDescriptor(original, key)!;
    if ('value' in d && d.writable && d.enumerable && d.configurable) continue; // (the common case: immer copied it as it is)
    updated ??= new Map(changes);
    if ('value' in d && updated.has(key)) d.value = updated.get(key);
    Reflect.defineProperty(copy, key, d);
  }
}

/**
 * A copy of an array with its named and Symbol-keyed properties (`w.label`), which `slice`
 * (and immer's copy) drops: the updated parameters lost the caller's data with no word. Own
 * keys list indices, then `length`, then the rest: nothing after `length` is the common case.
 */
function copyOfArray(a: unknown[]): unknown[] {
  const copy = a.slice();
  const keys = Reflect.ownKeys(a);
  if (keys[keys.length - 1] === 'length') return copy;
  for (let k = keys.indexOf('length') + 1; k < keys.length; k++) Reflect.defineProperty(copy, keys[k]!, Reflect.getOwnPropertyDescriptor(a, keys[k]!)!);
  return copy;
}

/** The copy, frozen when its original is (or when every copy is to be). */
function sealed<C extends object>(original: object, copy: C, freezeAll: boolean): C {
  if (!freezeAll && !Object.isFrozen(original)) return copy;
  // (immer's freeze also makes a Map's or Set's methods refuse writes; it leaves alone what it
  // cannot draft, such as a class instance, which Object.freeze then freezes)
  return copy instanceof Map || copy instanceof Set ? freeze(copy) : Object.freeze(copy);
}
