// Calls of functions imported from packages, in rewritten code. A package that was not
// rewritten (not listed in ZYGOTE_INCLUDE or the plugin's include option) sees a traced
// number as an object: arithmetic on it is reported where it happens (lib/escapes.ts), but
// a package that first tests what it is given (`typeof x !== "number"` → `return NaN`, as
// simple-statistics' `sum` does) converts nothing and returns NaN, and the derivative
// would be lost without a word. So while a differentiation runs, such a call that is
// given traced numbers and returns a plain NaN stops, naming the function and the fix; one
// given a traced number itself that returns anything else (it may have answered a test as for
// an object: lodash's `isFinite(x)` false, `indexOf(xs, x)` -1) is a doubt (lib/escapes.ts).

import { isDeriving } from './core/scope.js';
import { isSwappedIn } from './core/swaps.js';
import { isTraced, primal } from './core/traced.js';
import { isRewritten, mayNeedRewrite } from './transform/recognize.js';
import { callerLine, doubt, FIX } from './escapes.js';
import { isNDArray } from './ndarray.js';
import { holdsTracedElements, isStandInMethod, typedStandIn } from '../proxies/typed-arrays.js';
import { onMethodCall, onRewrittenCode } from '../rules/builtins.js';

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
  if (known === undefined) unrewrittenFunctions.set(fn, (known = !wasRewritten(fn) && !isStandInMethod(fn) && !isSwappedIn(fn) && mayNeedRewrite(Function.prototype.toString.call(fn))));
  return known;
}

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
  if (isDeriving() && /^\d+$/.test(fn.name) && isWebAssemblyExport(fn) && args.some(holdsTracedNumber)) {
    throw new TypeError(
      `zygote-ts: a traced number was given to the WebAssembly function ${fn.name === '' ? '' : `${fn.name} `}imported from a package, ` +
        'which keeps only its number, so its derivative would be lost. Give that function a custom rule ' +
        '(rule(f, pullback)), or pass dropgrad(x).',
    );
  }
  const result: unknown = Reflect.apply(fn, receiver, args);
  if (typeof result === 'number' && result !== result && isDeriving() && !wasRewritten(fn) && args.some(holdsTracedNumber)) {
    const name = fn.name ? `${fn.name}(…)` : 'a function';
    throw new Error(
      `zygote-ts: ${name}, imported from a package that was not rewritten for differentiation, was given ` +
        `traced numbers and returned NaN: to code that was not rewritten a traced number is an object, so a ` +
        `test such as typeof x === "number" fails and the result and its derivative are lost. ${FIX}`,
    );
  }
  if (isDeriving() && givesTracedNumbers(fn, args)) lookedAtAsObject(fn);
  return result;
}

/**
 * Whether `fn` is surely not rewritten and one of `args` is a number traced on a tape that
 * records, or a typed array f made or received holding such numbers (its elements are numbers
 * to such code: gl-matrix's `exactEquals(a, b)` compares `a[0] === b[0]`). The elements of
 * other arrays and objects are not looked at (a cost per call).
 */
function givesTracedNumbers(fn: Function, args: unknown[]): boolean {
  let objects = false;
  for (const a of args) {
    if (isTraced(a)) {
      if (a.tracedTape.active) return surelyNotRewritten(fn);
    } else if (typeof a === 'object' && a !== null) objects = true;
  }
  return objects && surelyNotRewritten(fn) && args.some(holdsTracedElements);
}

const functionIds = new WeakMap<Function, number>();
let functionCount = 0;

/**
 * `fn`, of a package that was not rewritten, was given a traced number itself and returned
 * without converting it (a conversion would have stopped the run): to it the number was an
 * object, so `typeof x === "number"`, `Number.isFinite(x)`, `x === 1.5` or `[1.5].includes(x)`
 * answered as for an object — lodash's `isFinite`, `includes` and `indexOf`, ramda's `equals`
 * and fast-deep-equal with a number answer wrongly, with no other sign. A doubt: the answer
 * may be right (`isNumber`, a function that only passes the number on). Said once per function.
 */
function lookedAtAsObject(fn: Function): void {
  let id = functionIds.get(fn);
  if (id === undefined) functionIds.set(fn, (id = functionCount++));
  const name = fn.name ? `${fn.name}(…)` : 'a function';
  doubt(
    `imported function ${id}`,
    () => {
      const where = callerLine(new Error().stack); // (the line that called it: a package's inner names say little, ramda's `f2`)
      return (
        `${name}${where ? ` called at ${where}` : ''}, code that was not rewritten for differentiation (a package left out of include, a script, a file marked @zygote-ignore?), ` +
        `was given a traced number (or a typed array holding one), which to such code is an object: tests such as typeof x === "number", ` +
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
