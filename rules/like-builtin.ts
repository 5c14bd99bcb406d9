// The runtime's versions of built-in functions (`parseFloat`, `Object.is`, `Math.max`, …)
// stand where the program names the built-ins, so code that reflects on them must see the
// built-ins' own shape: their name and length, and that they are not constructors (`new
// Math.max()` throws a TypeError, and a built-in function has no `prototype`).

/** `method` (written as a method: not a constructor, no `prototype`) named and sized as `builtin` (if the platform has it). */
export function likeBuiltin<F extends Function>(method: F, builtin: Function | undefined): F {
  if (builtin === undefined) return method;
  Object.defineProperty(method, 'name', { value: builtin.name });
  Object.defineProperty(method, 'length', { value: builtin.length });
  return method;
}

/** Each runtime version → the built-in it stands for, and the other way (noted by lib/runtime.ts). */
const standsFor = new WeakMap<Function, Function>();
const versions = new WeakMap<Function, Function>();

/** Notes that `version` stands for `builtin` where rewritten code names the built-in. */
export function noteStandsFor(version: Function, builtin: Function): void {
  standsFor.set(version, builtin);
  versions.set(builtin, version);
}

/** The runtime's version of the built-in `fn` (`Math.sin`'s, reached as `Math[k]` and called), if it has one. */
export const versionOf = (fn: unknown): Function | undefined => (typeof fn === 'function' ? versions.get(fn) : undefined);

/**
 * Whether `a` and `b` are one built-in function to the plain program: a runtime version and the
 * built-in it stands for (`Math.sin` read by name, and read where the rewrite cannot see:
 * `Object.getOwnPropertyDescriptor(Math, 'sin').value`, code that was not rewritten).
 */
export function sameBuiltin(a: unknown, b: unknown): boolean {
  return typeof a === 'function' && typeof b === 'function' && builtinBehind(a) === builtinBehind(b);
}

/** The built-in a runtime version stands for, else `x` itself (a `switch`'s key: lib/coercion.ts). */
export const builtinBehind = <T>(x: T): T => (typeof x === 'function' ? ((standsFor.get(x) as T | undefined) ?? x) : x);
