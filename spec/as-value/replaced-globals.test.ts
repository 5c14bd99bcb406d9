// A program (a test's spy, a polyfill, a wrapper) may replace a built-in that rewritten code
// calls through the runtime (`JSON.parse`, `isNaN`, `Number.isFinite`, `Object.is`,
// `structuredClone`, …: rules/as-installed.ts). Rewritten code must then call the replacement,
// on traced numbers too, as plain code does; and a replacement that was not rewritten (a
// test framework's spy, which calls the built-in it saved) must not lose a derivative.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileGradient, gradient } from 'zygote-ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a replaced built-in, on traced numbers', () => {
  const keeping = (owner: object, key: string, body: () => void) => {
    const saved = Object.getOwnPropertyDescriptor(owner, key)!;
    try {
      body();
    } finally {
      Object.defineProperty(owner, key, saved);
    }
  };

  it('is what the code calls: its answer, not the built-in\'s', () => {
    keeping(JSON, 'parse', () => {
      JSON.parse = () => [5];
      // (the built-in's round trip read x back: 2x)
      expect(gradient((x: number) => JSON.parse(JSON.stringify([x]))[0] * x, 3)).toEqual([5]);
    });
    keeping(Number, 'isFinite', () => {
      Number.isFinite = () => false;
      expect(gradient((x: number) => (Number.isFinite(x) ? x : 2 * x), 3)).toEqual([2]);
    });
    keeping(Number, 'parseFloat', () => {
      // (Number.parseFloat is parseFloat: the runtime answered for one with the other)
      (globalThis as { parseFloat: unknown }).parseFloat = () => 0;
      try {
        expect(gradient((x: number) => Number.parseFloat(x.toFixed(20)) * x, 1.5)[0]).toBeCloseTo(3, 12);
      } finally {
        globalThis.parseFloat = Number.parseFloat;
      }
    });
  });

  it('a spy that calls the built-in is called, and the derivative is kept', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(gradient((x: number) => JSON.parse(JSON.stringify({ a: [x, 2] })).a[0] * x, 3)).toEqual([6]);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parse).toHaveBeenCalledWith('{"a":[3,2]}');
    expect(stringify).toHaveBeenCalledTimes(1);

    const finite = vi.spyOn(Number, 'isFinite');
    const nan = vi.spyOn(globalThis, 'isNaN');
    const is = vi.spyOn(Object, 'is');
    // (the built-in the spy calls was given the traced number: Number.isFinite said false, silently)
    const g = gradient((x: number) => (Number.isFinite(x) && !isNaN(x) && Object.is(x, 3) ? x * x : 0), 3);
    const calls = [finite.mock.calls, nan.mock.calls, is.mock.calls].map((c) => c.map((args) => [...args]));
    vi.restoreAllMocks(); // (expect itself calls Object.is)
    expect(g).toEqual([6]);
    expect(calls).toEqual([[[3]], [[3]], [[3, 3]]]);

    const parseFloatSpy = vi.spyOn(globalThis, 'parseFloat');
    expect(gradient((x: number) => parseFloat(String(x)) * x, 1.5)).toEqual([3]);
    expect(parseFloatSpy).toHaveBeenCalledWith('1.5');

    // (the built-in Reflect.apply the spy calls compared the traced number by identity; ArrayBuffer.isView did not see f's typed array, a Proxy)
    vi.spyOn(Reflect, 'apply');
    const searched = gradient((x: number) => (Reflect.apply(Array.prototype.includes, [1, 3], [x]) ? x * x : 0), 3);
    vi.spyOn(ArrayBuffer, 'isView');
    const viewed = gradient((v: Float64Array) => (ArrayBuffer.isView(v) ? v[0]! * 2 : 0), new Float64Array([3]));
    vi.restoreAllMocks();
    expect([searched, viewed]).toEqual([[6], [new Float64Array([2])]]);

    const clone = vi.spyOn(globalThis, 'structuredClone');
    expect(gradient((x: number) => structuredClone({ a: x }).a * x, 3)).toEqual([6]);
    expect(clone).toHaveBeenCalledTimes(1);
  });

  it('a spy given the numbers pins a compiled gradient\'s path to them, as the answer may depend on them', () => {
    vi.spyOn(Number, 'isInteger');
    vi.spyOn(Object, 'is');
    const f = (x: number) => (Number.isInteger(x) || Object.is(x, 0.5) ? x * x : x);
    const compiled = compileGradient(f); // (records at its first call, 2.5)
    // (given the recorded 2.5 unpinned, the compiled path answered 1 at 3 and at 0.5)
    expect([compiled(2.5), compiled(3), compiled(0.5)]).toEqual([[1], [6], [1]]);
  });

  // (Array.prototype.includes was read at the call for the built-in, so a replacement there was skipped;
  // a wrapper of Map.prototype.get that calls the saved built-in was given the traced number, and missed the entry)
  it('a program\'s own search method on a built-in\'s prototype is called, and finds by value what the built-in it wraps holds', () => {
    const includes = vi.spyOn(Array.prototype, 'includes');
    const g = gradient((x: number) => ([1, 2, 3].includes(x) ? x * x : 0), 3);
    const calls = includes.mock.calls.length;
    vi.restoreAllMocks();
    expect([g, calls]).toEqual([[6], 1]);

    const saved = { get: Map.prototype.get, add: Set.prototype.add };
    let wrapped = 0;
    Map.prototype.get = function <K, V>(this: Map<K, V>, key: K): V | undefined {
      if (key === 3) wrapped++; // (the runtime's own Maps are read through it too)
      return saved.get.call(this, key) as V | undefined;
    };
    Set.prototype.add = function <T>(this: Set<T>, value: T): Set<T> {
      return saved.add.call(this, value) as Set<T>;
    };
    const table = new Map([[3, 10]]);
    try {
      expect(gradient((x: number) => (table.get(x) ?? 0) * x, 3)).toEqual([10]);
      expect(wrapped).toBe(1);
      expect(gradient((x: number) => { const seen = new Set<number>(); seen.add(x); return seen.has(3) ? x * x : 0; }, 3)).toEqual([6]);
    } finally {
      Map.prototype.get = saved.get;
      Set.prototype.add = saved.add;
    }
  });
});
