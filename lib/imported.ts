// Calls of functions imported from packages, in rewritten code. A package that was not
// rewritten (not listed in ZYGOTE_INCLUDE or the plugin's include option) sees a traced
// number as an object: arithmetic on it is reported where it happens (lib/escapes.ts), but
// a package that first tests what it is given (`typeof x !== "number"` → `return NaN`, as
// simple-statistics' `sum` does) converts nothing and returns NaN, and the derivative
// would be lost without a word. So while a differentiation runs, such a call that is
// given traced numbers and returns a plain NaN stops, naming the function and the fix.

import { isDeriving } from './core/scope.js';
import { isTraced, primal } from './core/traced.js';
import { isRewritten } from './transform/recognize.js';
import { FIX } from './escapes.js';
import { isNDArray } from './ndarray.js';
import { holdsTracedElements, typedStandIn } from '../proxies/typed-arrays.js';

const rewrittenFunctions = new WeakMap<Function, boolean>();

/** Whether `fn`'s code was rewritten (read from its text once). */
export function wasRewritten(fn: Function): boolean {
  let known = rewrittenFunctions.get(fn);
  if (known === undefined) rewrittenFunctions.set(fn, (known = isRewritten(Function.prototype.toString.call(fn))));
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
  return result;
}

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
