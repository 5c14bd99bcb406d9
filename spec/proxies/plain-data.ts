// @zygote-ignore (not rewritten: a rewritten `typeof` says "number" for a traced number, and the check passed whatever it held)
// Whether data holds no traced number anywhere (what the clean-up must leave the caller).

// (a traced number answers to its brand: its `constructor` is Number and it has no own keys,
// so neither a class name nor Object.values can tell it from a plain object)
export const TRACED = Symbol.for('zygote-ts.traced');

/** True when `x` holds no traced number: Maps, Sets, and every own data property, enumerable or not, string or Symbol key (getters are not run). */
export function isPlainData(x: unknown, seen = new Set<object>()): boolean {
  if (typeof x !== 'object' || x === null || seen.has(x)) return true;
  if (TRACED in x) return false;
  seen.add(x);
  if (x instanceof Map) return [...x].every(([k, v]) => isPlainData(k, seen) && isPlainData(v, seen));
  if (x instanceof Set) return [...x].every((v) => isPlainData(v, seen));
  return Reflect.ownKeys(x).every((k) => {
    const d = Object.getOwnPropertyDescriptor(x, k)!;
    return !('value' in d) || isPlainData(d.value, seen);
  });
}

/**
 * `typeof v` as JavaScript answers it. Spec files are rewritten, and there the runtime's `typeof`
 * answers 'number' for a traced number: `expect(typeof kept).toBe('number')` could not fail.
 */
export const plainTypeOf = (v: unknown): string => typeof v;
