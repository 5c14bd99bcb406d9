// Mutation inside f: writes to arguments reach the caller as numbers, gradients follow
// them (an overwritten value's path is cut, a value read before the write keeps it), and
// no traced value is left in user data — also when f throws.
import { describe, expect, it } from 'vitest';
import { derivative, gradient, pullback } from 'zygote-ts';
import { expectMatchesFiniteDifferences } from './fd.js';

const isPlainData = (x: unknown): boolean => {
  if (typeof x !== 'object' || x === null) return true;
  if ((x as object).constructor?.name === 'Traced') return false;
  if (x instanceof Map) return [...x].every(([k, v]) => isPlainData(k) && isPlainData(v));
  if (x instanceof Set) return [...x].every(isPlainData);
  return Object.values(x).every(isPlainData);
};

describe('writes to arguments', () => {
  it('the caller sees the numbers written; the gradient follows the written values', () => {
    const p = { x: 2, y: 3 };
    const f = (p: { x: number; y: number }) => {
      const before = p.x; // read before the write: keeps the input's path
      p.x = p.y * 10; // overwritten: the old value's path is cut
      p.y = p.y + before;
      return p.x * p.y;
    };
    const [g] = gradient(f, p);
    expect(p).toEqual({ x: 30, y: 5 });
    expect(isPlainData(p)).toBe(true);
    expectMatchesFiniteDifferences(f, () => ({ x: 2, y: 3 }), g);
    expect(g).toEqual({ x: 30, y: 10 * 5 + 30 });
  });
  it('a field overwritten before it is read has no gradient', () => {
    expect(gradient((p: { x: number; y: number }) => ((p.x = 7), p.x * p.y), { x: 1, y: 2 })).toEqual([{ x: null, y: 7 }]);
  });
  it('arrays: x[i] = v, push, splice, unshift, pop, sort and reverse give correct gradients', () => {
    const f = (v: number[]) => {
      v[0] = v[1]! * v[2]!;
      v.push(v[0] * 2);
      v.splice(1, 1); // removes the old v[1]
      v.unshift(v[v.length - 1]! + 1);
      v.reverse();
      v.sort((a, b) => a - b);
      const last = v.pop()!;
      return v.reduce((s, x, i) => s + x * (i + 1), 0) + last * last;
    };
    const arr = [1.5, 2, 3];
    const [g] = gradient(f, arr);
    const plain = [1.5, 2, 3];
    expect(f(plain)).toBeGreaterThan(0);
    expect(arr).toEqual(plain); // the same effects as plain JavaScript
    expect(isPlainData(arr)).toBe(true);
    expectMatchesFiniteDifferences(f, () => [1.5, 2, 3], g);
  });
  it('Maps: set, delete and clear reach the caller', () => {
    const m = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const f = (m: Map<string, number>) => {
      m.set('a', m.get('b')! * 3);
      m.delete('c');
      m.set('d', m.get('a')! + 1);
      return m.get('a')! * m.get('d')!;
    };
    const [g] = gradient(f, m);
    expect([...m]).toEqual([['a', 6], ['b', 2], ['d', 7]]);
    expect(isPlainData(m)).toBe(true);
    expectMatchesFiniteDifferences(f, () => new Map([['a', 1], ['b', 2], ['c', 3]]), g);
  });
  it('objects stored into an argument are cleaned, and stand-ins put back as the originals', () => {
    const inner = { v: 4 };
    const state = { inner, log: [] as { at: number }[], alias: null as unknown };
    gradient((s: typeof state) => {
      s.log.push({ at: s.inner.v * 2 });
      s.alias = s.inner;
      return s.inner.v;
    }, state);
    expect(state.log).toEqual([{ at: 8 }]);
    expect(isPlainData(state)).toBe(true);
    expect(state.alias).toBe(inner);
  });
  it('when f throws, the writes made so far reach the caller as numbers', () => {
    const p = { x: 1, list: [1, 2] };
    expect(() =>
      gradient((p: { x: number; list: number[] }) => {
        p.x = p.x * 5;
        p.list.push(p.x);
        throw new Error('stop');
      }, p),
    ).toThrow('stop');
    expect(p).toEqual({ x: 5, list: [1, 2, 5] });
    expect(isPlainData(p)).toBe(true);
  });
  it('class instances keep their class and get written fields', () => {
    class Counter {
      count = 0;
      total = 0;
      add(v: number) {
        this.count++;
        this.total += v;
      }
    }
    const c = new Counter();
    const [g, gx] = gradient((c: Counter, x: number) => (c.add(x * x), c.total * 3), c, 2);
    expect(c).toBeInstanceOf(Counter);
    expect(c.total).toBe(4);
    expect(c.count).toBe(1);
    expect(g).toEqual({ count: null, total: 3 });
    expect(gx).toBe(12);
  });
});

describe('data captured by the closure', () => {
  it('Maps, records, arrays and Sets written inside f hold numbers afterwards', () => {
    const d = new Map<string, unknown>();
    const r: Record<string, unknown> = {};
    const history: number[] = [];
    const s = new Set<unknown>();
    const [g] = gradient((x: number) => {
      d.set('x', x);
      d.set('nested', { deep: [x * 2] });
      r.y = x * x;
      r.obj = { z: x };
      history.push(x * 3);
      s.add(x);
      Object.assign(r, { w: x + 1 });
      return (d.get('x') as number) * (r.y as number);
    }, 2);
    expect(g).toBe(12);
    expect(d.get('x')).toBe(2);
    expect(d.get('nested')).toEqual({ deep: [4] });
    expect(r).toEqual({ y: 4, obj: { z: 2 }, w: 3 });
    expect(history).toEqual([6]);
    expect([...s]).toEqual([2]);
    for (const c of [d, r, history, s]) expect(isPlainData(c)).toBe(true);
  });
  it("a class's static fields", () => {
    class Stats {
      static last: unknown = null;
    }
    gradient((x: number) => {
      Stats.last = x * 2;
      return x;
    }, 4);
    expect(Stats.last).toBe(8);
  });
  it('also when f throws', () => {
    const log: number[] = [];
    expect(() =>
      gradient((x: number) => {
        log.push(x);
        throw new Error('stop');
      }, 3),
    ).toThrow('stop');
    expect(log).toEqual([3]);
    expect(typeof log[0]).toBe('number');
  });
  it('nested differentiation: the inner call leaves values traced on the outer tape until the outer ends', () => {
    const seen: number[] = [];
    const d2 = derivative((x: number) => {
      const inner = derivative((y: number) => {
        seen.push(y * x);
        return y * y * x;
      }, x);
      seen.push(inner);
      return inner;
    }, 3);
    expect(d2).toBe(4 * 3); // d/dx (2x·x) = 4x
    expect(seen).toEqual([9, 18]);
    expect(seen.every((v) => typeof v === 'number')).toBe(true);
  });
  it('pullback: stores are cleaned when f returns, before back is called', () => {
    const kept: number[] = [];
    const [y, back] = pullback((x: number) => (kept.push(x), x * x), 3);
    expect(kept).toEqual([3]);
    expect(typeof kept[0]).toBe('number');
    expect(y).toBe(9);
    expect(back(1)).toEqual([6]);
  });
});
