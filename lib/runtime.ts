// The runtime's operator table: what rewritten code calls (`__zy.mul(a, b)`, …).
//
// The transform emits these names and nothing else, so this object is the whole contract
// between rewritten code and the AD system. It is also published on a global symbol, so
// code rewritten for CommonJS or compiled from `f.toString()` finds the same instance.

import { setAlgebra } from './core/tape.js';
import { readData, type NDArray } from './ndarray.js';
import * as arithmetic from '../rules/arithmetic.js';
import * as nondiff from '../rules/nondiff.js';
import { differentiableMath, mathCalls } from '../rules/math.js';
import * as coercion from './coercion.js';
import * as barrier from '../proxies/barrier.js';
import { evalSource, rewritingFunction } from './dynamic-function.js';
import * as text from '../rules/text.js';
import * as builtins from '../rules/builtins.js';
import * as wasm from '../rules/wasm.js';
import { bindNoted, callImported, constructImported, importedFunction, noteRuntimeVersion, wasRewritten } from './imported.js';
import { isTraced, primal } from './core/traced.js';
import { addAt, arrayOf, readElement } from '../rules/arrays/shape.js';
import * as escapes from './escapes.js';
import { caught } from './caught.js';
import { copies } from './core/foreign.js';
import { calledAsInstalled, takenApart } from '../rules/as-installed.js';
import { noteStandsFor, versionOf } from '../rules/like-builtin.js';

// `Number(…)`, `Boolean(…)`, `Object(…)`, `Function(…)` in rewritten code call `__zy.builtin(Number)(…)`: the runtime's
// version of the built-in the code names, or that value itself when it is something else.
const runtimeVersions = new Map<unknown, unknown>([
  [Number, coercion.tracedNumber],
  [Function, rewritingFunction],
  [Boolean, coercion.booleanOf],
  [Object, builtins.objectOf],
  // (reached through the global object: `globalThis.parseFloat(s)`, lib/transform/rewrite-globals.ts)
  [parseFloat, text.parseFloatOf],
  [parseInt, text.parseIntOf],
  [isNaN, coercion.differentiableIsNaN],
  [isFinite, coercion.differentiableIsFinite],
  // (reached through any object: `o.N.isFinite(x)`, lib/transform/rewrite-globals.ts)
  [Number.isNaN, coercion.numberPredicates.isNaN],
  [Number.isFinite, coercion.numberPredicates.isFinite],
  [Number.isInteger, coercion.numberPredicates.isInteger],
  [Number.isSafeInteger, coercion.numberPredicates.isSafeInteger],
  // (read as values: `const is = Object.is`, `const clone = structuredClone`)
  [Object.is, builtins.objectIs],
  ...(typeof structuredClone === 'function' ? [[structuredClone, builtins.structuredCloneOf] as const] : []),
]);
// (reached where a global's name may be another object's property: `Math.sin(x)`,
// `JSON.parse(t)`, `Object.getPrototypeOf(x)` inside `with (o)`, lib/transform/rewrite-globals.ts)
runtimeVersions.set(JSON.parse, text.jsonParse);
runtimeVersions.set(JSON.stringify, text.jsonStringify);
runtimeVersions.set(Object.getPrototypeOf, builtins.objectGetPrototypeOf);
runtimeVersions.set(Object.isFrozen, builtins.objectIsFrozen);
runtimeVersions.set(Object.isSealed, builtins.objectIsSealed);
runtimeVersions.set(Object.isExtensible, builtins.objectIsExtensible);
for (const [name, f] of Object.entries(differentiableMath)) {
  const own = (Math as unknown as Record<string, unknown>)[name];
  if (typeof own === 'function' && own !== f) runtimeVersions.set(own, f);
}
// (a package may hold and export one: `var floor = Math.floor; module.exports = floor`; looked
// up through rules/like-builtin.ts's versionOf, which the modules this one imports can reach too)
for (const [named, version] of runtimeVersions) {
  noteRuntimeVersion(version);
  if (typeof named === 'function' && typeof version === 'function') noteStandsFor(version, named);
}

function builtin(callee: unknown): unknown {
  // (`Math` destructured, `Math.sin` read: what the program would find now, rules/math.ts)
  if (callee === Math) return mathNow();
  return versionOf(callee) ?? callee;
}

// `Math` and `Number` as a program takes them apart (rules/as-installed.ts's takenApart).
const functionKeys = (host: object) => Object.getOwnPropertyNames(host).filter((key) => typeof (host as Record<string, unknown>)[key] === 'function');
const mathNow = takenApart(Math, functionKeys(Math), builtin);
const numberNow = takenApart(Number, ['isNaN', 'isFinite', 'isInteger', 'isSafeInteger', 'parseFloat', 'parseInt'], builtin);
// (`const { is } = Object`, `const { parse, stringify } = JSON`: the functions whose runtime versions are read as values)
const objectNow = takenApart(Object, ['is', 'getPrototypeOf', 'isFrozen', 'isSealed', 'isExtensible'], builtin);
const jsonNow = takenApart(JSON, ['parse', 'stringify'], builtin);

const numberStatics = () => Object.fromEntries(Object.getOwnPropertyNames(Number).map((k) => [k, (Number as unknown as Record<string, unknown>)[k]]));

// What rewritten code calls for a built-in the runtime has its version of (`JSON.parse(t)`,
// `isNaN(x)`): that version while the global holds the built-in, else the program's
// replacement, as plain JavaScript calls it (rules/as-installed.ts).
const builtinAt = (owner: object, key: string): Function | undefined => (owner as Record<string, Function | undefined>)[key];
type CallReplacement = (replacement: Function, self: unknown, args: ArrayLike<unknown>) => unknown;
const onGlobal = (key: string, runtime: Function, call?: CallReplacement) => calledAsInstalled(globalThis, key, builtinAt(globalThis, key), runtime, 'none', call);
const onObject = (owner: object, key: string, runtime: Function, call?: CallReplacement) => calledAsInstalled(owner, key, builtinAt(owner, key), runtime, 'owner', call);
// A replacement whose code was not rewritten (a test framework's spy, which calls the built-in
// it saved; a package's polyfill) meets a traced number as any such code does: as an object.
// Given so, `Number.isFinite` (the built-in the spy calls) said false, silently. What these
// answer depends on the numbers alone, so such a replacement is given the numbers (`primal`:
// compileGradient's path is pinned to each, as the answer may depend on it).
const { apply } = Reflect;
const givenNumbers: CallReplacement = (replacement, self, args) =>
  apply(replacement, self, wasRewritten(replacement) ? args : Array.from(args, (a) => (isTraced(a) ? primal(a) : a)));
// Text read and written by such a replacement: what traced numbers wrote reads back as them
// (rules/text.ts), and structuredClone's copy keeps them (rules/builtins/clone.ts).
const parsedBack = (int: boolean): CallReplacement => (replacement, self, args) => {
  const parsed = apply(replacement, self, args);
  return wasRewritten(replacement) ? parsed : text.parsedBack(int, args, parsed);
};
const jsonParsedBack: CallReplacement = (replacement, self, args) => {
  const parsed = apply(replacement, self, args);
  return wasRewritten(replacement) ? parsed : text.jsonParsedBack(args[0], parsed);
};
const jsonStringified: CallReplacement = (replacement, self, args) => {
  const written = apply(replacement, self, args);
  if (!wasRewritten(replacement) && typeof written === 'string') text.noteStringified(args);
  return written;
};
const cloned: CallReplacement = (replacement, self, args) => (wasRewritten(replacement) ? apply(replacement, self, args) : builtins.clonedByReplacement(replacement, self, args));
// (and a search method given to Reflect.apply, a typed array f has to ArrayBuffer.isView: rules/builtins.ts)
const applied: CallReplacement = (replacement, self, args) => (wasRewritten(replacement) ? apply(replacement, self, args) : builtins.appliedByReplacement(replacement, self, args));
const viewSeen: CallReplacement = (replacement, self, args) => (wasRewritten(replacement) ? apply(replacement, self, args) : builtins.isViewByReplacement(replacement, self, args));

export const __zy = Object.freeze({
  // arithmetic (rules/arithmetic.ts)
  add: arithmetic.add,
  sub: arithmetic.sub,
  mul: arithmetic.mul,
  div: arithmetic.div,
  mod: arithmetic.mod,
  pow: arithmetic.pow,
  neg: arithmetic.neg,
  pos: arithmetic.pos,
  numeric: arithmetic.numeric,
  inc: arithmetic.inc,
  dec: arithmetic.dec,
  // bit operations (rules/nondiff.ts)
  bor: nondiff.bor,
  band: nondiff.band,
  bxor: nondiff.bxor,
  shl: nondiff.shl,
  shr: nondiff.shr,
  ushr: nondiff.ushr,
  bnot: nondiff.bnot,
  // comparisons, equality, truthiness, typeof, switch (lib/coercion.ts)
  lt: coercion.lt,
  le: coercion.le,
  gt: coercion.gt,
  ge: coercion.ge,
  eq: coercion.eq,
  ne: coercion.ne,
  seq: coercion.seq,
  sne: coercion.sne,
  // (where neither side is a number written in the source: an equality held with a traced number is noted)
  seqStored: coercion.seqStored,
  sneStored: coercion.sneStored,
  eqStored: coercion.eqStored,
  neStored: coercion.neStored,
  truthy: coercion.truthy,
  predicate: coercion.predicate,
  iteratorDone: coercion.iteratorDone,
  iteratorResult: coercion.iteratorResult,
  callPredicates: coercion.callPredicates,
  callImportedPredicates: coercion.callImportedPredicates,
  comparator: coercion.comparator,
  callComparator: coercion.callComparator,
  callComputed: coercion.callComputed,
  test: coercion.test,
  took: coercion.took,
  caught,
  typeOf: coercion.typeOf,
  constructed: coercion.constructed,
  conversionResult: coercion.conversionResult,
  typeOfGlobal: coercion.typeOfGlobal,
  typeOfRead: coercion.typeOfRead,
  key: coercion.key,
  caseKeyStored: coercion.caseKeyStored,
  // globals' functions the transform puts in place (lib/transform/rewrite-globals.ts)
  Math: mathCalls,
  // (`Number.isFinite(x)` and its kin called; Number destructured is `numberNow`. All of
  // Number's own properties too, for code rewritten before, which destructured this object)
  Number: Object.freeze({
    ...numberStatics(),
    ...Object.fromEntries(Object.entries(coercion.numberPredicates).map(([key, runtime]) => [key, onObject(Number, key, runtime, givenNumbers)])),
    parseFloat: onObject(Number, 'parseFloat', text.parseFloatOf, parsedBack(false)),
    parseInt: onObject(Number, 'parseInt', text.parseIntOf, parsedBack(true)),
  }),
  isNaN: onGlobal('isNaN', coercion.differentiableIsNaN, givenNumbers),
  isFinite: onGlobal('isFinite', coercion.differentiableIsFinite, givenNumbers),
  builtin,
  numberNow,
  objectNow,
  jsonNow,
  // (where `fn` is not a built-in the runtime has its version of, `_.isFinite(x)` of lodash left
  // out of include, it is a package's or the program's function: checked as an imported one is,
  // since a traced number is an object to it if it was not rewritten)
  callGlobal: (receiver: unknown, fn: unknown, ...args: unknown[]): unknown => {
    const own = builtin(fn);
    return own === fn ? callImported(receiver, fn, ...args) : Reflect.apply(own as Function, receiver, args);
  },
  // calls of built-ins whose meaning on traced numbers is supplied here (rules/text.ts, rules/builtins.ts)
  parseFloat: onGlobal('parseFloat', text.parseFloatOf, parsedBack(false)),
  parseInt: onGlobal('parseInt', text.parseIntOf, parsedBack(true)),
  jsonParse: onObject(JSON, 'parse', text.jsonParse, jsonParsedBack),
  jsonStringify: onObject(JSON, 'stringify', text.jsonStringify, jsonStringified),
  objectIs: onObject(Object, 'is', builtins.objectIs, givenNumbers),
  objectIsStored: onObject(Object, 'is', builtins.objectIsStored, givenNumbers),
  // (`is(t, cachedT)` with `const is = Object.is` or `const { is } = Object`: the runtime's Object.is
  // read as a value, called as a cache's test; anything else the name holds, called as written)
  objectIsStoredVia: (receiver: unknown, fn: unknown, ...args: unknown[]): unknown =>
    fn === builtins.objectIs && args.length === 2 ? builtins.objectIsStored(args[0], args[1]) : Reflect.apply(fn as Function, receiver, args),
  objectGetPrototypeOf: onObject(Object, 'getPrototypeOf', builtins.objectGetPrototypeOf, givenNumbers),
  objectIsFrozen: onObject(Object, 'isFrozen', builtins.objectIsFrozen, givenNumbers),
  objectIsSealed: onObject(Object, 'isSealed', builtins.objectIsSealed, givenNumbers),
  objectIsExtensible: onObject(Object, 'isExtensible', builtins.objectIsExtensible, givenNumbers),
  instanceOf: builtins.instanceOf,
  structuredClone: onGlobal('structuredClone', builtins.structuredCloneOf, cloned),
  callMethod: builtins.callMethod,
  typedSuperCall: builtins.typedSuperCall,
  callOn: builtins.callOn,
  readableThrough: builtins.readableThrough,
  searchCallback: builtins.searchCallback,
  bindOn: (fn: unknown, receiver: unknown, ...args: unknown[]): unknown => builtins.bindOn(fn, receiver, args, coercion.boundPredicate),
  applyOn: (fn: unknown, receiver: unknown, args?: unknown): unknown => builtins.applyOn(fn, receiver, coercion.predicateArguments(fn, args)),
  reflectConstruct: onObject(Reflect, 'construct', builtins.reflectConstruct),
  reflectSet: onObject(Reflect, 'set', builtins.reflectSet),
  reflectDefineProperty: onObject(Reflect, 'defineProperty', builtins.reflectDefineProperty),
  objectDefineProperty: onObject(Object, 'defineProperty', builtins.objectDefineProperty),
  objectDefineProperties: onObject(Object, 'defineProperties', builtins.objectDefineProperties),
  objectSetPrototypeOf: onObject(Object, 'setPrototypeOf', builtins.objectSetPrototypeOf),
  reflectSetPrototypeOf: onObject(Reflect, 'setPrototypeOf', builtins.reflectSetPrototypeOf),
  reflectApply: onObject(Reflect, 'apply', (fn: unknown, receiver: unknown, args: unknown): unknown => builtins.reflectApply(fn, receiver, coercion.predicateArguments(fn, args)), applied),
  collectionArguments: builtins.collectionArguments,
  collectionMade: builtins.collectionMade,
  hold: builtins.hold,
  held: builtins.held,
  readData,
  // (a package's export that is a built-in the runtime has its version of, as the built-in read by
  // its name is: core-js-pure's `parseFloat` and `Number.isFinite`, which are the native ones where
  // those are sound, Babel's runtime-corejs3 imports for `Math.hypot(x, 2)`, `var floor = Math.floor;
  // module.exports = floor`. The native one read back text plain, took a traced number for an object)
  callImported: (receiver: unknown, fn: unknown, ...args: unknown[]): unknown => callImported(receiver, versionOf(fn) ?? fn, ...args),
  constructImported,
  bindNoted,
  importedFunction,
  wasmInstantiate: wasm.wasmInstantiate,
  wasmInstantiateStreaming: wasm.wasmInstantiateStreaming,
  construct: builtins.construct,
  sizeOf: builtins.sizeOf,
  sizedArguments: builtins.sizedArguments,
  arrayFrom: onObject(Array, 'from', builtins.arrayFrom),
  arrayBufferIsView: onObject(ArrayBuffer, 'isView', builtins.arrayBufferIsView, viewSeen),
  float64ArrayFrom: onObject(Float64Array, 'from', builtins.float64ArrayFrom),
  float32ArrayFrom: onObject(Float32Array, 'from', builtins.float32ArrayFrom),
  float64ArrayOf: onObject(Float64Array, 'of', builtins.float64ArrayOf),
  float32ArrayOf: onObject(Float32Array, 'of', builtins.float32ArrayOf),
  evalSource,
  // a loop's entry in plain copies (lib/transform/rewrite-loops.ts): a value that is not a
  // number, as it is, by a call V8 sees never made, so that it compiles the number's path alone
  asIs: <T>(x: T): T => x,
  // stores into existing objects, and `#private` members of stand-ins (proxies/barrier.ts)
  touch: barrier.touch,
  touchNew: barrier.touchNew,
  fieldNew: barrier.fieldNew,
  privateFieldNew: barrier.privateFieldNew,
  privateFieldHeld: barrier.privateFieldHeld,
  patternTarget: barrier.patternTarget,
  privateTarget: barrier.privateTarget,
  privateHost: barrier.privateHost,
  privateGet: barrier.privateGet,
  privateSet: barrier.privateSet,
  isStandIn: barrier.isStandIn,
  lexicalThis: barrier.lexicalThis,
  bindInstance: barrier.bindInstance,
  privateStored: barrier.privateStored,
  notePrivate: barrier.notePrivate,
  variableStored: barrier.variableStored,
  capturedStored: barrier.capturedStored,
  noteVariable: barrier.noteVariable,
  settleGlobal: barrier.settleGlobal,
  // each rewritten file, as it loads (lib/escapes.ts)
  rewritten: escapes.registerRewritten,
  // how many differentiations run: picks which of a function's two bodies runs (lib/transform/two-bodies.ts)
  tapes: copies,
});

export type Runtime = typeof __zy;

/** The runtime's versions of built-ins behind `__zy`'s calls of them (which call them while the globals hold the built-ins): lib/rewritten.ts. */
export const runtimeVersionsBehind: readonly unknown[] = [
  ...runtimeVersions.values(), ...Object.values(coercion.numberPredicates), text.jsonParse, text.jsonStringify, builtins.objectIs, builtins.objectIsStored, builtins.objectGetPrototypeOf,
  builtins.objectIsFrozen, builtins.objectIsSealed, builtins.objectIsExtensible, builtins.arrayFrom, builtins.reflectConstruct, builtins.arrayBufferIsView,
  builtins.reflectSet, builtins.reflectDefineProperty, builtins.objectDefineProperty, builtins.objectDefineProperties,
  builtins.objectSetPrototypeOf, builtins.reflectSetPrototypeOf,
  builtins.float64ArrayFrom, builtins.float32ArrayFrom, builtins.float64ArrayOf, builtins.float32ArrayOf,
];

/** The global key under which the runtime publishes itself. */
export const RUNTIME_KEY = Symbol.for('zygote-ts.runtime');

setAlgebra({ add: arithmetic.add, mul: arithmetic.mul, addAt, arrayOf, elementAt: (x, k) => readElement(x as NDArray, k) });

// The latest loaded copy wins (test runners re-evaluate modules per test file).
(globalThis as unknown as Record<symbol, Runtime>)[RUNTIME_KEY] = __zy;
