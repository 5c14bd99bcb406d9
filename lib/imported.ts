// Calls of functions imported from packages, in rewritten code. A package that was not
// rewritten (not listed in ZYGOTE_INCLUDE or the plugin's include option) sees a traced
// number as an object: arithmetic on it is reported where it happens (lib/escapes.ts), but
// a package that first tests what it is given (`typeof x !== "number"` → `return NaN`, as
// simple-statistics' `sum` does) converts nothing and returns NaN, and the derivative
// would be lost without a word. So while a differentiation runs, such a call that is
// given traced numbers and returns a plain NaN stops, naming the function and the fix; one
// given a traced number itself that returns anything else (it may have answered a test as for
// an object: lodash's `isFinite(x)` false, `indexOf(xs, x)` -1) is a doubt (lib/escapes.ts).

import { innermostOpenTape, isDeriving } from './core/scope.js';
import { isSwappedIn } from './core/swaps.js';
import { isTraced, primal } from './core/traced.js';
import { typeOf } from './coercion.js';
import { isRewritten, mayNeedRewrite } from './transform/recognize.js';
import { callerLine, doubt, FIX, suspect } from './escapes.js';
import { isNDArray } from './ndarray.js';
import { holdsTracedElements, isStandInMethod, typedStandIn } from '../proxies/typed-arrays.js';
import { construct, instanceOf, onMethodCall, onRewrittenCode } from '../rules/builtins.js';
import { freezeUnchangedBases, isDraft, noteCollectionsWithin } from '../proxies/drafts.js';
import { sameObject } from '../proxies/standins.js';

const rewrittenFunctions = new WeakMap<Function, boolean>();

/** Whether `fn`'s code was rewritten (read from its text once). */
export function wasRewritten(fn: Function): boolean {
  let known = rewrittenFunctions.get(fn);
  if (known === undefined) rewrittenFunctions.set(fn, (known = isRewritten(Function.prototype.toString.call(fn))));
  return known;
}

onRewrittenCode(wasRewritten);

const unrewrittenFunctions = new WeakMap<Function, boolean>();

/**
 * Whether `fn`'s code was surely not rewritten: not rewritten (nor one of the library's versions of
 * a global, `process.nextTick` while differentiating, which knows traced numbers), and with something the rewrite
 * would have changed (a function of a rewritten package whose text has no operator or test,
 * `(...args) => new Color(...args, 'rgb')`, reads the same either way). Read once.
 */
function surelyNotRewritten(fn: Function): boolean {
  let known = unrewrittenFunctions.get(fn);
  if (known === undefined) unrewrittenFunctions.set(fn, (known = !wasRewritten(fn) && !isStandInMethod(fn) && !isSwappedIn(fn) && !runtimeVersions.has(fn) && mayNeedRewrite(Function.prototype.toString.call(fn))));
  return known;
}

const runtimeVersions = new WeakSet<Function>();

/**
 * Notes the runtime's versions of built-ins (lib/runtime.ts), which rewritten code reads in
 * their place (`var floor = Math.floor; module.exports = floor`, as every stdlib package
 * exports its Math function): code that knows traced numbers. Imported and called
 * (`floor(x)`), one was taken for a package's code that was not rewritten: a warning, an
 * error in strict mode.
 */
export function noteRuntimeVersion(fn: unknown): void {
  if (typeof fn === 'function') runtimeVersions.add(fn);
}

// Node's util.inspect and util.format show a traced number as its number (core/traced.ts's
// inspect.custom) and note its text: code that knows traced numbers, not one to doubt.
type NodeUtil = { inspect?: unknown; format?: unknown; formatWithOptions?: unknown };
const nodeUtil = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:util') as NodeUtil | undefined;
for (const fn of [nodeUtil?.inspect, nodeUtil?.format, nodeUtil?.formatWithOptions]) noteRuntimeVersion(fn);

/**
 * A function exported by a WebAssembly instance: native code whose name is its index in
 * the module (V8 names them so); it converts what it is given to numbers.
 */
function isWebAssemblyExport(fn: Function): boolean {
  return /^\d+$/.test(fn.name) && Function.prototype.toString.call(fn).endsWith('[native code] }');
}

/**
 * Whether `x` holds a traced number whose value is not NaN, at any depth: itself, or inside
 * arrays, objects and class instances (their own enumerable properties), Maps, Sets, typed
 * arrays f received or made, NDArrays. (Asked only once such a call returned NaN.)
 */
function holdsTracedNumber(x: unknown): boolean {
  const seen = new Set<object>();
  const holds = (v: unknown, depth: number): boolean => {
    if (isTraced(v)) return v.tracedTape.active && primal(v) === primal(v);
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 16 || seen.size > 100_000) return false;
    seen.add(v);
    if (isNDArray(v)) return v.tracedTape !== null && v.tracedTape.active;
    if (typedStandIn(v) !== undefined) return holdsTracedElements(v);
    if (ArrayBuffer.isView(v)) return false; // (plain numbers)
    if (v instanceof Map) {
      for (const [k, m] of v) if (holds(k, depth + 1) || holds(m, depth + 1)) return true;
      return false;
    }
    if (v instanceof Set) {
      for (const m of v) if (holds(m, depth + 1)) return true;
      return false;
    }
    for (const m of Array.isArray(v) ? v : Object.values(v)) if (holds(m, depth + 1)) return true;
    return false;
  };
  return holds(x, 0);
}

/**
 * `receiver.fn(...args)` (or `fn(...args)`, receiver undefined) where `fn` was imported from
 * a package; rewritten code passes `fn` read already, in JavaScript's order.
 */
export function callImported(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new TypeError(`${typeof fn} is not a function`); // (as the call itself would throw)
  // `mean.call(r, x)`, `mean.apply(r, [x])`: the function called is the receiver (it was taken
  // for `call`, native, and not checked: gradient 1 where it is 5), checked as `mean(x)` is
  // `mean.bind(r)`: its target noted, for the bound copy's calls (whenever it is made: often before any differentiation)
  if (fn === functionBind && typeof receiver === 'function') {
    const bound = Reflect.apply(fn, receiver, args) as Function;
    boundTargets.set(bound, boundTargets.get(receiver) ?? receiver);
    return bound;
  }
  if ((fn === functionCall || fn === functionApply) && typeof receiver === 'function' && isDeriving()) {
    if (fn === functionCall) return callImported(args[0], receiver, ...args.slice(1));
    const list = args[1];
    if (list == null) return callImported(args[0], receiver);
    if (typeof list === 'object' || typeof list === 'function') return callImported(args[0], receiver, ...listFromArrayLike(list));
  }
  if (isDeriving() && /^\d+$/.test(fn.name) && isWebAssemblyExport(fn) && args.some(holdsTracedNumber)) {
    throw new TypeError(
      `zygote-ts: a traced number was given to the WebAssembly function ${fn.name === '' ? '' : `${fn.name} `}imported from a package, ` +
        'which keeps only its number, so its derivative would be lost. Give that function a custom rule ' +
        '(rule(f, pullback)), or pass dropgrad(x).',
    );
  }
  // (Babel's and swc's `typeof` and `instanceof`, imported from their helper packages, which are not rewritten)
  if (args.length > 0 && isTraced(args[0])) {
    const helper = toolchainHelper(fn);
    if (helper === 'typeof') return typeOf(args[0]);
    if (helper === 'instanceof') return instanceOf(args[0], args[1]);
  }
  // (the function whose code runs: a bound copy's target where the runtime saw the `bind`)
  let runs: Function = fn;
  let opaque = false;
  if (isDeriving() && isOpaque(fn)) {
    const target = boundTargets.get(fn);
    if (target !== undefined) runs = target;
    else opaque = true;
  }
  const rowsBefore = isDeriving() ? innermostOpenTape()!.size : 0;
  let result: unknown;
  try {
    result = Reflect.apply(fn, receiver, args);
  } catch (error) {
    threwGivenTraced(runs, args, error);
    throw error;
  }
  if (isDeriving()) {
    // (immer's produce freezes what it found unchanged; its current() and applyPatches make Maps and Sets: proxies/drafts.ts)
    freezeUnchangedBases(sameObject);
    noteCollectionsWithin(result);
  }
  if (opaque) calledOpaque(fn, args, result, rowsBefore);
  if (typeof result === 'number' && result !== result && isDeriving() && !wasRewritten(runs) && args.some(holdsTracedNumber)) {
    const name = runs.name ? `${runs.name}(…)` : 'a function';
    throw new Error(
      `zygote-ts: ${name}, imported from a package that was not rewritten for differentiation, was given ` +
        `traced numbers and returned NaN: to code that was not rewritten a traced number is an object, so a ` +
        `test such as typeof x === "number" fails and the result and its derivative are lost. ${FIX}`,
    );
  }
  if (isDeriving() && givesTracedNumbers(runs, args, receiver, innermostOpenTape()!.size !== rowsBefore, { result })) lookedAtAsObject(runs);
  return result;
}

/** The directive Babel's and swc's helpers for `typeof` and `instanceof` start with, and which. */
const HELPER_MARK = /^function\s*\w*\s*\([\w\s,]*\)\s*\{\s*["']@(?:babel|swc)\/helpers - (typeof|instanceof)["']/;
/**
 * The same helpers without the directive (terser and swc drop it when they minify): by their
 * code. Babel's `_typeof`, which replaces itself on its first call (`return _typeof = … ?
 * function (o) { return typeof o } : …, _typeof(o)`), and what it becomes; the `typeof` that
 * knows polyfilled symbols (swc's `_type_of`: `o && … o.constructor === Symbol ? "symbol" :
 * typeof o`); `instanceof` asking `Symbol.hasInstance` (Babel's and swc's `_instanceof`).
 */
const TYPEOF_FUNCTIONS = [
  /^function\s*(\w+)\s*\((\w+)\)\s*\{\s*return\b[^]*\btypeof\s+Symbol\.iterator\b[^]*,\s*\1\s*\(\s*\2\s*\)\s*;?\s*\}$/,
  /^function\s*\w*\s*\((\w+)\)\s*\{\s*return\s+typeof\s+\1\s*;?\s*\}$/,
  /^function\s*\w*\s*\((\w+)\)\s*\{\s*return\s+\1\s*&&[^{}]*\.constructor\s*===\s*Symbol\b[^{}]*\?\s*["']symbol["']\s*:\s*typeof\s+\1\s*;?\s*\}$/,
];
const INSTANCEOF_FUNCTION = /^function\s*\w*\s*\((\w+)\s*,\s*(\w+)\)\s*\{[^]*\[\s*Symbol\.hasInstance\s*\][^]*\b\1\s+instanceof\s+\2\b[^{}]*\}$/;
type Helper = 'typeof' | 'instanceof' | null;
const HELPER_LENGTH = 1000;
const helpers = new WeakMap<Function, Helper>();

/**
 * Which operator `fn` is, if it is the helper that Babel (`_typeof`, from @babel/runtime) or swc
 * (`_type_of`, `_instanceof`, from @swc/helpers) call where a program had `typeof x`
 * (`switch (typeof x)`, `typeof x === 'object'` under targets without symbols) or
 * `x instanceof C` (swc, ES5). Such a helper package is not rewritten: to it a traced number
 * was an object, and `switch (typeof x)` took the object's case, `x instanceof Object` was
 * true (-1 where plain code gives x², with a null gradient). Read once.
 */
function toolchainHelper(fn: Function): Helper {
  let known = helpers.get(fn);
  if (known === undefined) {
    const text = Function.prototype.toString.call(fn);
    // (the helpers are a few hundred characters: a longer function is none of them, and is not searched)
    if (text.length > HELPER_LENGTH) known = null;
    else known = (HELPER_MARK.exec(text)?.[1] as Helper | undefined) ?? (TYPEOF_FUNCTIONS.some((shape) => shape.test(text)) ? 'typeof' : INSTANCEOF_FUNCTION.test(text) ? 'instanceof' : null);
    helpers.set(fn, known);
  }
  return known;
}

/**
 * `new C(...args)` in rewritten code where `C` was imported from a package (`new Vec(x)`,
 * `new ns.Vec(x)`; rewrite-imports.ts), while a differentiation runs: made as `new` makes it
 * (through the runtime's construct, as `new a.B(…)` is), and where the class was not rewritten
 * and is given a traced number itself, a doubt as a call of its functions is: its constructor
 * may test the number (`this.x = typeof x === 'number' ? x : 0`) and keep what it answered for
 * an object (`new Vec(x).x + x` gave 1 where it is 2, with no word).
 */
export function constructImported(ctor: unknown, ...args: unknown[]): unknown {
  let made: unknown;
  try {
    made = construct(ctor, ...args);
  } catch (error) {
    if (typeof ctor === 'function') threwGivenTraced(ctor, args, error);
    throw error;
  }
  if (typeof ctor === 'function' && isDeriving() && givesTracedNumbers(ctor, args)) lookedAtAsObject(ctor);
  return made;
}

/**
 * `fn`, of a package that was not rewritten, threw its own error while given traced numbers
 * anywhere in its arguments: ml-matrix left out, `new Matrix([[x, 1], [2, 3]])`, threw "Input
 * data contains non-numeric values", which says nothing of why (to such code a traced number is
 * an object). Said once per function (a warning, in strict mode too: the package's error is the
 * error) before the error goes on.
 */
function threwGivenTraced(fn: Function, args: unknown[], error: unknown): void {
  if (!isDeriving() || (error instanceof Error && error.message.startsWith('zygote-ts')) || !surelyNotRewritten(fn) || !args.some(holdsTracedNumber)) return;
  const { id, name } = said(fn);
  suspect(
    `imported function ${id} threw`,
    `${name}, of code that was not rewritten for differentiation (a package left out of include?), threw while given traced numbers ` +
      `(${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}): to such code a traced number is an object, not a number.`,
    FIX,
  );
}

/**
 * Whether `fn` is surely not rewritten and one of `args` is a number traced on a tape that
 * records, or a typed array f made or received holding such numbers (its elements are numbers
 * to such code: gl-matrix's `exactEquals(a, b)` compares `a[0] === b[0]`), or — where the call
 * recorded nothing (`recorded` false: no callback of rewritten code computed with them, as
 * `_.map(xs, (x) => x * 2)`'s does) — an array holding such numbers among its first elements:
 * lodash's `_.includes(xs, 2)` and `_.indexOf(xs, 2)`, ramda's `R.includes(2, xs)`, compare them
 * as objects (false, -1 where plain code finds 2). Where the call answered as a test or a search
 * does (a boolean, an index, nothing found, an empty list), also records and arrays holding them
 * a level deeper (`_.find(rows, { x: 2 })`, `_.isMatch(row, { x: 2 })`: undefined, false); a
 * call that returned an object passed them on or copied them (immer's `current(draft)`, a deep copy).
 */
function givesTracedNumbers(fn: Function, args: unknown[], receiver?: unknown, recorded = false, call?: { result: unknown }): boolean {
  let objects = false;
  for (const a of args) {
    if (isTraced(a)) {
      if (a.tracedTape.active) return surelyNotRewritten(fn) || ownerNotRewritten(fn, receiver);
    } else if (typeof a === 'object' && a !== null) objects = true;
  }
  if (!objects || !(surelyNotRewritten(fn) || ownerNotRewritten(fn, receiver))) return false;
  if (args.some(holdsTracedElements)) return true;
  if (recorded) return false;
  // (a callback of rewritten code it was given compares the numbers as rewritten code does:
  // immer's recipe, `_.filter(xs, (x) => x > 1)`'s test; and an immer draft given to it is
  // immer's: `current(draft)`. Known by what they are, not by immer's module, which the runtime
  // does not import: it reads `process.env` as it loads)
  if (args.some((a) => (typeof a === 'function' && wasRewritten(a)) || (typeof a === 'object' && a !== null && isDraft(a)))) return false;
  if (args.some(arrayHoldsTracedNumber)) return true;
  return call !== undefined && isPlainAnswer(call.result) && args.some((a) => holdsTracedNumberNear(a, 2));
}

/** Whether `result` is what a test or a search answers — a boolean, an index, a key, nothing found, an empty list — rather than numbers passed on (a traced number, a copy, a state). */
function isPlainAnswer(result: unknown): boolean {
  return (typeof result !== 'object' && typeof result !== 'function') || result === null || (Array.isArray(result) && result.length === 0);
}

/** How many elements of an array given to code that was not rewritten are looked at for a traced number. */
const ELEMENTS_LOOKED_AT = 1000;

/** Whether the array `x` holds a number traced on a tape that records among its first {@link ELEMENTS_LOOKED_AT} elements. */
function arrayHoldsTracedNumber(x: unknown): boolean {
  if (!Array.isArray(x)) return false;
  const n = Math.min(x.length, ELEMENTS_LOOKED_AT);
  for (let i = 0; i < n; i++) {
    const v: unknown = x[i];
    if (isTraced(v) && v.tracedTape.active) return true;
  }
  return false;
}

/**
 * Whether `x` is, or holds within `depth` levels of arrays and objects (their own data fields:
 * no getter is run), a number traced on a tape that records, looking at
 * {@link ELEMENTS_LOOKED_AT} values at most.
 */
function holdsTracedNumberNear(x: unknown, depth: number): boolean {
  let budget = ELEMENTS_LOOKED_AT;
  const holds = (v: unknown, levels: number): boolean => {
    if (isTraced(v)) return v.tracedTape.active;
    if (levels === 0 || typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set || isNDArray(v)) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && budget > 0; i++, budget--) if (holds(v[i], levels - 1)) return true;
      return false;
    }
    for (const key of Object.keys(v)) {
      if (budget-- <= 0) return false;
      const field = Reflect.getOwnPropertyDescriptor(v, key);
      if (field !== undefined && 'value' in field && holds(field.value, levels - 1)) return true;
    }
    return false;
  };
  return holds(x, depth);
}

const unrewrittenOwners = new WeakMap<object, boolean>();

/**
 * Whether `fn`, whose own text reads the same rewritten or not (`static of(x) { return new
 * Vec(x) }`: the package's `new Vec(x)` then ran unchecked, its `typeof x === 'number'` false,
 * a gradient lost with no word), was called on what shows its package was not rewritten (a
 * package is rewritten whole): a class whose code surely was not (`Vec.of(x)`: a class's text
 * holds its static methods), or a module namespace exporting such a function (`ns.make(x)`).
 */
function ownerNotRewritten(fn: Function, receiver: unknown): boolean {
  if (typeof receiver === 'function') return !wasRewritten(fn) && !isNativeCode(fn) && surelyNotRewritten(receiver);
  if (typeof receiver !== 'object' || receiver === null || Object.prototype.toString.call(receiver) !== '[object Module]') return false;
  let known = unrewrittenOwners.get(receiver);
  if (known === undefined) {
    known = false;
    for (const key of Object.keys(receiver)) {
      let value: unknown;
      try {
        value = (receiver as Record<string, unknown>)[key];
      } catch {
        continue; // (an export not initialised yet: a cycle)
      }
      if (typeof value === 'function' && surelyNotRewritten(value)) {
        known = true;
        break;
      }
    }
    unrewrittenOwners.set(receiver, known);
  }
  return known && !wasRewritten(fn) && !isNativeCode(fn);
}

const functionCall = Function.prototype.call;
const functionApply = Function.prototype.apply;
const functionBind = Function.prototype.bind;

/** The function each bound copy made by `imported.bind(…)` (or `f.bind(…)`, see {@link bindNoted}) in rewritten code calls. */
const boundTargets = new WeakMap<Function, Function>();

/**
 * `E.bind(…)` in rewritten code, `bind` read from E (rewrite-builtins.ts): called as written, and
 * where it is Function's own, the bound copy's target noted when its code can be read (not
 * native): a bound copy of rewritten code that returns a constant
 * (`const k = (x) => 3; globalThis.k = k.bind(null)`) was suspected of dropping the traced number
 * it was given, as one whose code cannot be seen is ({@link calledOpaque}). A native target or a
 * bound copy made elsewhere stays unseen.
 */
export function bindNoted(receiver: unknown, bind: unknown, ...args: unknown[]): unknown {
  if (typeof bind !== 'function') throw new TypeError(`${typeof bind} is not a function`); // (as the call itself would throw)
  const bound: unknown = Reflect.apply(bind, receiver, args);
  if (bind === functionBind && typeof receiver === 'function' && typeof bound === 'function') {
    const target = boundTargets.get(receiver) ?? receiver;
    if (!isNativeCode(target)) boundTargets.set(bound, target);
  }
  return bound;
}

/** The elements of an array-like as `Function.prototype.apply` reads them (its length, then each index). */
function listFromArrayLike(list: object): unknown[] {
  const like = list as ArrayLike<unknown>;
  const n = Math.min(Math.max(Math.trunc(+(like.length as number)) || 0, 0), Number.MAX_SAFE_INTEGER); // (ToLength: a BigInt or a Symbol throws, as apply throws)
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(like[i]);
  return out;
}

const nativeFunctions = new WeakMap<Function, boolean>();

/** Whether `fn`'s text is native code (a built-in, a bound function, a Proxy): what it does cannot be read from it. */
function isNativeCode(fn: Function): boolean {
  let known = nativeFunctions.get(fn);
  if (known === undefined) nativeFunctions.set(fn, (known = Function.prototype.toString.call(fn).endsWith('{ [native code] }')));
  return known;
}

const opaqueFunctions = new WeakMap<Function, boolean>();

/**
 * Whether `fn` is a bound function or a Proxy around a function (`helper.bind(null)`, a user's
 * `new Proxy(helper, {})`): its text is `function () { [native code] }` whatever it calls, and
 * JavaScript cannot reach the function it calls, so whether that was rewritten cannot be told.
 */
function isOpaque(fn: Function): boolean {
  let known = opaqueFunctions.get(fn);
  if (known === undefined) opaqueFunctions.set(fn, (known = Function.prototype.toString.call(fn) === 'function () { [native code] }'));
  return known;
}

/**
 * `fn`, a bound function or a Proxy (see {@link isOpaque}), was called with `args` and gave
 * `result`. Where it was given a traced number itself and neither recorded anything on the tape
 * nor returned a traced number, the number went where no derivative follows it: code that was
 * not rewritten behind it looked at it as an object (`typeof x === 'number'` false: `sq(x) + x`
 * with such an `sq` gave the gradient 1 where it is 5, with no word). A doubt: a rewritten
 * function that only compares its argument looks the same from here.
 */
function calledOpaque(fn: Function, args: unknown[], result: unknown, rowsBefore: number): void {
  const tape = innermostOpenTape();
  if (tape === undefined || tape.size !== rowsBefore || holdsTracedNumber(result)) return;
  if (!args.some((a) => isTraced(a) && a.tracedTape.active)) return;
  const { id, name } = said(fn);
  doubt(
    `imported function ${id}`,
    () => {
      const where = callerLine(new Error().stack);
      return (
        `${name}${where ? ` called at ${where}` : ''}, a bound function or a Proxy around a function (whose code cannot be seen, so ` +
        `whether it was rewritten for differentiation cannot be told), was given a traced number and returned none, recording nothing: ` +
        `if the code behind it was not rewritten, the traced number was an object to it (typeof x === "number" false), and its result may be wrong. ` +
        `Call the function itself rather than a bound copy or a Proxy.`
      );
    },
    FIX,
  );
}

const functionIds = new WeakMap<Function, number>();
let functionCount = 0;

/** A function's number (what its warning is said once by) and how a message names it. */
function said(fn: Function): { id: number; name: string } {
  let id = functionIds.get(fn);
  if (id === undefined) functionIds.set(fn, (id = functionCount++));
  return { id, name: fn.name ? `${fn.name}(…)` : 'a function' };
}

/** How many functions of each name and code were given a place of their own to be doubted at. */
const placesByCode = new Map<string, number>();
const doubtPlaces = new WeakMap<Function, string>();
const PLACES_OF_ONE_CODE = 8;

/**
 * Where a doubt about `fn` is said once: its own place, but past the first few functions of one
 * name and code, one place for them all — a package's function made anew at each call (ramda's
 * curried `R.propEq(2, 'x')`, called at once in a loop over rows) is not said once a row.
 */
function doubtPlace(fn: Function, id: number): string {
  let place = doubtPlaces.get(fn);
  if (place === undefined) {
    const code = `${fn.name}\n${Function.prototype.toString.call(fn)}`;
    const seen = placesByCode.get(code) ?? 0;
    placesByCode.set(code, seen + 1);
    place = seen < PLACES_OF_ONE_CODE ? `imported function ${id}` : `imported code ${code}`;
    doubtPlaces.set(fn, place);
  }
  return place;
}

/**
 * `fn`, of a package that was not rewritten, was given a traced number itself and returned
 * without converting it (a conversion would have stopped the run): to it the number was an
 * object, so `typeof x === "number"`, `Number.isFinite(x)`, `x === 1.5` or `[1.5].includes(x)`
 * answered as for an object — lodash's `isFinite`, `includes` and `indexOf`, ramda's `equals`
 * and fast-deep-equal with a number answer wrongly, with no other sign. A doubt: the answer
 * may be right (`isNumber`, a function that only passes the number on). Said once per function.
 */
function lookedAtAsObject(fn: Function): void {
  const { id, name } = said(fn);
  doubt(
    doubtPlace(fn, id),
    () => {
      const where = callerLine(new Error().stack); // (the line that called it: a package's inner names say little, ramda's `f2`)
      return (
        `${name}${where ? ` called at ${where}` : ''}, code that was not rewritten for differentiation (a package left out of include, a script, a file marked @zygote-ignore?), ` +
        `was given a traced number (or an array or typed array holding one), which to such code is an object: tests such as typeof x === "number", ` +
        `Number.isFinite(x) or x === 1.5 answer as for an object, so its result may be wrong.`
      );
    },
    FIX,
  );
}

// A package's function of a searching name (`_.includes(xs, x)`, `_.indexOf(xs, x)`, `R.indexOf`)
// is called through the runtime's callMethod, which searches arrays, Maps and Sets by value,
// not through callImported: it looks at the number as an object all the same.
onMethodCall((fn, args) => {
  if (givesTracedNumbers(fn, args)) lookedAtAsObject(fn);
});

const checkedFunctions = new WeakMap<Function, Function>();

/**
 * A function imported from a package, given to a method that calls it (`rows.map(ss.mean)`):
 * while a differentiation runs, the same function with its calls checked as
 * {@link callImported} checks them (a Proxy: its properties, `new` and `instanceof` are the
 * function's); otherwise, and for a package that was rewritten, the function itself. One
 * Proxy per function, so two reads are one value.
 */
export function importedFunction(value: unknown): unknown {
  if (typeof value !== 'function' || !isDeriving() || wasRewritten(value)) return value;
  let checked = checkedFunctions.get(value);
  if (checked === undefined) {
    checked = new Proxy(value, { apply: (target, receiver, args: unknown[]) => callImported(receiver, target, ...args) });
    checkedFunctions.set(value, checked);
  }
  return checked;
}
