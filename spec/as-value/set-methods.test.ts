// Set's methods of ES2025 (union, isSubsetOf, …: Node 22 and later) and Map's getOrInsert
// (Node 26) compare members by identity, also through the other set's `has`: given traced
// numbers they must compare by value, as Set.has does. Each case runs plain, and inside
// gradient: the outcomes (recorded as text) must be the same and the gradient must match
// central differences. The members compared are equal for every x (x and x * 1), so the
// differences never cross a tie. Cases skip where this Node has not the method.
// (Run under Node 24 and 26 too: PATH=<node bin>:$PATH npx vitest run spec/as-value/set-methods.test.ts)
import { describe, expect, it } from 'vitest';
import { gradient } from 'zygote-ts';
import { agreesAt as check } from './agree.js';

const setMethods = typeof (Set.prototype as { union?: unknown }).union === 'function';
const getOrInsert = typeof (Map.prototype as { getOrInsert?: unknown }).getOrInsert === 'function';

interface SetAlgebra<T> {
  union(o: unknown): Set<T>; intersection(o: unknown): Set<T>; difference(o: unknown): Set<T>; symmetricDifference(o: unknown): Set<T>;
  isSubsetOf(o: unknown): boolean; isSupersetOf(o: unknown): boolean; isDisjointFrom(o: unknown): boolean;
}
const algebra = <T>(s: Set<T>) => s as Set<T> & SetAlgebra<T>;
interface Upsert<K, V> { getOrInsert(k: K, v: V): V; getOrInsertComputed(k: K, f: (k: K) => V): V }
const upsert = <K, V>(m: Map<K, V>) => m as Map<K, V> & Upsert<K, V>;

/** Each case: f of one number, which notes what it saw in `seen`. */
type Case = (x: number, seen: unknown[]) => number;
const sum = (s: Iterable<number>) => [...s].reduce((a, b) => a + b * b, 0);

const setCases: [string, Case][] = [
  ['isSubsetOf, isSupersetOf, isDisjointFrom (a smaller set, then a larger one)', (x, seen) => {
    const a = algebra(new Set([x, 1]));
    const b = algebra(new Set([2, 1, x * 1]));
    const answers = [a.isSubsetOf(b), b.isSupersetOf(a), a.isDisjointFrom(b), b.isDisjointFrom(a), b.isSubsetOf(a), a.isSupersetOf(b)];
    seen.push(answers);
    return answers.reduce((t, yes, i) => t + (yes ? x * (i + 1) : 0), 0);
  }],
  ['union, intersection, difference, symmetricDifference (sizes and members)', (x, seen) => {
    const a = algebra(new Set([x, 1]));
    const b = algebra(new Set([2 * x - x, 5, 7]));
    const made = [a.union(b), a.intersection(b), b.intersection(a), a.difference(b), b.difference(a), a.symmetricDifference(b)];
    seen.push(made.map((s) => s.size));
    return made.reduce((t, s) => t + s.size * x + sum(s), 0);
  }],
  ['a set made by union is searched by value', (x, seen) => {
    const u = algebra(new Set([x])).union(new Set([4]));
    seen.push(u.has(x * 1), u.has(4));
    return u.has(x * 1) ? x * x : x;
  }],
  ['a Map as the other set', (x, seen) => {
    const m = new Map([[x * 1, 'a']]);
    const yes = algebra(new Set([x])).isSubsetOf(m);
    seen.push(yes);
    return yes ? 3 * x : x;
  }],
  ['a Set argument and a Set made in f', (x, seen) => {
    const b = algebra(new Set([x * 1, 9]));
    seen.push(b.isSupersetOf(new Set([x])));
    return sum(b.intersection(new Set([x])));
  }],
];

const mapCases: [string, Case][] = [
  ['getOrInsert and getOrInsertComputed find a key by value', (x, seen) => {
    const m = upsert(new Map([[x, 10]]));
    const v = m.getOrInsert(x * 1, 5);
    const w = m.getOrInsertComputed(x + 0, (k) => k * 2);
    seen.push(v, w, m.size);
    return v * x + w + m.size * x;
  }],
  ['getOrInsertComputed calls back with a new key, which keeps its derivative', (x, seen) => {
    const m = upsert(new Map<number, number>());
    const w = m.getOrInsertComputed(x, (k) => k * k);
    seen.push(m.size, m.has(x * 1));
    return w + m.get(x * 1)! * x;
  }],
];


describe.skipIf(!setMethods)('Set methods compare traced numbers by value', () => {
  for (const [name, f] of setCases) it(name, () => check(f, 1.7));
  it('a Set argument: its members are found by value', () => {
    const f = (s: Set<number>) => {
      const other = new Set([[...s][0]! * 1]);
      return algebra(s).isSubsetOf(other) ? sum(algebra(s).union(other)) : 0;
    };
    const s = new Set([1.5]);
    expect(f(s)).toBe(2.25);
    // (a Set's gradient: each member's, by member)
    const [[member, g]] = [...(gradient(f, s)[0] as Map<number, number>)] as [[number, number]];
    expect(member).toBe(1.5);
    const h = 1e-6;
    expect(g).toBeCloseTo((f(new Set([1.5 + h])) - f(new Set([1.5 - h]))) / (2 * h), 5);
  });
  it('the built-ins’ errors are kept', () => {
    const run = (f: (x: number) => unknown) => {
      let plain: unknown;
      try { f(1); } catch (e) { plain = `${(e as Error).name}: ${(e as Error).message}`; }
      let traced: unknown;
      try { gradient((x: number) => (f(x), x), 1); } catch (e) { traced = `${(e as Error).name}: ${(e as Error).message}`; }
      expect(traced).toBe(plain);
      expect(plain).toBeDefined();
    };
    run((x) => algebra(new Set([x])).union(1));
    run((x) => algebra(new Set([x])).isSubsetOf({ size: Number.NaN, has: () => true, keys: () => [].values() }));
    run((x) => algebra(new Set([x])).intersection({ size: -1, has: () => true, keys: () => [].values() }));
    run((x) => algebra(new Set([x])).union({ size: 1, has: () => true }));
    run((x) => algebra(new Set([x])).isSupersetOf({ size: 1, has: () => true, keys: () => 3 }));
    run((x) => (Set.prototype as unknown as SetAlgebra<number>).union.call([x], new Set()));
  });
});

describe.skipIf(!getOrInsert)('Map getOrInsert compares traced keys by value', () => {
  for (const [name, f] of mapCases) it(name, () => check(f, 1.7));
});
