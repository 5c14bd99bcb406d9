// @zygote-ignore — reads values as they are (a traced number must not be seen through the runtime).
// A value → a small JSON tree the page renders by structure (the worker cannot send class
// instances, functions or NDArrays as they are), and the end-to-end tests compare with the
// library's own results in Node.
import { Grads, NDArray } from 'zygote-ts';

/** A number, with the values JSON cannot hold spelled out. */
export type Num = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

export type Described =
  | { t: 'num'; v: Num; traced?: true }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'undef' }
  | { t: 'bigint'; v: string }
  | { t: 'fn'; name: string }
  /** Arrays and typed arrays (`cls` names a typed array). */
  | { t: 'arr'; items: Described[]; more?: number; cls?: string }
  /** An NDArray: its shape and (up to a limit) its numbers, row-major; a big one with its smallest and largest. */
  | { t: 'nd'; shape: number[]; data: Num[]; more?: number; traced?: true; range?: [Num, Num]; nan?: number }
  /** A long flat list of numbers (an array or a typed array): its numbers (up to a limit), smallest and largest (of those not NaN), and how many are NaN. */
  | { t: 'nums'; cls?: string; values: Num[]; more?: number; range: [Num, Num]; nan?: number }
  | { t: 'obj'; cls?: string; fields: [string, Described][]; more?: number }
  | { t: 'map'; entries: [Described, Described][]; more?: number }
  | { t: 'set'; items: Described[]; more?: number }
  /** An instance of a number-like class (fraction.js, decimal.js, complex.js): its own text. */
  | { t: 'scalar'; cls: string; text: string }
  /** `Grads` of implicit parameters: parameter → gradient. */
  | { t: 'grads'; entries: [Described, Described][] }
  | { t: 'ref'; text: string }
  | { t: 'other'; text: string };

export function num(x: number): Num {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}

/** A traced scalar (`Traced` is not exported; it names itself through `Symbol.toStringTag`). */
// zygote-ts brands its traced numbers with this symbol (they answer '[object Number]' to
// Object.prototype.toString, as libraries expect of numbers).
const TRACED = Symbol.for('zygote-ts.traced');

export function isTracedScalar(x: unknown): x is { tracedValue: unknown; tracedTape: { active: boolean } } {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TRACED] === true;
}

/** The number inside any nesting of traced scalars. */
export function primal(x: unknown): unknown {
  while (isTracedScalar(x)) x = x.tracedValue;
  return x;
}

// Big arrays are sent whole (up to `numbers`), so that the page can show all their values.
const LIMITS = { items: 200, numbers: 100_000, fields: 100, depth: 12 };
/** From this many numbers on, an array is shown as a summary (shape, range, first and last). */
export const SUMMARY_FROM = 64;
const TYPED = [Float64Array, Float32Array, Int32Array, Int16Array, Int8Array, Uint32Array, Uint16Array, Uint8Array, Uint8ClampedArray];

export function describe(value: unknown): Described {
  return walk(value, new Set(), 0);
}

function walk(x: unknown, seen: Set<object>, depth: number): Described {
  if (isTracedScalar(x)) {
    const p = primal(x);
    const d = walk(p, seen, depth);
    return d.t === 'num' ? { ...d, traced: true } : d;
  }
  switch (typeof x) {
    case 'number':
      return { t: 'num', v: num(x) };
    case 'string':
      return { t: 'str', v: x };
    case 'boolean':
      return { t: 'bool', v: x };
    case 'undefined':
      return { t: 'undef' };
    case 'bigint':
      return { t: 'bigint', v: x.toString() };
    case 'symbol':
      return { t: 'other', text: x.toString() };
    case 'function':
      return { t: 'fn', name: x.name };
  }
  if (x === null) return { t: 'null' };
  const o = x as object;
  if (seen.has(o)) return { t: 'ref', text: '[Circular]' };
  if (depth >= LIMITS.depth) return { t: 'ref', text: '[…]' };
  seen.add(o);
  try {
    return walkObject(o, seen, depth + 1);
  } finally {
    seen.delete(o);
  }
}

function walkObject(o: object, seen: Set<object>, depth: number): Described {
  if (o instanceof NDArray) {
    const data = Array.from(o.data.subarray(0, LIMITS.numbers), num);
    const d: Described = { t: 'nd', shape: [...o.shape], data };
    if (o.size > LIMITS.numbers) d.more = o.size - LIMITS.numbers;
    if (o.tracedTape !== null) d.traced = true;
    if (o.size >= SUMMARY_FROM) {
      const r = range(o.data);
      d.range = r.range;
      if (r.nan > 0) d.nan = r.nan;
    }
    return d;
  }
  if (o instanceof Grads) {
    return { t: 'grads', entries: [...o].map(([p, g]) => [walk(p, seen, depth), walk(g, seen, depth)] as [Described, Described]) };
  }
  if (Array.isArray(o)) return o.length >= SUMMARY_FROM && dense(o) && o.every((v) => typeof v === 'number') ? numbers(o as number[]) : list(o, seen, depth, 'arr');
  for (const T of TYPED) {
    if (o instanceof T) {
      const xs = Array.from(o as ArrayLike<number>);
      if (xs.length >= SUMMARY_FROM) return { ...numbers(xs), cls: T.name };
      const d = list(xs, seen, depth, 'arr');
      return d.t === 'arr' ? { ...d, cls: T.name } : d;
    }
  }
  if (o instanceof Map) {
    const entries: [Described, Described][] = [];
    for (const [k, v] of o) {
      if (entries.length >= LIMITS.items) break;
      entries.push([walk(k, seen, depth), walk(v, seen, depth)]);
    }
    return o.size > entries.length ? { t: 'map', entries, more: o.size - entries.length } : { t: 'map', entries };
  }
  if (o instanceof Set) {
    const d = list([...o], seen, depth, 'set');
    return d;
  }
  if (o instanceof Error) return { t: 'other', text: `${o.name}: ${o.message}` };
  if (o instanceof Date) return { t: 'other', text: Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString() };
  if (o instanceof RegExp) return { t: 'other', text: String(o) };
  const proto = Object.getPrototypeOf(o) as object | null;
  const name = proto && proto !== Object.prototype ? (proto.constructor as { name?: string } | undefined)?.name : undefined;
  // fraction.js and complex.js build their prototypes as object literals (constructor: Object).
  const cls = name && name !== 'Object' ? name : undefined;
  // A number-like class shows itself as it prints (Fraction 7/2, Complex 4 + 4i).
  if (proto !== null && proto !== Object.prototype && hasOwnToString(proto)) {
    try {
      // fraction.js prints decimals (3.5); its toFraction() gives 7/2 (decimal.js's gives an array).
      const f = (o as { toFraction?: unknown }).toFraction;
      const exact = typeof f === 'function' ? (f.call(o) as unknown) : undefined;
      const text = typeof exact === 'string' ? exact : String(o);
      const name = cls ?? (typeof exact === 'string' ? 'Fraction' : 're' in o && 'im' in o ? 'Complex' : '');
      return { t: 'scalar', cls: name, text };
    } catch {
      // a toString that throws: fall through to the fields
    }
  }
  const fields: [string, Described][] = [];
  const keys = Object.keys(o);
  for (const k of keys) {
    if (fields.length >= LIMITS.fields) break;
    const desc = Object.getOwnPropertyDescriptor(o, k);
    // Getters are not run: showing a value must not change anything.
    fields.push([k, desc && 'value' in desc ? walk(desc.value, seen, depth) : { t: 'other', text: '(getter)' }]);
  }
  const d: Described = { t: 'obj', fields };
  if (cls !== undefined) d.cls = cls;
  if (keys.length > fields.length) d.more = keys.length - fields.length;
  return d;
}

/** What an array's hole is shown as (`[1, , 3]` has three items, not two). */
export const EMPTY: Described = { t: 'other', text: '<empty>' };

/** Whether an array has no holes. */
function dense(xs: readonly unknown[]): boolean {
  for (let i = 0; i < xs.length; i++) if (!(i in xs)) return false;
  return true;
}

function list(xs: readonly unknown[], seen: Set<object>, depth: number, t: 'arr' | 'set'): Described & { t: 'arr' | 'set' } {
  // (By index, not `map`: map skips holes, which then vanish from the page.)
  const items: Described[] = [];
  for (let i = 0; i < Math.min(xs.length, LIMITS.items); i++) items.push(i in xs ? walk(xs[i], seen, depth) : EMPTY);
  return xs.length > items.length ? { t, items, more: xs.length - items.length } : { t, items };
}

/**
 * The smallest and largest of the numbers that are not NaN, and how many are NaN (NaN, NaN
 * when all are). One NaN among thousands of numbers made the range NaN, NaN, as Math.min says,
 * which read as "all NaN" and hid the range of the rest.
 */
function range(xs: ArrayLike<number>): { range: [Num, Num]; nan: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let nan = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isNaN(x)) nan++;
    else {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return { range: nan === xs.length ? ['NaN', 'NaN'] : [num(lo), num(hi)], nan };
}

function numbers(xs: readonly number[]): Described & { t: 'nums' } {
  const values = xs.slice(0, LIMITS.numbers).map(num);
  const r = range(xs);
  const d: Described & { t: 'nums' } = { t: 'nums', values, range: r.range };
  if (r.nan > 0) d.nan = r.nan;
  if (xs.length > values.length) d.more = xs.length - values.length;
  return d;
}

/** Whether some class between `proto` and Object.prototype defines its own toString. */
function hasOwnToString(proto: object | null): boolean {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, 'toString')) return true;
  }
  return false;
}
