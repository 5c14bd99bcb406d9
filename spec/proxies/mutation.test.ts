// Mutation inside f: writes to arguments reach the caller as numbers, gradients follow
// them (an overwritten value's path is cut, a value read before the write keeps it), and
// no traced value is left in user data — also when f throws.
import { describe, expect, it, vi } from 'vitest';
import { runInThisContext } from 'node:vm';
import { compileGradient, configure, derivative, gradient, pullback, withgradient } from 'zygote-ts';
import { expectMatchesFiniteDifferences } from './fd.js';
import { isPlainData, TRACED, plainTypeOf } from './plain-data.js';

/** `traced`'s own keys have `plain`'s attributes, in its order (getters and setters: of the same kind). */
function expectAttributesAlike(traced: object, plain: object): void {
  const p = Object.getOwnPropertyDescriptors(plain);
  const t = Object.getOwnPropertyDescriptors(traced);
  expect(Object.keys(t)).toEqual(Object.keys(p));
  for (const key of Object.keys(p)) {
    const { get: pg, set: ps, ...pd } = p[key]!;
    const { get: tg, set: ts, ...td } = t[key]!;
    expect(td).toEqual(pd);
    expect([typeof tg, typeof ts]).toEqual([typeof pg, typeof ps]);
  }
}

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
  // Only the stand-in was locked, re-parented or given Symbol keys: the caller's object
  // stayed open (a later write the plain program refuses went through), kept its class,
  // and lost what f stored under a Symbol.
  it("Maps keyed by objects: f's writes through a key, and keys f deletes or adds, reach the caller", () => {
    const k = { w: 2 };
    const other = { w: 7 };
    const m = new Map([[k, 3], [other, 4]]);
    const f = (m: Map<{ w: number }, number>, added: { w: number }) => {
      let s = 0;
      for (const [key, v] of m) {
        key.w = key.w * v;
        s += key.w;
      }
      m.delete(other);
      m.set(added, added.w * s);
      return s * m.get(added)!;
    };
    const added = { w: 5 };
    const [gm, ga] = gradient(f, m, added);
    expect([...m]).toEqual([[k, 3], [added, 5 * 34]]);
    expect([...m.keys()][1]).toBe(added);
    expect([k.w, other.w, added.w]).toEqual([6, 28, 5]);
    expect(isPlainData(m)).toBe(true);
    // (s = 2·3 + 7·4 = 34 and f = 5 s²: df/dv = 10 s · w)
    expect(gm).toEqual(new Map([[k, 10 * 34 * 2], [other, 10 * 34 * 7]]));
    expect(ga).toEqual({ w: 34 * 34 });
  });
  it('a key deleted and set again to the value it had moves last too (a record, a class instance, a Map)', () => {
    // (found by the structures fuzzer: with no value changed, the caller's record kept { p, q } where plain JavaScript leaves { q, p })
    class Pair { constructor(public u: number, public v: number) {} }
    const f = (o: { p: number; q: number }, c: Pair, m: Map<string, number>) => {
      const p = o.p;
      delete (o as { p?: number }).p;
      o.p = p;
      const u = c.u;
      delete (c as { u?: number }).u;
      c.u = u;
      const a = m.get('a')!;
      m.delete('a');
      m.set('a', a);
      return o.p * o.q + c.u * c.v + m.get('a')! * m.get('b')!;
    };
    const plain = [{ p: 2, q: 3 }, new Pair(4, 5), new Map([['a', 6], ['b', 7]])] as const;
    f(...plain);
    const args = [{ p: 2, q: 3 }, new Pair(4, 5), new Map([['a', 6], ['b', 7]])] as const;
    const [go, gc, gm] = gradient(f, ...args);
    expect(Object.keys(args[0])).toEqual(Object.keys(plain[0]));
    expect(Object.keys(args[0])).toEqual(['q', 'p']);
    expect(Object.keys(args[1])).toEqual(Object.keys(plain[1]));
    expect([...args[2].keys()]).toEqual([...plain[2].keys()]);
    expect([go, gc, gm]).toEqual([{ p: 3, q: 2 }, { u: 5, v: 4 }, new Map([['a', 7], ['b', 6]])]);
  });
  it('the order f leaves keys, entries and members in reaches the caller (a key deleted and set again moves last)', () => {
    // (the caller's objects kept their old order: plain JavaScript's { b, a } came back { a, b })
    const o = { a: 2, b: 3 };
    const m = new Map([['a', 2], ['b', 3]]);
    const p = { w: 2 };
    const s = new Set([p, { w: 3 }]);
    const n = new Set([2, 3]);
    const f = (o: { a: number; b: number }, m: Map<string, number>, s: Set<{ w: number }>, n: Set<number>) => {
      const a = o.a;
      delete (o as { a?: number }).a;
      o.a = a * o.b;
      const v = m.get('a')!;
      m.delete('a');
      m.set('a', v * 2);
      const [first] = s;
      s.delete(first!);
      s.add(first!);
      const [x] = n;
      n.delete(x!);
      n.add(x! * 1);
      let t = 0;
      for (const q of s) t = t * 10 + q.w;
      return o.a + m.get('a')! * m.get('b')! + t + [...n][0]!;
    };
    const [go, gm, gs, gn] = gradient(f, o, m, s, n);
    expect(Object.keys(o)).toEqual(['b', 'a']);
    expect([...m]).toEqual([['b', 3], ['a', 4]]);
    expect([...s]).toEqual([s.values().next().value, p]);
    expect([...s][1]).toBe(p);
    expect([...n]).toEqual([3, 2]);
    expect(go).toEqual({ a: 3, b: 2 });
    expect(gm).toEqual(new Map([['a', 6], ['b', 4]]));
    expect(gs).toEqual(new Map([[p, { w: 1 }], [[...s][0], { w: 10 }]]));
    expect(gn).toEqual(new Map([[2, null], [3, 1]]));
    // a caller iterating the Map while f deletes a key sees what plain JavaScript shows: only the keys f moved come again
    const dropC = (m: Map<string, number>) => (m.delete('c'), m.get('a')! * 2);
    const moveFirst = (m: Map<string, number>) => {
      const [k] = m.keys();
      const v = m.get(k!)!;
      m.delete(k!);
      m.set(k!, v * 1);
      return v * 2;
    };
    for (const f of [dropC, moveFirst]) {
      const visits = (differentiate: boolean) => {
        const m = new Map([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);
        const seen: string[] = [];
        for (const [k] of m) {
          seen.push(k);
          if (seen.length > 6) break;
          if (differentiate) gradient(f, m);
          else f(m);
        }
        return [seen.join(''), [...m.keys()].join('')];
      };
      expect(visits(true)).toEqual(visits(false));
    }
  });
  it("a frozen Map's and Set's entries, and a frozen instance's #private members, are written back (freezing does not lock them)", () => {
    // (write-back skipped every frozen object: the caller's Map kept { a => 3 } where plain JavaScript gives { a => 3, b => 6 })
    class Scaled {
      #k = 2;
      scale(by: number) {
        this.#k = this.#k * by;
      }
      get k() {
        return this.#k;
      }
    }
    const make = () => [Object.freeze(new Map([['a', 3]])), Object.freeze(new Set([3])), Object.freeze(new Scaled()) as Scaled] as const;
    const f = (m: Map<string, number>, s: Set<number>, c: Scaled) => {
      m.set('b', m.get('a')! * 2);
      s.add(m.get('b')!);
      c.scale(m.get('a')!);
      return m.get('b')! * c.k;
    };
    const plain = make();
    const expected = f(...plain);
    const args = make();
    const { val, grad } = withgradient(f, ...args);
    expect(val).toBe(expected);
    expect([[...args[0]], [...args[1]], args[2].k]).toEqual([[...plain[0]], [...plain[1]], plain[2].k]);
    expect([[...args[0]], [...args[1]], args[2].k]).toEqual([[['a', 3], ['b', 6]], [3, 6], 6]);
    expect(isPlainData(args)).toBe(true);
    // (f = 2a · 2a: df/da = 8a, df/d#k = 2a · a)
    expect(grad).toEqual([new Map([['a', 24]]), null, { '#k': 18 }]);
  });
  it("a Map's and Set's own properties reach f (a label, a subclass's fields) and f's changes to them reach the caller", () => {
    // (the stand-in had none: a Map subclass's field read undefined in f, NaN where plain JavaScript gives 36)
    class Counted extends Map<string, number> {
      hits = 0;
      scale = 2;
      look(k: string) {
        this.hits++;
        return this.get(k)! * this.scale;
      }
    }
    const m = new Counted([['a', 3]]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { val, grad } = withgradient((m: Counted) => m.look('a') * m.look('a'), m);
    expect(warn.mock.calls.map(String).join()).toMatch(/Counted \(a Map\) holding numbers under its own fields \('hits', 'scale'\)/); // (constants: the gradient is by key)
    warn.mockRestore();
    expect([val, grad]).toEqual([36, [new Map([['a', 24]])]]);
    expect(m.hits).toBe(2);
    const s = Object.assign(new Set([1, 2]), { tag: 'x' });
    expect(gradient((s: Set<number> & { tag: string; extra?: number }) => ((s.tag = 'y'), (s.extra = [...s][0]! * 2), [...s][1]! * (s.tag === 'y' ? 3 : 1)), s)).toEqual([new Map([[1, null], [2, 3]])]);
    expect([s.tag, (s as { extra?: number }).extra]).toEqual(['y', 2]);
  });
  it('what f does to the object itself reaches the caller: freeze, seal, preventExtensions, setPrototypeOf, Symbol keys', () => {
    const MARK = Symbol('mark');
    const TAG = Symbol('tag');
    class Tagged {}
    const frozen = { a: 1, n: { b: 2 } };
    const sealed = [1, 2];
    const closed = new Map([['k', 1]]);
    const classed = { a: 1 };
    const marked = { a: 1, [TAG]: 'old', get twice() { return this.a * 2; } };
    const f = (p: typeof frozen, q: number[], m: Map<string, number>, c: { a: number }, k: Record<PropertyKey, unknown> & { a: number }) => {
      p.a = p.a * 3;
      Object.freeze(p);
      Object.seal(q);
      Object.preventExtensions(m);
      Object.setPrototypeOf(c, Tagged.prototype);
      k[MARK] = 'seen';
      k[TAG] = 'new';
      delete (k as { twice?: number }).twice;
      return p.a * q[0]! * m.get('k')! * c.a * k.a;
    };
    const [gp] = gradient(f, frozen, sealed, closed, classed, marked as never);
    expect(gp).toEqual({ a: 3, n: null });
    expect(frozen.a).toBe(3);
    expect([Object.isFrozen(frozen), Object.isFrozen(frozen.n)]).toEqual([true, false]);
    expect([Object.isSealed(sealed), Object.isFrozen(sealed)]).toEqual([true, false]);
    expect(Object.isExtensible(closed)).toBe(false);
    expect(Object.getPrototypeOf(classed)).toBe(Tagged.prototype);
    expect((marked as Record<symbol, unknown>)[MARK]).toBe('seen');
    expect((marked as Record<symbol, unknown>)[TAG]).toBe('new');
    expect('twice' in marked).toBe(false);
    // (nested: each level passes it on)
    const inner = { a: 2 };
    expect(derivative((y: number) => derivative((x: number) => gradient((o: { a: number }) => (Object.freeze(o), o.a * x * y), inner)[0]!.a! * x, 1), 1)).toBe(2); // d/dy d/dx x²y
    expect(Object.isFrozen(inner)).toBe(true);
  });
  it("what f does to a field's attributes reaches the caller: Object.defineProperty on a field it received (read-only, hidden, a getter)", () => {
    const make = () => {
      let reads = 0;
      const hidden = { a: 2, b: 3 };
      const readOnly = { a: 2, b: 3 };
      const gotten = { a: 2, b: 3, get reads() { return reads; } };
      class Locked { constructor(public a: number) { Object.defineProperty(this, 'a', { enumerable: false }); } }
      return { args: [hidden, readOnly, gotten, new Locked(4)] as const, reads: () => reads, count: () => reads++ };
    };
    const run = (s: ReturnType<typeof make>) => (h: { a: number; b: number }, r: { a: number; b: number }, g: { a: number; b: number }, l: { a: number }) => {
      Object.defineProperty(h, 'a', { enumerable: false }); // (its number is kept)
      Object.defineProperty(r, 'a', { value: r.a * r.b, writable: false });
      const was = g.a;
      Object.defineProperty(g, 'a', { get: () => (s.count(), 7), enumerable: true, configurable: true });
      l.a = l.a * 5; // (an attribute the original had: only the number changes)
      return h.a * h.b + r.a + was * g.b + l.a;
    };
    const plain = make();
    const value = run(plain)(...plain.args);
    const traced = make();
    const { val } = withgradient(run(traced), ...traced.args);
    expect(val).toBe(value);
    plain.args.forEach((o, k) => expectAttributesAlike(traced.args[k], o));
    // (the getter f defined did not run on the way back)
    expect(traced.reads()).toBe(plain.reads());
    expect(traced.args[2].a).toBe(7);
  });
  it("a read-only field the caller made, which f redefines, holds f's number afterwards (a record, a class instance, a Symbol key)", () => {
    // (the write-back assigned, which a read-only field refuses: the caller's { x: 2 } kept 2 where plain JavaScript leaves 12)
    const tag = Symbol('tag');
    const make = () => {
      const readOnly = (o: object, key: PropertyKey, value: unknown) => Object.defineProperty(o, key, { value, writable: false, enumerable: true, configurable: true });
      class Fixed { constructor(public x: number) { readOnly(this, 'x', x); } }
      const r = readOnly({ y: 3 }, 'x', 2) as { x: number; y: number };
      const withSymbol = readOnly({ y: 1 }, tag, 'old') as { y: number };
      return [r, new Fixed(5), withSymbol] as const;
    };
    const f = (r: { x: number; y: number }, c: { x: number }, s: { y: number }) => {
      Object.defineProperty(r, 'x', { value: r.y * 4 }); // (stays read-only)
      Object.defineProperty(c, 'x', { value: c.x * r.y, writable: true }); // (made writable)
      Object.defineProperty(s, tag, { value: 'new' });
      return r.x * r.y + c.x * s.y;
    };
    const plain = make();
    const value = f(...plain);
    const traced = make();
    const { val, grad } = withgradient(f, ...traced);
    expect(val).toBe(value);
    plain.forEach((o, k) => expect(Object.getOwnPropertyDescriptors(traced[k])).toEqual(Object.getOwnPropertyDescriptors(o)));
    expect([traced[0].x, traced[1].x, (traced[2] as Record<symbol, unknown>)[tag]]).toEqual([12, 15, 'new']);
    expect(isPlainData(traced)).toBe(true);
    // 4 r.y² + c.x·r.y·s.y: ∂r.y = 8 r.y + c.x·s.y, ∂c.x = r.y·s.y, ∂s.y = c.x·r.y
    expect(grad).toEqual([{ x: null, y: 8 * 3 + 5 }, { x: 3 }, { y: 15 }]);
  });
  it("a getter or setter the caller's object has, which f redefines (as a field, or as another getter), is so afterwards", () => {
    // (the stand-in's copy of the getter was redefined and the write-back skipped it: the caller's
    // object kept its getter, reading 20 where plain JavaScript left the field f defined, 40)
    const make = () => {
      const doubled = { _a: 2, get a() { return this._a * 10; } };
      const logged = { _b: 3, set b(v: number) { this._b = v; } };
      const kept = { _c: 1, get c() { return this._c; } };
      return [doubled, logged, kept] as const;
    };
    const f = (d: { _a: number; a: number }, l: { _b: number; b: number }, k: { _c: number; c: number }) => {
      const v = d.a;
      Object.defineProperty(d, 'a', { value: v * 2, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(l, 'b', { get: () => 'now a getter', enumerable: true, configurable: true });
      return d.a * d._a + l._b * k.c;
    };
    const plain = make();
    const value = f(...plain);
    const traced = make();
    const { val, grad } = withgradient(f, ...traced);
    expect(val).toBe(value);
    plain.forEach((o, i) => expectAttributesAlike(traced[i], o));
    expect([traced[0].a, (traced[1] as { b: unknown }).b, traced[2].c]).toEqual([40, 'now a getter', 1]);
    expect(isPlainData(traced)).toBe(true);
    // 20 _a² + _b·_c: ∂_a = 40 _a, ∂_b = _c, ∂_c = _b
    expect(grad).toEqual([{ _a: 80 }, { _b: 1 }, { _c: 3 }]);
  });
  it("a getter under a Symbol key of a record, or under a named key of an array, that f redefines is so afterwards", () => {
    const tag = Symbol('tag');
    const make = () => {
      const r = { a: 2, get [tag]() { return 'getter'; } };
      const xs = Object.defineProperty([1, 2], 'label', { get: () => 'getter', enumerable: true, configurable: true }) as number[] & { label: string };
      return [r, xs] as const;
    };
    const f = (r: { a: number }, xs: number[]) => {
      Object.defineProperty(r, tag, { value: 'field', writable: true, enumerable: true, configurable: true });
      Object.defineProperty(xs, 'label', { value: 'field', writable: true, enumerable: true, configurable: true });
      return r.a * xs[1]!;
    };
    const plain = make();
    f(...plain);
    const traced = make();
    expect(gradient(f, ...traced)).toEqual([{ a: 2 }, [0, 2]]);
    expect(Object.getOwnPropertyDescriptor(traced[0], tag)).toEqual(Object.getOwnPropertyDescriptor(plain[0], tag));
    expect(Object.getOwnPropertyDescriptor(traced[1], 'label')).toEqual(Object.getOwnPropertyDescriptor(plain[1], 'label'));
  });
  it('an element the caller locked alone in an array (read-only, a getter) that f writes is refused, naming it (not JavaScript\'s own error)', () => {
    // (the stand-in is an ordinary array: f's write went through, and the write-back threw
    // "Cannot assign to read only property '0' of object '[object Array]'", naming no argument)
    const make = () => {
      const a = [1, 2, 3];
      Object.defineProperty(a, 0, { writable: false });
      const g = [1, 2];
      Object.defineProperty(g, 1, { get: () => 2, enumerable: true, configurable: true });
      return { a, g };
    };
    const writes = (p: { a: number[]; g: number[] }) => {
      p.a[0] = p.a[1]! * 3;
      return p.a[0]!;
    };
    expect(() => gradient(writes, make())).toThrow(/arg 0 \.a\[0\] is a read-only element of an array .*Freeze the whole array/);
    // (compileGradient's first call writes its copy back by itself: it threw JavaScript's own error there)
    expect(() => compileGradient(writes)(make())).toThrow(/zygote-ts: element \[0\] of an argument's array is a read-only element .*Freeze the whole array/);
    expect(() => gradient((p: { a: number[]; g: number[] }) => (Object.defineProperty(p.g, 1, { value: p.a[1]! * 2 }), p.g[1]!), make())).toThrow(/arg 0 \.g\[1\] is a getter element/);
    // reading them is as in plain JavaScript
    expect(gradient((p: { a: number[]; g: number[] }) => p.a[0]! * p.a[1]!, make())).toEqual([{ a: [2, 1, 0], g: null }]);
  });
  it("what f does to an array's named and Symbol-keyed properties it received reaches the caller (set, deleted)", () => {
    const UNIT = Symbol('unit');
    const make = () => [Object.assign([1, 2], { label: 'old', [UNIT]: 'm' }), Object.assign([3, 4], { label: 'kept', note: 'gone' })] as const;
    const f = (a: number[] & { label: string; [UNIT]: string }, b: number[] & { label: string; note?: string }) => {
      a.label = 'new';
      a[UNIT] = 'cm';
      delete b.note;
      return a[0]! * b[1]!;
    };
    const plain = make();
    f(...plain);
    const traced = make();
    expect(gradient(f, ...traced)).toEqual([[4, 0], [0, 1]]);
    plain.forEach((p, k) => {
      expect(Reflect.ownKeys(traced[k]!)).toEqual(Reflect.ownKeys(p));
      for (const key of Reflect.ownKeys(p)) expect((traced[k] as unknown as Record<PropertyKey, unknown>)[key]).toBe((p as unknown as Record<PropertyKey, unknown>)[key]);
    });
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
  // (f read the argument's copy after changing the caller's object through a variable holding it,
  // `origin.x = 5` then `ps[0].x`: 1 where plain JavaScript reads 5, with no word)
  it("a change f makes to the caller's object another way than through its argument is said, naming the place: a warning, an error in strict mode", () => {
    const said = (run: () => unknown): string => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        run();
        return warn.mock.calls.map(String).join('\n');
      } finally {
        warn.mockRestore();
      }
    };
    const pts = [{ x: 1, y: 2 }];
    const origin = pts[0]!;
    const f = (ps: typeof pts) => ((origin.x = 5), ps[0]!.x * ps[0]!.y);
    expect(said(() => gradient(f, pts))).toMatch(/caller's object at arg 0 \[0\]\.x was changed while f ran, not through f's argument/);
    expect(pts).toEqual([{ x: 5, y: 2 }]); // (what plain JavaScript leaves)
    const xs = [1, 2];
    const m = new Map([['k', 2]]);
    const s = new Set([1]);
    expect(said(() => gradient((a: number[]) => (xs.push(3), a[0]! * a.length), xs))).toMatch(/at arg 0 \(its length\) was changed/);
    expect(said(() => gradient((q: Map<string, number>) => (m.set('k', 7), q.get('k')! * 2), m))).toMatch(/at arg 0 \.get\("k"\) was changed/);
    expect(said(() => gradient((q: Set<number>, x: number) => (s.add(4), q.size * x), s, 2))).toMatch(/at arg 0 \(its members\) was changed/);
    // (writes through the argument alone, NaN and -0 held, say nothing)
    const o = { a: 1, n: NaN, z: -0, b: [1, NaN], m: new Map([['x', -0]]), s: new Set([NaN]) };
    expect(said(() => gradient((q: typeof o) => ((q.a = q.a * 2), q.b.push(q.a), q.m.set('y', q.a), q.s.add(q.a), q.a + q.z), o))).not.toMatch(/changed while f ran/);
    const previous = configure({ strict: true });
    try {
      const qs = [{ x: 1, y: 2 }];
      const held = qs[0]!;
      expect(() => gradient((ps: typeof qs) => ((held.y = 4), ps[0]!.y * ps[0]!.x), qs)).toThrow(/strict.*arg 0 \[0\]\.y was changed while f ran/);
    } finally {
      configure(previous);
    }
  });
});

// (module-level variables: one binding each, whose update the rewrite makes once)
let moduleKept: unknown = null;
let moduleTotal: unknown = 0;
const addToModuleTotal = (v: number) => {
  moduleTotal = (moduleTotal as number) + v;
};

describe('data captured by the closure', () => {
  // A traced number assigned to a variable of an enclosing scope stayed there after the call:
  // `typeof kept` was 'object' and `kept === 21` false for code that was not rewritten, and
  // a search or a Set did not find it. The rewrite now notes such writes for the clean-up.
  describe('variables of enclosing scopes', () => {
    const notRewritten = new Function('v', 'n', 'return [typeof v, v === n, [v].includes(n), new Set([v, n]).size]') as (v: unknown, n: number) => unknown[];
    it('a closure variable or a module variable assigned a traced number holds the number afterwards', () => {
      let kept: unknown = null;
      let counter: unknown = 0;
      const [g] = gradient((x: number) => {
        kept = x * 7;
        moduleKept = x * 5;
        moduleTotal = 0;
        for (let i = 0; i < 100; i++) addToModuleTotal(x * i); // (noted once: one binding)
        counter = x;
        counter = (counter as number) + 1;
        (counter as number)++;
        ++(counter as number);
        (counter as number) *= 2;
        return (kept as number) + (moduleTotal as number) + (counter as number);
      }, 3);
      expect(g).toBe(7 + 4950 + 2);
      expect(notRewritten(kept, 21)).toEqual(['number', true, true, 1]);
      expect(notRewritten(moduleKept, 15)).toEqual(['number', true, true, 1]);
      expect(notRewritten(moduleTotal, 3 * 4950)).toEqual(['number', true, true, 1]);
      expect(notRewritten(counter, 12)).toEqual(['number', true, true, 1]);
    });
    it('written by destructuring or a for-of head, they hold numbers too', () => {
      let first: unknown = null;
      let second: unknown = null;
      let last: unknown = null;
      const [g] = gradient((x: number) => {
        [first, second] = [x * 2, x * 3];
        ({ v: moduleKept } = { v: x * 4 });
        for (last of [x, x * 5]);
        return (first as number) + (second as number) + (last as number);
      }, 2);
      expect(g).toBe(10);
      expect(notRewritten(first, 4)).toEqual(['number', true, true, 1]);
      expect(notRewritten(second, 6)).toEqual(['number', true, true, 1]);
      expect(notRewritten(moduleKept, 8)).toEqual(['number', true, true, 1]);
      expect(notRewritten(last, 10)).toEqual(['number', true, true, 1]);
    });
    it('a global written by f (declared on the global object, or made by a sloppy write) holds its number afterwards', () => {
      // (a global was left holding the traced number: `[g].includes(12)` false, a Set of two)
      const global = globalThis as Record<string, unknown>;
      global.zyDeclaredGlobal = null;
      try {
        const [g] = gradient((x: number) => {
          // @ts-expect-error: a global the program declared on the global object
          zyDeclaredGlobal = x * 4;
          return x * 3;
        }, 3);
        expect(g).toBe(3);
        expect(notRewritten(global.zyDeclaredGlobal, 12)).toEqual(['number', true, true, 1]);
        // (a sloppy function made from text: its write makes the global; the write's value is kept)
        const sloppy = new Function('x', 'const seen = (zySloppyGlobal = x * 2); return x * seen;') as (x: number) => number;
        expect(gradient(sloppy, 3)).toEqual([12]);
        expect(notRewritten(global.zySloppyGlobal, 6)).toEqual(['number', true, true, 1]);
      } finally {
        delete global.zyDeclaredGlobal;
        delete global.zySloppyGlobal;
      }
    });
    // (a name a `with` block writes is a member of its object where the object has it: the
    // clean-up did not see that store, and `o.k` kept the traced number, typeof 'object' to
    // code that was not rewritten)
    it('members written by name inside `with` (an assignment, a `var`, a pattern, an update) hold their numbers afterwards', () => {
      const o: Record<string, unknown> = { k: 0, w: 0, j: 0, n: 1 };
      const f = new Function('o', 'x', 'with (o) { k = x * 2; var w = x * 3; [j] = [x * 4]; n *= x; n++ } return o.k + o.w + o.j + o.n;') as (o: object, x: number) => number;
      expect(gradient((x: number) => f(o, x), 2)).toEqual([10]);
      // (asked by code that was not rewritten: compiled by vm, which the rewrite does not see)
      const plain = runInThisContext('(o) => Object.entries(o).map(([k, v]) => k + ":" + typeof v + ":" + (v === +v))') as (o: object) => string[];
      expect(plain(o)).toEqual(['k:number:true', 'w:number:true', 'j:number:true', 'n:number:true']);
      expect(o).toEqual({ k: 4, w: 6, j: 8, n: 3 });
    });
    // (the clean-up read the global again after f: one f deleted, as a sloppy program tidies its
    // globals up, threw "zyGoneGlobal is not defined" out of the gradient; an accessor's setter
    // ran once more, after f, with the value it already held)
    it('a global f wrote and then deleted, or an accessor: the clean-up neither throws nor sets it again', () => {
      const global = globalThis as Record<string, unknown>;
      const sets: unknown[] = [];
      Object.defineProperty(global, 'zyAccessorGlobal', { get: () => 7, set: (v) => sets.push(typeof v), configurable: true });
      try {
        const gone = new Function('x', 'zyGoneGlobal = x * 2; var r = zyGoneGlobal * x; delete zyGoneGlobal; return r;') as (x: number) => number;
        expect(gradient(gone, 1.5)).toEqual([6]);
        expect('zyGoneGlobal' in global).toBe(false);
        const accessor = new Function('x', 'zyAccessorGlobal = x * 2; return zyAccessorGlobal * x;') as (x: number) => number;
        expect(gradient(accessor, 1.5)).toEqual([7]);
        expect(sets).toEqual(['number']); // (f's own set alone)
      } finally {
        delete global.zyGoneGlobal;
        delete global.zyAccessorGlobal;
      }
    });
    // (a closure f made and kept — a callback, a listener, a generator — held f's traced numbers
    // in its variables after the call: `fns[0]()` returned an object to code that was not
    // rewritten, `[v].includes(3)` was false, `structuredClone` gave {})
    it("a closure f made that outlives the call: the variables it reaches hold numbers afterwards", () => {
      const program = (fns: (() => unknown)[]) => (x: number) => {
        const y = x * 2;
        let z = y + 1;
        fns.push(() => [x, y, z]);
        z = x * 3;
        for (const w of [x, y]) fns.push(() => w);
        function* running(v: number) {
          let total = v;
          for (;;) total += (yield total) as number;
        }
        const gen = running(x);
        gen.next();
        fns.push(() => gen.next(1).value);
        const byArrow = ((a: number) => () => a)(x * 5);
        fns.push(byArrow);
        return y * z;
      };
      const plain: (() => unknown)[] = [];
      const traced: (() => unknown)[] = [];
      program(plain)(3);
      expect(gradient(program(traced), 3)).toEqual([12 * 3]);
      const values = traced.map((read) => read());
      expect(values).toEqual(plain.map((read) => read()));
      expect(isPlainData(values)).toBe(true);
      expect([values[1]].includes(3) && new Set([values[1], 3]).size === 1).toBe(true);
      // (in a later differentiation they are constants, as plain JavaScript's numbers)
      expect(gradient((t: number) => t * (traced[0]!() as number[])[1]!, 2)).toEqual([6]);
    });
    // (an instance a constructor made was walked as a container when the call ended, some 700 ns
    // apiece: three quarters of a simulation's gradient. The fields its constructor gave an object
    // are noted one by one now, and settled whoever holds the instance)
    it("an instance f made and let out only in a closure: its constructor's fields hold numbers, and the caller's objects", () => {
      class Body {
        pos: { x: number };
        w: number;
        extra: { k: number }[];
        [key: string]: unknown;
        constructor(pos: { x: number }, w: number, key: string) {
          this.pos = pos; // (an argument: its stand-in while f runs)
          this.w = w;
          this.extra = [{ k: w * 2 }];
          this[key] = w * 3; // (a computed key: the instance is noted as a container)
        }
      }
      const program = (fns: (() => Body)[]) => (x: number, p: { x: number }) => {
        const b = new Body(p, x * p.x, 'z');
        fns.push(() => b);
        return b.w * (b.extra[0]!.k + (b.z as number));
      };
      const plain: (() => Body)[] = [];
      const traced: (() => Body)[] = [];
      program(plain)(3, { x: 2 });
      const p = { x: 2 };
      // f = 5 (x·p.x)²
      expect(gradient(program(traced), 3, p)).toEqual([120, { x: 180 }]);
      const b = traced[0]!();
      expect(b.pos).toBe(p);
      expect(isPlainData(b)).toBe(true);
      expect({ ...b, pos: null }).toEqual({ ...plain[0]!(), pos: null });
    });
    // (a field's initializer was no store: what it gave an instance f made and let out only in a
    // closure stayed traced, as the rest of the instance was walked only if its constructor stored)
    it("an instance f made and let out only in a closure: what its fields' initializers gave holds numbers", () => {
      const program = (fns: (() => object)[]) => (x: number) => {
        class Sample {
          scaled = x * 2;
          parts = [x, { half: x / 2 }];
          ['named key'] = x * 3;
          label = 'sample';
        }
        class Weighted extends Sample {
          weight = this.scaled * x;
        }
        const s = new Weighted();
        fns.push(() => s);
        return s.weight + s['named key'];
      };
      const plain: (() => object)[] = [];
      const traced: (() => object)[] = [];
      program(plain)(3);
      expect(gradient(program(traced), 3)).toEqual([4 * 3 + 3]);
      expect(isPlainData(traced[0]!())).toBe(true);
      expect(traced[0]!()).toEqual(plain[0]!());
    });
    it("inside a nested differentiation, a field traced on the enclosing tape keeps its derivative until that one ends", () => {
      class Cell {
        constructor(public v: number) {}
      }
      let kept: (() => Cell) | null = null;
      // inner: d/dx x²y = 2xy = 4y at x = 2, and the cell keeps v = 2y: f = 8y², f′ = 16y
      const f = (y: number) => {
        const [d] = gradient((x: number) => {
          const c = new Cell(x * y);
          kept = () => c;
          return c.v * x;
        }, 2);
        return (d as number) * kept!().v;
      };
      expect(gradient(f, 3)).toEqual([48]);
      expect(kept!().v).toBe(6);
      expect(isPlainData(kept!())).toBe(true);
    });
    // (stores a built-in makes were not seen: `Reflect.set(state, 'loss', x * 2)` left the traced number in the caller's object)
    it("stores by Reflect.set, Reflect.defineProperty, Object.defineProperty and Object.defineProperties hold numbers afterwards", () => {
      const program = (state: Record<string, unknown>, other: Record<string, unknown>) => (x: number) => {
        Reflect.set(state, 'loss', x * 2);
        Reflect.set(state, 'viaReceiver', [x * 3], other); // (stores into `other`)
        Reflect.defineProperty(state, 'u', { value: { k: x * 4 }, writable: true, enumerable: true, configurable: true });
        Object.defineProperty(state, 'w', { value: x * 5, writable: true, enumerable: true, configurable: true });
        Object.defineProperties(state, { v: { value: [x * 6], writable: true, enumerable: true, configurable: true } });
        return (state.loss as number) * x;
      };
      const [plainState, plainOther] = [{}, {}];
      program(plainState, plainOther)(3);
      const [state, other] = [{}, {}];
      expect(gradient(program(state, other), 3)).toEqual([12]);
      expect(isPlainData([state, other])).toBe(true);
      expect([state, other]).toEqual([plainState, plainOther]);
    });
    // (a destructuring or a `for` head writing a member, and a mutating method called through
    // `call`/`apply`, stored where the barrier did not look: the caller's objects kept the traced numbers)
    it("members written by destructuring and `for (o.k of …)` heads, and pushes through call or apply, hold numbers afterwards", () => {
      const program = (o: Record<string, any>, list: unknown[]) => (x: number) => {
        [o.a] = [x * 2];
        ({ b: o.b, c: o.c = [x * 3] } = { b: { v: x * 4 } });
        ({ ...o.rest } = { z: x * 5 });
        [...o.tail] = [x * 6];
        for (o.last of [x * 7]) void 0;
        [list[0]] = [x * 8];
        Array.prototype.push.call(list, x * 9);
        ([] as unknown[]).push.apply(list, [x * 10]);
        Array.prototype.splice.call(list, 1, 0, [x * 11]);
        return (o.a as number) * x;
      };
      const [plainO, plainList] = [{}, []];
      program(plainO, plainList)(3);
      const [o, list] = [{}, []];
      expect(gradient(program(o, list), 3)).toEqual([12]);
      expect(isPlainData([o, list])).toBe(true);
      expect([o, list]).toEqual([plainO, plainList]);
    });
    // (stores the barrier did not see: a mutating built-in reached by a name bound once, by
    // Reflect.apply or a string key; Object.assign by a name bound once, through call or apply, or
    // through the global object; `super.k = v`, which stores
    // into `this`; a prototype f made or set holding traced numbers)
    it('pushes by a bound name, Reflect.apply, a string key; assign by a name; super stores; prototypes: numbers afterwards', () => {
      const { assign } = Object;
      const push = ([] as unknown[]).push;
      const base = { total: 0 };
      const withSuper = {
        __proto__: base,
        put(v: unknown) {
          // @ts-ignore (a member of the prototype, not declared)
          super.total = v;
          // @ts-ignore
          super['other'] = v;
          // @ts-ignore
          super.sum ??= v;
        },
      } as unknown as { put(v: unknown): void };
      class Base {}
      class Derived extends Base {
        put(v: unknown) {
          // @ts-ignore (stores into `this`)
          super.z = v;
          // @ts-ignore
          super.w += v;
        }
      }
      const program = (o: Record<string, any>, list: unknown[], d: Derived, t: Record<string, any>) => (x: number) => {
        // (each into a container of `t`, which nothing else writes: the clean-up walks a noted one whole)
        push.call(list, x * 2);
        Reflect.apply(Array.prototype.push, t.pushed, [x * 3]);
        Reflect.apply(Object.assign, null, [t.r, { v: x * 4 }]);
        t.unshifted['unshift'](x * 5);
        assign(t.a, { v: x * 6 });
        withSuper.put(x * 7);
        d.put(x * 8);
        o.made = Object.create({ v: x * 9 });
        o.literal = { __proto__: { v: x * 10 } };
        Object.setPrototypeOf((o.set = {}), { v: x * 11 });
        Reflect.setPrototypeOf((o.reflected = {}), { v: x * 12 });
        Object.assign.call(null, t.c, { v: x * 13 });
        Object.assign.apply(null, [t.d, { v: x * 14 }]);
        globalThis.Object.assign(t.e, { v: x * 15 });
        return x;
      };
      const fresh = (): [Record<string, any>, unknown[], Derived, Record<string, any>] => [{}, [], Object.assign(new Derived(), { w: 1 }), { c: {}, d: {}, e: {}, r: {}, a: {}, pushed: [], unshifted: [] }];
      const plain = fresh();
      program(...plain)(3);
      const data = fresh();
      expect(gradient(program(...data), 3)).toEqual([1]);
      const protos = (o: Record<string, object>) => ['made', 'literal', 'set', 'reflected'].map((k) => Object.getPrototypeOf(o[k]));
      expect(isPlainData([data, withSuper, protos(data[0])])).toBe(true);
      expect(data).toEqual(plain);
      expect(protos(data[0])).toEqual(protos(plain[0]));
      expect(withSuper).toMatchObject({ total: 21, other: 21, sum: 21 });
    });
    // (stores in optional chains, by a computed method name or bound were not seen: `h.log?.push(x * 2)`,
    // `list[atStart ? 'unshift' : 'push'](x)`, `log.push.bind(log)` left the traced numbers in the caller's arrays)
    it("pushes in optional chains, by a computed method name or bound hold numbers afterwards; searches by a computed name search by value", () => {
      const program = (t: Record<string, any>, missing: Record<string, any> | undefined) => (x: number) => {
        t.a?.push(x * 2);
        t.o?.b.unshift(x * 3);
        t.c.push?.(x * 4);
        t.o?.d?.splice(0, 0, x * 5);
        t.o?.['e'].fill(x * 6);
        missing?.list.push(x * 7); // (skipped, as before)
        for (const atStart of [true, false]) t.f[atStart ? 'unshift' : 'push'](x * 8);
        const push = ['push'][0]!;
        t.o?.g[push](x * 12); // (into containers nothing else writes: the clean-up walks a noted one whole)
        t.h?.[push]?.(x * 13);
        const set = 'set';
        t.m[set]('k', x * 9);
        const add = t.g.push.bind(t.g);
        add(x * 10);
        t.g.unshift.bind(t.g, x * 11)();
        const has = ['includes'][0]!;
        return t.f[has](x * 8) ? x * x : 0; // (a search by value, as `t.f.includes(x * 8)` is)
      };
      const fresh = () => ({ a: [], c: [], o: { b: [], d: [1], e: [0, 0], g: [] }, f: [], g: [], h: [], m: new Map() });
      const plain = fresh();
      program(plain, undefined)(3);
      const data = fresh();
      expect(gradient(program(data, undefined), 3)).toEqual([6]);
      expect(isPlainData(data)).toBe(true);
      expect(data).toEqual(plain);
      expect(() => gradient(program(data, {}), 3)).toThrow(TypeError); // (`{}.list.push`, as plain JavaScript throws)
      expect(isPlainData(data)).toBe(true);
    });
    // (a WeakRef f made to an argument held its stand-in: after the call deref() gave the copy, its
    // numbers traced, and the WeakRef let go when the copy was collected, while the caller's object lived)
    it("a WeakRef f makes to an argument gives the caller's object afterwards, and f's own copy while f runs", () => {
      let ref: WeakRef<{ x: number }> | undefined;
      const cube = (q: { x: number }) => {
        ref = new WeakRef(q);
        return ref.deref()!.x ** 3;
      };
      const p = { x: 3 };
      expect(gradient(cube, p)).toEqual([{ x: 27 }]);
      expect(ref!.deref()).toBe(p);
      expect(ref instanceof WeakRef).toBe(true);
      const compiled = compileGradient(cube);
      expect([compiled(p), compiled({ x: 2 })]).toEqual([[{ x: 27 }], [{ x: 12 }]]);
      expect(compiled.fallback).toBeNull();
      expect(ref!.deref()).toBe(p); // (made when f was recorded, on the first call)
      let inner: WeakRef<{ x: number }> | undefined;
      const s = { x: 2 };
      // d/ds of d/dq (s·q²) at q = s: 4s
      expect(gradient((s: { x: number }) => gradient((q: { x: number }) => { inner = new WeakRef(q); return inner.deref()!.x * s.x * q.x; }, s)[0]!.x!, s)).toEqual([{ x: 8 }]);
      expect(inner!.deref()).toBe(s);
    });
    // (a static field's initializer was left as written: the class, kept by the caller, held the traced number)
    it("a class f makes holds numbers in its static fields afterwards", () => {
      const program = (o: Record<string, any>) => (x: number) => {
        o.C = class {
          static s = x * 2;
          static list = [x * 3];
          static ['k'] = { v: x * 4 };
        };
        return o.C.s * x;
      };
      const plain: Record<string, any> = {};
      program(plain)(3);
      const o: Record<string, any> = {};
      expect(gradient(program(o), 3)).toEqual([12]);
      expect(isPlainData([o.C.s, o.C.list, o.C.k])).toBe(true);
      expect([o.C.s, o.C.list, o.C.k]).toEqual([plain.C.s, plain.C.list, plain.C.k]);
    });
    // (a `#private` field's initializer was left as written: nothing handed the clean-up an
    // update of the member, and `out.i.v()` was a traced number after the call)
    it("a class f makes holds numbers in its #private fields' initial values afterwards (static too)", () => {
      let kinds: (xs: unknown[]) => string[] = () => [];
      const program = (out: Record<string, any>) => (x: number) => {
        class K {
          static #s = x * 5;
          #v = x * 2;
          #list = [x * 3];
          v() {
            return [this.#v, this.#list, K.#s];
          }
        }
        out.i = new K();
        return x;
      };
      const plain: Record<string, any> = {};
      program(plain)(3);
      const out: Record<string, any> = {};
      expect(gradient(program(out), 3)).toEqual([1]);
      expect(out.i.v()).toEqual(plain.i.v());
      expect(isPlainData(out.i.v())).toBe(true);
      kinds = runInThisContext('(xs) => xs.map((v) => typeof v)') as typeof kinds;
      expect(kinds(out.i.v())).toEqual(['number', 'object', 'number']);
    });

    // (the clean-up assigned the element, which threw in its strict module: the gradient threw
    // "Cannot assign to read only property '0'", and the containers after it kept their traced numbers)
    it('an array element f made read-only holds its number afterwards, and the clean-up goes on', () => {
      const program = (a: number[], o: Record<string, unknown>) => (x: number) => {
        Object.defineProperty(a, 0, { value: x * 2, writable: false, configurable: true, enumerable: true });
        o.after = x * 3;
        return x;
      };
      const [plainA, plainO] = [[0, 1], {}];
      program(plainA, plainO)(3);
      const [a, o] = [[0, 1], {}];
      expect(gradient(program(a, o), 3)).toEqual([1]);
      expect(isPlainData([a, o])).toBe(true);
      expect([a, o]).toEqual([plainA, plainO]);
      expect(Object.getOwnPropertyDescriptor(a, 0)).toEqual(Object.getOwnPropertyDescriptor(plainA, 0));
    });
    // (a `#private` member written by destructuring or a `for` head was left as written: the
    // traced number stayed in the member of an instance the caller holds)
    it("#private members written by destructuring and `for (this.#k of …)` heads hold numbers afterwards", () => {
      class Model {
        #w: unknown = 0;
        #b: unknown = 0;
        #last: unknown = 0;
        #kept: unknown = 0;
        set #keep(v: unknown) {
          this.#kept = v;
        }
        fit(x: number) {
          [this.#w] = [x * 2];
          ({ b: this.#b = [x * 3] } = {});
          for (this.#last of [{ v: x * 4 }]) void 0;
          [this.#keep] = [[x * 5]]; // (a setter: its own store is the rewritten one)
          return (this.#w as number) * x;
        }
        state() {
          return [this.#w, this.#b, this.#last, this.#kept];
        }
      }
      const plain = new Model();
      plain.fit(3);
      const model = new Model();
      expect(gradient((x: number) => model.fit(x), 3)).toEqual([12]);
      expect(isPlainData(model.state())).toBe(true);
      expect(model.state()).toEqual(plain.state());
    });
    // (a method called for its name — a vector's `add`, a registry's `set` — is rewritten code,
    // which notes its own stores: the receiver is no longer noted at the call)
    it("a rewritten method named as a built-in store (set, add, push) notes its own stores", () => {
      class Registry {
        list: unknown[] = [];
        set(k: string, v: unknown) {
          (this as unknown as Record<string, unknown>)[k] = v;
          return this;
        }
        add(v: unknown) {
          this.list.push(v);
        }
        push(v: { w: number }) {
          this.list.push({ ...v });
        }
      }
      const registry = new Registry();
      expect(gradient((x: number) => (registry.set('a', x * 2).add([x * 3]), registry.push({ w: x }), x), 3)).toEqual([1]);
      expect(isPlainData(registry)).toBe(true);
      expect(registry).toEqual(Object.assign(new Registry(), { a: 6, list: [[9], { w: 3 }] }));
    });
    it('a typed array f made and kept there is a real typed array afterwards', () => {
      let kept: unknown = null;
      expect(gradient((x: number) => { const t = new Float64Array(2); t[0] = x * 2; kept = t; return t[0] * x; }, 3)).toEqual([12]);
      expect(ArrayBuffer.isView(kept)).toBe(true);
      expect(structuredClone(kept)).toEqual(Float64Array.of(6, 0));
    });
    it('objects assigned hold numbers, and an argument assigned is the caller\'s object', () => {
      let box: unknown = null;
      let list: unknown = null;
      let arg: unknown = null;
      const p = { a: 2 };
      const [, gp] = gradient((x: number, q: { a: number }) => {
        box = { q: x * 5, inner: { r: x } };
        list = [x * 2, [x]];
        arg = q;
        return x * q.a;
      }, 3, p);
      expect(gp).toEqual({ a: 3 });
      expect(box).toEqual({ q: 15, inner: { r: 3 } });
      expect(list).toEqual([6, [3]]);
      expect(arg).toBe(p);
      expect(isPlainData(box) && isPlainData(list)).toBe(true);
    });
    it('a variable of a function called twice: each binding holds its number', () => {
      const make = () => {
        let k: unknown = null;
        return { set: (x: number) => ((k = x * 2), k as number), get: () => k };
      };
      const m1 = make();
      const m2 = make();
      expect(gradient((x: number) => m1.set(x) + m2.set(x * 3), 2)).toEqual([8]);
      expect(notRewritten(m1.get(), 4)).toEqual(['number', true, true, 1]);
      expect(notRewritten(m2.get(), 12)).toEqual(['number', true, true, 1]);
    });
    it("a function's variable written by a closure in a loop, and a block's, hold numbers", () => {
      const make = () => {
        let acc: unknown = 0;
        return { add: (v: number) => void (acc = (acc as number) + v), get: () => acc };
      };
      const keptPerTurn: (() => unknown)[] = [];
      const [g] = gradient((x: number) => {
        const m = make();
        for (let i = 0; i < 1000; i++) m.add(x * i);
        for (let i = 0; i < 3; i++) {
          let turn: unknown = null;
          ((v: number) => (turn = v * i))(x);
          keptPerTurn.push(() => turn);
        }
        return m.get() as number;
      }, 2);
      expect(g).toBe(499500);
      expect(keptPerTurn.map((read, i) => notRewritten(read(), 2 * i))).toEqual([0, 1, 2].map(() => ['number', true, true, 1]));
    });
    it('also when f throws, and inside a nested differentiation (the outer value stays traced until the outer call ends)', () => {
      let kept: unknown = null;
      expect(() =>
        gradient((x: number) => {
          kept = x * 4;
          throw new Error('boom');
        }, 2),
      ).toThrow('boom');
      expect(notRewritten(kept, 8)).toEqual(['number', true, true, 1]);
      let inner: unknown = null;
      let seenInside = false;
      const [g] = gradient((y: number) => {
        const [h] = gradient((x: number) => {
          inner = x * y;
          return x * y;
        }, 1);
        // (inner's value is y, traced on the outer tape: it still carries the outer derivative)
        seenInside = (inner as Record<symbol, unknown>)[TRACED] === true;
        return (inner as number) * (h as number);
      }, 3);
      expect(g).toBe(6);
      expect(seenInside).toBe(true);
      expect(notRewritten(inner, 3)).toEqual(['number', true, true, 1]);
    });
  });
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
  it("fields of Maps, Sets and built-ins with internal slots (a Date, a RegExp) written inside f hold numbers afterwards", () => {
    // (only their entries were cleaned: a Map subclass's `total`, a Date's label kept traced numbers)
    class Registry extends Map<string, number> {
      total = 0;
      record(k: string, v: number) {
        this.set(k, v);
        this.total += v;
      }
    }
    const run = (differentiate: boolean) => {
      const registry = new Registry();
      const seen = Object.assign(new Set<string>(), { last: { v: 0 } });
      const stamp = new Date(0) as Date & { cost?: number };
      const pattern = /a/ as RegExp & { weight?: number };
      const f = (x: number) => {
        registry.record('a', x * 2);
        seen.last = { v: x * x };
        stamp.cost = x + 1;
        pattern.weight = x * 3;
        return registry.total * x;
      };
      if (differentiate) expect(gradient(f, 3)).toEqual([12]);
      else f(3);
      return [registry, seen, stamp, pattern] as const;
    };
    const plain = run(false);
    const traced = run(true);
    for (const [i, held] of traced.entries()) {
      expect(isPlainData(held) && isPlainData({ ...held })).toBe(true);
      expect({ ...held }).toEqual({ ...plain[i] });
    }
  });
  it('Maps and Sets written inside f keep the order plain JavaScript leaves their keys and members in', () => {
    // (a traced key or member, or a stand-in, was deleted and added again by the clean-up, which
    // moved it last: an LRU cache keyed by x evicted another entry than plain code does)
    const lruSquare = (cache: Map<number, number>, order: Set<unknown>) => (x: number) => {
      if (!cache.has(x)) cache.set(x, x * x);
      cache.set(-1, 0); // (a newer entry: the oldest is x's)
      order.add(x * 2);
      order.add('last');
      return cache.get(x)! * x;
    };
    const run = (differentiate: boolean) => {
      const cache = new Map<number, number>([[10, 100]]);
      const order = new Set<unknown>(['first']);
      cache.delete(10); // (emptied as an LRU cache evicts: the Map is no argument)
      const f = lruSquare(cache, order);
      if (differentiate) expect(gradient(f, 3)).toEqual([27]);
      else f(3);
      return { cache, order };
    };
    const plain = run(false);
    const traced = run(true);
    expect([...traced.cache]).toEqual([...plain.cache]);
    expect([...traced.order]).toEqual([...plain.order]);
    expect([...traced.cache.keys()][0]).toBe(3);
    expect(isPlainData(traced.cache) && isPlainData(traced.order)).toBe(true);
    // a stand-in used as a key of a Map f captured is the caller's object, in its place
    const key = { v: 2 };
    const byObject = new Map<unknown, number>();
    expect(gradient((o: { v: number }) => (byObject.set(o, 1), byObject.set('after', 2), o.v * o.v), key)).toEqual([{ v: 4 }]);
    expect([...byObject.keys()]).toEqual([key, 'after']);
    expect([...byObject.keys()][0]).toBe(key);
  });
  it('frozen records and arrays f made hold numbers afterwards (in a copy, the same wherever it is held), and an argument the caller\'s object', () => {
    const out: { v?: { y: number; ys: readonly number[]; p: { w: number } }; again?: unknown } = {};
    let kept: unknown;
    const p = { w: 3 };
    const [g] = gradient((x: number, q: typeof p) => {
      const v = Object.freeze({ y: x * 2, ys: Object.freeze([x, 1]), p: q });
      out.v = v;
      out.again = v;
      kept = v;
      return v.y * q.w;
    }, 2, p);
    expect(g).toBe(6);
    expect(out.v).toEqual({ y: 4, ys: [2, 1], p: { w: 3 } });
    expect(isPlainData(out)).toBe(true);
    expect([Object.isFrozen(out.v), Object.isFrozen(out.v!.ys)]).toEqual([true, true]);
    expect(out.v!.p).toBe(p);
    expect([out.again, kept]).toEqual([out.v, out.v]);
    expect(out.again === out.v && kept === out.v).toBe(true);
  });
  it('a traced number left where the clean-up cannot write it (a frozen class instance f made) is said: a warning, an error in strict mode', () => {
    // (it stayed there without a word: the clean-up skipped frozen objects)
    class Vec {
      constructor(
        public x: number,
        public y: number,
      ) {
        Object.freeze(this);
      }
    }
    const history: Vec[] = [];
    const previous = configure({ strict: true });
    try {
      expect(() => gradient((x: number) => (history.push(new Vec(x * 2, 1)), x), 3)).toThrow(/strict.*traced number .* in \.x of a Vec, which cannot be written/);
      // (plain numbers there, or a frozen plain record, say nothing)
      expect(gradient((x: number) => (history.push(new Vec(2, 1)), x), 3)).toEqual([1]);
      expect(gradient((x: number) => (history.push(Object.freeze({ x: x * 2, y: 1 })), x), 3)).toEqual([1]);
    } finally {
      configure(previous);
    }
  });
  // (an immutable class's instances f made and let go were said as left in data, and strict
  // mode stopped every program using one: gradient(x => new Vec(x, 2).add(new Vec(1, x)).x, 1))
  it('a frozen instance f made and let go says nothing; one f keeps (a variable, a closure, a container, a #private member, thrown) is said', () => {
    class Vec {
      constructor(
        public x: number,
        public y: number,
      ) {
        Object.freeze(this);
      }
      add(o: Vec) {
        return new Vec(this.x + o.x, this.y + o.y);
      }
    }
    class Owner {
      #kept: Vec | null = null;
      keep(v: Vec) {
        this.#kept = v;
      }
    }
    let best: Vec | null = null;
    let later: (() => Vec) | null = null;
    const previous = configure({ strict: true });
    try {
      const temporaries = (x: number) => {
        const v = new Vec(x, 2).add(new Vec(1, x));
        return [1, 2].map((k) => v.add(new Vec(k, k))).reduce((s, w) => s + w.x * w.y, v.x * v.y);
      };
      expect(gradient(temporaries, 1)[0]).toBeCloseTo((temporaries(1 + 1e-6) - temporaries(1 - 1e-6)) / 2e-6, 6); // (21)
      const said = /strict.*traced number .* in \.x of a Vec, which cannot be written/;
      expect(() => gradient((x: number) => ((best = new Vec(x, 1)), x), 1)).toThrow(said);
      expect(() => gradient((x: number) => {
        const v = new Vec(x, 1);
        later = () => v;
        return x;
      }, 1)).toThrow(said);
      expect(() => gradient((x: number) => (new Map([['v', 0]]).set('v', 1), new Owner().keep(new Vec(x, 1)), x), 1)).toThrow(said);
      expect(() => gradient((x: number) => {
        throw new Vec(x, 1);
      }, 1)).toThrow(said);
      expect([best, later]).not.toEqual([null, null]);
    } finally {
      configure(previous);
    }
  });
  // (a caller's record or array f wrote a traced number into and then froze kept it with no
  // word: the clean-up gave it a copy its holder never saw, and [cfg.k].includes(2) was false)
  it('a record or array f wrote into and then froze is said: its holders keep the traced number', () => {
    const cfg = { k: 0 };
    const row: number[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient((x: number) => ((cfg.k = x * 2), Object.freeze(cfg), x), 1)).toEqual([1]);
      expect(gradient((x: number) => (row.push(x * 3), Object.freeze(row), x), 1)).toEqual([1]);
      const said = warn.mock.calls.map(String).join('\n');
      expect(said).toMatch(/f wrote a traced number into \.k of an object and then froze it/);
      expect(said).toMatch(/f wrote a traced number into \[0\] of an array and then froze it/);
    } finally {
      warn.mockRestore();
    }
  });
  // (found by helper Ty: an inner differentiation handed its stand-ins to the enclosing one's
  // clean-up, which no longer knew them as stand-ins: a frozen argument's, where f's write was
  // ignored, was cleaned as data and the outer call said "f wrote a traced number into .a of an
  // object and then froze it" — of data no one holds. compileGradient's recording, which runs f
  // inside a differentiation of its own, left the same word for the next gradient call, about another f)
  it('a write an inner differentiation ignored on a frozen argument is not said to have left traced numbers', () => {
    const f = (p: { a: number; w: number }) => (Reflect.set(p, 'w', p.a * 3), p.w * p.a); // (false: the stand-in is frozen as p is)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(derivative((y: number) => (gradient(f, Object.freeze({ a: y, w: 2 }))[0] as { a: number }).a * y, 1.5)).toBe(2);
      expect(compileGradient(f)(Object.freeze({ a: 1.5, w: 2 }))).toEqual([{ a: 2, w: 1.5 }]);
      expect(gradient((x: number) => x * 2, 1)).toEqual([2]);
      expect(warn.mock.calls.map(String).join('\n')).not.toMatch(/froze it/);
    } finally {
      warn.mockRestore();
    }
  });
  it('a NaN the clean-up passes is left alone: frozen data holding one keeps its identity, and a global store says nothing', () => {
    // (`NaN !== NaN` took it for a replacement: the frozen record and array were swapped for
    // copies, and a store to a global warned that the global object's NaN could not be written)
    const CONFIG = Object.freeze({ eps: NaN, k: 2 });
    const ROW = Object.freeze([NaN, 1]);
    const holder: { config: typeof CONFIG; row: typeof ROW; v: number } = { config: CONFIG, row: ROW, v: 0 };
    expect(gradient((x: number) => ((holder.v = x * 2), holder.v), 3)).toEqual([2]);
    expect(holder.config).toBe(CONFIG);
    expect(holder.row).toBe(ROW);
    expect(holder.v).toBe(6);
    const global = globalThis as { zygoteSpecNaN?: number };
    const previous = configure({ strict: true });
    try {
      expect(gradient((x: number) => ((global.zygoteSpecNaN = x * 2), global.zygoteSpecNaN * x), 3)).toEqual([12]);
      expect(global.zygoteSpecNaN).toBe(6);
    } finally {
      configure(previous);
      delete global.zygoteSpecNaN;
    }
  });
  it('non-enumerable and Symbol-keyed fields, and objects reached many times', () => {
    const TAG = Symbol('tag');
    const r: Record<PropertyKey, unknown> = {};
    Object.defineProperty(r, 'hidden', { value: 0, writable: true, enumerable: false, configurable: true });
    const shared = { v: 0 };
    const parts: { s: typeof shared; n: unknown }[] = [];
    const [g] = gradient((x: number) => {
      r.hidden = x * 2;
      r[TAG] = { y: x * 3 };
      shared.v = x * 4;
      for (let i = 0; i < 50; i++) parts.push({ s: shared, n: x * i });
      return x * x;
    }, 2);
    expect(g).toBe(4);
    expect([r.hidden, (r[TAG] as { y: unknown }).y, shared.v, parts[49]!.n]).toEqual([4, 6, 8, 98]);
    expect(isPlainData(r) && isPlainData(parts) && isPlainData(shared)).toBe(true);
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
  // A traced number stored into a #private field of an object made outside f stayed there:
  // the clean-up could neither see the store nor name the member. The rewrite now hands it
  // an update of the member at the store site.
  describe('#private fields of objects made before the call', () => {
    // (outside a differentiation a number has no own keys; a traced one left behind has `value`, `index`, `tape`)
    const isNumber = (v: unknown): boolean => Object.keys(Object(v)).length === 0 && [v].includes(Number(v) as never);
    class Acc {
      #t = 0;
      #log: unknown[] = [];
      #keep: unknown = null;
      static #last: unknown = 0;
      add(v: number) {
        this.#t += v;
      }
      reset() {
        this.#t = 0;
      }
      note(v: number) {
        this.#log = [v, { v }];
      }
      keep(o: unknown) {
        this.#keep = o;
      }
      set #via(v: number) {
        this.#t = v;
      }
      setVia(v: number) {
        this.#via = v;
      }
      static remember(v: number) {
        Acc.#last = v;
      }
      get t() {
        return this.#t;
      }
      get log() {
        return this.#log;
      }
      get kept() {
        return this.#keep;
      }
      static get last() {
        return Acc.#last;
      }
    }

    it('hold numbers afterwards: fields, static fields, objects stored there, stand-ins put back as the originals; the gradient is the finite differences\'', () => {
      const acc = new Acc();
      const f = (x: number) => {
        acc.reset();
        acc.add(x * 2);
        acc.add(x);
        return acc.t * x;
      };
      const [g] = gradient(f, 1.5);
      expect(acc.t).toBe(4.5);
      expect(isNumber(acc.t)).toBe(true);
      const h = 1e-6;
      expect(g).toBeCloseTo((f(1.5 + h) - f(1.5 - h)) / (2 * h), 6);
      expect(isNumber(acc.t)).toBe(true);

      const other = new Acc();
      const p = { w: 2 };
      const [gp, gx] = gradient((q: { w: number }, x: number) => {
        other.note(x * 3);
        other.keep(q);
        other.setVia(x * q.w);
        Acc.remember(x + 1);
        return q.w * x;
      }, p, 3);
      expect([gp, gx]).toEqual([{ w: 3 }, 2]);
      expect(other.log).toEqual([9, { v: 9 }]);
      expect(isNumber(other.log[0])).toBe(true);
      expect(isNumber((other.log[1] as { v: unknown }).v)).toBe(true);
      expect(other.kept).toBe(p);
      expect(other.t).toBe(6);
      expect(isNumber(other.t)).toBe(true);
      expect(Acc.last).toBe(4);
      expect(isNumber(Acc.last)).toBe(true);
    });

    it('also when f throws, and after a nested differentiation', () => {
      const acc = new Acc();
      expect(() =>
        gradient((x: number) => {
          acc.add(x * 2);
          acc.note(x);
          throw new Error('stop');
        }, 1.5),
      ).toThrow('stop');
      expect(acc.t).toBe(3);
      expect(isNumber(acc.t)).toBe(true);
      expect(isNumber(acc.log[0])).toBe(true);

      const inner = new Acc();
      const d2 = derivative((y: number) => {
        const d = derivative((x: number) => {
          inner.reset();
          inner.add(x * y);
          return inner.t * x;
        }, 2);
        return d * y;
      }, 3);
      expect(d2).toBe(4 * 2 * 3); // d/dy (2xy · y) at x = 2
      expect(inner.t).toBe(6);
      expect(isNumber(inner.t)).toBe(true);
    });
  });
  // A WeakMap or WeakSet cannot be listed: what f stored under an argument's stand-in was
  // lost to the caller (wm.get(o) undefined, a value f replaced kept its old number), and a
  // traced number stored as a WeakMap's value stayed there.
  it('WeakMap and WeakSet entries: keyed by the caller\'s object, holding numbers afterwards (also nested, and when f throws)', () => {
    const isNumber = (v: unknown): boolean => Object.keys(Object(v)).length === 0 && [v].includes(Number(v) as never);
    const o = { a: 2 };
    const wm = new WeakMap<object, unknown>([[o, 7]]);
    const ws = new WeakSet<object>();
    const key = {};
    const [g] = gradient((p: { a: number }) => {
      const before = wm.get(p) as number;
      wm.set(p, 9);
      ws.add(p);
      wm.set(key, { v: p.a * 3, p });
      return p.a * before * (wm.get(p) as number);
    }, o);
    expect(g).toEqual({ a: 63 });
    expect(wm.get(o)).toBe(9);
    expect(ws.has(o)).toBe(true);
    const held = wm.get(key) as { v: unknown; p: unknown };
    expect(held.v).toBe(6);
    expect(isNumber(held.v)).toBe(true);
    expect(held.p).toBe(o);
    const k2 = {};
    expect(() =>
      gradient((x: number) => {
        wm.set(k2, x * 2);
        throw new Error('stop');
      }, 1.5),
    ).toThrow('stop');
    expect(wm.get(k2)).toBe(3);
    expect(isNumber(wm.get(k2))).toBe(true);
    const k3 = {};
    expect(derivative((y: number) => derivative((x: number) => (wm.set(k3, x * y), x * y), 2) * y, 3)).toBe(6);
    expect(wm.get(k3)).toBe(6);
    expect(isNumber(wm.get(k3))).toBe(true);
    // (a traced number is not an object to a WeakMap, as the number is not)
    expect(() => gradient((x: number) => (wm.set(x as unknown as object, 1), x), 1)).toThrow(TypeError);
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
    expect(plainTypeOf(log[0])).toBe('number');
  });
  it('what f throws reaches the caller as plain JavaScript throws it: numbers, and the caller\'s objects', () => {
    const p = { w: 1 };
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = thrown(() => gradient((x: number) => { throw Object.assign(new Error('bad'), { value: x * 2, at: [x] }); }, 3)) as Error & { value: number; at: number[] };
    expect([e1.message, e1.value, e1.at]).toEqual(['bad', 6, [3]]);
    expect(isPlainData(e1)).toBe(true);
    const e2 = thrown(() => gradient((x: number) => { throw x * 2; }, 3));
    expect(plainTypeOf(e2) === 'number' && e2 === 6).toBe(true);
    const e3 = thrown(() => gradient((q: typeof p) => { throw { q, twice: q.w * 2 }; }, p)) as { q: typeof p; twice: number };
    expect(e3.q).toBe(p);
    expect(isPlainData(e3)).toBe(true);
    expect(e3.twice).toBe(2);
    // (nested: the inner one throws what the outer one still traces)
    expect(derivative((y: number) => (thrown(() => derivative((x: number) => { throw { v: x * y }; }, 2)) as { v: number }).v * y, 3)).toBe(12); // d/dy 2y²
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
  it("nested differentiation: what the inner f writes into, or stores, of the enclosing f's argument stays that f's (its value, its derivative, its stand-in)", () => {
    // each against plain JavaScript (the value, the caller's data) and central differences
    const cases: ((p: { x: number; y: number }) => number)[] = [
      // the inner f writes through the closure into the enclosing argument
      (p) => (gradient((k: number) => (p.x = p.x * k), 3), p.x),
      (p) => p.x * gradient((k: number) => (p.x = p.x * k), 3)[0]!,
      // it stores the enclosing argument outside, which the enclosing f reads or writes through
      (p) => {
        const log: { x: number; y: number }[] = [];
        gradient((k: number) => (log.push(p), k), 3);
        return log[0]!.x * log[0]!.x;
      },
      (p) => {
        const log: { x: number; y: number }[] = [];
        gradient((k: number) => (log.push(p), k), 3);
        log[0]!.y = log[0]!.x * 4;
        return p.y;
      },
      // or into its own argument
      (p) => {
        const q: { ref: { x: number } | null; w: number } = { ref: null, w: 1 };
        gradient((qq: typeof q) => ((qq.ref = p), qq.w), q);
        return q.ref!.x * 3;
      },
    ];
    const make = () => ({ x: 2, y: 5 });
    for (const f of cases) {
      const plain = make();
      const value = f(plain);
      const p = make();
      const { val, grad } = withgradient(f, p);
      expect(val).toBe(value);
      expect(p).toEqual(plain);
      expectMatchesFiniteDifferences(f, make, grad[0]);
    }
  });
  it('pullback: stores are cleaned when f returns, before back is called', () => {
    const kept: number[] = [];
    const [y, back] = pullback((x: number) => (kept.push(x), x * x), 3);
    expect(kept).toEqual([3]);
    expect(plainTypeOf(kept[0])).toBe('number');
    expect(y).toBe(9);
    expect(back(1)).toEqual([6]);
  });
});

// A callback f schedules runs after the call's clean-up: what it stored stayed traced (a log
// a timer pushes the loss to held objects, found by no search, `typeof` 'object' to code
// that was not rewritten), where plain code stores numbers.
const savedForLater: { v?: unknown; list: unknown[] } = { list: [] };
const saver = {
  save(v: unknown) {
    savedForLater.v = v;
    savedForLater.list.push(v);
  },
};

describe('callbacks f schedules', () => {
  const ran = (k: number) => new Promise((r) => setTimeout(r, k));
  const program = (x: number, log: unknown[], box: Record<string, unknown>, table: Map<string, unknown>) => {
    const loss = x * x;
    setTimeout((at: unknown) => log.push(loss, at), 0, { at: loss });
    setImmediate(() => table.set('loss', loss));
    queueMicrotask(() => (box.micro = loss));
    process.nextTick((v: unknown) => log.push(v), loss);
    const every = setInterval(() => {
      log.push(loss * 2);
      clearInterval(every);
    }, 1);
    return loss * 3;
  };

  it('store numbers when they run, as in plain code (setTimeout, setImmediate, queueMicrotask, process.nextTick, setInterval)', async () => {
    const plain = { log: [] as unknown[], box: {}, table: new Map() };
    program(1.5, plain.log, plain.box, plain.table);
    const traced = { log: [] as unknown[], box: {}, table: new Map() };
    const [g] = gradient((x: number) => program(x, traced.log, traced.box, traced.table), 1.5);
    await ran(20);
    expect(g).toBeCloseTo(9, 12);
    expect(traced).toEqual(plain);
    expect(isPlainData(traced)).toBe(true);
    expect(traced.log.includes(2.25)).toBe(true);
    expect(traced.table.get('loss')).toBe(2.25);
  });

  it('and so does a callback such a callback schedules', async () => {
    const nested = (x: number, log: unknown[]) => {
      const y = x * 2;
      queueMicrotask(() => setTimeout(() => log.push(y), 0));
      return y;
    };
    const plain: unknown[] = [];
    nested(1.5, plain);
    const traced: unknown[] = [];
    expect(gradient((x: number) => nested(x, traced), 1.5)).toEqual([2]);
    await ran(20);
    expect(traced).toEqual(plain);
    expect(isPlainData(traced)).toBe(true);
  });

  // (a function such a callback calls notes its stores as f's do: `saved.v` and `list` must not keep the traced number)
  it('and so do the functions such a callback calls', async () => {
    const boxed = (y: number) => ({ v: y });
    const f = (x: number) => {
      const y = x * 2;
      const box = boxed(y); // (an object f made: the traced number in it is still there when the timer runs)
      setTimeout(() => saver.save(box.v), 0); // (a method: its copy is picked when it is called)
      return y;
    };
    expect(gradient(f, 1.5)).toEqual([2]);
    await ran(20);
    expect(savedForLater).toEqual({ v: 3, list: [3] });
    expect(isPlainData(savedForLater)).toBe(true);
  });

  // (a program's own setTimeout was left in place, and f's callbacks given through it kept traced numbers: log held objects)
  it('through a program\'s own scheduling functions too (zone.js, fake timers), which are called, and are what is there after', async () => {
    const builtins = { setTimeout: globalThis.setTimeout, nextTick: process.nextTick };
    const calls: string[] = [];
    const own = {
      setTimeout: function (this: unknown, ...args: unknown[]) {
        calls.push('setTimeout');
        return Reflect.apply(builtins.setTimeout, this, args);
      },
      nextTick: function (this: unknown, ...args: unknown[]) {
        calls.push('nextTick');
        return Reflect.apply(builtins.nextTick, this, args);
      },
    };
    // (as plain data: code that was not rewritten sees traced numbers as objects)
    const kinds = runInThisContext('(xs) => xs.map((v) => typeof v)') as (xs: unknown[]) => string[];
    (globalThis as { setTimeout: unknown }).setTimeout = own.setTimeout;
    process.nextTick = own.nextTick as typeof process.nextTick;
    try {
      const log: unknown[] = [];
      const [g] = gradient((x: number) => {
        const loss = x * x;
        setTimeout((at: { at: unknown }) => log.push(at.at), 0, { at: loss });
        process.nextTick((v: unknown) => log.push(v), loss);
        return loss;
      }, 1.5);
      const scheduled = [...calls];
      await new Promise((resolve) => builtins.setTimeout(resolve, 20));
      await null; // (they are put back on a microtask after the last callback that held them)
      expect(g).toBe(3);
      expect(scheduled).toEqual(['setTimeout', 'nextTick']);
      expect(log).toEqual([2.25, 2.25]);
      expect(kinds(log)).toEqual(['number', 'number']);
      expect(globalThis.setTimeout).toBe(own.setTimeout);
      // (under vitest a process.nextTick a spec sets is the built-in again by its next tick, also
      // in a spec that differentiates nothing: the runner's doing. Nothing of ours is left there.)
      expect([own.nextTick, builtins.nextTick]).toContain(process.nextTick);
    } finally {
      (globalThis as { setTimeout: unknown }).setTimeout = builtins.setTimeout;
      process.nextTick = builtins.nextTick;
    }
  });

  it('the scheduling functions are the built-ins again once the synchronous code after the call is done, and its callbacks\'; util.promisify still finds setTimeout\'s own', async () => {
    const builtins = [setTimeout, setImmediate, queueMicrotask, process.nextTick];
    const { promisify } = await import('node:util');
    let slept: Promise<unknown> | null = null;
    gradient((x: number) => {
      slept = promisify(setTimeout)(1, 'woke');
      queueMicrotask(() => gradient((z: number) => z * 2, 1));
      return x;
    }, 1);
    // (until then they may still be the versions that clean f's callbacks, which schedule others as the built-ins do:
    // lib/core/swaps.ts; a loop of gradient calls swaps once)
    const plain: unknown[] = [];
    setTimeout((a: unknown) => plain.push(a), 0, 'as given');
    await null;
    expect([setTimeout, setImmediate, queueMicrotask, process.nextTick]).toEqual(builtins);
    expect(await slept).toBe('woke');
    expect([setTimeout, setImmediate, queueMicrotask, process.nextTick]).toEqual(builtins);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(plain).toEqual(['as given']);
  });
});
