// Float64Array and Float32Array arguments (issue 12): f receives a typed array that behaves
// as the one it was given — indexing, length, iteration, subarray, the methods, writes — and
// the gradient is a typed array of its class, checked against finite differences.
import { describe, expect, it, vi } from 'vitest';
import { configure, gradient, withgradient, sum, mul, compileGradient } from 'zygote-ts';
import { expectMatchesFiniteDifferences } from './fd.js';
import { centralDifference } from '../rules/check.js';
import { plainTypeOf } from './plain-data.js';

type F = (v: Float64Array) => number;

// (ES2024's resizable buffers, which the project's lib setting does not declare)
declare global {
  interface ArrayBufferConstructor { new (byteLength: number, options: { maxByteLength: number }): ArrayBuffer }
  interface ArrayBuffer { resize(byteLength: number): void }
}

/** f's value at x is plain JavaScript's, and its gradient (null: 0) a central difference's. */
function scalarChecks(f: (x: number) => number, x: number) {
  const { val, grad } = withgradient(f, x);
  expect(val).toBe(f(x));
  expect(grad[0] ?? 0).toBeCloseTo(centralDifference(f, [x], 0), 6);
}

function checks(f: F, make: () => Float64Array | Float32Array, options?: { h: number; tol: number }) {
  const [g] = gradient(f, make() as Float64Array);
  expect(g).toBeInstanceOf(make().constructor);
  expectMatchesFiniteDifferences(f as (x: unknown) => number, make, g, options);
}

describe('typed arrays as arguments', () => {
  it('behave as typed arrays: indexing, length, instanceof, the tag', () => {
    expect(withgradient((v: Float32Array) => v[0]! * v[1]!, new Float32Array([1, 2]))).toEqual({ val: 2, grad: [new Float32Array([2, 1])] });
    const seen: unknown[] = [];
    gradient((v: Float64Array) => {
      seen.push(v instanceof Float64Array, Array.isArray(v), v.length, Object.prototype.toString.call(v), v[5], 2 in v, Object.keys(v), v.constructor === Float64Array);
      return v[0]!;
    }, new Float64Array([1, 2, 3]));
    expect(seen).toEqual([true, false, 3, '[object Float64Array]', undefined, true, ['0', '1', '2'], true]);
  });

  it('gradients agree with finite differences, through loops, methods and views', () => {
    const make = () => Float64Array.of(0.5, -1.25, 2, 0.75);
    checks((v) => { let s = 0; for (const x of v) s += x * x * x; return s; }, make);
    checks((v) => v.reduce((s, x, i) => s + Math.sin(x) * (i + 1), 0), make);
    checks((v) => v.subarray(1, 3).map((x) => x * 2).reduce((a, b) => a * b, 1), make);
    checks((v) => [...v].sort((a, b) => a - b)[1]! * v.at(-1)!, make);
    checks((v) => v.slice(1).filter((x) => x > 0).reduce((a, b) => a + Math.exp(b), 0), make);
    checks((v) => sum(mul(v, v)), make);
    // (finite differences in float32 need a step float32 can hold)
    checks((v) => Math.hypot(...v), () => Float32Array.of(1, 2, 2), { h: 1e-2, tol: 1e-3 });
  });

  // (the built-in said false for the Proxy: code that tests it took another path, NaN where it is 10)
  it('ArrayBuffer.isView in rewritten code is true for them', () => {
    const norm = (a: unknown) => {
      if (!ArrayBuffer.isView(a) && !Array.isArray(a)) return NaN;
      const xs = a as ArrayLike<number>;
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i]! ** 2;
      return Math.sqrt(s);
    };
    const f = (v: Float64Array) => norm(v) + norm(v.subarray(1)) + norm(new Float32Array([v[0]!])) + (ArrayBuffer.isView([1]) ? 100 : 0);
    expect(withgradient(f, Float64Array.of(3, 4))).toEqual({ val: 12, grad: [Float64Array.of(0.6 + 1, 0.8 + 1)] });
  });

  // (a stand-in's methods ignored their receiver: v.map.call(w, f) mapped v, and
  // v.reduce.call(w, …) summed v: 5 where plain JavaScript gives 50)
  it('a method taken from one typed array and called on another runs on that one', () => {
    const cap = Float64Array.of(5, 6);
    const f = (v: Float64Array, w: Float64Array) =>
      v.map.call(w, (t: number) => t * 2)[0]! + (v.reduce.call(w, (a: unknown, b: number) => (a as number) + b, 0) as number) + v.indexOf.call(cap, 6) * v[0]!;
    expect(withgradient(f, Float64Array.of(1, 2), Float64Array.of(10, 20))).toEqual({ val: 51, grad: [Float64Array.of(1, 0), Float64Array.of(3, 1)] });
  });

  // (set(xs, 1.5) stored at index 1.5, that is nowhere; set(xs, -0.5) threw a RangeError; set(xs, NaN) stored nowhere)
  it('set reads its offset as the built-in does', () => {
    const f = (v: Float64Array) => (v.set([v[0]! * 5], 1.5), v.set([v[2]! * 7], -0.5), v.set([v[1]! * 2], NaN), v[0]! + v[1]! + v[2]!);
    expect(withgradient(f, Float64Array.of(1, 2, 3))).toEqual({ val: f(Float64Array.of(1, 2, 3)), grad: [Float64Array.of(15, 0, 1)] }); // (v[1] = 5a, v[0] = 7c, then v[0] = 2·5a: 15a + c)
  });

  // (the stand-in's own `set` was taken for a package's function that was not rewritten: a
  // warning that its result may be wrong, and in strict mode an error, for a right answer)
  it('set given a view of the same numbers (a subarray) copies them as the built-in does, with nothing said', () => {
    const shift = (v: Float64Array) => (v.set(v.subarray(0, 2), 1), v[0]! * v[1]! * v[2]!);
    const into = (v: Float64Array) => {
      const w = new Float64Array(3);
      w.set(v.subarray(1), 1);
      return w[1]! * w[2]! + w[0]!;
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const previous = configure({ strict: true });
    try {
      for (const f of [shift, into]) {
        const make = () => Float64Array.of(1.5, 2, 3);
        const { val, grad } = withgradient(f, make());
        expect(val).toBe(f(make()));
        expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0]);
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      configure(previous);
      warn.mockRestore();
    }
  });

  // (set read its source by iterating it: v.set(new Set([2 * v[2]])) stored 6.2 into v[0], where the
  // built-in reads a length, which a Set lacks, and stores nothing (-3.375, not -13.95); fill read its
  // end's valueOf at every step; with converted its value after refusing an index, not before)
  it('set, fill and with read their arguments as the built-ins do', () => {
    const fs: F[] = [
      (v) => (v.set(new Set([v[2]! * 2]) as unknown as ArrayLike<number>), v[0]! * v[1]!),
      (v) => (v.set({ length: 2, 0: v[2]!, 1: v[2]! * 2 }), v[0]! * v[1]!),
      (v) => { let calls = 0; v.fill(v[0]!, 1, { valueOf: () => (calls++, 3) } as unknown as number); return v[2]! * calls; },
      (v) => { let converted = 0; try { v.with(10, { valueOf: () => (converted++, 0) } as unknown as number); } catch { /* (a RangeError) */ } return v[0]! * (converted + 1); },
    ];
    for (const f of fs) {
      const make = () => Float64Array.of(1.5, -2.25, 3.1);
      const { val, grad } = withgradient(f, make());
      expect(val).toBe(f(make()));
      expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0]);
    }
    expect(() => gradient((v: Float64Array) => (v.set(null as never), v[0]!), Float64Array.of(1))).toThrow(TypeError);
    // (subarray read begin's valueOf twice; sort and toSorted took a comparator that is no function on one element)
    const begin = () => { let calls = 0; return { valueOf: () => (calls++, 1), calls: () => calls }; };
    const counted = (v: Float64Array) => { const b = begin(); v.subarray(b as unknown as number); return b.calls() * v[0]!; };
    expect(withgradient(counted, Float64Array.of(2, 3))).toEqual({ val: counted(Float64Array.of(2, 3)), grad: [Float64Array.of(1, 0)] });
    expect(() => gradient((v: Float64Array) => (v.sort(5 as never), v[0]!), Float64Array.of(1))).toThrow(TypeError);
    expect(() => gradient((v: Float64Array) => v.toSorted(5 as never)[0]!, Float64Array.of(1))).toThrow(TypeError);
  });

  // (lastIndexOf(x, -5) on two elements clamped the start to 0 and found x there, where the built-in finds nothing)
  it('searches start where the built-ins start', () => {
    const f = (v: Float64Array) => v.lastIndexOf(1, -5) * 10 + v.lastIndexOf(1, -1) + v.lastIndexOf(2, 0) * 100 + v.indexOf(2, -9) * v[1]!;
    expect(withgradient(f, Float64Array.of(1, 2))).toEqual({ val: f(Float64Array.of(1, 2)), grad: [Float64Array.of(0, 1)] });
  });

  // (the callback methods and iterators read every element before the first step: a running
  // sum written ahead in place, v.forEach((x, i) => v[i + 1] += x) on [1, 2, 3], gave
  // v[2] = 5 with gradient [0, 1, 1] where it is 6 with [1, 1, 1]; an iterator stepped after a
  // write yielded the old number)
  it('callbacks and iterators read each element at their step, seeing writes made ahead', () => {
    const fs: F[] = [
      (v) => (v.forEach((x, i) => { if (i + 1 < v.length) v[i + 1]! += x; }), v[2]!),
      (v) => v.map((x, i) => { if (i + 1 < v.length) v[i + 1] = x * 2; return x; })[2]!,
      (v) => v.reduce((a, x, i) => { if (i + 1 < v.length) v[i + 1] = a; return a + x; }, 0),
      (v) => v.reduceRight((a, x, i) => { if (i > 0) v[i - 1] = a * 3; return a + x; }),
      (v) => v.filter((x, i) => { if (i + 1 < v.length) v[i + 1] = x * x; return true; })[2]!,
      (v) => v.find((x, i) => { if (i + 1 < v.length) v[i + 1] = x + 1; return i === 2; })!,
      (v) => (v.some((x, i) => { if (i + 1 < v.length) v[i + 1] = x * 5; return false; }), v.findLast((x, i) => { v[i] = 0; return i === 1; })!),
      (v) => { const it = v.values(); v[1] = v[0]! * 4; it.next(); return it.next().value! * v[2]!; },
      (v) => { let s = 0; for (const [i, x] of v.entries()) { s += x; if (i + 1 < v.length) v[i + 1]! *= s; } return s; },
      (v) => { let s = 1; for (const x of v) { s *= x; v[v.length - 1] = s; } return s; },
    ];
    for (const f of fs) {
      const make = () => Float64Array.of(1.5, 2, 3);
      const { val, grad } = withgradient(f, make());
      expect(val).toBe(f(make()));
      expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0]);
    }
    // (what they make is what the built-ins make, with nothing read for a callback that is none)
    gradient((v: Float64Array) => {
      expect(Object.prototype.toString.call(v.values())).toBe('[object Array Iterator]');
      // (stepped as a built-in Array Iterator is, through %ArrayIteratorPrototype%.next)
      const arrayIteratorNext = (Object.getPrototypeOf([][Symbol.iterator]()) as { next: () => IteratorResult<number> }).next;
      const it = v.values();
      arrayIteratorNext.call(it);
      expect([arrayIteratorNext.apply(it, []).value === 2, Reflect.apply(arrayIteratorNext, it, []).done]).toEqual([true, true]);
      expect(Object.keys(v.keys())).toEqual([]);
      expect([...v.keys()]).toEqual([0, 1]);
      expect(() => new Float64Array(0).map(5 as never)).toThrow(TypeError);
      expect(() => v.subarray(2).forEach(5 as never)).toThrow(TypeError);
      expect(() => v.subarray(2).reduce((a) => a)).toThrow(TypeError);
      return v[0]!;
    }, Float64Array.of(1, 2));
  });

  it('writes: f writes into the typed array it got, the caller sees the numbers, and derivatives follow', () => {
    const f = (v: Float64Array) => {
      v[0] = v[1]! * 3;
      v.fill(v[2]!, 2);
      v.set([v[0]! + 1], 3);
      return v[0]! * v[3]!;
    };
    const make = () => Float64Array.of(1, 2, 3, 4);
    const x = make();
    const [g] = gradient(f, x);
    expect(x).toEqual(Float64Array.of(6, 2, 3, 7)); // (written back, as plain JavaScript writes)
    expectMatchesFiniteDifferences(f as (x: unknown) => number, make, g);
  });

  it('a Float32Array stores float32 numbers, as the built-in does', () => {
    const [g] = gradient((v: Float32Array) => {
      v[0] = v[0]! / 3;
      return v[0]! * 3;
    }, Float32Array.of(1));
    expect(g![0]).toBeCloseTo(1, 6);
    expect(withgradient((v: Float32Array) => { v[0] = 0.1; return v[0]!; }, Float32Array.of(0)).val).toBe(Math.fround(0.1));
  });

  it('nested inside records and arrays', () => {
    const model = { layers: [{ W: Float64Array.of(1, 2) }, { W: Float64Array.of(3) }], b: 0.5 };
    const f = (m: typeof model) => m.layers[0]!.W[1]! * m.layers[1]!.W[0]! + m.b;
    const [g] = gradient(f, model);
    expect(g).toEqual({ layers: [{ W: Float64Array.of(0, 3) }, { W: Float64Array.of(2) }], b: 1 });
  });

  // (f got a copy of the numbers without them: `v[0] * v.label.length` read undefined and gave
  // NaN where plain JavaScript gives 4, and a number there was read as undefined, not refused)
  it('their own named properties are there for f, written back as plain JavaScript leaves them; a number there is refused', () => {
    const v = Object.assign(Float64Array.of(2, 3), { label: 'ab', unit: 'm' });
    expect(withgradient((w: typeof v) => w[0]! * w.label.length, v)).toEqual({ val: 4, grad: [Float64Array.of(2, 0)] });
    expect(gradient((o: { w: typeof v }) => ('unit' in o.w ? Object.keys(o.w).length : 0) * o.w[1]!, { w: v })).toEqual([{ w: Float64Array.of(0, 4) }]);
    const [g] = gradient((w: Float64Array & { label: string; k?: number; unit?: string }) => {
      w.label = 'abc';
      w.k = w[0]! * 2;
      delete w.unit;
      return w[0]! * w.label.length;
    }, v);
    expect(g).toEqual(Float64Array.of(3, 0));
    expect({ label: v.label, k: (v as { k?: number }).k, unit: 'unit' in v }).toEqual({ label: 'abc', k: 4, unit: false });
    expect(() => gradient((w: Float64Array & { scale: number }) => w[0]! * w.scale, Object.assign(Float64Array.of(2), { scale: 4 }))).toThrow(
      /arg 0 \.scale is a number \(or holds numbers\) under a named property of a typed array/,
    );
  });

  it('a sealed or non-extensible one is so for f: a named property it adds is refused, and Object.isExtensible and isSealed answer as for the original', () => {
    // (f's copy was open: `t.extra = 1` went through where plain JavaScript throws, isExtensible
    // said true, and f computed 2·5 + 2 = 12 where plain JavaScript gives 2·3·10 + 500 + 2 = 562)
    const make = (lock: (t: object) => void) => () => {
      const t = Object.assign(new Float64Array([2, 5]), { label: 'ab' });
      lock(t);
      return t;
    };
    const f = (t: Float64Array & { label: string }) => {
      let k = 1;
      try {
        (t as Float64Array & { extra?: number }).extra = 1;
      } catch {
        k = 10;
      }
      return t[0]! * (Object.isExtensible(t) ? t[1]! : 3) * k + (Object.isSealed(t) ? t[1]! * 100 : 0) + t.label.length;
    };
    // (Node 24's V8 follows the newer spec: a typed array with elements cannot be sealed, Object.seal throws)
    const canSeal = (() => {
      try {
        Object.seal(new Float64Array(1));
        return true;
      } catch {
        return false;
      }
    })();
    for (const lock of [...(canSeal ? [Object.seal] : []), Object.preventExtensions, () => {}]) {
      const plainValue = f(make(lock)());
      const t = make(lock)();
      expect(withgradient(f, t).val).toBe(plainValue);
      const open = lock !== Object.seal && lock !== Object.preventExtensions;
      expect([Object.isExtensible(t), 'extra' in t]).toEqual([open, open]);
      checks(f as F, make(lock));
      expect(compileGradient(f)(make(lock)())).toEqual(gradient(f, make(lock)()));
    }
    if (canSeal) expect(withgradient(f, make(Object.seal)())).toEqual({ val: 562, grad: [Float64Array.of(30, 100)] });
    else expect(() => make(Object.seal)()).toThrow(TypeError);
  });

  // (f got a Float64Array: `v.x` read undefined, NaN where plain JavaScript gives 2; `v
  // instanceof Vec3` was false, 0 where it is 1; v.map made a Float64Array, not a Vec3; v.norm2 was no function)
  it('an instance of a subclass is one for f: its methods, getters, setters and species run on the traced elements', () => {
    class Vec3 extends Float64Array {
      get x() { return this[0]!; }
      set x(t: number) { this[0] = t; }
      norm2() { return this[0]! ** 2 + this[1]! ** 2 + this[2]! ** 2; }
    }
    const make = () => Vec3.from([1, 2, 3]) as Vec3;
    expect(withgradient((v: Vec3) => v.norm2() + v.x * 2 + (v instanceof Vec3 ? 1 : 0), make())).toEqual({ val: 17, grad: [Float64Array.of(4, 4, 6)] });
    const mapped = (v: Vec3) => { const w = v.map((t) => t * 2) as Vec3; return (w instanceof Vec3 ? 10 : 0) + w.x * v[2]!; };
    expect(withgradient(mapped, make())).toEqual({ val: mapped(make()), grad: [Float64Array.of(6, 0, 2)] });
    const u = make();
    expect(gradient((v: Vec3) => ((v.x = v[1]! * 3), v.x * v[1]!), u)).toEqual([Float64Array.of(0, 12, 0)]);
    expect(u).toBeInstanceOf(Vec3);
    expect(Array.from(u)).toEqual([6, 2, 3]);
    // (made in f by a constructor the rewrite sends through the runtime: a stand-in of its class)
    const lib = { Vec3 };
    expect(gradient((t: number) => { const w = new lib.Vec3(3); w.x = t * t; return w.norm2(); }, 1.5)).toEqual([13.5]);
  });

  // (%TypedArray%'s from and of, which a subclass inherits, converted each element to its number:
  // "a traced number was given to Vec.from …, which keeps only its number", where plain JavaScript makes the vector)
  it("a subclass's inherited from and of in f make an instance of it holding the traced numbers", () => {
    class Vec extends Float64Array {
      norm2() { return this.reduce((s, t) => s + t * t, 0); }
    }
    class Single extends Float32Array {}
    const f = (v: Float64Array, x: number) => {
      const a = Vec.from(v) as Vec;
      const b = Vec.from([x, 2], function (this: { k: number }, t, i) { return t * this.k + i; }, { k: 3 }) as Vec;
      const c = Vec.of(x, x * x) as Vec;
      const s = Single.of(x / 4);
      const classes = [a, b, c].every((w) => w instanceof Vec) && s instanceof Single ? 1 : 0;
      return a.norm2() + b[0]! * b[1]! + c.norm2() + s[0]! * 8 + classes;
    };
    const make = () => Float64Array.of(0.5, -1.5);
    const { val, grad } = withgradient(f, make(), 1.25);
    expect(val).toBe(f(make(), 1.25));
    expectMatchesFiniteDifferences(((v: Float64Array) => f(v, 1.25)) as (x: unknown) => number, make, grad[0]);
    // (by hand: b[0] * b[1] = 3x · 7, c's norm² = x² + x⁴, the Float32Array's x / 4 · 8 = 2x)
    expect(grad[1]).toBeCloseTo(21 + 2 * 1.25 + 4 * 1.25 ** 3 + 2, 12);
    // (Int32Array's is the built-in's: Node 20's says it keeps only the number; Node 24's takes
    // the number, a step with derivative 0, as an integer array's store is)
    let intGradient: unknown;
    try {
      intGradient = gradient((x: number) => Int32Array.from([x])[0]! + x, 1.5);
    } catch (e) {
      intGradient = (e as Error).message;
    }
    expect(typeof intGradient === 'string' ? intGradient : JSON.stringify(intGradient)).toMatch(/keeps only its number|^\[1\]$/);
  });

  // (the built-in converted each element: "a traced number was given to new Float64Array", where `new` keeps them)
  it('Reflect.construct of Float64Array or Float32Array in f makes what new makes', () => {
    const f = (x: number) => {
      const a = Reflect.construct(Float64Array, [[x, 2 * x]]) as Float64Array;
      const b = Reflect.construct(Float32Array, [2]) as Float32Array;
      b[1] = a[1]! * x;
      return a[0]! * a[1]! + b[1]! + (a instanceof Float64Array && b instanceof Float32Array ? 1 : 0);
    };
    expect(withgradient(f, 1.5)).toEqual({ val: f(1.5), grad: [4 * 1.5 + 4 * 1.5] });
  });

  // (made by its name, `new Vec2(2)`, the instance was the built-in's: f's stores into it were refused,
  // "stored into a typed array", where `new lib.Vec3(3)` made one that keeps them)
  it('a subclass declared in the same file and made by its name in f holds traced numbers', () => {
    class Vec2 extends Float64Array {
      get x() { return this[0]!; }
      norm2() { return this[0]! ** 2 + this[1]! ** 2; }
    }
    class Half extends Float32Array {
      constructor(n: number) { super(n); }
    }
    const f = (v: Float64Array) => {
      const w = new Vec2(2);
      w[0] = v[0]! * 3;
      w[1] = v[1]!;
      const h = new Half(1);
      h[0] = v[1]! / 3;
      const n = v[0]! * 2; // (a traced size: its value)
      const sized = new Vec2(n);
      sized[1] = v[1]!;
      return w.norm2() + w.x * (w instanceof Vec2 ? 1 : 0) + h[0]! * 3 + sized[1]! * sized.length;
    };
    const make = () => Float64Array.of(0.75, -2);
    const { val, grad } = withgradient(f, make());
    expect(val).toBe(f(make()));
    expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0], { h: 1e-4, tol: 1e-5 });
  });

  // (the built-in refused the stand-in, a Proxy, as `this`: "Method %TypedArray%.prototype.at called on incompatible receiver")
  it("a subclass's method overriding a built-in one and calling it through super runs on the traced elements", () => {
    class Doubled extends Float64Array {
      override at(i: number) { return super.at(i)! * 2; }
      squares() { return super.map((t) => t * t); }
      total() { return super.reduce((s, t) => s + t, 0) + (super.includes(3) ? 100 : 0); }
    }
    const make = () => Doubled.from([1, 2, 3]) as Doubled;
    const f = (v: Doubled) => v.at(1)! * v.at(-1)! + v.squares()[1]! * v.total() + (v.squares() instanceof Doubled ? 1 : 0);
    const { val, grad } = withgradient(f, make());
    expect(val).toBe(f(make()));
    expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0]);
    const u = make();
    gradient((v: Doubled) => { v[0] = v.at(2)! * v[1]!; return v[0]; }, u);
    const plain = make();
    plain[0] = plain.at(2)! * plain[1]!;
    expect(u).toEqual(plain);
  });

  // (the built-in refused the stand-in as `this`: "this is not a typed array", where plain JavaScript runs)
  it("a typed array's built-in methods called through call, apply and Reflect.apply run on the traced elements", () => {
    const { map } = Float32Array.prototype;
    const at = Float64Array.prototype.at;
    const f = (v: Float64Array) =>
      Float64Array.prototype.map.call(v, (t: number) => t * t)[0]! * (at.call(v, -1) as number) +
      (Float64Array.prototype.reduce.apply(v, [(a: unknown, t: number) => (a as number) + t * t, 0]) as number) +
      (Reflect.apply(Float64Array.prototype.reduceRight, v, [(a: number, t: number) => a * t]) as number) +
      (map.call(v.subarray(1), (t: number) => t * 3) as unknown as Float64Array)[0]! +
      Int32Array.prototype.indexOf.call(v, 2.5) + (Float64Array.prototype.includes.call(v, v[2]!) ? 10 : 0) +
      Number(Float64Array.prototype.join.call(v, ';').split(';')[1]);
    const make = () => Float64Array.of(1.5, 2.5, -3);
    const { val, grad } = withgradient(f, make());
    expect(val).toBe(f(make()));
    expectMatchesFiniteDifferences(f as (x: unknown) => number, make, grad[0]);
    // (a receiver that is no typed array is refused as by the built-in)
    expect(() => gradient((v: Float64Array) => Float64Array.prototype.at.call([v[0]], 0) as number, Float64Array.of(1))).toThrow(TypeError);
  });

  it('a typed array made from a traced one (map, slice, filter) keeps the derivatives', () => {
    expect(gradient((v: Float32Array) => v.map((x) => x * 5)[1]!, Float32Array.of(1, 2))).toEqual([Float32Array.of(0, 5)]);
  });

  // (d3's fcumsum, Float64Array.from(values, (v) => adder.add(v)): every element was the whole sum)
  it('Float64Array.from, Float32Array.from and map convert what their callback gives at once, as the built-ins do', () => {
    class Running {
      total = 0;
      add(x: number) { this.total += x; return this; }
      valueOf() { return this.total; }
    }
    const through: ((v: number[], each: (x: number) => number) => ArrayLike<number>)[] = [
      (v, each) => Float64Array.from(v, each),
      (v, each) => Float32Array.from(new Set(v), each),
      (v, each) => Float64Array.of(...v).map(each),
      (v, each) => new Float32Array(v).map(each),
    ];
    for (const made of through) {
      const runningSums = (v: number[]) => {
        const running = new Running();
        const sums = made(v, (x) => running.add(x) as unknown as number);
        return sums[0]! * 100 + sums[1]! * 10 + sums[2]!;
      };
      const { val, grad } = withgradient(runningSums, [1, 2, 3]);
      expect(val).toBe(runningSums([1, 2, 3])); // (136: 666 without the fix)
      const h = 1e-2; // (linear: exact for any step, and a float32 sum keeps it)
      const difference = (i: number) => (runningSums([1, 2, 3].map((x, k) => (k === i ? x + h : x))) - runningSums([1, 2, 3].map((x, k) => (k === i ? x - h : x)))) / (2 * h);
      expect(grad[0]).toEqual([0, 1, 2].map((i) => expect.closeTo(difference(i), 3))); // ([111, 11, 1]: [111, 111, 111] without the fix)
    }
    expect(() => gradient((v: number[]) => Float64Array.from(v, 5 as never)[0]!, [1])).toThrow(TypeError);
  });

  it('nested: a gradient with respect to a typed array, differentiated again', () => {
    // d/dv of v₁·(∂/∂w₀ of w₀w₁ at w = v) = d/dv v₁² = [0, 2v₁]
    const outer = (v: Float64Array) => (gradient((w: Float64Array) => w[0]! * w[1]!, v)[0] as Float64Array)[0]! * v[1]!;
    expect(gradient(outer, Float64Array.of(2, 3))).toEqual([Float64Array.of(0, 6)]);
  });

  // (the inner f's writes went back into the enclosing stand-in as plain numbers: null where it is 15)
  it('nested: what the inner f writes into the typed array keeps its derivative in the enclosing differentiation', () => {
    const inner = (w: Float64Array) => ((w[1] = w[1]! * 5), w[0]!);
    expect(gradient((v: Float64Array) => (gradient(inner, v), v[1]! * 3 + v[0]!), Float64Array.of(1, 2))).toEqual([Float64Array.of(1, 15)]);
    expect(gradient((x: number) => { const v = new Float64Array([1, x]); gradient(inner, v); return v[1]! * 3; }, 2)).toEqual([15]);
    expect(gradient((v: number[]) => (gradient(inner as unknown as (w: number[]) => number, v), v[1]! * 3), [1, 2])).toEqual([[0, 15]]);
  });

  it('a typed array f made and left in outside data holds numbers afterwards', () => {
    let kept: Float64Array | null = null;
    gradient((v: Float64Array) => {
      kept = v.map((x) => x * 2);
      return kept[0]!;
    }, Float64Array.of(2, 3));
    expect(kept![0]).toBe(4);
    expect(plainTypeOf(kept![1])).toBe('number');
  });

  // (one holding no traced number was handed to the built-in, which refuses the Proxy f has:
  // DataCloneError where plain JavaScript copies it)
  it('structuredClone of a typed array f made that holds only numbers: a copy, as in plain JavaScript', () => {
    scalarChecks((x) => {
      const t = new Float64Array(3);
      t[1] = 2;
      const c = structuredClone(t);
      const inRecord = structuredClone({ t: new Float32Array([0.5, 4]) });
      return c[1]! * x + c[0]! + inRecord.t[1]! * x * x + (c instanceof Float64Array && inRecord.t instanceof Float32Array ? 1 : 0);
    }, 1.5);
  });

  // (the Proxy f had stayed in the caller's data: ArrayBuffer.isView false, structuredClone a
  // DataCloneError, Float64Array.prototype methods refusing it as `this`, and a view of an
  // argument kept its own copy of the numbers: writes through it later missed the argument)
  it('one f made and left in outside data or in an argument is a real typed array afterwards; a view of an argument shares its buffer', () => {
    const isReal = (t: unknown) => ArrayBuffer.isView(t) && structuredClone(t) instanceof Float64Array && Float64Array.prototype.at.call(t as Float64Array, 0) !== undefined;
    const log: Float64Array[] = [];
    const state: { v: Float64Array; out?: Float64Array; tail?: Float64Array } = { v: Float64Array.of(2, 3) };
    const [g] = gradient((s: typeof state) => {
      s.out = new Float64Array([s.v[0]! * 2, 5]);
      s.tail = s.v.subarray(1);
      log.push(Float64Array.from(s.v, (x) => x * x));
      return s.out[0]! * s.tail[0]!;
    }, state);
    expect(g).toEqual({ v: Float64Array.of(6, 4) });
    expect([isReal(state.out), isReal(state.tail), isReal(log[0])]).toEqual([true, true, true]);
    expect([state.out, log[0]]).toEqual([Float64Array.of(4, 5), Float64Array.of(4, 9)]);
    expect(state.tail!.buffer).toBe(state.v.buffer);
    state.tail![0] = 7;
    expect(state.v).toEqual(Float64Array.of(2, 7));
    // (nested: one the inner f made keeps the numbers traced on the enclosing tape until that one ends)
    expect(gradient((x: number) => { const box: { t?: Float64Array } = {}; gradient((y: number) => ((box.t = new Float64Array([x * y, 2])), y), 2); return box.t![0]! * 3; }, 1.5)).toEqual([6]);
    expect(gradient((v: Float64Array) => { const box: { t?: Float64Array } = {}; gradient((w: Float64Array) => ((box.t = w.subarray(1)), w[0]!), v); return box.t![0]! * 3; }, Float64Array.of(1, 2))).toEqual([Float64Array.of(0, 3)]);
  });

  it('another view of the buffer reads plain numbers: said (a warning; strict: an error), not a silent null', () => {
    const viaBuffer = (v: Float64Array) => new Float64Array(v.buffer)[0]! * 5;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // (a Float64Array made in f over it shares the traced elements; the read of `buffer` is
      // still said, as code that was not rewritten could make a plain view of it)
      expect(gradient(viaBuffer, Float64Array.of(1, 2))).toEqual([Float64Array.of(5, 0)]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/reading the buffer of a typed array/));
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(viaBuffer, Float64Array.of(1, 2))).toThrow(/strict.*reading the buffer of a typed array/);
      // (one that f made and filled with plain numbers has nothing to lose)
      expect(gradient((x: number) => { const o = new Float64Array(2); o[1] = 3; return new Float64Array(o.buffer)[1]! * x; }, 2)).toEqual([3]);
      expect(gradient((v: Float64Array) => v.byteLength * v[0]!, Float64Array.of(1, 2))).toEqual([Float64Array.of(16, 0)]);
    } finally {
      configure(previous);
    }
  });

  // (each got a copy: a write through one was not seen through the other, so f computed
  // 2 * 1 where plain JavaScript computes 10 * 1, and nothing was said)
  it('two arguments over overlapping memory of one buffer are refused; apart, or the same array twice, they are followed', () => {
    const buf = new Float64Array([1, 2, 3, 4]);
    const f = (a: Float64Array, b: Float64Array) => ((a[1] = a[1]! * 5), b[0]! * a[0]!);
    expect(() => gradient(f, buf.subarray(0, 2), buf.subarray(1, 3))).toThrow(/arg 1 and arg 0 are typed arrays over the same memory.*\.slice\(\)/s);
    expect(() => gradient((p: { v: Float32Array; w: Float64Array }) => p.v[0]! * p.w[0]!, { v: new Float32Array(buf.buffer, 0, 2), w: buf.subarray(0, 1) })).toThrow(/arg 0 .w and arg 0 .v are typed arrays over the same memory/);
    expect(buf).toEqual(new Float64Array([1, 2, 3, 4]));
    expect(gradient(f, buf.subarray(0, 2), buf.subarray(2, 4))).toEqual([new Float64Array([3, 0]), new Float64Array([1, 0])]);
    const same = buf.subarray(0, 2);
    expect(gradient((a: Float64Array, b: Float64Array) => a[0]! * b[1]!, same, same)).toEqual([new Float64Array([10, 1]), new Float64Array([10, 1])]);
  });

  // (a DataView, an integer typed array or the ArrayBuffer passed beside a Float64Array of the
  // same memory is passed as it is, and read the caller's numbers where f had written the copy:
  // (v, dv) => ((v[0] = v[0] * 2), dv.getFloat64(0, true) * 3) gave 4.5 where it is 9, gradient null)
  it('a view or the buffer of a float typed argument’s memory, passed beside it, is refused; apart, or two plain views, they are followed', () => {
    const t = Float64Array.of(1.5, 2, 4);
    const f = (v: Float64Array, dv: DataView) => ((v[0] = v[0]! * 2), dv.getFloat64(0, true) * 3);
    expect(() => gradient(f, t, new DataView(t.buffer))).toThrow(/arg 1 and arg 0 are over the same memory.*\.slice\(\)/s);
    expect(() => gradient((v: Float64Array, u: Uint8Array) => ((u[7] = 0), v[0]! * 3), t, new Uint8Array(t.buffer))).toThrow(/arg 1 and arg 0 are over the same memory/);
    expect(() => gradient((v: Float64Array, b: ArrayBuffer) => new Float64Array(b)[0]! * v[0]!, t, t.buffer)).toThrow(/arg 1 and arg 0 are over the same memory/);
    expect(() => gradient((o: { v: Float64Array; dv: DataView }) => o.dv.getFloat64(8, true) * o.v[0]!, { dv: new DataView(t.buffer), v: t.subarray(1) })).toThrow(/arg 0 \.v and arg 0 \.dv are over the same memory/);
    expect(Array.from(t)).toEqual([1.5, 2, 4]);
    expect(withgradient((v: Float64Array, dv: DataView) => v[0]! * dv.getFloat64(0, true), t.subarray(0, 1), new DataView(t.buffer, 8))).toEqual({ val: 3, grad: [Float64Array.of(2), null] });
    const b = new ArrayBuffer(8);
    expect(withgradient((x: number, p: Int32Array, q: Int32Array) => ((p[0] = 5), q[0]! * x), 1.5, new Int32Array(b), new Int32Array(b))).toEqual({ val: 7.5, grad: [5, null, null] });
  });

  it('compileGradient runs them uncompiled, with the same gradient', () => {
    const g = compileGradient((v: Float64Array) => v[0]! * v[1]!);
    expect(g(Float64Array.of(2, 3))).toEqual([Float64Array.of(3, 2)]);
  });

  // (a stand-in kept its traced elements beside the buffer: a write through another view of
  // the buffer was not seen, so f read the old traced number where plain JavaScript reads
  // the new one, and a view f made over the same buffer read plain numbers, losing the
  // derivative without a word)
  it('views of one buffer made in f: writes through any view are seen, same-type views share derivatives', () => {
    const throughOther = (x: number) => { const f = new Float64Array(1); const d = new Float64Array(f.buffer); d[0] = x * x; return 2 * f[0]!; };
    scalarChecks(throughOther, 0.7);
    const overwritten = (x: number) => { const f = new Float64Array(1); const d = new Float64Array(f.buffer); f[0] = x; d[0] = 5; return f[0]!; };
    expect(withgradient(overwritten, 0.7)).toEqual({ val: 5, grad: [null] });
    const byDataView = (x: number) => { const f = new Float64Array(1); const dv = new DataView(f.buffer); f[0] = x; dv.setFloat64(0, 5, true); return f[0]!; };
    const byBytes = (x: number) => { const f = new Float64Array(2); const u = new Uint8Array(f.buffer); f[1] = x; u[15] = 0; return f[1]! * x; };
    const previous = configure({ strict: true });
    try {
      expect(withgradient(byDataView, 0.7)).toEqual({ val: 5, grad: [null] });
      const onBuffer = (x: number) => { const b = new ArrayBuffer(24); new Float64Array(b)[2] = x * x; return new Float64Array(b, 8)[1]! * 3; };
      scalarChecks(onBuffer, 0.7);
      // (a Uint8Array over it may read the traced number's bytes, which cannot be watched: said when stored)
      expect(() => gradient(byBytes, 0.7)).toThrow(/strict.*storing it into a Float64Array whose buffer another kind of view/);
    } finally {
      configure(previous);
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      scalarChecks(byBytes, 0.7); // (the byte written is seen: the number is no longer x)
    } finally {
      warn.mockRestore();
    }
  });

  it('a DataView or a view of the other float type that reads a traced number’s bytes is reported, not a silent null', () => {
    const byDataView = (x: number) => { const f = new Float64Array(1); const dv = new DataView(f.buffer); f[0] = x; return dv.getFloat64(0, true) * 2; };
    const byFloat32 = (x: number) => { const f = new Float64Array(1); const g = new Float32Array(f.buffer); f[0] = x; return g[1]! + f[0]!; };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(withgradient(byDataView, 0.7)).toEqual({ val: 1.4, grad: [null] });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/reading its bytes through a DataView \(getFloat64\)/));
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(byDataView, 0.7)).toThrow(/strict.*reading its bytes through a DataView/);
      expect(() => gradient(byFloat32, 0.7)).toThrow(/strict.*reading its bytes through a Float32Array view/);
    } finally {
      configure(previous);
    }
  });

  // (a resizable buffer shrunk and grown again reads 0 in the bytes the shrink cut off; an element
  // that held a traced number whose value was exactly 0 kept its derivative there: [2] where
  // central differences give 1)
  it('a resizable buffer shrunk and grown again: the elements it cut off are the constant 0', () => {
    const cut = (x: number) => { const b = new ArrayBuffer(16, { maxByteLength: 32 }); const v = new Float64Array(b); v[0] = x; v[1] = x - 2; b.resize(8); b.resize(16); return v[1]! + v[0]! * x; };
    const cutInPart = (x: number) => { const b = new ArrayBuffer(16, { maxByteLength: 32 }); const v = new Float64Array(b); v[1] = x - 2; b.resize(12); b.resize(16); return v[1]! + x; };
    const cutFloat32 = (x: number) => { const b = new ArrayBuffer(16, { maxByteLength: 32 }); const v = new Float32Array(b); v[3] = x - 2; b.resize(8); b.resize(16); return v[3]! * 5 + x; };
    const grownOnly = (x: number) => { const b = new ArrayBuffer(16, { maxByteLength: 32 }); const v = new Float64Array(b); v[1] = x - 2; b.resize(32); return v[1]! * 3 + v.length; };
    for (const f of [cut, cutInPart, cutFloat32, grownOnly]) scalarChecks(f, 2);
  });

  // (a write through a DataView or a Float32Array view into part of the bytes a Float64Array f
  // made keeps a traced number in, or any access through an integer view made after it was
  // stored, turned the element into the plain number its bytes make: a null gradient, no word.
  // setUint32 over the low half of x = 1.1 leaves 1.0999999046325684, whose central difference
  // is 1.73)
  it('a write into part of a traced number’s bytes, or an integer view made after it, is reported, not a silent null', () => {
    const byDataView = (x: number) => { const b = new ArrayBuffer(8); const f = new Float64Array(b); f[0] = x; new DataView(b).setUint32(0, 0, true); return f[0]! * 2; };
    const byFloat32 = (x: number) => { const b = new ArrayBuffer(8); const f = new Float64Array(b); f[0] = x; new Float32Array(b)[0] = 0; return f[0]! * 2; };
    const byFloat32Fill = (x: number) => { const b = new ArrayBuffer(8); const f = new Float64Array(b); f[0] = x; new Float32Array(b).fill(1, 1); return f[0]! * 2; };
    const byBytesLater = (x: number) => { const b = new ArrayBuffer(8); const f = new Float64Array(b); f[0] = x; new Uint8Array(b)[0] = 7; return f[0]! * 2; };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (const f of [byDataView, byFloat32, byFloat32Fill, byBytesLater]) {
        warn.mockClear();
        expect(withgradient(f, 1.1).val, f.name).toBe(f(1.1)); // (the number the bytes make, as plain JavaScript reads it)
        expect(warn, f.name).toHaveBeenCalledWith(expect.stringMatching(/overwriting part of its bytes|making a Uint8Array over the buffer/));
      }
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(byDataView, 1.1)).toThrow(/strict.*overwriting part of its bytes through a DataView \(setUint32\)/);
      expect(() => gradient(byFloat32, 1.1)).toThrow(/strict.*overwriting part of its bytes through a Float32Array view/);
      expect(() => gradient(byBytesLater, 1.1)).toThrow(/strict.*making a Uint8Array over the buffer of a typed array holding it/);
      // (a write over the whole element replaces the number: its derivative 0 is right, nothing to say)
      const replaced = (x: number) => { const b = new ArrayBuffer(16); const f = new Float64Array(b); f[0] = x; f[1] = x; new DataView(b).setFloat64(8, 5, true); return f[0]! * f[1]!; };
      expect(withgradient(replaced, 1.1)).toEqual({ val: replaced(1.1), grad: [5] });
      // (also by the number it held: f[0] = x - 1.1 at x = 1.1, then the DataView writes 0 there;
      // the element matched its traced number's bytes and kept derivative 2 where it is 0)
      const sameNumber = (x: number) => { const b = new ArrayBuffer(8); const f = new Float64Array(b); f[0] = x - 1.1; new DataView(b).setFloat64(0, 0, true); return f[0]! * 2 + x; };
      expect(withgradient(sameNumber, 1.1)).toEqual({ val: sameNumber(1.1), grad: [1] });
      const sameBytes = (x: number) => { const b = new ArrayBuffer(8); const f = new Float32Array(b); f[0] = x - 1.1; f[1] = 3; new Float64Array(b)[0] = new Float64Array(b.slice(0))[0]!; return f[0]! * 2 + x; };
      expect(withgradient(sameBytes, 1.1)).toEqual({ val: sameBytes(1.1), grad: [1] });
    } finally {
      configure(previous);
    }
  });

  it('an argument’s buffer written through another view: f computes what plain JavaScript does', () => {
    const f = (v: Float64Array) => { const w = new Float64Array(v.buffer); w[0] = w[0]! * 2; return v[0]! * 3; };
    const bytes = (v: Float64Array) => { new Uint8Array(v.buffer).fill(0, 8); return v[0]! * 3 + v[1]!; };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const x = Float64Array.of(0.7);
      expect(withgradient(f, x).val).toBe(f(Float64Array.of(0.7)));
      expect(x).toEqual(Float64Array.of(1.4)); // (written back, as plain JavaScript writes)
      const y = Float64Array.of(0.7, 2);
      expect(withgradient(bytes, y).val).toBe(bytes(Float64Array.of(0.7, 2)));
      expect(y).toEqual(Float64Array.of(0.7, 0));
    } finally {
      warn.mockRestore();
    }
  });

  // (`a[0] = x * 10` into an Int32Array f made was refused as a lost derivative)
  it('an integer typed array stores the converted number: a step function, derivative 0', () => {
    const previous = configure({ strict: true });
    try {
      for (const Kind of [Int32Array, Uint8Array, Uint8ClampedArray]) {
        const f = (x: number) => { const a = new Kind(1); a[0] = x * 10; return a[0]! * 1.5 + x; };
        scalarChecks(f, 30.77);
        // (and through its methods and constructor, which were refused as losing a derivative)
        const g = (x: number) => {
          const a = new Kind(4);
          a.set([x * 10, x * 3]);
          a.fill(x * 7, 2);
          return a[0]! + a[1]! * 2 + a.map((v) => v + x * 4)[2]! + new Kind([x * 5])[0]! * 3 + x;
        };
        scalarChecks(g, 30.77);
      }
      const viaDataView = (x: number) => {
        const view = new DataView(new ArrayBuffer(8));
        view.setInt32(0, x * 10);
        view.setUint16(4, x * 101);
        return view.getInt32(0) + view.getUint16(4) * 2 + x;
      };
      scalarChecks(viaDataView, 30.77);
    } finally {
      configure(previous);
    }
  });
});

// Browsers have Float16Array (Chromium 135, Firefox 129, Safari 18.2); Node 20 has not, so
// here a Uint16Array subclass stands for it (the refusal goes by the global's class). The real
// one, in Chromium, is checked in spec/playground/playground.e2e.ts.
describe('a Float16Array argument', () => {
  it('is refused with the way out, where its gradient was null without a word', () => {
    const g = globalThis as { Float16Array?: unknown };
    const had = 'Float16Array' in g;
    const saved = g.Float16Array;
    class Float16Array extends Uint16Array {}
    if (!had) g.Float16Array = Float16Array;
    try {
      const F16 = g.Float16Array as new (xs: number[]) => ArrayLike<number>;
      // (its gradient is [3, 2]: a[0] * a[1] at [2, 3])
      expect(() => gradient((a: ArrayLike<number>) => a[0]! * a[1]!, new F16([2, 3]))).toThrow(/arg 0 is a Float16Array.*new Float32Array\(a\)/);
      expect(() => gradient((p: { w: ArrayLike<number> }) => p.w[0]!, { w: new F16([2]) })).toThrow(/\.w is a Float16Array/);
      // (an integer typed array stays as it is, its gradient null: a step's derivative)
      expect(gradient((a: Uint16Array) => a[0]! * 2, new Uint16Array([2]))).toEqual([null]);
    } finally {
      if (!had) delete g.Float16Array;
      else g.Float16Array = saved;
    }
  });
});
