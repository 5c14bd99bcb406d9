// dropgrad and ignore on any value (as Zygote's): the result holds no traced number, at any
// depth, with classes, Maps, Sets, typed arrays and cycles kept, and the caller's objects unchanged.
import { describe, expect, it } from 'vitest';
import { add, array, compileGradient, dropgrad, exp, gradient, ignore, mul, NDArray, nograd, sum } from 'zygote-ts';

class P {
  constructor(public x: number) {}
  twice() {
    return 2 * this.x;
  }
}

describe('dropgrad and ignore keep no derivative inside', () => {
  // (only numbers, NDArrays, arrays and plain objects were looked into: a class instance,
  // Map, Set or typed array came back as it was, its derivative kept: [27] for [9])
  it('class instances, Maps, Sets and typed arrays', () => {
    expect(gradient((x: number) => x * ignore(() => new P(x * x)).x, 3)).toEqual([9]);
    expect(gradient((x: number) => x * ignore(() => new P(x * x)).twice(), 3)).toEqual([18]);
    expect(gradient((x: number) => x * ignore(() => new Map([['k', x * x]])).get('k')!, 3)).toEqual([9]);
    expect(gradient((x: number) => x * [...ignore(() => new Set([x * x]))][0]!, 3)).toEqual([9]);
    expect(gradient((v: Float64Array) => v[0]! * dropgrad(v)[0]!, new Float64Array([3]))).toEqual([new Float64Array([3])]);
    expect(gradient((p: P) => p.x * dropgrad(p).x, new P(3))).toEqual([{ x: 3 }]);
    expect(gradient((xs: number[][]) => xs[0]![0]! * dropgrad(xs)[0]![0]!, [[3]])).toEqual([[[3]]]);
  });
  it('keeps classes, sharing and cycles; changes nothing of the caller; what holds no traced number is itself', () => {
    let copy: any = null;
    let original: any = null;
    const [g] = gradient((x: number) => {
      const shared = { v: x };
      const o: any = new P(x);
      o.self = o;
      o.pair = [shared, shared];
      o.plain = [1, 2];
      const d: any = dropgrad(o);
      original = o;
      copy = d;
      return o.x * d.x + o.pair[0].v * d.pair[1].v;
    }, 3) as number[];
    expect(g).toBe(6);
    expect(copy).toBeInstanceOf(P);
    expect(copy.self).toBe(copy);
    expect(copy.pair[0]).toBe(copy.pair[1]);
    expect(copy.plain).toBe(original.plain);
    expect(original.self).toBe(original);
    const buf = [1, 2];
    expect(dropgrad(buf)).toBe(buf);
  });
  // (a Map or Set subclass came back a plain Map or Set without its fields: dropgrad(t).total()
  // threw, `instanceof Tally` was false and its label undefined, f's value 4 where plain JavaScript
  // gives 15; a frozen or sealed instance came back open: Object.isFrozen(dropgrad(p)) was false)
  it("keeps a Map's or Set's class and fields, and an object's lock", () => {
    class Tally extends Map<string, number> {
      label = 'L';
      total() {
        let s = 0;
        for (const v of this.values()) s += v;
        return s;
      }
      // (a subclass's own `set` and iterator are not what the copy is made with)
      override set(k: string, v: number) {
        return super.set(k, v * 10);
      }
    }
    class Bag extends Set<number> {}
    class Frozen {
      constructor(public x: number) {
        Object.freeze(this);
      }
    }
    const program = (x: number) => {
      const t = new Tally([['a', x]]);
      const d = dropgrad(t);
      const b = dropgrad(new Bag([x]));
      const f = dropgrad(new Frozen(x));
      const s = dropgrad(Object.seal({ x }));
      return [d instanceof Tally, d.label, d.total(), d.get('a'), b instanceof Bag, [...b][0], Object.isFrozen(f), f instanceof Frozen, Object.isSealed(s) && !Object.isFrozen(s)];
    };
    let seen: unknown[] = [];
    gradient((x: number) => ((seen = program(x)), x), 2);
    expect(seen).toEqual(program(2));
    expect(seen).toEqual([true, 'L', 20, 20, true, 2, true, true, true]);
    expect(gradient((t: Tally) => t.get('a')! * dropgrad(t).total(), new Tally([['a', 2]]))).toEqual([new Map([['a', 20]])]); // (the entry is 20: Tally's set stored it so)
  });
});

// (compiled code kept the first call's value of an array whose derivative f dropped: the
// gradient at [3, 4] after a call at [1, 2] was [1, 2])
describe('compileGradient and an array whose derivative f drops', () => {
  it('runs uncompiled, saying why, and answers as the eager gradient on every call', () => {
    const f = (a: NDArray) => sum(mul(a, dropgrad(a)));
    const h = (a: NDArray) => sum(mul(a, ignore(() => exp(a))));
    const k = (a: NDArray) => sum(mul(a, nograd((b: NDArray) => add(b, 1))(a)));
    for (const fn of [f, h, k]) {
      const g = compileGradient(fn);
      for (const at of [[1, 2], [3, 4], [0.5, -1]]) {
        expect((g(array(at))[0] as NDArray).toArray()).toEqual((gradient(fn, array(at))[0] as NDArray).toArray());
      }
      expect(g.fallback).toMatch(/takes the derivative off an array/);
    }
  });
});

// (the search for traced numbers recursed once per level: dropgrad of a linked list of
// 20 000 nodes threw "Maximum call stack size exceeded", inside gradient and outside it)
describe('dropgrad of a long linked list', () => {
  interface Link { v: number; next: Link | null }
  const list = (n: number) => {
    let head: Link | null = null;
    for (let i = 0; i < n; i++) head = { v: i, next: head };
    return head;
  };
  it('holding no traced number, is the list itself', () => {
    const long = list(20000);
    expect(dropgrad(long)).toBe(long);
    expect(gradient((x: number) => (dropgrad(long) === long ? x * 2 : 0), 1)).toEqual([2]);
  });
});
