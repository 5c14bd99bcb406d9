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
