// Forward mode through the arguments' shapes: tangents shaped like the arguments in, the
// output's tangent shaped like the output out; clear errors for tangents that do not fit.
import { describe, expect, it, vi } from 'vitest';
import { add, array, astype, configure, reshape, hvp, sum, gradient, jacfwd, jacobian, jvp, NDArray, pushforward, rule, withjacfwd, Params } from 'zygote-ts';
import { isPlainData, plainTypeOf } from '../proxies/plain-data.js';
import { AccessorBase, withOwnValue } from '../proxies/accessor-base.js';

class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec) { return new Vec(this.x + o.x, this.y + o.y); }
  scale(s: number) { return new Vec(this.x * s, this.y * s); }
  get norm() { return Math.hypot(this.x, this.y); }
}

class Account {
  #balance: number;
  constructor(balance: number, public rate: number) { this.#balance = balance; }
  grow(years: number) { return this.#balance * (1 + this.rate) ** years; }
}

describe('jvp on structured arguments', () => {
  it('records and class instances: tangents by field name', () => {
    const [y, dy] = jvp((p: Vec, q: { s: number }) => p.scale(q.s).norm, [new Vec(3, 4), { s: 2 }], [{ x: 1, y: 0 }, { s: 0 }]);
    expect(y).toBe(10);
    expect(dy).toBeCloseTo(2 * 0.6, 14);
  });

  it('a class output: its value keeps the class, its tangent is a record', () => {
    const [y, dy] = jvp((p: Vec) => p.add(p.scale(2)), [new Vec(1, 2)], [{ x: 1, y: -1 }]);
    expect(y).toBeInstanceOf(Vec);
    expect(y).toEqual(new Vec(3, 6));
    expect(dy).toEqual({ x: 3, y: -3 });
  });

  // (a Map or Set subclass's value was a plain Map or Set, without its fields: instanceof Tally
  // false, its label and total() gone; a frozen instance's value was open)
  // (found by helper Ty: the value was given the output's fields by assignment, so a setter of the
  // same name on its prototype, which the instance's own field shadows, ran instead: the value of
  // make(x * 2) was { _v: 300 } where f returns { _v: 1, value: 3 })
  // (found by helper Ty: an array output's value was a plain open Array: `instanceof Vec` false,
  // `norm()` gone, a frozen output's value open; its named fields are still left out, see README)
  it("an array output's value keeps a subclass's prototype and the array's lock", () => {
    class Vec extends Array<number> {
      norm(): number {
        return Math.hypot(...this);
      }
    }
    const [y, dy] = jvp((x: number) => Vec.from([x, x * x]) as Vec, [1.5], [1]);
    expect(y).toBeInstanceOf(Vec);
    expect((y as Vec).norm()).toBeCloseTo(Math.hypot(1.5, 2.25), 12);
    expect(dy).toEqual([1, 3]);
    const [frozen] = jvp((x: number) => Object.freeze([x, 2 * x]), [1.5], [1]);
    expect(Object.isFrozen(frozen)).toBe(true);
  });

  it("a class output's own field that shadows an accessor of its prototype stays a field", () => {
    const [y, dy] = jvp((x: number) => withOwnValue(x * 2), [1.5], [1]);
    expect(y).toBeInstanceOf(AccessorBase);
    expect({ ...(y as AccessorBase) }).toEqual({ _v: 1, value: 3 });
    expect(dy).toEqual({ _v: 0, value: 2 });
  });

  it("a Map's or Set's value keeps its class and fields, and any value its original's lock", () => {
    class Tally extends Map<string, number> {
      label = 'L';
      total() {
        let s = 0;
        for (const v of this.values()) s += v;
        return s;
      }
    }
    class Bag extends Set<number> {}
    class Frozen {
      constructor(public x: number) {
        Object.freeze(this);
      }
    }
    const [t, dt] = jvp((x: number) => new Tally([['a', x * x]]), [3], [1]) as [Tally, Map<string, number>];
    expect([t instanceof Tally, t.label, t.total()]).toEqual([true, 'L', 9]);
    expect(dt).toEqual(new Map([['a', 6]]));
    const [b] = jvp((x: number) => new Bag([x * x]), [3], [1]);
    expect([b instanceof Bag, [...b]]).toEqual([true, [9]]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // (the frozen instance f made holds traced numbers)
    const [fz, dfz] = jvp((x: number) => new Frozen(x * x), [3], [1]);
    warn.mockRestore();
    expect([fz instanceof Frozen, Object.isFrozen(fz), fz.x, dfz]).toEqual([true, true, 9, { x: 6 }]);
    const [s] = jvp((x: number) => Object.seal({ v: x }), [3], [1]);
    expect([Object.isSealed(s), Object.isFrozen(s)]).toEqual([true, false]);
  });

  it('arrays, Maps, Sets and nested outputs', () => {
    const f = (xs: number[], m: Map<string, number>) => ({ total: xs.reduce((a, b) => a + b * m.get('w')!, 0), parts: xs.map((v) => v * v) });
    const [y, dy] = jvp(f, [[1, 2, 3], new Map([['w', 2]])], [[1, 0, 1], new Map([['w', 1]])]);
    expect(y).toEqual({ total: 12, parts: [1, 4, 9] });
    expect(dy).toEqual({ total: 2 * 2 + 6, parts: [2, 0, 6] });
    const member = { v: 3 };
    const sumSquares = (s: Set<{ v: number }>) => [...s].reduce((a, o) => a + o.v ** 2, 0);
    const [, ds] = jvp(sumSquares, [new Set([member])], [new Map([[member, { v: 1 }]])] as never);
    expect(ds).toBe(6); // a Set's tangent is a Map from member to tangent, as its gradient
    expect(() => jvp(sumSquares, [new Set([member])], [new Map()] as never)).toThrow(/no tangent for arg 0 \(a Set member\)/);
    // (a Map's undefined key was taken for none: its tangent refused as "no such key", and as missing)
    const odd = new Map<unknown, number>([[undefined, 2], [null, 3]]);
    const [, dodd] = jvp((m: Map<unknown, number>) => m.get(undefined)! * m.get(null)!, [odd], [new Map<unknown, number>([[undefined, 1], [null, 0]])]);
    expect(dodd).toBe(3);
    expect(() => jvp((m: Map<unknown, number>) => m.get(null)!, [odd], [new Map<unknown, number>([[null, 1]])])).toThrow(/no tangent for arg 0/);
  });

  it('null anywhere: not perturbed', () => {
    const [, dy] = jvp((p: Vec, s: number) => p.norm * s, [new Vec(3, 4), 2], [null, 1]);
    expect(dy).toBe(5);
    const [, dz] = jvp((p: Vec, s: number) => p.norm * s, [new Vec(3, 4), 2], [{ x: null, y: 1 }, null]);
    expect(dz).toBeCloseTo(0.8 * 2, 14);
  });

  it('private members: the tangent under "#name", as gradients name them', () => {
    const acct = new Account(100, 0.05);
    const g = gradient((a: Account) => a.grow(2), acct)[0] as Record<string, number>;
    const [, dy] = jvp((a: Account) => a.grow(2), [acct], [{ '#balance': 1, rate: 0 } as never]);
    expect(dy).toBeCloseTo(g['#balance']!, 12);
    const [, dr] = jvp((a: Account) => a.grow(2), [acct], [{ '#balance': 0, rate: 1 } as never]);
    expect(dr).toBeCloseTo(g.rate!, 10);
  });

  // (the members f gave traced numbers were noted by name: the subclass's #x was taken for the
  // base's, and jvp's value held a traced number in one of them, its tangent missing)
  it('an instance f made with a base class\'s #x and a subclass\'s #x: each split, each with its tangent', () => {
    class Base {
      #x = 0;
      setBase(v: number): this {
        this.#x = v;
        return this;
      }
      baseX(): number {
        return this.#x;
      }
    }
    class Derived extends Base {
      #x = 0;
      setDerived(v: number): this {
        this.#x = v;
        return this;
      }
      derivedX(): number {
        return this.#x;
      }
    }
    const [value, tangent] = jvp((a: number) => new Derived().setBase(a * 2).setDerived(a * 3), [1], [1]);
    expect(value).toBeInstanceOf(Derived);
    expect(isPlainData(value.baseX()) && isPlainData(value.derivedX())).toBe(true);
    expect([value.baseX(), value.derivedX()]).toEqual([2, 3]);
    expect(tangent).toEqual({ 'Base#x': 2, 'Derived#x': 3 });
  });

  it('typed arrays and NDArrays (element reads)', () => {
    const [, dt] = jvp((v: Float64Array) => v[0]! * v[1]! + v[2]!, [Float64Array.of(2, 3, 4)], [Float64Array.of(1, 0, 1)]);
    expect(dt).toBe(3 + 1);
    const A = array([[1, 2], [3, 4]]);
    const [, da] = jvp((a: NDArray) => a.get(0, 1) * a.get(1, 0), [A], [array([[0, 1], [1, 0]])]);
    expect(da).toBe(3 + 2);
    const [, dn] = jvp((a: NDArray) => a.get(1, 1) ** 2, [A], [[[0, 0], [0, 1]]] as never);
    expect(dn).toBe(8);
  });

  it('the caller\'s data holds plain numbers afterwards, also when f throws', () => {
    const p = new Vec(1, 2);
    const keep: unknown[] = [];
    jvp((q: Vec) => { keep.push(q.x * 2); p.x = q.y * 3; return q.x; }, [p], [{ x: 1, y: 1 }]);
    expect(plainTypeOf(keep[0])).toBe('number');
    expect(p.x).toBe(6);
    expect(plainTypeOf(p.x)).toBe('number');
    const o = { v: 1 };
    expect(() => jvp((q: { v: number }) => { o.v = q.v * 5; throw new Error('boom'); }, [{ v: 2 }], [{ v: 1 }])).toThrow('boom');
    expect(o.v).toBe(10);
    expect(plainTypeOf(o.v)).toBe('number');
  });

  it('pushforward is jvp with the tangents given later', () => {
    const pf = pushforward((a: number, b: number) => a * b + Math.sin(a), 1, 2);
    expect(pf(1, 0)).toEqual(jvp((a: number, b: number) => a * b + Math.sin(a), [1, 2], [1, 0]));
    expect(pf(0, 1)[1]).toBe(1);
  });
});

// (a typed array's elements were read through it after the tape closed, which gives their
// numbers only: the tangent was all zeros, with no report)
describe('typed arrays f returns', () => {
  it('made in f, an argument written in place, inside a record: their tangents', () => {
    const made = (x: number) => {
      const o = new Float64Array(2);
      o[0] = 3 * x;
      o[1] = x * x;
      return o;
    };
    expect(jvp(made, [2], [1])).toEqual([Float64Array.of(6, 4), Float64Array.of(3, 4)]);
    const inPlace = (x: Float64Array) => {
      x[0] = x[0]! * x[1]!;
      return x;
    };
    // (x[1] is read; an element f never reads keeps the argument's tangent: x[2])
    const v = Float64Array.of(2, 5, 7);
    expect(jvp(inPlace, [v], [Float64Array.of(1, 0, 3)])).toEqual([Float64Array.of(10, 5, 7), Float64Array.of(5, 0, 3)]);
    expect(v).toEqual(Float64Array.of(10, 5, 7)); // (f wrote it, as plain JavaScript does)
    expect(jvp((x: number) => ({ a: Float32Array.of(3 * x) }), [2], [1])).toEqual([{ a: Float32Array.of(6) }, { a: Float32Array.of(3) }]);
  });

  it('hvp of a function of a typed array (its inner gradient is one), with nothing reported', () => {
    const previous = configure({ strict: true });
    try {
      // f = x0·x1², H = [[0, 2x1], [2x1, 2x0]]; H·[1, 0] = [0, 2x1]
      expect(hvp((x: Float64Array) => x[0]! * x[1]! ** 2, Float64Array.of(1, 2), Float64Array.of(1, 0))).toEqual(Float64Array.of(0, 4));
    } finally {
      configure(previous);
    }
  });
});

// (a Set was returned as it was, traced members and all, with tangent null; a Map kept its
// traced keys, so get(2) missed; a Symbol-keyed field was dropped from value and tangent; an
// own getter was read after the tape closed: tangent 0)
describe('outputs f returns: Sets, Map keys, Symbol keys, getters', () => {
  it("a Set's tangent is a Map from member to tangent (as a Set argument's)", () => {
    const [v, t] = jvp((x: number) => new Set([2 * x, 5]), [1], [1]) as unknown as [Set<number>, Map<number, number>];
    expect(v).toEqual(new Set([2, 5]));
    expect(v.has(2)).toBe(true); // (a plain number, not a traced one left behind)
    expect(t).toEqual(new Map([[2, 2], [5, 0]]));
    const [w, u] = jvp((x: number) => new Set([{ a: x * x }]), [3], [1]) as unknown as [Set<{ a: number }>, Map<{ a: number }, { a: number }>];
    const [member] = [...w];
    expect(member).toEqual({ a: 9 });
    expect(u.get(member!)).toEqual({ a: 6 });
  });

  it("a Map's keys are plain numbers: lookups by number find them", () => {
    const [v, t] = jvp((x: number) => new Map([[x * 2, x * 3]]), [1], [1]) as [Map<number, number>, Map<number, number>];
    expect(v.get(2)).toBe(3);
    expect(t.get(2)).toBe(3);
  });

  it('Symbol-keyed fields keep their values and have tangents', () => {
    const s = Symbol('k');
    const [v, t] = jvp((x: number) => ({ [s]: x * 2, a: x }), [1], [1]) as [Record<symbol | string, number>, Record<symbol | string, number>];
    expect([v[s], v.a, t[s], t.a]).toEqual([2, 1, 2, 1]);
  });

  // (the value was a copy made without the class: its first use of #balance threw a
  // TypeError, and the tangent had no "#balance")
  it('an instance f made with a traced #private member: the instance itself, its tangent under "#name"', () => {
    const [v, t] = jvp((x: number) => new Account(x * 100, x), [1], [1]) as [Account, Record<string, number>];
    expect(v).toBeInstanceOf(Account);
    expect(v.grow(1)).toBeCloseTo(200, 12); // (#balance is there, a plain 100)
    expect(v.rate).toBe(1);
    expect(new Set([v.rate]).has(1)).toBe(true);
    expect(t).toEqual({ rate: 1, '#balance': 100 });
  });

  // (a class naming itself by Symbol.toStringTag was taken for a built-in with internal slots:
  // its instance came back as it was, holding traced numbers, with tangent null where {x: 2};
  // an Error f made with a traced field alike)
  it('a class instance with a Symbol.toStringTag is copied, and an Error holding traced numbers is split in place', () => {
    class Tagged {
      constructor(public x: number) {}
      get [Symbol.toStringTag]() { return 'Tagged'; }
    }
    const [v, t] = jvp((x: number) => new Tagged(x * 2), [3], [1]);
    expect(v).toBeInstanceOf(Tagged);
    expect(plainTypeOf((v as Tagged).x)).toBe('number');
    expect(v.x).toBe(6);
    expect(t).toEqual({ x: 2 });
    const [e, te] = jvp((x: number) => Object.assign(new Error('m'), { v: x * 2 }), [3], [1]);
    expect(e).toBeInstanceOf(Error);
    expect(isPlainData(e)).toBe(true);
    expect((e as Error & { v: number }).v).toBe(6);
    expect(te).toEqual({ v: 2 });
    const d = new Date(0);
    expect(jvp((x: number) => ({ d, x }), [3], [1])).toEqual([{ d, x: 3 }, { d: null, x: 1 }]);
  });

  // (the value was copied from enumerable fields only: a field defined non-enumerable, or an
  // accessor so defined, was missing, o.b undefined where f's object has 9)
  it("a record output's hidden fields are kept, with their flags, and their tangents too", () => {
    const make = (x: number) => {
      const o: Record<string, number> = { a: x * 2 };
      Object.defineProperty(o, 'b', { value: x * 3, writable: true, enumerable: false, configurable: true });
      Object.defineProperty(o, 'c', { value: x * 4, writable: true, enumerable: true, configurable: false });
      Object.defineProperty(o, 'twice', { get() { return 2 * this.a; }, enumerable: false });
      return o;
    };
    const [v, t] = jvp(make, [3], [1]) as [Record<string, number>, Record<string, number>];
    expect(isPlainData(v)).toBe(true);
    expect([v.a, v.b, v.c, v.twice]).toEqual([6, 9, 12, 12]);
    expect(Object.keys(v)).toEqual(['a', 'c']);
    expect(Object.getOwnPropertyDescriptor(v, 'c')).toMatchObject({ writable: true, configurable: false });
    expect(t).toEqual({ a: 2, c: 4 });
    expect(t.b).toBe(3);
  });

  // (every object of the output was copied: a constant key object of a Map f returned was found
  // in it no more, jvp(x => new Map([[k, x * 2]]), …)[0].get(k) undefined where f's gives 6; an
  // argument f returned was a copy, not the caller's object, and one with #private members threw
  // on their first use; its private members' tangents were missing)
  it("the value is f's output itself where it can be: constants, Map keys, the caller's objects", () => {
    const k = { id: 1 };
    const table = Float64Array.of(1, 2);
    const [held] = jvp((x: number) => ({ k, table, v: x }), [3], [1]) as [{ k: object; table: Float64Array }, unknown];
    expect([held.k, held.table]).toEqual([k, table]);
    expect(held.table).toBe(table);
    const [m, dm] = jvp((x: number) => new Map([[k, x * 2]]), [3], [1]) as [Map<object, number>, Map<object, number>];
    expect([m.get(k), dm.get(k)]).toEqual([6, 2]);
    const [s] = jvp((x: number) => new Set([k, x]), [3], [1]) as [Set<unknown>, unknown];
    expect(s.has(k)).toBe(true);
    const [r, dr] = jvp((x: number) => ({ k, v: x * 3 }), [2], [1]) as [{ k: object; v: number }, { v: number }];
    expect(r.k).toBe(k);
    expect([r.v, dr.v]).toEqual([6, 3]);
    const p = { x: 2, tag: 'p' };
    const [q, dq] = jvp((a: typeof p) => { a.x = a.x * a.x; return a; }, [p], [{ x: 1, tag: null }]);
    expect(q).toBe(p);
    expect(p).toEqual({ x: 4, tag: 'p' });
    expect(isPlainData(p)).toBe(true);
    expect(dq).toEqual({ x: 4, tag: null });
    const [byArg] = jvp((a: typeof p, x: number) => new Map([[a, x]]), [p, 1], [null, 1]) as [Map<object, number>, unknown];
    expect(byArg.get(p)).toBe(1);
    const account = new Account(100, 0.5);
    const [grown, dGrown] = jvp((a: Account) => (a.grow(0), a), [account], [{ '#balance': 1, rate: 0 }] as never);
    expect(grown).toBe(account);
    expect(account.grow(1)).toBe(150);
    expect(dGrown).toEqual({ rate: 0, '#balance': 1 });
    const t = Float64Array.of(1, 2);
    const [tv, tt] = jvp((a: Float64Array) => ((a[0] = a[0]! * 3), a), [t], [[1, 0]]);
    expect(tv).toBe(t);
    expect([...t, ...(tt as Float64Array)]).toEqual([3, 2, 3, 0]);
  });

  it('an own getter cannot be followed after f returns: an error, not a tangent of 0', () => {
    expect(() => jvp((x: number) => ({ get a() { return x * 2; } }), [1], [1])).toThrow(/getter/);
  });

  // (a Promise was returned as it was with tangent null, "does not move", while what it
  // resolves to, a traced number left behind, is x * x: gradient refuses a Promise result)
  it('a Promise in the output is refused, as gradient refuses one: its value comes after the tape closed', () => {
    expect(() => gradient((x: number) => Promise.resolve(x * x) as never, 2)).toThrow(/Promise/);
    expect(() => jvp((x: number) => Promise.resolve(x * x), [2], [1])).toThrow(/Promise in f's output/);
    expect(() => jvp((x: number) => ({ loss: x, next: Promise.resolve(x * x) }), [2], [1])).toThrow(/Promise in f's output/);
    expect(() => pushforward((x: number) => [Promise.resolve(x)], 2)(1)).toThrow(/Promise in f's output/);
  });

  // (found by helper Fw: a function f returned had tangent null, "does not move", where the
  // closure computes from x: jvp(x => (y) => x * y, [3], [1])'s function gives 3y, moving by y)
  it('a function in the output is refused: the traced numbers it closes over have tangents it cannot give', () => {
    expect(() => jvp((x: number) => (y: number) => x * y, [3], [1])).toThrow(/function in f's output/);
    expect(() => jvp((x: number) => ({ v: x * 2, f: Math.sin }), [3], [1])).toThrow(/function in f's output/);
    expect(() => pushforward((x: number) => [x, () => x], 2)(1)).toThrow(/function in f's output/);
  });
});

describe('jvp edge cases', () => {
  // (a tangent that passes through f unchanged came back as the caller's own direction array:
  // a Jacobian built column by column, refilling one direction array, had every column the
  // last one; and x + 1 and x + 2 came back with one tangent array, a write into one changing both)
  it("an array's tangent is never the caller's direction array, nor one array for two outputs", () => {
    const x = array([1, 2, 3]);
    const direction = array([0, 0, 0]);
    const columns: NDArray[] = [];
    for (let k = 0; k < 3; k++) {
      direction.data.fill(0);
      direction.data[k] = 1;
      columns.push(jvp((v: NDArray) => add(v, 1), [x], [direction])[1] as NDArray);
    }
    expect(columns.map((c) => [...c.data])).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const [, same] = jvp((v: NDArray) => v, [x], [direction]);
    expect(same).not.toBe(direction);
    const [, [t1, t2]] = jvp((v: NDArray) => [add(v, 1), add(v, 2)], [x], [array([1, 1, 1])]) as [unknown, NDArray[]];
    t1!.data[0] = 5;
    expect([...t2!.data]).toEqual([1, 1, 1]);
    // (an array and its reshape share memory, and so do their tangents)
    const [[a, b], [ta, tb]] = jvp((v: NDArray) => [v, reshape(v, [3, 1])], [array([1, 2, 3])], [array([1, 1, 1])]) as [NDArray[], NDArray[]];
    expect(a!.data).toBe(b!.data);
    expect(ta!.data).toBe(tb!.data);
  });

  // (a typed array reached twice in the output came back as two copies: a write into one was not
  // seen through the other, as it is in f's output)
  // (an array's named properties were left out of the value and the tangent (README's Limits);
  // and an array of plain elements holding a traced number under a name was taken for one that
  // holds none, and came back itself, the traced number left in it)
  it("an array output's named properties are in its value and its tangent", () => {
    const [v, t] = jvp((x: number) => Object.assign([x], { extra: x * 2 }), [3], [1]) as unknown as [number[] & { extra: number }, number[] & { extra: number }];
    expect([[...v], v.extra, [...t], t.extra]).toEqual([[3], 6, [1], 2]);
    const [w, tw] = jvp((x: number) => Object.assign([1, 2], { extra: x * 2, label: 'a' }), [3], [1]) as [number[] & { extra: number; label: string }, { extra: number }];
    expect(isPlainData(w)).toBe(true);
    expect([w.extra, w.label, tw.extra]).toEqual([6, 'a', 2]);
  });

  it('a typed array reached twice in the output is one value, with one tangent', () => {
    const [[a, b], [ta, tb]] = jvp((x: number) => {
      const v = new Float64Array(2);
      v[0] = x * 2;
      return [v, v];
    }, [1], [1]) as [Float64Array[], Float64Array[]];
    expect(a).toBe(b);
    expect(ta).toBe(tb);
    expect([...a!, ...ta!]).toEqual([2, 0, 2, 0]);
  });

  it("a number's tangent is a number: 0, not null, where it does not move", () => {
    expect(jvp((y: NDArray) => sum(y), [array([1, 2, 3])], [null])).toEqual([6, 0]);
    expect(jvp((y: NDArray, s: number) => sum(y) * 0 + s, [array([1, 2, 3]), 2], [null, 1])).toEqual([2, 1]);
  });

  it('an object reached along two paths has one tangent: the same object, or null on all but one', () => {
    const xs = [0.3, -0.5];
    const f = (a: number[], b: number[]) => a[0]! * b[1]!;
    // reverse mode gives each place the object's whole gradient D = [-0.5, 0.3]; along t, ⟨D, t⟩
    const t = [1, 2];
    expect(jvp(f, [xs, xs], [t, t])[1]).toBeCloseTo(-0.5 * 1 + 0.3 * 2, 14);
    expect(jvp(f, [xs, xs], [null, t])[1]).toBeCloseTo(-0.5 * 1 + 0.3 * 2, 14);
    expect(jvp(f, [xs, xs], [t, null])[1]).toBeCloseTo(-0.5 * 1 + 0.3 * 2, 14);
    expect(() => jvp(f, [xs, xs], [[1, 0], [0, 1]])).toThrow(/arg 1 is the same object as arg 0.*one tangent/);
    // shared inside a structure: a model whose two layers share one weight record
    const W = { w: 2 };
    const model = { enc: W, dec: W };
    const g = (m: typeof model) => m.enc.w * m.dec.w;
    const dW = { w: 1 };
    expect(jvp(g, [model], [{ enc: dW, dec: dW }])[1]).toBe(4);
    expect(jvp(g, [model], [{ enc: null, dec: dW }])[1]).toBe(4);
    expect(() => jvp(g, [model], [{ enc: { w: 1 }, dec: { w: 1 } }])).toThrow(/arg 0 \.dec is the same object as arg 0 \.enc/);
  });

  // (the hole was filled with undefined, in the value and the tangent: `1 in y` was true)
  it('an array output with a hole keeps the hole, in its value and its tangent', () => {
    const [y, dy] = jvp((x: number) => {
      const out: unknown[] = [x];
      out[2] = x * 2;
      return out;
    }, [3], [1]) as unknown as [unknown[], unknown[]];
    expect([y.length, 1 in y, y[0], y[2]]).toEqual([3, false, 3, 6]);
    expect([dy.length, 1 in dy, dy[0], dy[2]]).toEqual([3, false, 1, 2]);
    const [z] = jvp((x: number) => [x, undefined], [3], [1]);
    expect(1 in (z as unknown[])).toBe(true); // (an undefined that is there stays there)
  });
  it("an array argument's tangent takes the argument's dtype", () => {
    const x = astype(array([1, 2]), 'float32');
    const [, dx] = jvp((y: NDArray) => y, [x], [array([0.1, 0.2])]);
    expect((dx as NDArray).dtype).toBe('float32');
  });
});

describe('jacfwd', () => {
  it('equals jacobian on numbers, arrays, records and NDArrays', () => {
    const f = (x: number, p: { a: number; b: number }) => [x * p.a, x + p.b, Math.sin(p.a * p.b)];
    expect(jacfwd(f, 2, { a: 3, b: 5 })).toEqual(jacobian(f, 2, { a: 3, b: 5 }));
    const g = (xs: number[]) => xs.map((v, i) => v ** (i + 1));
    expect(jacfwd(g, [1, 2, 3])).toEqual(jacobian(g, [1, 2, 3]));
    const h = (a: NDArray) => [a.get(0) * a.get(1), a.get(1) ** 2];
    const J = jacfwd(h, array([3, 4]))[0] as NDArray;
    expect(J.shape).toEqual([2, 2]);
    expect(J.toArray()).toEqual((jacobian(h, array([3, 4]))[0] as NDArray).toArray());
  });

  it('withjacfwd gives the value too; a few inputs to many outputs in one evaluation', () => {
    let calls = 0;
    const f = (a: number, b: number, c: number) => {
      calls++;
      return Array.from({ length: 50 }, (_, i) => a * Math.sin(i * b) + c * i);
    };
    const { val, grad } = withjacfwd(f, 1, 0.5, 2);
    expect(calls).toBe(1);
    expect((val as number[])[3]).toBeCloseTo(Math.sin(1.5) + 6, 14);
    expect((grad[1] as number[])[3]).toBeCloseTo(3 * Math.cos(1.5), 14);
  });

  it('refuses what it cannot see before f runs: private members', () => {
    expect(() => jacfwd((a: Account) => [a.grow(1)], new Account(1, 0.1))).toThrow(/private member.*Use jacobian/);
  });
});

describe('forward-mode errors say what to do', () => {
  it('tangents that do not fit the arguments', () => {
    expect(() => jvp((x: number) => x, [1], [] as never)).toThrow(/1 arguments.*one per argument/);
    expect(() => jvp((p: Vec) => p.x, [new Vec(1, 2)], [{ x: 1 }] as never)).toThrow(/no tangent for arg 0 \.y/);
    expect(() => jvp((p: Vec) => p.x, [new Vec(1, 2)], [3] as never)).toThrow(/arg 0 .*structure/);
    expect(() => jvp((x: number) => x, [1], ['a'] as never)).toThrow(/a number's tangent is a number/);
    expect(() => jvp((a: NDArray) => a.get(0), [array([1, 2])], [[1, 2, 3]] as never)).toThrow(/array of 2 numbers/);
  });

  // (a longer array, a misspelt field or an extra Map key was ignored: the derivative came
  // back along part of the direction asked for, with no word)
  it('tangents with more than the argument holds', () => {
    const xy = (a: number[]) => a[0]! * a[1]!;
    expect(() => jvp(xy, [[2, 3]], [[1, 1, 1]])).toThrow(/tangent for arg 0 has 3 elements.*array of 2/);
    expect(() => jvp(xy, [[2, 3]], [Float64Array.of(1, 1, 1)] as never)).toThrow(/tangent for arg 0 has 3 elements/);
    expect(() => jvp((p: Vec) => p.x * p.y, [new Vec(2, 3)], [{ x: 1, y: 0, z: 1 }] as never)).toThrow(/tangent for arg 0 has a field z.*no field/);
    expect(() => jvp((o: { a: { x: number } }) => o.a.x, [{ a: { x: 2 } }], [{ a: { x: 1, xx: 1 } }] as never)).toThrow(/arg 0 \.a has a field xx/);
    const m = new Map([['a', 2], ['b', 3]]);
    expect(() => jvp((m: Map<string, number>) => m.get('a')! * m.get('b')!, [m], [new Map([['a', 1], ['b', 0], ['c', 1]])])).toThrow(/tangent for arg 0 has a key "c".*no such key/);
    const member = { v: 3 };
    expect(() => jvp((s: Set<{ v: number }>) => [...s][0]!.v, [new Set([member])], [new Map([[member, { v: 1 }], [{ v: 3 }, { v: 1 }]])] as never)).toThrow(/has a key .*no such/);
    // what fits still does: the argument's own fields, null, private members by "#name"
    expect(jvp(xy, [[2, 3]], [[1, 0]])[1]).toBe(3);
    expect(jvp((p: Vec) => p.x * p.y, [new Vec(2, 3)], [{ x: 1, y: null }] as never)[1]).toBe(3);
    expect(jvp((a: Account) => a.grow(0), [new Account(100, 0.05)], [{ '#balance': 1, rate: 0 }] as never)[1]).toBe(1);
    expect(jvp((a: Account) => a.rate, [new Account(100, 0.05)], [{ '#balance': 1, rate: 1 }] as never)[1]).toBe(1);
  });

  // (an array given a record for its tangent had an index past its end, or a misspelt field,
  // ignored: jvp(v => v[0] + v[1], [[1, 2]], [{ 0: 1, 1: 1, 2: 5 }]) gave 2 without a word)
  it('an array given a record for its tangent: indexes past its end and fields it lacks are refused', () => {
    const sum2 = (v: number[]) => v[0]! + v[1]!;
    expect(() => jvp(sum2, [[1, 2]], [{ 0: 1, 1: 1, 2: 5 }] as never)).toThrow(/tangent for arg 0 has a field 2, but the argument there has no field 2/);
    expect(() => jvp(sum2, [[1, 2]], [{ 0: 1, 1: 1, x: 5 }] as never)).toThrow(/has a field x/);
    expect(jvp(sum2, [[1, 2]], [{ 0: 1, 1: 1 }] as never)).toEqual([3, 2]);
  });

  // (a tangent for a value f gets as it is was ignored, the derivative given along part of the
  // direction: jvp((t, x) => t[0] * x, [new Int32Array([3]), 2], [[1], 1]) gave 3 where t's
  // perturbation was meant too (5); a string's, a boolean's, a Date's, a Number object's alike)
  it('a tangent that moves, given for a value with no derivative (a string, an integer typed array, …), is refused', () => {
    expect(() => jvp((t: Int32Array, x: number) => t[0]! * x, [new Int32Array([3]), 2], [[1], 1] as never)).toThrow(/tangent for arg 0 is an array of length 1, but the argument there is an Int32Array.*give null there/);
    expect(() => jvp((p: { x: number; s: string }) => p.x * p.s.length, [{ x: 2, s: 'abc' }], [{ x: 1, s: 5 }] as never)).toThrow(/tangent for arg 0 \.s is number 5, but the argument there is a string/);
    expect(() => jvp((b: boolean, x: number) => (b ? x : 0), [true, 2], [1, 1] as never)).toThrow(/arg 0 is number 1, but the argument there is a boolean/);
    expect(() => jvp((d: Date, x: number) => x, [new Date(0), 2], [1, 1] as never)).toThrow(/a Date/);
    // what does not move still fits: null, 0, a tangent left out, or the argument's own value (a copy of it)
    const p = { x: 2, s: 'abc', d: new Date(0), t: new Int32Array([3]) };
    const f = (q: typeof p) => q.x * q.s.length * q.t[0]!;
    expect(jvp(f, [p], [{ ...p, x: 1 }] as never)).toEqual([18, 9]);
    expect(jvp(f, [p], [{ x: 1, s: null, d: 0, t: [0] }] as never)).toEqual([18, 9]);
    expect(jvp(f, [p], [{ x: 1 }] as never)).toEqual([18, 9]);
    // a getter's, a method's or an inherited field's: not inputs (jvp(p => p.sq, …) gave 0 along { sq: 1 })
    const withGetter = { a: 3, get sq() { return this.a * this.a; } };
    expect(() => jvp((q: typeof withGetter) => q.sq, [withGetter], [{ a: 0, sq: 1 }] as never)).toThrow(/moves its sq, but the argument's sq is a getter/);
    expect(() => jvp((v: Vec) => v.norm, [new Vec(3, 4)], [{ x: 0, y: 0, norm: 1 }] as never)).toThrow(/moves its norm.*not a field of its own/);
    expect(() => jvp((q: { x: number; y: number }) => q.x * q.y, [Object.assign(Object.create({ y: 3 }), { x: 2 })], [{ x: 0, y: 1 }] as never)).toThrow(/moves its y/);
    expect(jvp((v: Vec) => v.norm, [new Vec(3, 4)], [{ x: 1, y: 0, norm: null }] as never)[1]).toBeCloseTo(0.6, 14);
  });

  // (the message said an array of 2 numbers must be an array of 2 numbers)
  it("an NDArray's tangent of numbers traced outside, in a plain array: array(xs) is named", () => {
    const f = (p: NDArray) => (p.get(0) as number) * (p.get(1) as number);
    expect(() => gradient((x: number) => jvp(f, [array([2, 3])], [[x, x * x]] as never)[1] as number, 2)).toThrow(/traced by an enclosing differentiation; give it as array\(xs\)/);
    expect(gradient((x: number) => jvp(f, [array([2, 3])], [array([x, x * x])])[1] as number, 2)).toEqual([11]);
  });

  // (a 2×3 tangent for a 3×2 argument was read row-major, as pullback's cotangents were)
  it("an NDArray's tangent of another shape with as many numbers is refused; a typed array is read row-major", () => {
    const A = array([[1, 2], [3, 4], [5, 6]]);
    const weighted = (m: NDArray) => sum((m as unknown as number) * (array([[1, 10], [100, 1000], [1e4, 1e5]]) as unknown as number) as unknown as NDArray);
    expect(() => jvp(weighted, [A], [array([[1, 0, 0], [0, 0, 0]])])).toThrow(/tangent for arg 0 is an NDArray of shape \[2, 3\]; it must have the argument's shape \[3, 2\]/);
    expect(() => jvp(weighted, [A], [[[1, 0, 0], [0, 0, 0]]] as never)).toThrow(/must have the argument's shape \[3, 2\]/);
    expect(() => jvp(weighted, [A], [[1, 0, 0, 0, 0, 0]] as never)).toThrow(/must have the argument's shape \[3, 2\]/);
    expect(jvp(weighted, [A], [Float64Array.of(0, 1, 0, 0, 0, 0)] as never)[1]).toBe(10);
    expect(jvp(weighted, [A], [array([[0, 1], [0, 0], [0, 0]])])[1]).toBe(10);
  });

  it('Params (the implicit style) is reverse mode only', () => {
    expect(() => jvp(() => 1, [new Params([])] as never, [null] as never)).toThrow(/explicit arguments/);
  });

  it('a custom rule without a forward rule says so; with one it is used', () => {
    const square = rule((x: number) => x * x, (x) => [x * x, (d: number) => [2 * x * d]]);
    expect(() => jvp((x: number) => square(x) + 1, [3], [1])).toThrow(/has no forward rule, which forward mode needs\. Give it one: rule\(fn, rrule, frule\)/);
    let used = 0;
    const cube = rule(
      (x: number) => x ** 3,
      (x) => [x ** 3, (d: number) => [3 * x * x * d]],
      (x) => [x ** 3, (dx: number) => (used++, 3 * x * x * dx)],
    );
    expect(jvp((x: number) => cube(x) * 2, [2], [1])).toEqual([16, 24]);
    expect(used).toBe(1);
    // second order through the frule (written with differentiable code)
    expect(gradient((x: number) => jvp(cube, [x], [1])[1] as number, 2)[0]).toBe(12);
  });
});
