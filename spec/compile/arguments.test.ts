// How a compiled path reads its arguments (lib/compile/arguments.ts): an array of small
// records of one class (10⁵ Points) is read in a loop, a column per key, and its gradient
// written the same way; the objects are checked distinct once, and again only when one of
// them is not the one at its place on the last call.
import { describe, expect, it } from 'vitest';
import { array, compileGradient, gradient, mul, sum, type NDArray } from 'zygote-ts';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}
const dist = (p: Point) => Math.sqrt(p.x ** 2 + p.y ** 2);
const total = (ps: Point[], w: { scale: number }) => {
  let s = 0;
  for (const p of ps) s += dist(p) * w.scale;
  return s;
};
const points = (n: number, k = 1) => Array.from({ length: n }, (_, i) => new Point(Math.cos(i) * (1 + (i % 7)) * k, Math.sin(i) * (1 + (i % 5))));

type Grad = [{ x: number; y: number }[], { scale: number }];
const same = (a: Grad, b: Grad) => {
  expect(a[0]).toHaveLength(b[0].length);
  let worst = 0;
  let keys = 0;
  b[0].forEach((g, i) => {
    if (Object.keys(a[0][i]!).join() !== Object.keys(g).join()) keys++;
    worst = Math.max(worst, Math.abs(a[0][i]!.x - g.x), Math.abs(a[0][i]!.y - g.y));
  });
  expect(keys).toBe(0);
  expect(worst).toBeLessThanOrEqual(1e-12);
  expect(Math.abs(a[1].scale - b[1].scale)).toBeLessThanOrEqual(1e-9 * Math.abs(b[1].scale));
};

describe('arrays of small records', () => {
  it('are read and written column by column (6000 Points: more objects than are read one by one)', () => {
    const ps = points(6000);
    const g = compileGradient(total);
    same(g(ps, { scale: 2 }) as Grad, gradient(total, ps, { scale: 2 }) as Grad);
    const qs = points(6000, -0.5);
    same(g(qs, { scale: 3 }) as Grad, gradient(total, qs, { scale: 3 }) as Grad);
    expect(g.fallback).toBeNull();
    expect(g.recordings).toBe(1);
    expect(g.source.length).toBeLessThan(10_000);
    expect(g.source).toMatch(/for \(let i = 0; i < 6000; i\+\+\) g\d+\[i\] = \{ "x": V\[/);
  });

  it('an object that appears twice (at two places, or also elsewhere) is one object, as eagerly', () => {
    const ps = points(100);
    const g = compileGradient(total);
    g(ps, { scale: 1 });
    const twice = ps.slice();
    twice[7] = twice[3]!;
    const eager = gradient(total, twice, { scale: 1 }) as Grad;
    const compiled = g(twice, { scale: 1 }) as Grad;
    same(compiled, eager);
    expect(compiled[0][7]).toBe(compiled[0][3]); // (one gradient, contributions added)
    // The same objects again, now distinct: checked again, and compiled.
    same(g(ps, { scale: 1 }) as Grad, gradient(total, ps, { scale: 1 }) as Grad);
    // One object replaced by a new one: checked again.
    const replaced = ps.slice();
    replaced[50] = new Point(1, 1);
    same(g(replaced, { scale: 1 }) as Grad, gradient(total, replaced, { scale: 1 }) as Grad);
  });

  it('records of another class, other keys, or holding more than numbers are another path', () => {
    const g = compileGradient(total);
    g(points(20), { scale: 1 });
    const plain = points(20).map((p) => ({ x: p.x, y: p.y }));
    same(g(plain as Point[], { scale: 1 }) as Grad, gradient(total, plain as Point[], { scale: 1 }) as Grad);
    const extra = points(20).map((p) => Object.assign(p, { label: 'a' }));
    const e = g(extra, { scale: 1 }) as Grad;
    expect(e[0][0]).toHaveProperty('label', null);
    expect(g.fallback).toBeNull();
  });

  it('many arrays of them (polygons of 10 points), one record also in another array, are one object as eagerly', () => {
    const area = (polys: Point[][]) => {
      let s = 0;
      for (const poly of polys) for (let i = 0; i < poly.length; i++) s += poly[i]!.x * poly[(i + 1) % poly.length]!.y;
      return s;
    };
    const polygons = (k: number) => Array.from({ length: 30 }, (_, j) => points(10, k + j));
    const g = compileGradient(area);
    const ps = polygons(1);
    expect(g(ps)).toEqual(gradient(area, ps));
    const shared = polygons(2);
    shared[5]![0] = shared[2]![3]!; // (read one by one: its array is not read in columns)
    const eager = gradient(area, shared) as [{ x: number; y: number }[][]];
    const compiled = g(shared) as typeof eager;
    expect(compiled).toEqual(eager);
    expect(compiled[0][5]![0]).toBe(compiled[0][2]![3]);
    const again = compileGradient(area);
    expect(again(shared)).toEqual(eager); // (recorded with it: the record is found in the earlier array's group)
    expect(again(polygons(3))).toEqual(gradient(area, polygons(3)));
  });

  // (such records are copied and checked as one group, not object by object: each way f can
  // change one of them must still be seen, its change made once on the caller's record, as eagerly)
  it('f changing one of them, in any way, is seen: the change is made as the eager gradient makes it', () => {
    class Other {}
    const seen = Symbol('seen');
    const cases: [string, (p: any) => void][] = [
      ['a number written', (p) => void (p.x = p.x * 3)],
      ['a key added', (p) => void (p.z = p.x * 2)],
      ['a key deleted', (p) => void delete p.y],
      ['a key deleted and set again to its number (it moves last)', (p) => { const v = p.x; delete p.x; p.x = v; }],
      ['a Symbol key', (p) => void (p[seen] = true)],
      ['frozen', (p) => void Object.freeze(p)],
      ['sealed', (p) => void Object.seal(p)],
      ['made not extensible', (p) => void Object.preventExtensions(p)],
      ['re-parented', (p) => void Object.setPrototypeOf(p, Other.prototype)],
      ['a field hidden', (p) => void Object.defineProperty(p, 'x', { enumerable: false })],
      ['a field made read-only', (p) => void Object.defineProperty(p, 'x', { writable: false })],
      ['a field made fixed', (p) => void Object.defineProperty(p, 'x', { configurable: false })],
      ['a hidden key added', (p) => void Object.defineProperty(p, 'h', { value: 1, writable: true })],
      ['a getter over a field', (p) => void Object.defineProperty(p, 'y', { get: () => 7 })],
    ];
    // (what the caller's record is after the call: its class, lock and every property as it is defined)
    const shapeOf = (o: object) => [
      Object.getPrototypeOf(o) === Point.prototype,
      Object.isExtensible(o),
      Object.isSealed(o),
      Object.isFrozen(o),
      ...Reflect.ownKeys(o).map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        return [String(k), d.writable, d.enumerable, d.configurable, 'value' in d ? d.value : typeof d.get];
      }),
    ];
    for (const [name, change] of cases) {
      const f = (ps: Point[], w: { scale: number }) => {
        const s = total(ps, w);
        change(ps[7]);
        return s;
      };
      const g = compileGradient(f);
      for (const call of [1, 2]) {
        const eagerPoints = points(20, call);
        const compiledPoints = points(20, call);
        const eager = gradient(f, eagerPoints, { scale: 2 }) as Grad;
        same(g(compiledPoints, { scale: 2 }) as Grad, eager);
        compiledPoints.forEach((p, i) => expect(shapeOf(p), `${name}, call ${call}, record ${i}`).toEqual(shapeOf(eagerPoints[i]!)));
      }
      expect(shapeOf(points(20)[7]!), name).not.toEqual(shapeOf((() => { const ps = points(20); gradient(f, ps, { scale: 2 }); return ps[7]!; })()));
      expect(g.fallback, name).toMatch(/writes to its arguments/);
    }
  });
});

describe("a record's keys, checked on every call", () => {
  // (each call must see a record's own enumerable keys as the recording did, in order: a
  // record that gained, lost or reordered a key, or a prototype that gained an enumerable
  // key, is another path, whose gradient has the record's keys)
  const gradients = (ps: Point[]) => [compileGradient(total), ps] as const;
  it('a key added, deleted or reordered after recording', () => {
    const [g, ps] = gradients(points(30));
    g(ps, { scale: 1 });
    g(ps, { scale: 1 });
    const added = points(30);
    (added[4] as any).z = 2;
    const a = g(added, { scale: 1 }) as Grad;
    expect(Object.keys(a[0][4]!)).toEqual(['x', 'y', 'z']);
    same(a, gradient(total, added, { scale: 1 }) as Grad);
    const deleted = points(30);
    delete (deleted[9] as any).y;
    (deleted[9] as any).y = 0.5; // (again, now after x: the same keys, the same order)
    same(g(deleted, { scale: 1 }) as Grad, gradient(total, deleted, { scale: 1 }) as Grad);
    const reordered = points(30);
    delete (reordered[2] as any).x;
    (reordered[2] as any).x = 0.25; // (now y, x)
    const r = g(reordered, { scale: 1 }) as Grad;
    expect(Object.keys(r[0][2]!)).toEqual(['y', 'x']);
    same(r, gradient(total, reordered, { scale: 1 }) as Grad);
    expect(g.fallback).toBeNull();
  });

  it('an enumerable key on the prototype (added after recording, or there from the start)', () => {
    class Tagged {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const dist2 = (ps: Tagged[]) => ps.reduce((s, p) => s + Math.sqrt(p.x ** 2 + p.y ** 2), 0);
    const make = () => Array.from({ length: 40 }, (_, i) => new Tagged(Math.cos(i), 1 + Math.sin(i)));
    const g = compileGradient(dist2);
    const ps = make();
    g(ps);
    g(ps);
    // (enumerable: for-in over a record lists it after the record's own keys; with a record
    // that lost its own y, for-in still lists x, y — but y is now the prototype's constant)
    (Tagged.prototype as any).y = 1;
    const lost = make();
    delete (lost[3] as any).y;
    try {
      const after = g(lost) as { x: number; y: number }[][];
      const eager = gradient(dist2, lost) as { x: number; y: number }[][];
      expect(Object.keys(after[0]![3]!)).toEqual(['x']);
      expect(after[0]!.map((p) => [p.x, p.y])).toEqual(eager[0]!.map((p) => [p.x, p.y]));
      // (recorded with the enumerable key there: read with Object.keys)
      const h = compileGradient(dist2);
      const whole = make();
      h(whole);
      const again = h(whole) as { x: number; y: number }[][];
      expect(again[0]!.map((p) => [p.x, p.y])).toEqual((gradient(dist2, whole) as typeof again)[0]!.map((p) => [p.x, p.y]));
      expect(h.source).toMatch(/Object\.keys\(e\)/);
      expect(g.fallback).toBeNull();
    } finally {
      delete (Tagged.prototype as any).y;
    }
  });

  // (found by hand: compiled code kept the recording's value of data on the prototype: with
  // Body.prototype.mass = 5 after recording at 1, g gave [{ v: 1 }] where eagerly it is [{ v: 5 }])
  it("data on a class's prototype (read as a constant) is the recording's: a call after it changed takes another path", () => {
    function Body(this: { v: number }, v: number) {
      this.v = v;
    }
    class Heavy {
      constructor(public v: number) {}
    }
    Object.assign(Body.prototype, { mass: 1, label: 'a' });
    Object.defineProperty(Heavy.prototype, 'mass', { value: 1, writable: true, enumerable: false, configurable: true });
    const energy = (b: { v: number; mass: number; label?: string }) => (b.label === 'b' ? 2 : 1) * b.mass * b.v * b.v;
    const lines = (bs: { v: number; mass: number }[]) => bs.reduce((s, b) => s + b.mass * b.v, 0);
    for (const [proto, make] of [
      [Body.prototype, (v: number) => new (Body as unknown as new (v: number) => { v: number; mass: number })(v)],
      [Heavy.prototype, (v: number) => new Heavy(v) as Heavy & { mass: number }],
    ] as const) {
      const g = compileGradient(energy);
      const h = compileGradient(lines); // (an array of small records: read in columns)
      const row = () => Array.from({ length: 12 }, (_, i) => make(1 + i / 4));
      try {
        for (const [mass, label] of [[1, 'a'], [1, 'a'], [5, 'a'], [5, 'b'], [1, 'a']] as const) {
          Object.assign(proto, { mass, label });
          expect(g(make(2))).toEqual(gradient(energy, make(2)));
          expect(h(row())).toEqual(gradient(lines, row()));
        }
        expect(g.fallback).toBeNull();
        expect(g.recordings).toBe(3);
      } finally {
        Object.assign(proto, { mass: 1, label: 'a' });
      }
    }
    // (data f itself keeps there, a counter, is checked as f left it: f's own state, as a closure's)
    class Counted {
      constructor(public w: number) {}
    }
    (Counted.prototype as unknown as { calls: number }).calls = 0;
    const counted = (x: NDArray, c: Counted) => {
      (Counted.prototype as unknown as { calls: number }).calls++;
      return sum(mul(x, x)) * c.w;
    };
    const g = compileGradient(counted);
    const ws = [2, 3, 2];
    const compiled = ws.map((w) => g(array([1, 2]), new Counted(w)));
    expect(g.recordings).toBe(1);
    expect(compiled).toEqual(ws.map((w) => gradient(counted, array([1, 2]), new Counted(w))));
  });
});

describe("a class's keys, objects, methods and static fields are part of the path", () => {
  // (found by hand: compiled code kept what the recording read through the class: with
  // B.prototype.mass = 5 added after recording, f below gave [{ v: 12 }] at v = 3 where
  // eagerly it is [{ v: 60 }]; a replaced B.prototype.cfg
  // object, a replaced method and a changed static B.scale were kept alike)
  it('a call after one changed takes another path; an unchanged class keeps its path', () => {
    class B {
      static scale = 2;
      constructor(public v: number) {}
      power(): number {
        return this.v * this.v;
      }
    }
    class C extends B {}
    type Loose = B & { mass?: number; cfg?: { k: number } };
    const f = (b: Loose) => (b.mass ?? 1) * b.power() * (b.cfg?.k ?? 1) * (b.constructor as typeof B).scale;
    const original = B.prototype.power;
    const changes: (() => void)[] = [
      () => {},
      () => ((B.prototype as Loose).mass = 5), // (a key added)
      () => ((B.prototype as Loose).cfg = { k: 2 }),
      () => ((B.prototype as Loose).cfg = { k: 3 }), // (an object replaced)
      () => (B.prototype.power = function (this: B) { return this.v * this.v * this.v; }), // (a method replaced)
      () => (B.scale = 10), // (a static field, read through the instance's class)
      () => (C.scale = 7), // (a subclass's own static field, shadowing its base's)
      () => delete (B.prototype as Loose).mass, // (a key deleted)
    ];
    const g = compileGradient(f);
    const h = compileGradient(f);
    try {
      for (const change of changes) {
        change();
        expect(g(new B(3))).toEqual(gradient(f, new B(3)));
        expect(h(new C(3))).toEqual(gradient(f, new C(3)));
        expect(g(new B(3))).toEqual(gradient(f, new B(3))); // (the path just recorded, checked again)
      }
      expect(g.fallback).toBeNull();
      const recordings = g.recordings;
      g(new B(4));
      expect(g.recordings).toBe(recordings); // (nothing changed: no new recording)
    } finally {
      B.prototype.power = original;
      B.scale = 2;
      delete (B.prototype as Loose).mass;
      delete (B.prototype as Loose).cfg;
      delete (C as { scale?: number }).scale;
    }
  });
});

describe("a class's accessors are part of the path, by their functions", () => {
  // (found by hand: accessors were not read, nor compared: a prototype getter replaced after
  // recording (get sq() { return this.x * this.x } → this.x * 3) kept the recording's gradient,
  // [{ x: 6 }] where eagerly it is [{ x: 3 }]; so did a static getter, and an accessor made a
  // data field on the prototype)
  it('a call after a getter or setter was replaced, or made data, takes another path; getters are not called to check', () => {
    let reads = 0;
    class P {
      static k = 2;
      constructor(public x: number) {}
      get sq(): number {
        reads++;
        return this.x * this.x;
      }
      static get scale(): number {
        return P.k;
      }
    }
    type Loose = P & { sq: number };
    const f = (p: P) => p.sq * (p.constructor as typeof P).scale;
    const g = compileGradient(f);
    const descriptors = [Object.getOwnPropertyDescriptor(P.prototype, 'sq')!, Object.getOwnPropertyDescriptor(P, 'scale')!] as const;
    try {
      expect(g(new P(3))).toEqual(gradient(f, new P(3)));
      reads = 0;
      expect(g(new P(3))).toEqual([{ x: 12 }]);
      expect(reads).toBe(0); // (compiled code neither runs the getter nor calls it to check it)
      const changes: (() => void)[] = [
        () => Object.defineProperty(P.prototype, 'sq', { get(this: P) { return this.x * 3; }, configurable: true }),
        () => Object.defineProperty(P, 'scale', { get: () => 7, configurable: true }),
        () => Object.defineProperty(P.prototype, 'sq', { value: 10, writable: true, configurable: true }),
      ];
      for (const change of changes) {
        change();
        expect(g(new P(3))).toEqual(gradient(f, new P(3)));
        expect(g(new P(5))).toEqual(gradient(f, new P(5)));
      }
      expect((g(new P(3)) as Loose[])[0]).toBeNull();
      expect(g.fallback).toBeNull();
    } finally {
      Object.defineProperty(P.prototype, 'sq', descriptors[0]);
      Object.defineProperty(P, 'scale', descriptors[1]);
    }
  });
});

describe('what is not read in columns', () => {
  it('more than 5000 objects that are not small records in an array run uncompiled, call by call', () => {
    const nested = Array.from({ length: 6000 }, (_, i) => ({ at: { x: i, y: 1 } }));
    const f = (ps: { at: { x: number; y: number } }[]) => ps.reduce((s, p) => s + p.at.x * p.at.y, 0);
    const g = compileGradient(f);
    expect((g(nested) as { at: { x: number; y: number } }[][])[0]![5]).toEqual({ at: { x: 1, y: 5 } });
    expect(g.recordings).toBe(0);
  });
});

describe('arrays with holes', () => {
  // (found by hand: a hole was read as an undefined element — the copy f was recorded on had
  // none, and a long array's hole became an input holding undefined, its gradient NaN where
  // the eager gradient has null; a recorded undefined element let a later hole through)
  it('run uncompiled, call by call; a hole is not taken for a recorded undefined element', () => {
    const squares = (v: number[]) => {
      let s = 0;
      v.forEach((x) => (s += x * x));
      return s * Object.keys(v).length;
    };
    const g = compileGradient(squares);
    const holed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    delete holed[3];
    for (let k = 0; k < 2; k++) expect(g(holed)).toEqual(gradient(squares, holed));
    expect((g(holed) as (number | null)[][])[0]![3]).toBeNull();
    const dense = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    for (let k = 0; k < 2; k++) expect(g(dense)).toEqual(gradient(squares, dense));
    expect(g.fallback).toBeNull();

    const h = compileGradient((v: (number | undefined)[]) => ((v[0] as number) + (v[2] as number)) * Object.keys(v).length);
    const fn = (v: (number | undefined)[]) => ((v[0] as number) + (v[2] as number)) * Object.keys(v).length;
    for (let k = 0; k < 2; k++) expect(h([1, undefined, 3])).toEqual(gradient(fn, [1, undefined, 3]));
    // eslint-disable-next-line no-sparse-arrays
    const short = [1, , 3];
    expect(h(short)).toEqual(gradient(fn, short));
    expect(h(short)).toEqual([[2, null, 2]]);
  });
});

describe('a record with an own "__proto__" key (as JSON.parse makes)', () => {
  // (found by hand: the recording's copy was given the key by assignment, which set its
  // prototype: the gradient was [null] where it is [{ b: 4 }], and the write-back of the copy
  // deleted the caller's "__proto__" key)
  it('is read as its own key, and the caller\'s object is left as it was', () => {
    const squares = (p: { b: number }) => p.b * p.b;
    const own = (p: { b: number }) => (Object.getOwnPropertyDescriptor(p, '__proto__')!.value as number) * p.b;
    for (const f of [squares, own]) {
      const g = compileGradient(f);
      for (const [a, b] of [[1, 2], [3, 5], [1, 2]] as const) {
        const text = `{"__proto__": ${a}, "b": ${b}}`;
        const p = JSON.parse(text) as { b: number };
        const got = g(p) as [{ b: number }];
        // (as plain JavaScript leaves it, and central differences in b)
        expect(Object.getOwnPropertyNames(p)).toEqual(['__proto__', 'b']);
        expect(JSON.stringify(p)).toBe(JSON.stringify(JSON.parse(text)));
        const h = 1e-6;
        const at = (x: number) => f(JSON.parse(`{"__proto__": ${a}, "b": ${x}}`) as { b: number });
        expect(got[0].b).toBeCloseTo((at(b + h) - at(b - h)) / (2 * h), 6);
        expect(got).toEqual(gradient(f, JSON.parse(text) as { b: number }));
      }
    }
  });
});

// (a linked list of 20 000 nodes, which the eager gradient takes, made compileGradient throw
// "Maximum call stack size exceeded" while it read the argument: never worse than the eager gradient)
describe('an argument nested deeper than the stack takes', () => {
  interface Link { v: number; next: Link | null }
  const list = (n: number) => {
    let head: Link | null = null;
    for (let i = 0; i < n; i++) head = { v: 1 + i * 1e-3, next: head };
    return head;
  };
  const sumOfSquares = (head: Link | null) => {
    let s = 0;
    for (let p = head; p !== null; p = p.next) s += p.v * p.v;
    return s;
  };
  it('runs uncompiled, that call only, with the eager gradient', () => {
    const g = compileGradient(sumOfSquares);
    const long = list(20000);
    const [got] = g(long) as [Link];
    expect(got.v).toBeCloseTo(2 * long!.v, 12);
    expect(got.next!.next!.v).toBeCloseTo(2 * long!.next!.next!.v, 12);
    expect(g.fallback).toBeNull();
    const short = list(3);
    expect(g(short)).toEqual(gradient(sumOfSquares, short));
    expect(g.recordings).toBe(1);
  });
});

// (found by the immer hunt: writing f's writes back threw at the array, after writing the ones
// before it, and the eager gradient then ran f again on the caller's objects)
describe("f shortening an array whose length the caller locked alone", () => {
  it('is refused as the eager gradient refuses it, with f\'s other writes made once', () => {
    const make = () => {
      const a = [1, 2, 3];
      Object.defineProperty(a, 'length', { writable: false });
      return { a, k: 5, n: 0 };
    };
    const f = (s: { a: number[]; k: number; n: number }, x: number) => {
      s.n += 1;
      s.k = x * 2;
      s.a.pop();
      return x * s.k;
    };
    const outcome = (run: () => unknown) => {
      try {
        return String(run());
      } catch (e) {
        return (e as Error).message;
      }
    };
    const eager = make();
    const compiled = make();
    const expected = outcome(() => gradient(f, eager, 3));
    expect(expected).toMatch(/read-only length/);
    expect(outcome(() => compileGradient(f)(compiled, 3))).toBe(expected);
    expect(compiled).toEqual(eager);
    expect(compiled.n).toBe(1);
  });
});
