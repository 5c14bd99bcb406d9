// A program (a test's spy, a polyfill, a wrapper) may replace a built-in that rewritten code
// calls through the runtime (`JSON.parse(t)` → `__zy.jsonParse(t)`, `isNaN(x)` → `__zy.isNaN(x)`).
// Plain JavaScript then calls the replacement; so must rewritten code, on traced numbers and
// on plain values alike. The call looks at what the global holds at that moment: the
// runtime's version while that is the built-in (or the runtime's version itself, which a
// program may have saved and put back), else the replacement, given the same `this` and
// arguments as the call as written. rules/math.ts does the same for Math's functions.

// (first: calls are made while the imports of the modules that make them may still be running)
import { madeByOwnCopy } from './own-copy.js';
import { replacesBuiltin } from '../lib/core/swaps.js';

const { apply } = Reflect; // (a program may replace Reflect.apply too)

/**
 * What rewritten code calls for `owner[key](…)` (`receiver`: the `this` the call as written
 * passes, `owner` for `JSON.parse(t)`, none for `isNaN(x)`): `runtime` while `owner[key]` is
 * `builtin` (as the platform made it) or `runtime`, else what `owner[key]` is now, through
 * `callReplacement` (lib/runtime.ts: what a replacement that was not rewritten is given and
 * what its answer means for traced numbers).
 */
export function calledAsInstalled(
  owner: object, key: string, builtin: Function | undefined, runtime: Function, receiver: 'owner' | 'none',
  callReplacement: (replacement: Function, self: unknown, args: ArrayLike<unknown>) => unknown = apply,
): Function {
  const at = owner as Record<string, unknown>;
  const self = receiver === 'owner' ? owner : undefined;
  // (what is there is not a function, or a global is gone: the error the call as written throws)
  const label = receiver === 'owner' ? `${(owner as { name?: string }).name ?? (owner as { [Symbol.toStringTag]?: string })[Symbol.toStringTag]}.${key}` : key;
  const replacedBy = (now: unknown, args: ArrayLike<unknown>): unknown => {
    // (the library's own version of the built-in put there while differentiating, %TypedArray%.from's
    // for a Float64Array subclass: what rewritten code calls is still the runtime's)
    if (replacesBuiltin(now, builtin)) return apply(runtime, undefined, args);
    if (typeof now === 'function') return callReplacement(now, self, args);
    if (receiver === 'none' && !(key in owner)) throw new ReferenceError(`${key} is not defined`);
    throw new TypeError(`${label} is not a function`);
  };
  const call = madeByOwnCopy(`rules/installed/${label}`, installedCall, at, key, builtin, runtime, replacedBy, apply);
  Object.defineProperty(call, 'length', { value: builtin?.length ?? runtime.length });
  return call;
}

/**
 * The call of `calledAsInstalled` (each its own copy: rules/own-copy.ts, so that `at[key]` and
 * `runtime(x)` are one key and one function at each; it reads nothing but its parameters).
 */
function installedCall(
  at: Record<string, unknown>, key: string, builtin: Function | undefined, runtime: Function,
  replacedBy: (now: unknown, args: ArrayLike<unknown>) => unknown, apply: typeof Reflect.apply,
): Function {
  // (a method: no prototype, not a constructor, as the built-ins. Every argument is passed on
  // as given, a spy counts them; one argument, the common case, without `arguments`)
  if (runtime.length === 1) {
    const call = {
      [key](x: unknown): unknown {
        const now = at[key];
        // eslint-disable-next-line prefer-rest-params
        return now === builtin || now === runtime || now === call ? runtime(x) : replacedBy(now, arguments);
      },
    }[key]!;
    return call;
  }
  const call = {
    [key](): unknown {
      const now = at[key];
      // eslint-disable-next-line prefer-rest-params
      return now === builtin || now === runtime || now === call ? apply(runtime, undefined, arguments) : replacedBy(now, arguments);
    },
  }[key]!;
  return call;
}

/**
 * `host` as a program takes it apart (`const { sqrt } = Math`, `const { isFinite } = Number`):
 * for each of `keys`, the function there now, in the runtime's version where that is the
 * built-in (`versionOf`), and everything else through the prototype, `host` itself (a
 * polyfill's member too). One object while none of them is replaced.
 */
export function takenApart(host: object, keys: readonly string[], versionOf: (f: unknown) => unknown): () => object {
  const members = host as Record<string, unknown>;
  const asLoaded = keys.map((key) => members[key]);
  let unreplaced: object | null = null;
  return () => {
    const replaced = keys.some((key, k) => members[key] !== asLoaded[k]);
    if (!replaced && unreplaced !== null) return unreplaced;
    const taken = Object.create(host) as object;
    for (const key of keys) Object.defineProperty(taken, key, { value: versionOf(members[key]), writable: true, configurable: true });
    Object.freeze(taken);
    if (!replaced) unreplaced = taken;
    return taken;
  };
}
