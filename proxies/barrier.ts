// What rewritten code calls around stores and `#private` members (the transform emits
// these by name; see lib/transform/rewrite-stores.ts).
//
// - `touch(container, result)` wraps a store into an existing object (`o.k = v`,
//   `m.set(k, v)`, `a.push(v)`, …): during a differentiation it notes the container, so
//   that traced values f leaves there are replaced by their numbers when the call ends.
// - `#private` stores on the class's own instances: a stored object is reported
//   (`privateStored`), and a traced value or stand-in stored into the member is noted with
//   an update of it made at the site (`notePrivate`), which the clean-up calls when the
//   call ends (the runtime cannot name the member itself).
// - Writes to variables of an enclosing scope (a closure's, a module's): likewise, a traced
//   value or stand-in is noted with an update of the variable made at the site
//   (`variableStored`, `noteVariable`; lib/transform/rewrite-outer-writes.ts); so is a
//   variable a closure reaches, written by its own function (`capturedStored`).
// - Private members cannot be read through a stand-in (the object f receives in place of
//   an argument: it is not the class's own instance), so rewritten code reads and writes
//   them on the original and lets the stand-in's state say what f should see.

import { noteMade, noteMadeField, notePrivate, noteStore, privateStored, storesNoted, type PrivateUpdate } from './cleanup.js';
export { notePrivate, privateStored, noteVariable, variableStored, capturedStored, settleGlobal } from './cleanup.js';
import { noteDraftStore } from './drafts.js';
import { currentForm, privateHostOf, standInNode } from './standins.js';
import { isTraced, reportEscape } from '../lib/core/traced.js';

/**
 * Returns `result`; during a differentiation, remembers that `container` was written. A
 * traced number stored into a float typed array that is not a stand-in (which kept only its
 * number) is a lost derivative. An integer typed array stores the number truncated or
 * clamped, a step function: its derivative is 0 there, as `Math.trunc`'s, so nothing is lost.
 */
export function touch<R>(container: unknown, result: R): R {
  noteStore(container);
  if (ArrayBuffer.isView(container)) {
    if (!isIntegerArray(container) && isTraced(result) && result.tracedTape.active) reportEscape(result, 'typed array store');
  } else if (storesNoted()) noteDraftStore(container); // (an immer draft: proxies/drafts.ts)
  return result;
}

/**
 * `touch` for a store into the instance a class's constructor is making (`this.x = v` in it):
 * noted as made while the differentiation runs. Given the field's key (the store names it),
 * only that field is noted (cleanup.ts's `madeFields`), not the instance as a container.
 */
export function touchNew<R>(container: unknown, result: R, key?: string | number): R {
  noteMade(container);
  if (key === undefined || typeof container !== 'object' || container === null || ArrayBuffer.isView(container)) return touch(container, result);
  noteMadeField(container, key);
  return result;
}

/**
 * `o`, noted as written: a member of it is what a destructuring assignment or a `for (… of …)`
 * head stores into (`[o.k] = a`). A float typed array that is not a stand-in (one made outside
 * f) is given as a Proxy whose store is checked as `o[k] = v`'s is (`touch`): the pattern has no
 * store expression to wrap, so `[tmp[0], tmp[1]] = [x, 2 * x]` kept only the numbers, a `null`
 * gradient where it is 4x, without a word.
 */
export function patternTarget<T>(o: T): T {
  noteStore(o);
  if (storesNoted() && ArrayBuffer.isView(o) && !(o instanceof DataView) && !isIntegerArray(o)) return checkedTypedTarget(o) as T;
  return o;
}

/** What a pattern stores into in place of the typed array `view`: each store checked as `touch` checks one. */
function checkedTypedTarget(view: ArrayBufferView): object {
  return new Proxy(view, {
    set: (target, key, value) => Reflect.set(target, key, touch(target, value)),
  });
}

/** A class's instance field defined with an object value (`k = v` in the class body): noted as the constructor's `this.k = v` (`touchNew`). */
export function fieldNew<V>(instance: object, value: V, key?: string | number): V {
  if (typeof value === 'object' && value !== null && storesNoted()) touchNew(instance, value, key); // (`items = []` in plain code: no call further)
  return value;
}

/**
 * A class's `#private` field initializer's value (lib/transform/rewrite-stores.ts,
 * `rewritePrivateFieldInitializer`): held for `privateFieldHeld`, and whether the site must hand
 * over an update of the member, as `privateStored` says for a store.
 */
let heldField: unknown;
export function privateFieldNew(host: object, name: string, value: unknown): boolean {
  heldField = value;
  return typeof value === 'object' && value !== null && storesNoted() && privateStored(host, name, value);
}

/** The value `privateFieldNew` held; the slot is emptied (it may be a large object). */
export function privateFieldHeld(): unknown {
  const value = heldField;
  heldField = undefined;
  return value;
}

function isIntegerArray(view: ArrayBufferView): boolean {
  return (
    view instanceof Int32Array || view instanceof Uint8Array || view instanceof Int16Array || view instanceof Uint16Array ||
    view instanceof Uint32Array || view instanceof Int8Array || view instanceof Uint8ClampedArray
  );
}

/**
 * The place `host.#name` as a destructuring's or a `for (… of …)` head's target (`[this.#x] =
 * a`; lib/transform/rewrite-private.ts), written as rewritten code writes the member: on the
 * class's own instance (and noted for the clean-up when an object is stored), recorded for a
 * stand-in (`privateSet`), and written as it is otherwise, where it throws as plain code does.
 */
export function privateTarget(host: unknown, name: string, has: (h: unknown) => boolean, write: (h: any, v: unknown) => void, update: PrivateUpdate): { value: unknown } {
  return {
    set value(v: unknown) {
      if (host !== null && host !== undefined && has(host)) {
        write(host, v);
        if (typeof v === 'object' && privateStored(host as object, name, v)) notePrivate(host as object, name, v, update);
      } else if (isStandIn(host)) privateSet(host, name, v, update);
      else write(host, v);
    },
  };
}

/** The object whose `#private` members to use: the original for a stand-in or a compileGradient copy, else `o`. */
export function privateHost<T>(o: T): T {
  // (in nested differentiation a stand-in's original is the enclosing one's stand-in)
  let host: unknown = o;
  for (let node = standInNode(host); node !== undefined; node = standInNode(host)) host = node.original;
  return typeof host === 'object' && host !== null ? (privateHostOf(host) as T) : (host as T);
}

/** True when `o` is a stand-in for an argument (its private writes are recorded, not made). */
export function isStandIn(o: unknown): boolean {
  return standInNode(o) !== undefined;
}

/**
 * What f sees when it reads `o.#name` (`value` is the member as read on the host): for a
 * stand-in, the value f last wrote, or the original's value traced as an input.
 */
export function privateGet(o: unknown, name: string, value: unknown): unknown {
  const node = standInNode(o);
  // (nested: the member as the enclosing differentiation sees it, traced there)
  return node === undefined ? value : node.readPrivate(name, privateGet(node.original, name, value));
}

/**
 * Records `o.#name = value` on a stand-in; `update` makes the write on the original (with
 * the value's number) when the differentiation ends, as plain JavaScript would have.
 */
export function privateSet<V>(o: unknown, name: string, value: V, update: PrivateUpdate): V {
  const node = standInNode(o);
  if (node === undefined) update(o, () => value);
  else node.writePrivate(name, value, update);
  return value;
}

/**
 * `this` in an arrow a class's field initializer or constructor made (lib/transform/rewrite-this.ts):
 * the object f sees for the instance (its stand-in when it is an argument), else the instance.
 */
export const lexicalThis = currentForm;

/** The functions `bindInstance` made: each runs on the instance it was bound to (or f's form of it). */
const boundToInstance = new WeakSet<Function>();
/** Per function: whether it is one made for an instance (memo of `madeForInstance`). */
const readsInstance = new WeakMap<Function, boolean>();

/**
 * Whether `fn` is a function made for one instance in rewritten code: an arrow that reads
 * `this` (or a name given to it, `const self = this`) made by a class's field initializer,
 * constructor or method (its text calls `lexicalThis`), or a `bind(this)` made there
 * (`bindInstance`). A copy of the instance holding `fn` would run it on the old instance.
 */
export function madeForInstance(fn: Function): boolean {
  if (boundToInstance.has(fn)) return true;
  let made = readsInstance.get(fn);
  if (made === undefined) {
    // (`(0, __zy.lexicalThis)(this)`, or a minifier's `(0,e.lexicalThis)(this)`: the member's name stays)
    made = Function.prototype.toString.call(fn).includes('.lexicalThis)(');
    readsInstance.set(fn, made);
  }
  return made;
}

/**
 * `fn.bind(self, …partial)` made by a class's field initializer or constructor (rewrite-this.ts;
 * `bind`: the method rewritten code read, called as it is when it is not Function's own): the
 * bound function `bind` makes (its name, length, prototype, `new`), whose calls run `fn` on the
 * object f sees for `self` while a differentiation runs.
 */
export function bindInstance(fn: unknown, bind: unknown, self: unknown, ...partial: unknown[]): unknown {
  const bound: unknown = Reflect.apply(bind as Function, fn, [self, ...partial]);
  if (bind !== Function.prototype.bind || typeof fn !== 'function' || typeof bound !== 'function' || typeof self !== 'object' || self === null) return bound;
  if (!('prototype' in fn)) {
    // A method (the common case) cannot be constructed, nor can its bound function: a method
    // of the same name and length (a call through a Proxy cost 20 ns more in plain code).
    const name = bound.name;
    const method = {
      [name](...rest: unknown[]): unknown {
        return Reflect.apply(fn, currentForm(self), partial.length === 0 ? rest : [...partial, ...rest]);
      },
    }[name]!;
    Object.defineProperty(method, 'length', { value: bound.length });
    boundToInstance.add(method);
    return method;
  }
  const proxy: Function = new Proxy(bound, {
    apply: (target, thisArg, rest: unknown[]) => {
      const seen = currentForm(self);
      return seen === self ? Reflect.apply(target, thisArg, rest) : Reflect.apply(fn, seen, [...partial, ...rest]);
    },
    // (`new` of it is `new` of the bound function, which constructs fn itself)
    construct: (target, args: unknown[], newTarget) => Reflect.construct(target, args, newTarget === proxy ? target : newTarget) as object,
  });
  boundToInstance.add(proxy);
  return proxy;
}
