// Functions that carry their own derivative (a custom rule, nograd, …): they are never
// rewritten or recompiled, since their inside is not what gets differentiated.

const withOwnDerivative = new WeakSet<Function>();

export function markOwnDerivative<F extends Function>(f: F): F {
  withOwnDerivative.add(f);
  return f;
}

export function hasOwnDerivative(f: Function): boolean {
  return withOwnDerivative.has(f);
}
