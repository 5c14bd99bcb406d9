// The runtime's operator table: what rewritten code calls (`__zy.mul(a, b)`, …).
//
// The transform emits these names and nothing else, so this object is the whole contract
// between rewritten code and the AD system. It is also published on a global symbol, so
// code rewritten for CommonJS or compiled from `f.toString()` finds the same instance.

import { setAlgebra } from './core/tape.js';
import { readData, type NDArray } from './ndarray.js';
import * as arithmetic from '../rules/arithmetic.js';
import * as nondiff from '../rules/nondiff.js';
import { differentiableMath, mathCalls, mathNow } from '../rules/math.js';
import * as coercion from './coercion.js';
import * as barrier from '../proxies/barrier.js';
import { evalSource, rewritingFunction } from './dynamic-function.js';
import * as text from '../rules/text.js';
import * as builtins from '../rules/builtins.js';
import * as wasm from '../rules/wasm.js';
import { callImported, importedFunction } from './imported.js';
import { addAt, arrayOf, readElement } from '../rules/arrays/shape.js';
import * as escapes from './escapes.js';
import { copies } from './core/foreign.js';

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
]);
// (reached where `Math` may be another object's property: `Math.sin(x)` inside `with (o)`,
// lib/transform/rewrite-globals.ts)
for (const [name, f] of Object.entries(differentiableMath)) {
  const own = (Math as unknown as Record<string, unknown>)[name];
  if (typeof own === 'function' && own !== f) runtimeVersions.set(own, f);
}
function builtin(callee: unknown): unknown {
  // (`Math` destructured, `Math.sin` read: what the program would find now, rules/math.ts)
  if (callee === Math) return mathNow();
  return runtimeVersions.get(callee) ?? callee;
}

const numberStatics = () => Object.fromEntries(Object.getOwnPropertyNames(Number).map((k) => [k, (Number as unknown as Record<string, unknown>)[k]]));

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
  truthy: coercion.truthy,
  predicate: coercion.predicate,
  callPredicates: coercion.callPredicates,
  callImportedPredicates: coercion.callImportedPredicates,
  comparator: coercion.comparator,
  callComparator: coercion.callComparator,
  test: coercion.test,
  took: coercion.took,
  typeOf: coercion.typeOf,
  typeOfGlobal: coercion.typeOfGlobal,
  key: coercion.key,
  // globals' functions the transform puts in place (lib/transform/rewrite-globals.ts)
  Math: mathCalls,
  // (all of Number's own properties, for `const { isFinite, EPSILON } = Number`)
  Number: Object.freeze({ ...numberStatics(), ...coercion.numberPredicates, parseFloat: text.parseFloatOf, parseInt: text.parseIntOf }),
  isNaN: coercion.differentiableIsNaN,
  isFinite: coercion.differentiableIsFinite,
  builtin,
  callGlobal: (receiver: unknown, fn: unknown, ...args: unknown[]): unknown => Reflect.apply(builtin(fn) as Function, receiver, args),
  // calls of built-ins whose meaning on traced numbers is supplied here (rules/text.ts, rules/builtins.ts)
  parseFloat: text.parseFloatOf,
  parseInt: text.parseIntOf,
  jsonParse: text.jsonParse,
  jsonStringify: text.jsonStringify,
  objectIs: builtins.objectIs,
  objectGetPrototypeOf: builtins.objectGetPrototypeOf,
  objectIsFrozen: builtins.objectIsFrozen,
  objectIsSealed: builtins.objectIsSealed,
  objectIsExtensible: builtins.objectIsExtensible,
  instanceOf: builtins.instanceOf,
  structuredClone: builtins.structuredCloneOf,
  callMethod: builtins.callMethod,
  typedSuperCall: builtins.typedSuperCall,
  callOn: builtins.callOn,
  searchCallback: builtins.searchCallback,
  bindOn: builtins.bindOn,
  applyOn: (fn: unknown, receiver: unknown, args?: unknown): unknown => builtins.applyOn(fn, receiver, coercion.predicateArguments(fn, args)),
  reflectApply: (fn: unknown, receiver: unknown, args: unknown): unknown => builtins.reflectApply(fn, receiver, coercion.predicateArguments(fn, args)),
  collectionArguments: builtins.collectionArguments,
  collectionMade: builtins.collectionMade,
  hold: builtins.hold,
  held: builtins.held,
  readData,
  callImported,
  importedFunction,
  wasmInstantiate: wasm.wasmInstantiate,
  wasmInstantiateStreaming: wasm.wasmInstantiateStreaming,
  construct: builtins.construct,
  sizeOf: builtins.sizeOf,
  arrayFrom: builtins.arrayFrom,
  arrayBufferIsView: builtins.arrayBufferIsView,
  float64ArrayFrom: builtins.float64ArrayFrom,
  float32ArrayFrom: builtins.float32ArrayFrom,
  float64ArrayOf: builtins.float64ArrayOf,
  float32ArrayOf: builtins.float32ArrayOf,
  evalSource,
  // a loop's entry in plain copies (lib/transform/rewrite-loops.ts): a value that is not a
  // number, as it is, by a call V8 sees never made, so that it compiles the number's path alone
  asIs: <T>(x: T): T => x,
  // stores into existing objects, and `#private` members of stand-ins (proxies/barrier.ts)
  touch: barrier.touch,
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
  // each rewritten file, as it loads (lib/escapes.ts)
  rewritten: escapes.registerRewritten,
  // how many differentiations run: picks which of a function's two bodies runs (lib/transform/two-bodies.ts)
  tapes: copies,
});

export type Runtime = typeof __zy;

/** The global key under which the runtime publishes itself. */
export const RUNTIME_KEY = Symbol.for('zygote-ts.runtime');

setAlgebra({ add: arithmetic.add, mul: arithmetic.mul, addAt, arrayOf, elementAt: (x, k) => readElement(x as NDArray, k) });

// The latest loaded copy wins (test runners re-evaluate modules per test file).
(globalThis as unknown as Record<symbol, Runtime>)[RUNTIME_KEY] = __zy;
