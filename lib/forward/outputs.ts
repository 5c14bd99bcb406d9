// What forward mode hands back: f's output with its traced numbers replaced by their values
// (the primal), and the same structure holding their tangents.
//
// Numbers, NDArrays, arrays, records and class instances (a copy with the same prototype and
// lock; Symbol-keyed fields too), Maps (keys as plain numbers) and Sets (tangent: a Map from
// member to tangent), their values keeping their class and own fields, and typed arrays are followed; an instance f gave a traced #private member is
// the instance itself (only its class can make one), with "#name" in its tangent; an own
// getter and a Promise are refused; other values (strings, booleans, functions) are
// returned as they are, with tangent null. A number that does not depend on the inputs has
// tangent 0, an array of them zeros: a tangent always has its value's shape.

import { live, isTraced } from '../core/traced.js';
import type { Tape } from '../core/tape.js';
import { allocate, isFloatArray, isNDArray, NDArray, type FloatArray } from '../ndarray.js';
import { typedArrayOf, typedStandIn } from '../../proxies/typed-arrays.js';
import { elementsOf } from '../../rules/arrays/record.js';
import { noteFilledByLibrary } from '../core/library-keys.js';
import { notedPrivatesByHost, type PrivateUpdate } from '../../proxies/cleanup.js';
import { byLabel } from '../../proxies/private-keys.js';
import { setOwn, standInNode } from '../../proxies/standins.js';
import { kindOf, Refusal } from '../../proxies/kinds.js';

/** `y` split into its value and its tangent in direction `j` of forward tape `tape`. */
export function splitOutput(y: unknown, tape: Tape, j: number): [unknown, unknown] {
  const seen = new Map<object, [unknown, unknown]>();
  let privateHosts: Map<object, Map<string, PrivateUpdate>> | null = null;
  // Arrays of the output whose tangents are one array (x + 1 and x + 2 both pass x's on) get
  // copies: their values are two arrays, and a write into one tangent changed the other. (Values
  // sharing memory, an array and its reshape, keep tangents sharing it, as they do.)
  const handed = new Map<FloatArray, FloatArray>();
  const handOut = (split: [unknown, unknown]): [unknown, unknown] => {
    const [v, t] = split as [NDArray, unknown];
    if (!isNDArray(t) || t.tracedTape !== null) return split;
    const valueData = handed.get(t.data);
    if (valueData === undefined) handed.set(t.data, v.data);
    else if (valueData !== v.data) return [v, new NDArray(t.shape, t.data.slice())];
    return split;
  };
  const split = (x: unknown): [unknown, unknown] => {
    if (isTraced(x)) {
      // (layers of closed tapes inside f — a finished inner differentiation — are constants)
      let v: unknown = x;
      while (isTraced(v) && v.tracedTape !== tape && !v.tracedTape.active) v = v.tracedValue;
      if (isTraced(v) && v.tracedTape === tape) return [v.tracedValue, tape.tangents!.at(v.tracedIndex, j)];
      return [v, 0];
    }
    if (typeof x === 'number') return [x, 0];
    // (a function f returns may close over traced numbers, whose tangents it cannot give:
    // `jvp(x => (y) => x * y, [3], [1])` said it did not move, a tangent of null)
    if (typeof x === 'function') throw new TypeError(functionMessage);
    if (typeof x !== 'object' || x === null) return [x, null];
    if (isNDArray(x)) return handOut(splitArray(x, tape, j));
    const known = seen.get(x);
    if (known !== undefined) return known;
    if (Array.isArray(x)) {
      const value: unknown[] = [];
      const tangent: unknown[] = [];
      seen.set(x, [originalOf(x) ?? value, tangent]);
      // (a hole stays one, in the tangent too: it was filled with undefined, so `i in y` and
      // forEach saw a place the plain f's array has not)
      value.length = tangent.length = x.length;
      let same = true;
      for (let i = 0; i < x.length; i++) {
        if (!(i in x)) continue;
        const e = x[i];
        [value[i], tangent[i]] = split(e);
        if (!Object.is(value[i], e)) same = false;
      }
      // (named and Symbol-keyed properties, `Object.assign([x], { extra })`, with their tangents: the
      // value had none of them)
      for (const key of Reflect.ownKeys(x)) {
        if (key === 'length' || isIndex(key)) continue;
        const d = Object.getOwnPropertyDescriptor(x, key)!;
        if (!('value' in d)) {
          if (d.enumerable) throw new TypeError(getterMessage(key));
          Object.defineProperty(value, key, d);
          continue;
        }
        const [v, t] = split(d.value);
        if (!Object.is(v, d.value)) same = false;
        Object.defineProperty(value, key, { ...d, value: v });
        Object.defineProperty(tangent, key, { value: t, writable: true, enumerable: d.enumerable, configurable: true });
      }
      if (same || originalOf(x) !== undefined) return itself(x, tangent);
      // (the value keeps a subclass's prototype, and the lock, as a record's and a Map's do: it was a
      // plain open Array, `instanceof Vec` false and its methods gone)
      const proto = Object.getPrototypeOf(x) as object | null;
      if (proto !== Array.prototype) Object.setPrototypeOf(value, proto);
      return [lockedLike(x, value), tangent];
    }
    if (isFloatArray(x)) {
      const Kind = x instanceof Float32Array ? Float32Array : Float64Array;
      const values = new Array<unknown>(x.length);
      const tangents = new Array<unknown>(x.length);
      // (a typed array given to f or made in f holds traced numbers, read as recorded: the
      // tape is closed, and reading through the array would give their numbers only)
      const standIn = typedStandIn(x);
      let input: unknown[][] | null = null;
      for (let i = 0; i < x.length; i++) {
        const element = standIn === undefined ? { value: x[i] } : standIn.recordedElement(i);
        if ('value' in element) [values[i], tangents[i]] = split(element.value);
        else {
          input ??= splitArray(element.input, tape, j).map((a) => elementsOf(a as NDArray));
          values[i] = input[0]![element.k];
          tangents[i] = input[1]![element.k];
        }
      }
      // (one typed array reached twice is one value, as f's is: it was two copies, a write into
      // one not seen through the other)
      // (a plain typed array holds plain numbers: it is itself, a constant f returned)
      const value = originalOf(x) ?? (standIn === undefined ? x : typedArrayHolding(Kind, values));
      const pair: [unknown, unknown] = [value, typedArrayHolding(Kind, tangents)];
      seen.set(x, pair);
      return pair;
    }
    if (x instanceof Map) {
      const value = filledByLibrary(new Map());
      const tangent = filledByLibrary(new Map());
      seen.set(x, [originalOf(x) ?? value, tangent]);
      let same = true;
      for (const [k, e] of x) {
        // (a key is an index, with no tangent; a traced one left in the Map would be an
        // object that `get(2)` never finds)
        const key = split(k)[0];
        const [v, t] = split(e);
        value.set(key, v);
        tangent.set(key, t);
        if (!Object.is(key, k) || !Object.is(v, e)) same = false;
      }
      if ((same && ownValuesAlike(x)) || originalOf(x) !== undefined) return itself(x, tangent);
      return [likeCollection(x, value), tangent];
    }
    if (x instanceof Set) {
      // A Set's tangent is a Map from member to tangent, as a Set argument's is given.
      const value = filledByLibrary(new Set());
      const tangent = filledByLibrary(new Map());
      seen.set(x, [originalOf(x) ?? value, tangent]);
      let same = true;
      for (const e of x) {
        const [v, t] = split(e);
        value.add(v);
        tangent.set(v, t);
        if (!Object.is(v, e)) same = false;
      }
      if ((same && ownValuesAlike(x)) || originalOf(x) !== undefined) return itself(x, tangent);
      return [likeCollection(x, value), tangent];
    }
    // (what a Promise resolves to is made after the tape closed: its tangent would be lost,
    // and a traced number left in it; gradient refuses a Promise result alike)
    if (x instanceof Promise) throw new TypeError(promiseMessage);
    const proto = Object.getPrototypeOf(x) as object | null;
    if (proto !== Object.prototype && proto !== null && !isRecord(x)) {
      // (an object with internal slots cannot be copied: one holding traced numbers is split in
      // place, as an instance with #private members is; it was returned holding them, tangent null)
      return holdsTraced(x, new Set()) ? splitInPlace(x as Record<PropertyKey, unknown>, undefined) : [x, null];
    }
    const privates = proto !== Object.prototype && proto !== null ? (privateHosts ??= notedPrivatesByHost()).get(x) : undefined;
    if (privates !== undefined) return splitInPlace(x as Record<PropertyKey, unknown>, privates);
    const value = Object.create(proto) as Record<PropertyKey, unknown>;
    const tangent: Record<PropertyKey, unknown> = {};
    seen.set(x, [originalOf(x) ?? value, tangent]);
    let same = true;
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      if (!('value' in d)) {
        // (a getter read now runs after the tape closed: its traced numbers act as plain
        // ones, and its tangent would be 0 whatever it depends on)
        if (d.enumerable) throw new TypeError(getterMessage(key));
        Object.defineProperty(value, key, d); // (a hidden accessor, kept as f's object has it)
        continue;
      }
      const [v, t] = split(d.value);
      if (!Object.is(v, d.value)) same = false;
      if (!d.enumerable || !d.writable || !d.configurable) {
        // (a hidden or read-only field keeps its flags, and its tangent is hidden too: the value
        // lacked it, jvp's o.b undefined where f's object has 9)
        Object.defineProperty(value, key, { ...d, value: v });
        Object.defineProperty(tangent, key, { value: t, writable: true, enumerable: d.enumerable, configurable: true });
        continue;
      }
      // (a name the value inherits is defined: an own "__proto__" key, as JSON.parse makes, which
      // assigned would set the prototype; a field shadowing an accessor of the prototype, whose
      // setter ran instead: jvp's value of make(x * 2), an instance holding its own `value` over a
      // setter storing v * 100 in `_v`, was { _v: 300 } where f returns { _v: 1, value: 3 })
      if (key in value) Object.defineProperty(value, key, { value: v, writable: true, enumerable: true, configurable: true });
      else value[key] = v;
      if (key === '__proto__') setOwn(tangent, key, t);
      else tangent[key] = t;
    }
    // (an argument's private members f reached: their tangents under "#name", as gradients name them)
    const members = originalOf(x) !== undefined ? standInNode(x)!.privates : null;
    if (members !== null) for (const [label, member] of byLabel(members)) tangent[label] = split(member.value)[1];
    if (same || originalOf(x) !== undefined) return itself(x, tangent);
    return [lockedLike(x, value), tangent];
  };
  // The stand-in of an argument of this call is the caller's object, written back as f left it
  // (it was a copy: jvp((p) => p, [a], …)'s value was not a, a Map keyed by it not found by a).
  const originalOf = (x: object): object | undefined => {
    const node = standInNode(x);
    return node !== undefined && node.wrapping.tape === tape ? node.original : undefined;
  };
  // An object whose values are all themselves in the value (it holds no traced number) is the
  // value itself, as f's output holds it: a copy of every object lost the identity of what f
  // returned but did not compute, a constant key object of a Map or Set (`m.get(k)` undefined),
  // an object of the caller's, a class instance's accessors and methods bound to it.
  const itself = (x: object, tangent: unknown): [unknown, unknown] => {
    const pair: [unknown, unknown] = [originalOf(x) ?? x, tangent];
    seen.set(x, pair);
    return pair;
  };
  // (a Map's or Set's own fields, a subclass's, are copied to its value as they are, numbers read as their values)
  const ownValuesAlike = (x: object): boolean =>
    Reflect.ownKeys(x).every((key) => {
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      return !('value' in d) || isLock(d) || Object.is(split(d.value)[0], d.value);
    });
  // A Map's or Set's value, given its class and own fields (by key, its tangent has no place for
  // them: their values only) and its lock. (It was a plain Map: `instanceof Tally` false, its label
  // and methods gone.)
  const likeCollection = (x: object, value: Map<unknown, unknown> | Set<unknown>): object => {
    const proto = Object.getPrototypeOf(x) as object | null;
    if (Object.getPrototypeOf(value) !== proto) Object.setPrototypeOf(value, proto);
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      if ('value' in d && !isLock(d)) d.value = split(d.value)[0];
      Object.defineProperty(value, key, d);
    }
    return lockedLike(x, value);
  };
  // An instance f gave a traced `#private` member cannot be copied (only its class makes
  // them: a copy threw on the member's first use, and its tangent was missing), nor can an
  // object with internal slots (an Error, a Date): the value is the object itself, its numbers
  // left plain in place, and the tangent names a private member "#name", as gradients do.
  const splitInPlace = (x: Record<PropertyKey, unknown>, privates: Map<string, PrivateUpdate> | undefined): [unknown, unknown] => {
    const tangent: Record<PropertyKey, unknown> = {};
    seen.set(x, [x, tangent]);
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      if (!('value' in d)) {
        if (d.enumerable) throw new TypeError(getterMessage(key));
        continue;
      }
      const [v, t] = split(d.value);
      if (v !== d.value && d.writable === true) x[key] = v;
      else if (v !== d.value && d.configurable === true) Object.defineProperty(x, key, { ...d, value: v });
      if (!d.enumerable) Object.defineProperty(tangent, key, { value: t, writable: true, enumerable: false, configurable: true });
      else if (key === '__proto__') setOwn(tangent, key, t); // (assigned, it would set the prototype)
      else tangent[key] = t;
    }
    if (privates === undefined) return [x, tangent];
    for (const [label, update] of byLabel(privates)) {
      update(x, (v) => {
        const [pv, pt] = split(v);
        tangent[label] = pt;
        return pv;
      });
    }
    return [x, tangent];
  };
  return split(y);
}

const functionMessage =
  "zygote-ts: jvp got a function in f's output. Its tangent cannot be followed: it may compute from the traced " +
  'numbers it closes over. Return the values it computes (call it inside f), or differentiate it separately.';

const promiseMessage =
  "zygote-ts: jvp got a Promise in f's output. Async functions cannot be differentiated: the trace ends when f " +
  'returns, before the Promise gives its value. Await the data first, then differentiate a synchronous function of it.';

const getterMessage = (key: PropertyKey) =>
  `zygote-ts: jvp: the output's field ${String(key)} is a getter, which can only be read after f returns, when ` +
  'its derivative can no longer be followed. Return the value itself (a data field).';

/** An array output: its value one level out, and its tangent (zeros when it does not depend on the tape). */
function splitArray(x: NDArray, tape: Tape, j: number): [unknown, unknown] {
  while (x.tracedTape !== null && !x.tracedTape.active && x.tracedTape !== tape) x = x.tracedValue;
  if (x.tracedTape === tape) {
    const t = tape.tangents!.at(x.tracedIndex, j);
    return [x.tracedValue, t === null ? zeros(x) : t];
  }
  return [x, zeros(x)];
}

/**
 * A typed array of `numbers`. Inside an enclosing differentiation they may be traced there
 * (the output depends on its variables): a typed array standing in for one keeps them, where
 * storing them into a plain one was reported as code that was not rewritten losing them.
 */
function typedArrayHolding(Kind: Float32ArrayConstructor | Float64ArrayConstructor, numbers: unknown[]): FloatArray {
  if (numbers.some((v) => isTraced(v) && v.tracedTape.active)) return typedArrayOf(Kind, numbers);
  const plain = new Kind(numbers.length);
  for (let k = 0; k < numbers.length; k++) plain[k] = live(numbers[k]) as number;
  return plain;
}

/** `copy`, locked as `x` is (a frozen instance's value was an open copy). */
function lockedLike<C extends object>(x: object, copy: C): C {
  if (Object.isExtensible(x)) return copy;
  if (Object.isFrozen(x)) return Object.freeze(copy);
  return Object.isSealed(x) ? Object.seal(copy) : Object.preventExtensions(copy);
}

/** `c`, noted as filled here: its keys may be numbers an enclosing differentiation traces (lib/core/library-keys.ts). */
function filledByLibrary<C extends Map<unknown, unknown> | Set<unknown>>(c: C): C {
  noteFilledByLibrary(c);
  return c;
}

/** Whether own key `key` of an array is an index (not a named property). */
const isIndex = (key: PropertyKey): boolean => typeof key === 'string' && /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;

const zeros = (x: NDArray) => new NDArray(x.shape, allocate(x.dtype, x.size));

// Instances of user classes are copied (as their gradients are records), known by their
// prototype chain as arguments are (proxies/kinds.ts): a class naming itself by
// Symbol.toStringTag is one (its instance was returned holding traced numbers, tangent null).
// Built-ins with internal slots (Date, RegExp, Error, …) cannot be copied. (Another's Proxy
// is read through its traps, as before.)
/**
 * A hidden, read-only method of a Map's or Set's own: immer's lock of a frozen state's Map or Set
 * (its `set`, `add`, `clear`, `delete`, which throw). Kept as it is: jvp of f returning
 * `produce(state, …)` holding a Map was refused as "a function in f's output".
 */
const isLock = (d: PropertyDescriptor): boolean => typeof d.value === 'function' && d.enumerable !== true && d.writable !== true;

function isRecord(x: object): boolean {
  const kind = kindOf(x);
  return kind instanceof Refusal ? Object.prototype.toString.call(x) === '[object Object]' : kind === 'record';
}

/** Whether `x` holds a traced number or array (of any tape) in its own data fields, at any depth. */
function holdsTraced(x: unknown, seen: Set<object>): boolean {
  if (isTraced(x) || (isNDArray(x) && x.tracedTape !== null)) return true;
  if (typeof x !== 'object' || x === null || seen.has(x)) return false;
  seen.add(x);
  if (typedStandIn(x) !== undefined) return true;
  if (ArrayBuffer.isView(x)) return false;
  if (x instanceof Map) {
    for (const [k, e] of x) if (holdsTraced(k, seen) || holdsTraced(e, seen)) return true;
    return false;
  }
  if (x instanceof Set) {
    for (const e of x) if (holdsTraced(e, seen)) return true;
    return false;
  }
  for (const key of Reflect.ownKeys(x)) {
    const d = Object.getOwnPropertyDescriptor(x, key)!;
    if ('value' in d && holdsTraced(d.value, seen)) return true;
  }
  return false;
}
