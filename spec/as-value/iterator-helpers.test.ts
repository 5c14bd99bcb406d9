// Iterator helpers (ES2025: `xs.values().map(f)`, `filter`, `take`, `flatMap`, `Iterator.from`,
// `toArray`, `reduce`: Node 22 and later) carrying traced numbers. Their `filter`, `find`, `some`
// and `every` test the callback's result for truth natively, where a traced 0 is an object: reached
// by a computed key (`it[k](f)`), `apply`, `Reflect.apply` or `bind`, they kept a traced 0 (a count
// of 2 where plain JavaScript counts 1). Each case runs plain and inside gradient: the outcomes must
// be the same and the gradient must match central differences. Cases skip where this Node has not
// the helpers. (Run under Node 24 too: PATH=<node bin>:$PATH npx vitest run spec/as-value/iterator-helpers.test.ts)
import { describe, it } from 'vitest';
import { agreesAt as check } from './agree.js';

interface Helpers {
  map(f: (v: number) => unknown): Helpers; filter(f: (v: number) => unknown): Helpers; flatMap(f: (v: number) => Iterable<number>): Helpers;
  take(n: number): Helpers; drop(n: number): Helpers; toArray(): number[]; reduce(f: (a: number, b: number) => number, init?: number): number;
  find(f: (v: number) => unknown): number | undefined; some(f: (v: number) => unknown): boolean; every(f: (v: number) => unknown): boolean;
  [k: string]: unknown;
}
const IteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Record<string, Function>;
const hasHelpers = typeof IteratorProto.filter === 'function';
const from = (xs: Iterable<number>) => (xs as number[]).values() as unknown as Helpers;

type Case = (x: number, seen: unknown[]) => number;
const cases: [string, Case][] = [
  ['map, reduce, toArray, take, drop, flatMap', (x, seen) => {
    const a = from([x, 2 * x, 3]).map((v) => v * v).toArray();
    const b = from([x, x * x, 5]).drop(1).take(1).toArray();
    const c = from([x, 2]).flatMap((v) => [v, v * x]).reduce((p, q) => p + q);
    seen.push(a, b, c);
    return a[0]! + a[1]! + b[0]! + c;
  }],
  ['filter, find, some, every called by name: a traced 0 is false', (x, seen) => {
    const kept = from([x, x - x, 2]).filter((v) => v).toArray();
    const found = from([x - x, x * 2]).find((v) => v);
    const answers = [from([x - x]).some((v) => v), from([x, x - x]).every((v) => v)];
    seen.push(kept.length, found, answers);
    return kept.length * x + (found ?? 0) + (answers[0] ? x : 0) + (answers[1] ? x * x : 0);
  }],
  ['filter, find, some, every by a computed key', (x, seen) => {
    const names = ['filter', 'find', 'some', 'every'];
    const [kept, found, some, every] = names.map((k) => (from([x - x, x, x - x])[k] as Function)((v: number) => v));
    const count = (kept as Helpers).toArray().length;
    seen.push(count, found, some, every);
    return count * x + (found as number) * x + (every ? x : 0);
  }],
  ['filter and some through apply, Reflect.apply, call and bind', (x, seen) => {
    const zeroAndX = () => from([x - x, x, (x - x) / (x - x)]);
    const byApply = (IteratorProto.filter!.apply(zeroAndX(), [(v: number) => v]) as Helpers).toArray();
    const byReflect = (Reflect.apply(IteratorProto.filter!, zeroAndX(), [(v: number) => v]) as Helpers).toArray();
    const byCall = (IteratorProto.filter!.call(zeroAndX(), (v: number) => v) as Helpers).toArray();
    const it = zeroAndX();
    const keep = (it.filter as Function).bind(it);
    const byBind = (keep((v: number) => v) as Helpers).toArray();
    const none = IteratorProto.some!.apply(from([x - x]), [(v: number) => v]) as boolean;
    seen.push(byApply.length, byReflect.length, byCall.length, byBind.length, none);
    return (byApply.length + byReflect.length + byCall.length + byBind.length) * x + (none ? x * x : 0);
  }],
  ['a generator and Iterator.from of a hand-made iterator', (x, seen) => {
    function* squares() { yield x; yield x * x; yield x - x; }
    const s = (squares() as unknown as Helpers).filter((v) => v).map((v) => 2 * v).toArray();
    let k = 0;
    const counting = { next: () => (k < 3 ? { value: x * ++k, done: false } : { value: undefined, done: true }) };
    const t = ((globalThis as unknown as { Iterator: { from(o: object): Helpers } }).Iterator.from(counting)).reduce((p, q) => p + q * q, 0);
    seen.push(s, t);
    return s[0]! + s[1]! + t;
  }],
];

describe.skipIf(!hasHelpers)('iterator helpers with traced numbers', () => {
  for (const [name, program] of cases) it(name, () => check(program, 1.7));
});
