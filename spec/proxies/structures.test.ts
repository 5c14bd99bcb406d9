// Structured arguments: gradients in the argument's shape, and JavaScript's behaviour on
// the stand-ins f receives (the traps listed in issue 3, each with a test).
import { describe, expect, it, vi } from 'vitest';
import { array, compileGradient, configure, gradient, hessian, jvp, mul, NDArray, pullback, sum, withgradient, type Grad } from 'zygote-ts';
import { expectClose, expectMatchesFiniteDifferences } from './fd.js';
import { Holder } from './holder.js';
import { Bag, Link } from './private-chain.js';
import { plainTypeOf } from './plain-data.js';
import vm from 'node:vm';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  get norm(): number {
    return Math.sqrt(this.x * this.x + this.y * this.y);
  }
  scaled(k: number): Point {
    return new Point(this.x * k, this.y * k);
  }
}

describe('gradients in the shape of the argument', () => {
  it('a record: same field names, null where no path, null for non-numbers', () => {
    const p = { x: 2, y: 3, z: 4, name: 'p', on: true, f: () => 1 };
    expect(gradient((q: typeof p) => q.x * q.y, p)).toEqual([{ x: 3, y: 2, z: null, name: null, on: null, f: null }]);
  });
  it('a class instance: a plain object of its fields; methods and getters run on it', () => {
    const [g] = gradient((p: Point) => p.scaled(2).norm, new Point(3, 4));
    expectClose(g, { x: 0.6 * 2, y: 0.8 * 2 });
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
  });
  it('arrays are dense (0 where no path); a structure with no path at all is null', () => {
    expect(gradient((v: number[]) => v[1]! * 3, [1, 2, 3])).toEqual([[0, 3, 0]]);
    expect(gradient((v: number[], w: number[]) => v[0]! * 2, [1], [5, 6])).toEqual([[2], null]);
    expect(gradient((v: (number | string)[]) => (v[0] as number) * 2, [1, 'a'])).toEqual([[2, null]]);
  });
  it('nesting: records of arrays of records, Maps of arrays', () => {
    const model = { layers: [{ w: [1, 2], b: 0.5 }, { w: [3, 4], b: -1 }], scale: 2 };
    const f = (m: typeof model) => m.scale * m.layers.reduce((s, l) => s + l.w[0]! * l.w[1]! + l.b, 0);
    const [g] = gradient(f, model);
    expect(g).toEqual({ layers: [{ w: [4, 2], b: 2 }, { w: [8, 6], b: 2 }], scale: 2.5 + 11 });
    expectMatchesFiniteDifferences(f, () => structuredClone(model), g);
    const m = new Map([['a', [1, 2]], ['b', [3]]]);
    expect(gradient((m: Map<string, number[]>) => m.get('a')![1]! * 5, m)).toEqual([new Map([['a', [0, 5]], ['b', null]])]);
  });
  it('a Set: a Map from each member to its gradient', () => {
    const p = { v: 2 };
    const s = new Set([p, { v: 3 }]);
    const [g] = gradient((s: Set<{ v: number }>) => [...s].reduce((acc, q) => acc * q.v, 1), s);
    expect(g).toEqual(new Map([[p, { v: 3 }], [[...s][1], { v: 2 }]]));
  });
  it('a Set of numbers is searched by value: has, add and delete find a member by its number, traced or plain', () => {
    const program = (s: Set<number>, x: number, seen: number[]) => {
      const [first] = s;
      const found = (s.has(2) ? 3 : 1) + (s.has(x) ? 5 : 0); // (the members are traced: the stand-in's, as x is)
      s.add(2).add(first! * 1);
      const size = s.size;
      s.delete(3);
      seen.push(found, size, s.size);
      return first! * found * size * s.size + x;
    };
    const plainSet = new Set([2, 3]);
    const plainSeen: number[] = [];
    const plain = program(plainSet, 2, plainSeen);
    const set = new Set([2, 3]);
    const seen: number[] = [];
    const { val, grad } = withgradient((s: Set<number>, x: number) => program(s, x, seen), set, 2);
    expect(seen).toEqual(plainSeen);
    expect(val).toBe(plain);
    expect(set).toEqual(plainSet);
    const [found, size, after] = plainSeen as [number, number, number];
    expect(grad).toEqual([new Map([[2, found * size * after], [3, null]]), 1]);
  });
  // (assigned by key, it set the gradient's prototype instead: { b: 2 } where { __proto__: 3, b: 2 })
  it('an own "__proto__" key (as JSON.parse makes) has its gradient, eager, compiled, and forward', () => {
    const p = () => JSON.parse('{"__proto__": 2, "b": 3}') as Record<string, number>;
    const f = (q: Record<string, number>) => q.b! * q['__proto__']!;
    const expected = JSON.parse('{"__proto__": 3, "b": 2}') as unknown;
    const [g] = gradient(f, p());
    expect(g).toEqual(expected);
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
    const compiled = compileGradient(f);
    expect(compiled(p())[0]).toEqual(expected);
    expect(compiled(p())[0]).toEqual(expected); // (the generated code's)
    const made = (x: number) => {
      const o = Object.defineProperty({}, '__proto__', { value: x * 2, writable: true, enumerable: true, configurable: true }) as Record<string, number>;
      o.b = 1;
      return o;
    };
    const [value, tangent] = jvp(made, [1.5], [1]) as unknown as [object, object];
    expect(value).toEqual(JSON.parse('{"__proto__": 3, "b": 1}'));
    expect(tangent).toEqual(JSON.parse('{"__proto__": 2, "b": 0}'));
  });
  it('the same object reached twice has one gradient: contributions add', () => {
    const p = { x: 3 };
    expect(gradient((a: { x: number }, b: { x: number }) => a.x * b.x, p, p)).toEqual([{ x: 6 }, { x: 6 }]);
    const both = { a: p, b: p };
    const [g] = gradient((o: typeof both) => o.a.x * o.b.x, both);
    expect(g).toEqual({ a: { x: 6 }, b: { x: 6 } });
    expect(g!.a).toBe(g!.b);
  });
  it('a typed array reached twice has one gradient too (not one full copy per path, which adding up would count twice)', () => {
    const t = new Float64Array([1, 2]);
    const [g] = gradient((o: { a: Float64Array; b: Float64Array }) => o.a[0]! * 2 + o.b[1]! * 3, { a: t, b: t });
    expect(g!.a).toEqual(new Float64Array([2, 3]));
    expect(g!.a).toBe(g!.b);
    const [ga, gb] = gradient((a: Float64Array, b: Float64Array) => a[0]! * b[1]!, t, t);
    expect(ga).toEqual(new Float64Array([2, 1]));
    expect(ga).toBe(gb);
  });
  it('cyclic structures: the gradient has the same cycle', () => {
    type N = { v: number; next: N | null };
    const a: N = { v: 2, next: null };
    const b: N = { v: 5, next: a };
    a.next = b;
    const [g] = gradient((n: N) => n.v * n.next!.v * n.next!.next!.v, a);
    expect(g!.v).toBe(2 * 2 * 5);
    expect(g!.next!.v).toBe(4);
    expect(g!.next!.next).toBe(g);
  });
  it('a long linked list does not overflow the stack', () => {
    type L = { v: number; next: L | null };
    let list: L | null = null;
    for (let i = 0; i < 100_000; i++) list = { v: 1, next: list };
    const [g] = gradient((l: L) => l.v * 3, list!);
    expect(g!.v).toBe(3);
    expect(g!.next).toBe(null);
  });
  it('nested differentiation with structures (second derivatives)', () => {
    const p = { x: 3, y: 2 };
    const f = (p: { x: number; y: number }) => gradient((q: typeof p) => q.x * q.x * p.y, p)[0]!.x!; // 2xy
    expect(gradient(f, p)).toEqual([{ x: 4, y: 6 }]);
    expect(p).toEqual({ x: 3, y: 2 });
    const g = (v: number[]) => gradient((w: number[]) => w.reduce((s, a) => s + a * a * a, 0), v)[0]!.reduce((s, a) => s + a, 0);
    expect(gradient(g, [1, 2, 3])).toEqual([[6, 12, 18]]);
  });
  it('pullback gives structural gradients each time it is called', () => {
    const [y, back] = pullback((p: Point) => p.x * p.y, new Point(2, 5));
    expect(y).toBe(10);
    expect(back(1)).toEqual([{ x: 5, y: 2 }]);
    expect(back(2)).toEqual([{ x: 10, y: 4 }]);
  });
});

describe("JavaScript's behaviour on what f receives", () => {
  it('instanceof, Array.isArray, Object.keys, spread, JSON.stringify and Object.entries behave as on the originals', () => {
    const p = new Point(1, 2);
    const arr = [1, 2, 3];
    const seen: unknown[] = [];
    const previous = configure({ warnings: false });
    try {
      gradient(
        (p: Point, arr: number[]) => {
          seen.push(p instanceof Point, Array.isArray(arr), Object.keys(p), JSON.stringify(p), JSON.stringify(arr));
          seen.push(Object.entries({ ...p }).map(([k, v]) => `${k}=${v}`), [...arr].length, `${arr}`);
          return p.x + arr[0]!;
        },
        p,
        arr,
      );
    } finally {
      configure(previous);
    }
    expect(seen).toEqual([true, true, ['x', 'y'], JSON.stringify(p), JSON.stringify(arr), ['x=1', 'y=2'], 3, '1,2,3']);
  });
  it('an argument is its original: ===, ==, Object.is, switch, array searches, Map/Set/WeakMap/WeakSet keys (rewritten code)', () => {
    // (f compared its stand-in with the caller's object as different: a branch the plain
    // program does not take, and a gradient that was silently another function's)
    const a = [1, 2, 3];
    const o = { v: 2 };
    const m = new Map<object, number>([[o, 10]]);
    const wm = new WeakMap<object, number>([[o, 7]]);
    const ws = new WeakSet<object>([o]);
    const s = new Set<object>([o]);
    expect(gradient((p: number[]) => (p === a ? p[0]! * 10 : p[0]!), a)).toEqual([[10, 0, 0]]);
    expect(gradient((p: number[]) => (p !== a ? p[0]! * 10 : p[0]!), a)).toEqual([[1, 0, 0]]);
    // eslint-disable-next-line eqeqeq
    expect(gradient((p: number[]) => (p == a ? p[0]! * 10 : p[0]!), a)).toEqual([[10, 0, 0]]);
    expect(gradient((p: number[]) => (Object.is(p, a) ? p[0]! * 10 : p[0]!), a)).toEqual([[10, 0, 0]]);
    expect(gradient((p: number[]) => ([a].includes(p) ? p[0]! * 10 : p[0]!), a)).toEqual([[10, 0, 0]]);
    expect(gradient((p: number[]) => ([0, a].indexOf(p) + [a, 0].lastIndexOf(p)) * p[0]!, a)).toEqual([[1, 0, 0]]);
    expect(gradient((p: number[]) => { switch (p) { case a: return p[1]! * 5; default: return 0; } }, a)).toEqual([[0, 5, 0]]);
    expect(gradient((q: { v: number }) => (m.get(q) ?? 0) * q.v + (m.has(q) && s.has(q) ? q.v : 0), o)).toEqual([{ v: 11 }]);
    expect(gradient((q: { v: number }) => (wm.get(q) ?? 0) * q.v + (ws.has(q) ? q.v : 0), o)).toEqual([{ v: 8 }]);
    // nested differentiations: the inner stand-in, the outer one and the original are one object
    expect(hessian((p: number[]) => (p === a ? p[0]! * p[0]! * 5 : p[0]!), a)).toEqual([[10, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(jvp((p: number[]) => (p === a ? p[0]! * 10 : p[0]!), [a], [[1, 0, 0]])).toEqual([10, 10]);
    // an NDArray argument (a value: its traced array is another object) is the caller's array too
    const A = array([1, 2]);
    expect(gradient((x: NDArray) => (x === A ? 5 : 1) * sum(x), A)).toEqual([array([5, 5])]);
    expect(gradient((x: NDArray, y: NDArray) => (x === y ? 5 : 1) * sum(mul(x, y)), A, A)).toEqual([array([5, 10]), array([5, 10])]);
    expect(gradient((x: NDArray, y: NDArray) => (x === y ? 5 : 1) * sum(mul(x, y)), A, array([1, 2]))).toEqual([array([1, 2]), array([1, 2])]);
    // two different objects stay two; traced numbers still compare by value
    expect(gradient((p: number[], q: { v: number }) => ((p as unknown) === (q as unknown) ? 1 : 2) * p[0]! * q.v, a, o)).toEqual([[4, 0, 0], { v: 2 }]);
    expect(gradient((x: number) => { const y = x * 1; return y === x ? x * 3 : x; }, 2)).toEqual([3]);
  });
  it("a Set argument's member is found by the caller's object too: has, add, delete (and a Map f filled with the members)", () => {
    // (the Set's stand-in holds the members' stand-ins: s.has(p) was false, s.add(p) added a
    // second member, s.delete(p) deleted nothing, and the caller's Set kept p)
    const p = { w: 2 };
    const s = new Set([p]);
    expect(gradient((s: Set<{ w: number }>) => (s.has(p) ? 3 : 1) * [...s][0]!.w, s)).toEqual([new Map([[p, { w: 3 }]])]);
    expect(gradient((s: Set<{ w: number }>) => s.add(p).size * [...s][0]!.w, s)).toEqual([new Map([[p, { w: 1 }]])]);
    expect(s.size).toBe(1);
    expect(gradient((s: Set<{ w: number }>) => { const byMember = new Map([...s].map((q) => [q, q.w * 5])); return byMember.get(p) ?? 0; }, s)).toEqual([new Map([[p, { w: 5 }]])]);
    gradient((s: Set<{ w: number }>) => (s.delete(p) ? 1 : 0) + s.size, s);
    expect(s.size).toBe(0);
  });
  it("a Map argument's key objects are the stand-ins f sees elsewhere: one object, one value, one gradient", () => {
    // (the Map's stand-in was keyed by the caller's objects: a key also passed as an argument
    // was two objects in f, a write through one was not read through the other, and the
    // numbers read through the key were constants)
    type Key = { w: number };
    const make = () => {
      const k = { w: 1 };
      return [new Map([[k, 3]]), k] as const;
    };
    const writeThroughKey = (m: Map<Key, number>, k: Key) => {
      for (const [key, v] of m) key.w = v * 2;
      return k.w * m.get(k)!;
    };
    const [m, k] = make();
    const { val, grad } = withgradient(writeThroughKey, m, k);
    expect(val).toBe(writeThroughKey(...make())); // 18 (f returned 3)
    expect(grad).toEqual([new Map([[k, 12]]), null]); // (k.w was overwritten before it was read)
    expect(k.w).toBe(6);
    const readThroughKey = (m: Map<Key, number>, k: Key) => {
      let s = 0;
      for (const [key, v] of m) s += key.w * v * k.w;
      return s;
    };
    const [m2, k2] = make();
    expect(gradient(readThroughKey, m2, k2)).toEqual([new Map([[k2, 1]]), { w: 6 }]);
    // a key only reached as a key: the Map's gradient is by key, with no place for the key's own
    const [m3, k3] = make();
    expect(gradient((m: Map<Key, number>) => [...m].reduce((s, [key, v]) => s + key.w * v * v, 0), m3)).toEqual([new Map([[k3, 6]])]);
  });
  it('a record inheriting from another object of the arguments (Object.create(defaults)) reads that object as f sees it', () => {
    // (its stand-in inherited from the caller's object: o.x was a constant, and a write to
    // defaults.x in f was not read through o: the value was 6 where it is 30)
    type D = { x: number };
    const make = () => {
      const defaults = { x: 2 };
      return [Object.create(defaults) as D, defaults] as [D, D];
    };
    const read = (o: D, d: D) => o.x * 3 + d.x;
    const write = (o: D, d: D) => {
      d.x = d.x * 5;
      return o.x * 3;
    };
    expect(gradient(read, ...make())).toEqual([null, { x: 4 }]);
    expect(gradient((d: D, o: D) => read(o, d), ...(make().reverse() as [D, D]))).toEqual([{ x: 4 }, null]);
    const [o, d] = make();
    expect(withgradient(write, o, d)).toEqual({ val: 30, grad: [null, { x: 15 }] });
    expect([d.x, Object.getPrototypeOf(o)]).toEqual([10, d]);
    expect(jvp((o: D, d: D) => o.x * d.x, make(), [null, { x: 1 }])).toEqual([4, 4]);
  });
  it('a frozen, sealed or non-extensible record inheriting from another object of the arguments reads that object as f sees it', () => {
    // (its stand-in was locked before its prototype could be set, so it kept the caller's:
    // the gradient was [null, { y: 1.5 }] where it is [{ x: 6 }, { y: 4.5 }], and the value
    // read the x f had not yet written back: 3 where plain JavaScript gives 9)
    type D = { x: number };
    type O = D & { y: number };
    const write = (d: D, o: O) => {
      d.x = d.x * 3;
      return o.x * o.y;
    };
    for (const lock of [Object.freeze, Object.seal, Object.preventExtensions]) {
      // (x is one number, which both arguments reach: perturbing it moves both)
      const make = (x = 1.5, y = 2) => {
        const d = { x };
        return [d, lock(Object.assign(Object.create(d) as O, { y }))] as [D, O];
      };
      const plain = make();
      const args = make();
      const { val, grad } = withgradient(write, ...args);
      expect(val).toBe(write(...plain));
      expect(args).toEqual(plain);
      expect(Object.isFrozen(args[1])).toBe(Object.isFrozen(plain[1]));
      const h = 1e-6;
      expectClose(grad[0]!.x, (write(...make(1.5 + h)) - write(...make(1.5 - h))) / (2 * h), 1e-6);
      expectClose(grad[1]!.y, (write(...make(1.5, 2 + h)) - write(...make(1.5, 2 - h))) / (2 * h), 1e-6);
      expect(jvp(write, make(), [{ x: 1 }, null])[1]).toBeCloseTo(grad[0]!.x!, 12);
    }
  });
  it('a record inheriting from an argument through a prototype that is not one is refused, naming both', () => {
    // (f read the argument's numbers through the caller's objects: constants, half the gradient)
    type A = { x: number };
    const make = () => {
      const a = { x: 2 };
      const b = Object.assign(Object.create(a) as A, { y: 1 });
      return [Object.assign(Object.create(b) as A & { z: number }, { z: 3 }), a] as const;
    };
    const f = (c: A & { z: number }, a: A) => c.x * c.z * a.x;
    expect(() => gradient(f, ...make())).toThrow(/arg 0 inherits from arg 1 through a prototype that is not among the arguments/);
    expect(() => jvp(f, [...make()], [null, { x: 1 }])).toThrow(/arg 0 inherits from arg 1/);
    // (with the prototype between passed too, it is followed)
    const [c, a] = make();
    const b = Object.getPrototypeOf(c) as A;
    const [g] = gradient((o: { c: typeof c; b: A; a: A }) => f(o.c, o.a), { c, b, a });
    expect(g!.a).toEqual({ x: 2 * 3 * 2 });
  });
  it("an arrow function a class's field or constructor made reads the instance f received (its `this` was the caller's object)", () => {
    // (area's `this` was the caller's instance: gradient { w: 0, h: 0 } where it is { w: 3, h: 2 },
    // and after f wrote w, area() still read the old w: 6 where plain JavaScript gives 30)
    class Rect {
      area = () => this.w * this.h;
      grow: (k: number) => void;
      constructor(
        public w: number,
        public h: number,
      ) {
        this.grow = (k) => {
          this.w = this.w * k;
        };
      }
    }
    expect(gradient((r: Rect) => r.area(), new Rect(2, 3))).toEqual([{ w: 3, h: 2, area: null, grow: null }]);
    const r = new Rect(2, 3);
    expect(withgradient((r: Rect) => (r.grow(5), r.area()), r)).toEqual({ val: 30, grad: [{ w: 15, h: 10, area: null, grow: null }] });
    expect(r.w).toBe(10);
    const compiled = compileGradient((r: Rect) => r.area() * r.w);
    expect([compiled(new Rect(2, 3)), compiled(new Rect(4, 5))]).toEqual([[{ w: 12, h: 4, area: null, grow: null }], [{ w: 40, h: 16, area: null, grow: null }]]);
    expect(gradient((r: Rect) => gradient((inner: Rect) => inner.area() * inner.w, r)[0]!.w! * 1, new Rect(2, 3))).toEqual([{ w: 2 * 3, h: 2 * 2, area: null, grow: null }]);
  });
  it("super.m() in such an arrow runs on the instance f received (it ran on the caller's object)", () => {
    // (super.area()'s `this` was the caller's instance: what it read was constant, a gradient of
    // w 6 where it is 12, with no word; plain JavaScript's value is checked beside it)
    class Square {
      constructor(public w: number) {}
      area() {
        return this.w * this.w;
      }
    }
    class Framed extends Square {
      framed = () => super.area() + 1;
      doubled = () => {
        const inner = () => super.area();
        return inner() * 2;
      };
      constructor(w: number) {
        super(w);
      }
    }
    const f = (s: Framed) => s.framed() * s.w + s.doubled();
    const h = 1e-6;
    const central = (f(new Framed(2 + h)) - f(new Framed(2 - h))) / (2 * h); // 3w² + 1 + 4w = 21
    const [g] = gradient(f, new Framed(2));
    expect(g!.w).toBeCloseTo(central, 6);
    expect(withgradient(f, new Framed(2)).val).toBe(f(new Framed(2)));
    expect(compileGradient(f)(new Framed(2))[0]!.w).toBeCloseTo(central, 6);
  });
  it('a method a class binds to the instance in a field or its constructor (this.step.bind(this)) runs on the instance f received', () => {
    // (the bound function's this was the caller's object: gradient null where it is { k: 6 }, and
    // after f's write k still read 2: 10.04 where plain JavaScript gives 11)
    class Stepper {
      k = 2;
      bound = this.step.bind(this);
      scaled: (by?: number) => number;
      constructor() {
        this.scaled = this.step.bind(this, 10);
      }
      step(by = 1) {
        return this.k * this.k * by;
      }
    }
    expect(gradient((s: Stepper) => s.bound() + s.scaled(), new Stepper())).toEqual([{ k: 44, bound: null, scaled: null }]);
    const s = new Stepper();
    expect(withgradient((s: Stepper) => ((s.k = s.k * 5), s.bound() / 100 + s.k), s)).toEqual({ val: 11, grad: [{ k: (2 * 25 * 2) / 100 + 5, bound: null, scaled: null }] });
    expect([s.k, s.bound(), s.bound.name]).toEqual([10, 100, 'bound step']);
  });
  // (the closure read the caller's object through the name: constants, p.sq() + p.x had
  // derivative 1 where it is 7, and after f wrote x the closure still read the old x)
  it("a constructor's name for its instance (const self = this; TypeScript's ES5 `var _this = this`) read in a closure it made reads the instance f received", () => {
    class Self {
      sq: () => number;
      constructor(public x: number) {
        const self = this;
        this.sq = () => self.x * self.x;
      }
    }
    // (what TypeScript writes for `class Shape { area = () => this.w * this.h }` and a subclass, targeting ES5)
    type Shape = { w: number; h: number; area(): number };
    const Shape = (function () {
      function Shape(this: Shape, w: number, h: number) {
        var _this = this; // eslint-disable-line no-var
        this.w = w;
        this.h = h;
        this.area = function () {
          return _this.w * _this.h;
        };
      }
      return Shape;
    })() as unknown as new (w: number, h: number) => Shape;
    type Square = Shape & { perim(): number };
    const Square = (function (_super: typeof Shape) {
      function Square(this: Square, s: number) {
        var _this = (_super as unknown as Function).call(this, s, s) || this; // eslint-disable-line no-var
        _this.perim = function () {
          return 4 * _this.w * _this.h;
        };
        return _this;
      }
      Object.setPrototypeOf(Square.prototype, _super.prototype);
      return Square;
    })(Shape) as unknown as new (s: number) => Square;
    // (and an arrow's `this` in a function constructor, as in a class's)
    type Arrowed = { x: number; sq(): number };
    const Arrowed = function Arrowed(this: Arrowed, x: number) {
      this.x = x;
      this.sq = () => this.x * this.x;
    } as unknown as new (x: number) => Arrowed;
    const selfSq = (p: Self) => p.sq() + p.x;
    expect(gradient(selfSq, new Self(3))).toEqual([{ x: 7, sq: null }]);
    const p = new Self(3);
    expect(withgradient((p: Self) => ((p.x = p.x * 2), p.sq()), p)).toEqual({ val: 36, grad: [{ x: 24, sq: null }] });
    expect(p.x).toBe(6);
    const shapes = (s: Square) => s.area() * s.w + s.perim();
    const h = 1e-6;
    const [g] = gradient(shapes, new Square(2));
    expect(g).toEqual({ w: 16, h: 12, area: null, perim: null }); // (w and h are both s: their sum is the slope in s)
    expect(g!.w! + g!.h!).toBeCloseTo((shapes(new Square(2 + h)) - shapes(new Square(2 - h))) / (2 * h), 5);
    expect(gradient((s: Shape) => s.area(), new Shape(2, 3))).toEqual([{ w: 3, h: 2, area: null }]);
    expect(gradient((a: Arrowed) => a.sq() + a.x, new Arrowed(3))).toEqual([{ x: 7, sq: null }]);
    expect(compileGradient(selfSq)(new Self(3))).toEqual([{ x: 7, sq: null }]);
  });
  // (made by a method the constructor calls, or one called before the gradient, the arrow kept the
  // caller's object: p.sq() + p.x had derivative 1 where it is 7)
  it('an arrow a method stores on its instance (this.sq = () => this.x ** 2) reads the instance f received', () => {
    class Init {
      declare sq: () => number;
      constructor(public x: number) {
        this.init();
      }
      init() {
        this.sq = () => this.x * this.x;
      }
    }
    class Later {
      declare sq: () => number;
      constructor(public x: number) {}
      attach() {
        this.sq = () => [1].map(() => this.x * this.x)[0]!;
        return this;
      }
    }
    const f = (p: { x: number; sq(): number }) => p.sq() + p.x;
    expect(gradient(f, new Init(3))).toEqual([{ x: 7, sq: null }]);
    expect(gradient(f, new Later(3).attach())).toEqual([{ x: 7, sq: null }]);
    const p = new Init(3);
    expect(withgradient((p: Init) => ((p.x = p.x * 2), p.sq()), p)).toEqual({ val: 36, grad: [{ x: 24, sq: null }] });
    expect(p.x).toBe(6);
  });
  it("an array's named properties reach f (they were undefined there); numbers under them are refused", () => {
    const labelled = Object.assign([1, 2], { label: 'pts' });
    expect(gradient((p: typeof labelled) => (p.label === 'pts' ? p[0]! * 3 : p[0]!), labelled)).toEqual([[3, 0]]);
    const weighted = Object.assign([1, 2], { w: 4 });
    expect(() => gradient((p: typeof weighted) => p[0]! * p.w, weighted)).toThrow(/named property of an array.*by index/);
    // (Symbol-keyed ones too: f read undefined, and the gradient was another branch's, [1, 0] where it is [3, 0])
    const tag = Symbol('unit');
    const tagged = Object.assign([1, 2], { [tag]: 'm' });
    expect(gradient((p: typeof tagged) => (p[tag] === 'm' ? p[0]! * 3 : p[0]!), tagged)).toEqual([[3, 0]]);
    expect(() => gradient((p: number[]) => p[0]!, Object.assign([1, 2], { [tag]: 4 }))).toThrow(/named property of an array.*by index/);
    const c = compileGradient((p: typeof labelled) => (p.label === 'pts' ? p[0]! * 3 : p[0]!));
    expect([c(labelled), c(labelled)]).toEqual([[[3, 0]], [[3, 0]]]);
    expect(c.fallback).toMatch(/array with a named property \("label"\)/);
  });
  // (it was read on the caller's array and its value copied: stale once f pushed, -3 where plain JavaScript gives 3;
  // and a number it computed was refused as a number under a name)
  it("an array's named getter runs on what f received (the elements f sees and writes)", () => {
    const withGetters = () =>
      Object.defineProperties([1, 2], {
        label: { get(this: number[]) { return `n=${this.length}`; }, enumerable: true, configurable: true },
        total: { get(this: number[]) { return this.reduce((s, v) => s + v, 0); }, enumerable: true, configurable: true },
      }) as number[] & { label: string; total: number };
    const f = (a: ReturnType<typeof withGetters>) => {
      a.push(a[0]! * 3);
      return (a.label === 'n=3' ? a[2]! : -a[2]!) * a.total;
    };
    const plain = withGetters();
    const expected = f(plain);
    const a = withGetters();
    const { val, grad } = withgradient(f, a);
    expect(val).toBe(expected);
    expectMatchesFiniteDifferences(f, withGetters, grad[0]);
    expect([...a]).toEqual([...plain]);
    expect([a.label, a.total]).toEqual([plain.label, plain.total]);
  });
  // (taken for opaque built-ins, by their realm's native Object: gradient null, with no word)
  it("records and class instances made in another realm (node:vm) are records: gradient, write-back, their realm's prototype", () => {
    const make = () => vm.runInNewContext('class P { constructor(x) { this.x = x; } } ({ a: { x: 2, y: 3 }, p: new P(1.5) })') as { a: { x: number; y: number }; p: { x: number } };
    const f = (o: ReturnType<typeof make>) => {
      o.a.y = o.a.y * o.p.x;
      return o.a.x * o.a.y + o.p.x * o.p.x; // (the realm's code is not rewritten: f computes)
    };
    const plain = make();
    const expected = f(plain);
    const o = make();
    const proto = Object.getPrototypeOf(o.p) as object;
    const { val, grad } = withgradient(f, o);
    expect(val).toBe(expected);
    expectMatchesFiniteDifferences(f, make, grad[0]);
    expect(JSON.stringify(o)).toBe(JSON.stringify(plain));
    expect(Object.getPrototypeOf(o.p)).toBe(proto);
    expect(Object.getPrototypeOf(o.a)).not.toBe(Object.prototype);
  });
  // (taken for opaque built-ins, as this realm's instanceof tests do not know them: gradient null, with no word)
  it("a Map, Set or float typed array made in another realm is refused, saying what to pass", () => {
    const f = (o: { m: Map<string, number>; s: Set<number>; v: Float64Array }) => o.m.get('a')! * [...o.s][0]! * o.v[0]!;
    const made = () => vm.runInNewContext('({ m: new Map([["a", 2]]), s: new Set([3]), v: new Float64Array([4]) })') as Parameters<typeof f>[0];
    const o = made();
    const here = { m: new Map(o.m), s: new Set(o.s), v: Float64Array.from(o.v) };
    expect(() => gradient(f, { ...here, m: o.m })).toThrow(/arg 0 \.m is a Map made in another realm .*Pass a copy made here \(new Map\(m\)\)/);
    expect(() => gradient(f, { ...here, s: o.s })).toThrow(/arg 0 \.s is a Set made in another realm/);
    expect(() => gradient(f, { ...here, v: o.v })).toThrow(/arg 0 \.v is a Float64Array made in another realm .*Float64Array\.from\(a\)/);
    const [g] = gradient(f, here);
    expectClose(g, { m: new Map([['a', 12]]), s: new Map([[3, 8]]), v: Float64Array.of(6) });
  });
  it('Map and Set methods work (they need a real receiver)', () => {
    const m = new Map([['a', 2], ['b', 3]]);
    const [g] = gradient((m: Map<string, number>) => {
      let s = 0;
      m.forEach((v) => (s += v * v));
      for (const [, v] of m.entries()) s += v;
      return s + (m.has('a') ? m.get('a')! : 0) + m.size;
    }, m);
    expect(g).toEqual(new Map([['a', 2 * 2 + 1 + 1], ['b', 2 * 3 + 1]]));
    const s = new Set([1, 2]);
    expect(gradient((s: Set<number>) => [...s.values()].reduce((a, v) => a + v * v, 0) + (s.has(1) ? 1 : 0), s)).toEqual([
      new Map([[1, 2], [2, 4]]),
    ]);
  });
  it('subclasses of Map and Array keep their class', () => {
    class Registry extends Map<string, number> {
      total(): number {
        let s = 0;
        for (const v of this.values()) s += v;
        return s;
      }
    }
    class Vec extends Array<number> {}
    const r = new Registry([['a', 1], ['b', 2]]);
    const v = Vec.from([1, 2]) as Vec;
    const [gr, gv] = gradient((r: Registry, v: Vec) => r.total() * (v instanceof Vec ? v[1]! : 0), r, v);
    expect(gr).toEqual(new Map([['a', 2], ['b', 2]]));
    expect(gv).toEqual([0, 3]);
  });
  it('frozen objects and non-configurable properties (Proxy invariants did not apply; writes still fail)', () => {
    const frozen = Object.freeze({ x: 3, inner: Object.freeze([1, 2]) });
    const fixed = {};
    Object.defineProperty(fixed, 'k', { value: 4, enumerable: true, writable: false, configurable: false });
    const [gf, gk] = gradient(
      (o: typeof frozen, k: { k: number }) => {
        expect(Object.isFrozen(o)).toBe(true);
        expect(() => {
          'use strict';
          (o as { x: number }).x = 1;
        }).toThrow(TypeError);
        return o.x * o.inner[1]! * k.k;
      },
      frozen,
      fixed as { k: number },
    );
    expect(gf).toEqual({ x: 8, inner: [0, 12] });
    expect(gk).toEqual({ k: 6 });
    expect(frozen.x).toBe(3);
  });
  // (taken for records, they were empty copies: `next` threw "called on incompatible receiver")
  it('generators and built-in iterators are passed as they are: f iterates them as plain JavaScript does, consuming them', () => {
    function* counts(k: number) {
      yield k;
      yield 2 * k;
    }
    type Held = { g: Generator<number>; values: IterableIterator<number>; entries: IterableIterator<[string, number]>; x: number };
    const make = (): Held => ({ g: counts(1), values: [5, 6].values(), entries: new Map([['a', 7]]).entries(), x: 3 });
    const f = (o: Held) => {
      let s = o.x;
      for (const v of o.g) s += v * o.x;
      return s + o.values.next().value! * o.x + o.entries.next().value![1] * o.x * o.x;
    };
    const plain = make();
    const expected = f(plain);
    const held = make();
    const { val, grad } = withgradient(f, held);
    expect(val).toBe(expected);
    expect(grad[0]).toMatchObject({ g: null, values: null, entries: null });
    expectMatchesFiniteDifferences(f, make, grad[0]);
    expect([held.g.next(), held.values.next(), held.entries.next()]).toEqual([plain.g.next(), plain.values.next(), plain.entries.next()]);
  });
  // (it read the caller's array while f read the stand-in: its numbers were constants,
  // gradient((xs, it) => sum of it's squares + xs[0] * 0, [2, 3], xs.values()) was [[0, 0], null]
  // where it is [[4, 6], null], without a word)
  it('an Array or Map iterator passed beside what it iterates yields the stand-in\'s numbers, and is the caller\'s again after', () => {
    const squares = (xs: unknown, it: Iterable<number>) => {
      let s = 0;
      for (const v of it) s += v * v;
      return s;
    };
    expect(gradient(squares, [2, 3], [9].values())).toEqual([null, null]); // (another array's: constants, as before)
    const xs = [2, 3, 4];
    const it = xs.values();
    it.next(); // (its place is kept: 3 and 4 are left)
    expect(gradient(squares, xs, it)).toEqual([[0, 6, 8], null]);
    expect(xs).toEqual([2, 3, 4]);
    expect(Object.getOwnPropertyNames(it)).toEqual([]);
    expect(it.next()).toEqual({ value: undefined, done: true });
    // entries, a typed array, a Map (values and entries), nested in a record
    type Held = { ys: number[]; t: Float64Array; m: Map<string, number> };
    const make = (): Held => ({ ys: [1.5, 2], t: new Float64Array([3, 0.5]), m: new Map([['a', 1.25], ['b', 2]]) });
    const f = (o: Held, its: { e: IterableIterator<[number, number]>; t: IterableIterator<number>; mv: IterableIterator<number>; me: IterableIterator<[string, number]> }) => {
      let s = 0;
      for (const [i, v] of its.e) s += (i + 1) * v * v;
      for (const v of its.t) s += v * v * v;
      for (const v of its.mv) s += Math.sin(v);
      for (const [k, v] of its.me) s += k === 'b' ? v * o.ys[0]! : v;
      return s;
    };
    const itsOf = (o: Held) => ({ e: o.ys.entries(), t: o.t.values(), mv: o.m.values(), me: o.m.entries() });
    const held = make();
    const { val, grad } = withgradient(f, held, itsOf(held));
    const plain = make();
    expect(val).toBe(f(plain, itsOf(plain)));
    expectMatchesFiniteDifferences((o: Held) => f(o, itsOf(o)), make, grad[0]);
    expect(held).toEqual(make());
    // f stopping midway, and throwing: the caller's iterator is where f left it, with its own next
    const zs = [2, 3, 5];
    const partial = zs.values();
    expect(gradient((a: number[], i: Iterator<number>) => i.next().value! * a[2]!, zs, partial)).toEqual([[5, 0, 2], null]);
    expect(partial.next()).toEqual({ value: 3, done: false });
    const thrown = zs.values();
    expect(() => gradient((_a: number[], i: Iterator<number>) => { i.next(); throw new Error('stop'); }, zs, thrown)).toThrow('stop');
    expect([Object.getOwnPropertyNames(thrown), thrown.next()]).toEqual([[], { value: 3, done: false }]);
  });
  // (the built-in `next` called on it, `ArrayIteratorPrototype.next.call(it)`, read the caller's array:
  // [null, null] where it is [[4, 6, 8], null]; mixed with `it.next()`, [[4, 6, 0], null], an element handed out twice)
  it('an iterator argument stepped by the built-in next through call, apply or Reflect.apply follows the stand-in too', () => {
    const ArrayIteratorPrototype = Object.getPrototypeOf([].values()) as Iterator<number>;
    const builtinNext = ArrayIteratorPrototype.next;
    const MapIteratorPrototype = Object.getPrototypeOf(new Map().values()) as Iterator<number>;
    const ways: Record<string, (xs: number[], it: Iterator<number>) => number> = {
      call: (_xs, it) => {
        let s = 0;
        for (let r = ArrayIteratorPrototype.next.call(it); !r.done; r = ArrayIteratorPrototype.next.call(it)) s += r.value * r.value;
        return s;
      },
      apply: (_xs, it) => {
        let s = 0;
        for (let r = builtinNext.apply(it, []); !r.done; r = builtinNext.apply(it, [])) s += r.value * r.value;
        return s;
      },
      reflect: (_xs, it) => {
        let s = 0;
        for (let r = Reflect.apply(builtinNext, it, []) as IteratorResult<number>; !r.done; r = Reflect.apply(builtinNext, it, []) as IteratorResult<number>) s += r.value * r.value;
        return s;
      },
      mixed: (_xs, it) => it.next().value ** 2 + builtinNext.call(it).value ** 2 + it.next().value ** 2,
    };
    for (const [way, f] of Object.entries(ways)) {
      const xs = [2, 3, 4];
      const it = xs.values();
      expect([way, gradient(f, xs, it)]).toEqual([way, [[4, 6, 8], null]]);
      expect(f([2, 3, 4], [2, 3, 4].values())).toBe(29);
      expect([xs, Object.getOwnPropertyNames(it), it.next()]).toEqual([[2, 3, 4], [], { value: undefined, done: true }]);
    }
    const m = new Map([['a', 1.5], ['b', 2]]);
    expect(gradient((_m: Map<string, number>, it: Iterator<number>) => MapIteratorPrototype.next.call(it).value! * 3, m, m.values())).toEqual([new Map([['a', 3], ['b', null]]), null]);
    // (a next f gives the caller's iterator is kept, as plain JavaScript keeps it)
    const ys = [2, 3];
    const wrapped = ys.values();
    const wrap = (_ys: number[], it: Iterator<number>) => {
      const own = it.next;
      it.next = function () {
        return own.call(this);
      };
      return it.next().value! ** 2;
    };
    expect(gradient(wrap, ys, wrapped)).toEqual([[4, 0], null]);
    expect([Object.getOwnPropertyNames(wrapped), wrapped.next()]).toEqual([['next'], { value: 3, done: false }]);
  });
  it('an iterator that cannot be followed, beside what it may iterate, is said (a Set\'s, or over a frozen array)', () => {
    const squares = (_xs: unknown, it: Iterable<number>) => {
      let s = 0;
      for (const v of it) s += v * v;
      return s;
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const set = new Set([2, 3]);
      expect(gradient(squares, set, set.values())).toEqual([null, null]);
      const frozen = Object.freeze([2, 3]);
      expect(gradient(squares, frozen, frozen.values())).toEqual([null, null]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/arg 1 is a Set iterator beside a Set among the arguments: if it iterates that argument, it yields the caller's numbers, constants/),
        expect.stringMatching(/arg 1 is an Array iterator beside an array among the arguments that is frozen/),
      ]);
      // (nothing to say beside a Set of names, or where it is followed)
      const names = new Set(['a']);
      gradient((s: Set<string>, it: Iterable<string>, x: number) => [...it].length * x + s.size, names, names.values(), 2);
      const xs = [2, 3];
      gradient(squares, xs, xs.values());
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });
  // (it read the caller's array, where f's stand-in is: xs [0, 1, 0] where it is [2, 1, 0], with no word)
  it('a generator among the arguments, started on an argument before the call, is said: it reads the caller\'s numbers', () => {
    class Source {
      it: Generator<number>;
      constructor(public xs: number[]) {
        this.it = this.gen();
      }
      *gen() {
        for (const x of this.xs) yield x;
      }
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const source = new Source([1, 2, 3]);
      expect(gradient((s: Source) => s.it.next().value * s.xs[1]!, source)).toEqual([{ xs: [0, 1, 0], it: null }]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/arg 0 \.it is a generator, which runs on the `this` and variables it was started with.*constants with no gradient.*start the generator in f/),
      ]);
      // (started in f, it runs on the stand-in, and nothing is said)
      expect(gradient((s: Source) => s.gen().next().value! * s.xs[1]!, new Source([1, 2, 3]))).toEqual([{ xs: [2, 1, 0], it: null }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(source.it.next().value).toBe(2); // (the caller's generator moved on, as in plain JavaScript)
    } finally {
      warn.mockRestore();
    }
  });
  // (it was a record: Object.prototype.toString said '[object Object]', so lodash's flatten left it whole)
  it('an arguments object is one for f too: its tag, elements, length and iteration; written back', () => {
    function collect(..._xs: number[]) {
      return arguments;
    }
    const isArguments = (o: object) => Object.prototype.toString.call(o) === '[object Arguments]';
    const f = (o: IArguments) => {
      const flat = [o, 1].flatMap((v) => (typeof v === 'object' && isArguments(v) ? [...(v as Iterable<number>)] : [v as number]));
      const weight = isArguments(o) ? 10 : 1;
      const doubled = Array.prototype.map.call(o, (v: number) => v * 2) as number[]; // (its traced length was reported as a typed-array store)
      o[0] = o[0] * o[1];
      return weight * flat.reduce((s, v) => s * v, 1) + o.length + doubled[1]! * o[0];
    };
    const plain = collect(2, 3);
    const expected = f(plain);
    const args = collect(2, 3);
    const { val, grad } = withgradient(f, args);
    expect(val).toBe(expected);
    expectMatchesFiniteDifferences(f, () => collect(2, 3), grad[0]);
    expect(isArguments(args)).toBe(true);
    expect([...args]).toEqual([...plain]);
    expect(Reflect.ownKeys(args)).toEqual(Reflect.ownKeys(plain));
    // (a record naming itself so is a record: its callee a field)
    const posing = { 0: 2, callee: 3, [Symbol.toStringTag]: 'Arguments' };
    const g = (o: typeof posing) => o[0] * o.callee * (isArguments(o) ? 10 : 1);
    const { val: posed, grad: posedGrad } = withgradient(g, posing);
    expect(posed).toBe(g({ ...posing }));
    expectMatchesFiniteDifferences(g, () => ({ ...posing }), posedGrad[0]);
  });
  it('getters that compute from other fields: on the prototype and own', () => {
    const own = { a: 3, get twice() { return this.a * 2; } };
    expectClose(gradient((p: Point) => p.norm, new Point(3, 4)), [{ x: 0.6, y: 0.8 }]);
    // an own getter is not a field: the gradient has the data fields only
    expect(gradient((o: typeof own) => o.twice * o.twice, own)).toEqual([{ a: 24 }]);
  });
  it('class private #fields and methods work, with gradients under "#name"', () => {
    class Account {
      #rate: number;
      constructor(rate: number, public balance: number) {
        this.#rate = rate;
      }
      #grow(years: number): number {
        return this.balance * (1 + this.#rate) ** years;
      }
      future(years: number): number {
        return this.#grow(years);
      }
      hasRate(o: object): boolean {
        return #rate in o;
      }
      bump(): void {
        this.#rate += 0.01;
      }
    }
    const acct = new Account(0.1, 100);
    const [g] = gradient((a: Account) => {
      expect(a.hasRate(a)).toBe(true);
      return a.future(2);
    }, acct);
    expect(g).toEqual({ balance: 1.1 ** 2, '#rate': 100 * 2 * 1.1 });
    gradient((a: Account) => {
      a.bump();
      return a.future(1);
    }, acct);
    expect(acct.future(0)).toBe(100);
    expect(acct.future(1)).toBeCloseTo(111, 12); // the write to #rate reached the original, as a number
  });
  // (a private accessor ran on the caller's object: the getter computed from its numbers,
  // constants, the norm's gradient { x: 5, y: 0 } where it is { x: 6.8, y: 2.4 }; the setter was
  // recorded as a field's write and ran on the original after f, which never saw its effect:
  // f's value was 9 where plain JavaScript gives 900)
  it('a private getter and setter run on the stand-in, as on the instance', () => {
    class Vec {
      constructor(
        public x: number,
        public y: number,
      ) {}
      get #norm(): number {
        return Math.hypot(this.x, this.y);
      }
      set #scale(k: number) {
        this.x *= k;
        this.y *= k;
      }
      get #readOnly(): number {
        return this.x;
      }
      weighted(): number {
        return this.#norm * this.x;
      }
      grow(k: number): void {
        this.#scale = k;
      }
      breakIt(): void {
        (this as unknown as { x: number }).x = this.#readOnly;
        // @ts-expect-error (a getter alone: the write throws, on the instance and on its stand-in)
        this.#readOnly = 1;
      }
    }
    const make = () => new Vec(3, 4);
    const weighted = (v: Vec) => v.weighted();
    const [g] = gradient(weighted, make());
    expectMatchesFiniteDifferences(weighted, make, g);
    expect(g).toEqual({ x: expect.closeTo(3 / 5 * 3 + 5, 12), y: expect.closeTo(4 / 5 * 3, 12) });
    const grown = (v: Vec) => {
      v.grow(v.x * 2);
      return v.x * v.y;
    };
    const v = make();
    const { val, grad } = withgradient(grown, v);
    expect(val).toBe(grown(make())); // (f sees the setter's effect: 18 · 24)
    expect([v.x, v.y]).toEqual([18, 24]);
    expectMatchesFiniteDifferences(grown, make, grad[0]);
    expect(() => gradient((v: Vec) => (v.breakIt(), v.x), make())).toThrow(/'#readOnly' was defined without a setter/);
  });
  // (kept by name, a base class's #x and a subclass's #x were one member to f: the first one read
  // stood for both, a value of 10 where plain JavaScript gives 31; refused where they differed, and
  // where they held equal numbers, or f wrote one before reading the other, wrong with no word)
  it('two #private members of one name (a class and its subclass each declare #x) are two members to f', () => {
    class Base {
      #x: number;
      static #k = 2;
      constructor(x: number) {
        this.#x = x;
      }
      baseX(): number {
        return this.#x * Base.#k;
      }
      setBase(v: number): void {
        this.#x = v;
      }
      get #sq(): number {
        return this.#x * this.#x;
      }
      baseSq(): number {
        return this.#sq;
      }
    }
    class Derived extends Base {
      #x: number;
      static #k = 3;
      constructor(a: number, b: number) {
        super(a);
        this.#x = b;
      }
      derivedX(): number {
        return this.#x * Derived.#k;
      }
      setDerived(v: number): void {
        this.#x = v;
      }
      get #sq(): number {
        return this.#x * this.#x * this.#x;
      }
      derivedSq(): number {
        return this.#sq;
      }
    }
    const fs = [
      (o: Derived) => o.baseX() * 3 + o.derivedX() ** 2,
      (o: Derived) => o.baseSq() * o.derivedSq(),
      (o: Derived) => (o.setDerived(o.baseX() * 7), o.baseX() ** 3 + o.derivedX() ** 2),
      (o: Derived) => (o.setBase(o.derivedX() * 7), o.baseX() + o.derivedX() ** 2),
    ];
    // (central differences in each member: the inputs are the constructor's two numbers)
    const h = 1e-6;
    for (const f of fs) {
      for (const [a, b] of [[2, 2], [2, 5]] as const) {
        const d = new Derived(a, b);
        const { val, grad } = withgradient(f, d);
        const plain = new Derived(a, b);
        expect(val).toBe(f(plain));
        const g = grad[0] as Record<string, number | null>;
        const da = (f(new Derived(a + h, b)) - f(new Derived(a - h, b))) / (2 * h);
        const db = (f(new Derived(a, b + h)) - f(new Derived(a, b - h))) / (2 * h);
        expect(g['Base#x'] ?? 0).toBeCloseTo(da, 4);
        expect(g['Derived#x'] ?? 0).toBeCloseTo(db, 4);
        // (the caller's object holds plain JavaScript's numbers after the call)
        expect([d.baseX(), d.derivedX()]).toEqual([plain.baseX(), plain.derivedX()]);
        // compiled (f writes a #private member or not: later calls with other numbers)
        const compiled = compileGradient(f);
        compiled(new Derived(a, b));
        expect(compiled(new Derived(a + 1, b + 1))).toEqual(gradient(f, new Derived(a + 1, b + 1)));
        // forward: a tangent names each by its class, as the gradient does
        expect(jvp(f, [new Derived(a, b)], [{ 'Base#x': 1, 'Derived#x': 0 }])[1]).toBeCloseTo(da, 4);
        expect(jvp(f, [new Derived(a, b)], [{ 'Base#x': 0, 'Derived#x': 1 }])[1]).toBeCloseTo(db, 4);
      }
    }
    // where f uses one of them, it is '#x' as for any class
    expect(gradient((o: Derived) => o.derivedX() ** 2, new Derived(2, 5))).toEqual([{ '#x': 90 }]);
    expect(jvp((o: Derived) => o.derivedX() ** 2, [new Derived(2, 5)], [{ '#x': 1 }])).toEqual([225, 90]);
    // a '#x' tangent where f uses both is not given to whichever f read first
    expect(() => jvp(fs[0]!, [new Derived(2, 5)], [{ '#x': 1 }])).toThrow(/has a #x, but two classes of its chain each declare a #x that f uses: .*\(Base#x, Derived#x\)/);
    // f throws: both members of the caller's object hold plain numbers, with f's writes
    const d = new Derived(2, 5);
    const boom = (o: Derived): number => {
      o.setBase(o.derivedX() * 3);
      o.setDerived(o.baseX() * 2);
      throw new Error('boom');
    };
    expect(() => gradient(boom, d)).toThrow('boom');
    expect([d.baseX(), d.derivedX()]).toEqual([90, 540]);
    // f writes traced numbers into both members of an object it was not given: the clean-up
    // settles each (noted by name, the second was taken for the first, and kept its traced number)
    const outside = new Derived(0, 0);
    expect(gradient((a: number) => (outside.setBase(a * 2), outside.setDerived(a * 3), outside.baseX() + outside.derivedX()), 1)).toEqual([2 * 2 + 3 * 3]);
    expect(outside.baseX()).toBe(4);
    expect(outside.derivedX()).toBe(9);
  });
  // (an optional chain through a private member was left as written: on f's copy of an argument
  // `o?.#w` threw JavaScript's "Cannot read private member #w from an object whose class did not declare it")
  it('optional chains through #private members: this.#up?.#w, o?.#m(k), o?.a?.n?.#w', () => {
    const f = (leaf: Link, root: Link) => leaf.upW() ** 2 + Link.w(leaf) * Link.times(root, 4) + Link.w(undefined) + (Link.deep({ a: { n: leaf } }) ?? 0) + (Link.deep({ a: {} }) ?? 5);
    const root = new Link(3);
    const leaf = new Link(2, root);
    const { val, grad } = withgradient(f, leaf, root);
    expect(val).toBe(39);
    // leaf: 3·4 + 1; root (also leaf's #up, one gradient): 2·3 + 2·4
    expect(grad).toEqual([{ '#w': 13, '#up': { '#w': 14 } }, { '#w': 14 }]);
    // a store through the chain (`o?.#items.push(v)`): recorded on f's copy, written back as plain numbers
    const bag = new Bag();
    const g = gradient((b: Bag, x: number) => (Bag.put(b, x * 2), Bag.put(undefined, x), Bag.put(b, x * x) ? b.total() : -1), bag, 3);
    expect(g).toEqual([null, 2 + 6]); // (the bag held no numbers when f began)
    expect(plainTypeOf(bag.total())).toBe('number');
    expect(bag.total()).toBe(6 + 9);
  });
  // (a private tag was left as written: on f's copy of an argument `` this.#scaled`…` `` threw
  // JavaScript's "Receiver must be an instance of class Gauge")
  it('a #private method as a template tag runs on the stand-in', () => {
    class Gauge {
      #k: number;
      constructor(k: number) {
        this.#k = k;
      }
      #scaled(_s: TemplateStringsArray, ...v: number[]): number {
        return v.reduce((a, b) => a + b * this.#k, 0);
      }
      read(x: number): number {
        return this.#scaled`${x} and ${x * x}`;
      }
    }
    const { val, grad } = withgradient((g: Gauge, x: number) => g.read(x), new Gauge(3), 2);
    expect(val).toBe(18); // 3·(2 + 4)
    expect(grad).toEqual([{ '#k': 6 }, 15]); // d/dk: x + x²; d/dx: k·(1 + 2x)
  });
  // (an inner stand-in's original is the enclosing differentiation's stand-in, which has no
  // #private members of its own: reading one threw a TypeError, and so did writing one back)
  it('#private members in nested differentiation: read, written back, and differentiated twice', () => {
    class P {
      #x: number;
      constructor(x: number) {
        this.#x = x;
      }
      get x(): number {
        return this.#x;
      }
      triple(): void {
        this.#x *= 3;
      }
    }
    const inner = (q: P) => q.x * q.x;
    const p = new P(3);
    // d/dx (2x · x) = 4x; d/dx (d/dx x³) · x = 3x² · x → 9x²
    expect(gradient((o: P) => (gradient(inner, o)[0] as Record<string, number>)['#x']! * o.x, p)).toEqual([{ '#x': 12 }]);
    expect(gradient((o: P) => o.x * (gradient((q: P) => q.x ** 3, o)[0] as Record<string, number>)['#x']!, p)).toEqual([{ '#x': 81 }]);
    expect(p.x).toBe(3);
    // the inner f triples #x: the enclosing f then reads 3x (d/dx: 3), and p holds 9 afterwards, as plain JavaScript leaves it
    expect(gradient((o: P) => (gradient((q: P) => (q.triple(), q.x), o), o.x), p)).toEqual([{ '#x': 3 }]);
    expect(p.x).toBe(9);
  });
  // (a private member is read while f runs, after the arguments were linked: a record there
  // inheriting from another argument, or a Map there keyed by one, kept the caller's object,
  // its numbers constants: the gradient of d.x was 2 where it is 4, and 6 where it is 36)
  it("a private member's record inheriting from another argument, or its Map keyed by one, reads that argument as f sees it", () => {
    type D = { x: number };
    const inheriting = (x: number) => {
      const d = { x };
      return [new Holder(Object.freeze(Object.create(d) as D)), d] as const;
    };
    const keyed = (x: number) => {
      const d = { x };
      return [new Holder(new Map([[d, 3]])), d] as const;
    };
    const read = (h: Holder<D>, d: D) => {
      d.x = d.x * 3;
      return h.o.x * d.x;
    };
    const search = (h: Holder<Map<D, number>>, d: D) => {
      let s = 0;
      for (const [k, v] of h.o) s += k.x * v;
      return s * d.x + h.o.get(d)!;
    };
    const h = 1e-6;
    for (const [f, make] of [[read, inheriting], [search, keyed]] as [(h: any, d: D) => number, (x: number) => readonly [unknown, D]][]) {
      const { val, grad } = withgradient(f, ...make(1.5));
      expect(val).toBe(f(...make(1.5)));
      // (x is one number, which both arguments reach: perturbing it moves both)
      expectClose(grad[1]!.x, (f(...make(1.5 + h)) - f(...make(1.5 - h))) / (2 * h), 1e-6);
      expect(jvp(f, [...make(1.5)], [null, { x: 1 }])[1]).toBeCloseTo(grad[1]!.x!, 9);
    }
  });
  it('Grad<T> follows T', () => {
    const [g] = gradient((p: Point) => p.x, new Point(1, 2));
    const typed: Grad<Point> | null = g;
    const fields: { x: number | null; y: number | null } | null = typed;
    expect(fields).toEqual({ x: 1, y: null });
  });
});

// A function is passed to f as it is: numbers under its own keys are constants there. That
// was silent (`gradient(m => m.w * 2, model)` gave [null]); it is said now, and strict mode stops.
describe('a function argument holding numbers', () => {
  it('is passed as it is, with a warning naming the keys (an error in strict mode)', () => {
    const model = Object.assign((x: number) => x * 3, { w: 3, label: 'm' });
    const plainFn = (x: number) => x * 2;
    const previous = configure({ strict: true });
    try {
      expect(() => gradient((m: typeof model, x: number) => m.w * 2 + m(x), model, 2)).toThrow(/strict.*arg 0 is a function holding numbers \('w'\)/);
      expect(() => gradient((o: { f: typeof model }, x: number) => o.f(x), { f: model }, 2)).toThrow(/function holding numbers/);
      // (a function without numbers of its own, or whose number is behind a getter, says nothing)
      expect(gradient((f: typeof plainFn, x: number) => f(x), plainFn, 2)).toEqual([null, 2]);
      const withGetter = Object.defineProperty((x: number) => x, 'n', { get: () => 5, enumerable: true });
      expect(gradient((f: typeof withGetter, x: number) => f(x) * 2, withGetter, 2)).toEqual([null, 2]);
    } finally {
      configure(previous);
    }
  });
  // (their numbers were constants and their gradient null with no word: gradient(o => o.n * o.n, { n: new Number(3) })
  // gave [{ n: null }] where finite differences give 6, and an Error subclass's `cost` field the same)
  it('an opaque object holding numbers (a Number object, an Error or Date subclass with number fields, a WeakRef to numbers) is said too', () => {
    class Failure extends Error {
      constructor(public cost: number) {
        super('failed');
      }
    }
    const boxed = () => ({ n: new Number(3), x: 2 });
    const f = (o: ReturnType<typeof boxed>) => (o.n as unknown as number) * (o.n as unknown as number) * o.x;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [g] = gradient(f, boxed());
    expect(warn.mock.calls.map(String).join()).toMatch(/arg 0 \.n is a Number object/);
    warn.mockRestore();
    expectMatchesFiniteDifferences(f, boxed, g); // (x only: n is no number to perturb by key)
    expect(g).toMatchObject({ n: null });
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(f, boxed())).toThrow(/strict.*arg 0 \.n is a Number object.*its number is a constant.*pass the number itself/);
      expect(() => gradient((o: { e: Failure }, x: number) => o.e.cost * x, { e: new Failure(4) }, 2)).toThrow(/arg 0 \.e is a Failure .*holding numbers \('cost'\)/);
      // (f read a WeakRef's target as the caller's object, its numbers constants, also where that object was an argument:
      // o.a.v * o.ref.deref().v gave a.v 3 where finite differences give 6)
      const target = { v: 3 };
      expect(() => gradient((o: { a: { v: number }; ref: WeakRef<{ v: number }> }) => o.a.v * o.ref.deref()!.v, { a: target, ref: new WeakRef(target) })).toThrow(
        /arg 0 \.ref is a WeakRef to an object holding numbers: f reads them through deref\(\) on the caller's object/,
      );
      // (nor what holds numbers deeper, as a framework's records under a DOM node's expandos (React's fibers) do, which are not f's)
      expect(gradient((o: { e: Error }, x: number) => x * 2, { e: Object.assign(new Error('e'), { details: { code: 3, at: [1, 2] } }) }, 3)).toEqual([null, 2]);
      // (opaque objects without numbers of their own say nothing; an integer typed array's elements are documented constants)
      expect(gradient((o: { t: Date; e: Error; i: Int32Array }, x: number) => x * o.i[0]! * (o.t.getTime() + 1), { t: new Date(0), e: new Error('e'), i: Int32Array.of(2) }, 3)).toEqual([null, 2]);
    } finally {
      configure(previous);
    }
  });
  // (a Map's or Set's gradient is by key: its own fields were copied to the stand-in as they are,
  // constants with no word: gradient(b => b.w * sum(b), new Bag([1, 2], 4)) gave [Map{1 => 4, 2 => 4}]
  // and nothing for w, where finite differences give 3)
  it("a Map or Set holding numbers under its own fields (a subclass's) is said too", () => {
    class Bag extends Set<number> {
      constructor(members: number[], public w: number) {
        super(members);
      }
    }
    class Polynomial extends Map<number, number> {
      scale = { by: 2 };
    }
    class Labelled extends Map<string, number> {
      label = 'l';
      parts = ['a'];
    }
    const bag = (w = 4) => new Bag([1, 2], w);
    const f = (b: Bag) => b.w * [...b].reduce((s, v) => s + v, 0);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [g] = gradient(f, bag());
    expect(warn.mock.calls.map(String).join()).toMatch(/arg 0 is a Bag \(a Set\) holding numbers under its own fields \('w'\)/);
    warn.mockRestore();
    expect(g).toEqual(new Map([[1, 4], [2, 4]]));
    expect((f(bag(4 + 1e-6)) - f(bag(4 - 1e-6))) / 2e-6).toBeCloseTo(3, 6); // (w's slope, which the gradient has no place for)
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(f, bag())).toThrow(/strict.*arg 0 is a Bag \(a Set\) holding numbers.*constants there with no gradient/);
      expect(() => gradient((o: { p: Polynomial }) => o.p.get(1)! * o.p.scale.by, { p: new Polynomial([[1, 3]]) })).toThrow(/arg 0 \.p is a Polynomial \(a Map\) holding numbers under its own fields \('scale'\)/);
      expect(() => gradient((m: Map<string, number>) => m.get('a')! * 2, Object.assign(new Map([['a', 1]]), { n: 3 }))).toThrow(/arg 0 is a Map holding numbers under its own fields \('n'\)/);
      // (fields without numbers say nothing)
      expect(gradient((m: Labelled) => m.get('a')! * 2, new Labelled([['a', 1]]))).toEqual([new Map([['a', 2]])]);
    } finally {
      configure(previous);
    }
  });
});
