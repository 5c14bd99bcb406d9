// What kind of structure an argument (or a value inside one) is, for tracing.
//
// Records (plain objects and instances of user classes), arrays, Maps, Sets and float
// typed arrays get a stand-in. Objects with internal slots that a copy cannot have (Date,
// RegExp, Error, DOM nodes, integer typed arrays, …) are opaque: f receives them as they
// are and their gradient is null. A few kinds hold numbers we cannot follow, and are
// refused with a reason.

import { typedStandIn, LIVE_ITERATOR } from './typed-arrays.js';
import { ARRAY_ITERATOR, MAP_ITERATOR, SET_ITERATOR } from './iterators.js';

export type Kind = 'record' | 'array' | 'map' | 'set' | 'typed' | 'opaque';

/** A value inside an argument that cannot be traced; the message names its path. */
export class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const kindByPrototype = new WeakMap<object, Kind | Refusal>();

// Generators and the built-in iterators (`gen()`, `xs.values()`, `m.entries()`, `s.matchAll(r)`)
// keep their state in internal slots, and their prototypes have no constructor of their own
// by which `kindOfPrototype` would know them: taken for records, f got an empty copy whose
// `next` threw ("called on incompatible receiver") where plain JavaScript iterates. Passed as
// they are, as other built-ins with internal slots: what they yield are constants, as a
// closure's numbers are, and iterating consumes the caller's iterator, as in plain JavaScript.
// (An Array or Map iterator over another argument's array or Map follows its stand-in while
// f runs: iterators.ts.)
for (const proto of iteratorPrototypes()) kindByPrototype.set(proto, 'opaque');

function iteratorPrototypes(): object[] {
  const protos = [
    Object.getPrototypeOf(function* () {}).prototype, // (a generator's prototype inherits from it)
    Object.getPrototypeOf(async function* () {}).prototype,
    ARRAY_ITERATOR,
    LIVE_ITERATOR, // (a typed-array stand-in's)
    MAP_ITERATOR,
    SET_ITERATOR,
    Object.getPrototypeOf(''[Symbol.iterator]()),
    Object.getPrototypeOf(''.matchAll(/(?:)/g)),
  ];
  const Segmenter = (Intl as { Segmenter?: new () => { segment(s: string): Iterable<unknown> } }).Segmenter;
  if (Segmenter !== undefined) {
    const segments = new Segmenter().segment('');
    protos.push(Object.getPrototypeOf(segments), Object.getPrototypeOf(segments[Symbol.iterator]()));
  }
  // (a bundle for a target before ES2018 lowers `async function*` to a plain function, whose
  // `prototype` is undefined: as a WeakMap key it stopped every such bundle as it loaded)
  return protos.filter((proto): proto is object => typeof proto === 'object' && proto !== null);
}

/** The kind of a non-null object, or a `Refusal` saying why it cannot be traced. */
export function kindOf(value: object): Kind | Refusal {
  if (typedStandIn(value) !== undefined) return 'typed'; // (a typed array a differentiation gave f: a Proxy of ours)
  if (isForeignProxy(value)) {
    if (isRevoked(value)) return REVOKED;
    if (isImmerDraft(value)) return IMMER_DRAFT;
    if (gradsProxies.has(value)) return GRADS_INSIDE;
    return new Refusal(
      'is a Proxy that zygote-ts did not make: its traps would run on a copy, not on your data. ' +
        'Pass the object behind the Proxy (for a Vue/MobX store, its raw value).',
    );
  }
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) {
    if (value instanceof Float64Array || value instanceof Float32Array) return 'typed';
    if (isFloat16Array(value)) return FLOAT16;
    const kind = kindOfPrototype(Object.getPrototypeOf(value) as object | null); // (another realm's float typed array is refused)
    return kind instanceof Refusal ? kind : 'opaque';
  }
  if (value instanceof Map) return isImmerDraft(value) ? IMMER_DRAFT : 'map';
  if (value instanceof Set) return isImmerDraft(value) ? IMMER_DRAFT : 'set';
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return new Refusal(
      `is a ${value instanceof WeakMap ? 'WeakMap' : 'WeakSet'}: its entries cannot be listed, so they cannot be ` +
        `traced. Use a Map (or Set), or close over it instead of passing it.`,
    );
  }
  if (value instanceof Promise) {
    return new Refusal('is a Promise: differentiation is synchronous. Await the value first, then pass it.');
  }
  return kindOfPrototype(Object.getPrototypeOf(value) as object | null);
}

/**
 * Whether `value` is a Proxy zygote-ts did not make (a Vue/MobX store, a user's): `kindOf` refuses
 * it; compileGradient, which copies what it reads, does not record on it either.
 */
export function isOthersProxy(value: object): boolean {
  return typedStandIn(value) === undefined && isForeignProxy(value);
}

// (Array.isArray runs no trap: it throws for a revoked Proxy only, where any other look at it threw
// "Cannot perform 'getPrototypeOf' on a proxy that has been revoked", naming no place)
const isRevoked = (proxy: object): boolean => {
  try {
    Array.isArray(proxy);
    return false;
  } catch {
    return true;
  }
};
const REVOKED = new Refusal('is a revoked Proxy: nothing can be read from it. Leave it out of the arguments (or put null in its place).');

// A Float16Array (browsers have it, Node 20 does not) holds numbers that f may differentiate,
// but zygote-ts traces float64 and float32 arrays only: taken for opaque, as an integer array
// is, its gradient was null without a word (gradient((a) => a[0] * a[1], new Float16Array([2, 3]))
// gave [null] where it is [3, 2]).
const isFloat16Array = (value: object): boolean => {
  const Float16 = (globalThis as { Float16Array?: abstract new (...args: never[]) => object }).Float16Array;
  return Float16 !== undefined && value instanceof Float16;
};
const FLOAT16 = new Refusal(
  'is a Float16Array, whose numbers zygote-ts does not trace (float64 and float32 arrays it does): its gradient ' +
    'would be lost. Pass new Float32Array(a) (or a Float64Array), or close over it if it is a constant.',
);

// An immer draft (what a `produce` recipe works on): a Proxy for records and arrays, a Map
// or Set subclass holding its entries elsewhere for Maps and Sets — a copy of it would be
// empty. immer marks every draft with this registered symbol.
const IMMER_STATE = Symbol.for('immer-state');
const isImmerDraft = (value: object): boolean => (value as Record<symbol, unknown>)[IMMER_STATE] !== undefined;
const IMMER_DRAFT = new Refusal(
  "is an immer draft (the recipe's argument inside produce), which a differentiation cannot trace. " +
    "Pass current(draft) from immer, a plain copy of the draft as it is now.",
);

// A Params inside an argument (`gradient(f, { x, ps })`) was traced as a record: its arrays,
// which f reads through its closure, got no gradient, with no word (lib/params.ts brands it).
const PARAMS_BRAND = Symbol.for('zygote-ts.params');
const PARAMS_INSIDE = new Refusal(
  'is a Params: implicit parameters are given as the only argument (gradient(() => loss(), new Params([W]))), and their arrays ' +
    'are found where f reads them. To differentiate arrays explicitly, pass the arrays themselves in the argument instead.',
);

/**
 * Grads (a Proxy lib/params.ts makes, which refuses gs[p]) among the arguments: its get reads
 * its own list of parameters, which f would receive as a copy. (Known by this set: asking a
 * Proxy its prototype would run a user's trap.)
 */
export const gradsProxies = new WeakSet<object>();
const GRADS_INSIDE = new Refusal(
  'is Grads: pass the gradients it holds (gs.get(W), or { W: gs.get(W), b: gs.get(b) }), not the Grads itself.',
);

// A record's prototype chain reaches Object.prototype (or null) through user classes only;
// a built-in constructor on the way (Date, Error, HTMLElement, …) means internal slots.
function kindOfPrototype(proto: object | null): Kind | Refusal {
  if (proto === null || proto === Object.prototype) return 'record';
  if (Object.prototype.hasOwnProperty.call(proto, PARAMS_BRAND)) return PARAMS_INSIDE;
  const known = kindByPrototype.get(proto);
  if (known !== undefined) return known;
  const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (proto as { constructor: unknown }).constructor : undefined;
  const kind = isOtherRealmsObjectPrototype(proto, ctor)
    ? 'record'
    : typeof ctor === 'function' && isNative(ctor)
      ? (otherRealmsCollection(proto, ctor) ?? 'opaque')
      : kindOfPrototype(Object.getPrototypeOf(proto) as object | null);
  kindByPrototype.set(proto, kind);
  return kind;
}

/**
 * Another realm's Object.prototype (an object made by node:vm's code, or an iframe's): its
 * records and class instances are records here too. Its native constructor made them opaque:
 * gradient((p) => p.x * p.y, vm.runInNewContext('({ x: 2, y: 3 })')) was [null], with no word.
 */
function isOtherRealmsObjectPrototype(proto: object, ctor: unknown): boolean {
  return typeof ctor === 'function' && ctor.name === 'Object' && (ctor as { prototype?: unknown }).prototype === proto && Object.getPrototypeOf(proto) === null && isNative(ctor);
}

/**
 * Another realm's Map, Set, Float64Array or Float32Array (the `instanceof` tests above are this
 * realm's): followed nowhere, it was opaque, its gradient null with no word. Refused, saying
 * what to pass instead.
 */
function otherRealmsCollection(proto: object, ctor: Function): Refusal | undefined {
  const copies: Record<string, string> = { Map: 'new Map(m)', Set: 'new Set(s)', Float64Array: 'Float64Array.from(a)', Float32Array: 'Float32Array.from(a)' };
  const copy = Object.prototype.hasOwnProperty.call(copies, ctor.name) ? copies[ctor.name] : undefined;
  if (copy === undefined || (globalThis as Record<string, unknown>)[ctor.name] === ctor || (ctor as { prototype?: unknown }).prototype !== proto) return undefined;
  return new Refusal(
    `is a ${ctor.name} made in another realm (by node:vm's code, or an iframe's), which zygote-ts does not follow: its numbers would be ` +
      `constants, with no gradient. Pass a copy made here (${copy}).`,
  );
}

function isNative(f: Function): boolean {
  return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f));
}

// Node can tell a Proxy apart (util.types.isProxy); a browser cannot, and there a foreign
// Proxy is traced through its traps like any object.
type IsProxy = (value: unknown) => boolean;
const isForeignProxy: IsProxy = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const util = proc?.getBuiltinModule?.('node:util') as { types?: { isProxy?: IsProxy } } | undefined;
  return util?.types?.isProxy ?? (() => false);
})();
