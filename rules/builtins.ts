// Built-ins that compare or copy numbers, given traced ones. A traced number is an object,
// so natively these would see its identity (`Object.is(a[0], 1.4)` false, two equal values
// two different things) or copy its fields (`structuredClone` of a traced number is a
// record of its tape). Rewritten code calls these instead (lib/transform/rewrite-builtins.ts);
// each behaves as the built-in does on the numbers, and keeps the derivatives.

import { isTraced, primal } from '../lib/core/traced.js';
import { isDeriving } from '../lib/core/scope.js';

/** `Object.is`: a traced number is its value (and is the same as itself). */
export function objectIs(a: unknown, b: unknown): boolean {
  if (!isTraced(a) && !isTraced(b)) return Object.is(a, b);
  const numberLike = (x: unknown) => typeof x === 'number' || isTraced(x);
  return numberLike(a) && numberLike(b) && Object.is(primal(a), primal(b));
}

// ---- structuredClone ----------------------------------------------------------------------

/**
 * `structuredClone`: the built-in, unless the value holds traced numbers while a
 * differentiation runs; then the same copy made here (records and class instances become
 * records of their own enumerable fields, arrays keep their holes, Maps and Sets their
 * entries, Dates and RegExps are copied, objects met twice are copied once), with each
 * traced number kept as it is: a copy of a number is the number, and so keeps its derivative.
 */
export function structuredCloneOf(value: unknown, options?: StructuredSerializeOptions): unknown {
  if (!isDeriving() || !holdsTraced(value)) return structuredClone(value, options);
  return new Cloner().clone(value);
}

function holdsTraced(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (isTraced(v)) return true;
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return false;
}

class Cloner {
  private readonly made = new Map<object, unknown>();

  clone(v: unknown): unknown {
    if (isTraced(v) || typeof v !== 'object' || v === null) {
      // (functions and symbols throw DataCloneError, as the built-in says it)
      return typeof v === 'function' || typeof v === 'symbol' ? structuredClone(v) : v;
    }
    const known = this.made.get(v);
    if (known !== undefined) return known;
    if (v instanceof Map) {
      const out = new Map();
      this.made.set(v, out);
      for (const [k, x] of v) out.set(this.clone(k), this.clone(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      this.made.set(v, out);
      for (const x of v) out.add(this.clone(x));
      return out;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      this.made.set(v, out);
      for (const k of Object.keys(v)) (out as unknown as Record<string, unknown>)[k] = this.clone((v as unknown as Record<string, unknown>)[k]);
      return out;
    }
    if (isPlainData(v)) {
      const out: Record<string, unknown> = {};
      this.made.set(v, out);
      for (const k of Object.keys(v)) out[k] = this.clone((v as Record<string, unknown>)[k]);
      return out;
    }
    // Dates, RegExps, typed arrays, errors, wrappers…: they hold no traced number
    const out = structuredClone(v);
    this.made.set(v, out);
    return out;
  }
}

/** An object the built-in copies as a record of its own enumerable fields (not a Date, a typed array, …). */
function isPlainData(v: object): boolean {
  return !(
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Error ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    v instanceof Boolean ||
    v instanceof Number ||
    v instanceof String ||
    v instanceof BigInt
  );
}
