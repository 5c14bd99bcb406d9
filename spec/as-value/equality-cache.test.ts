// A cache keyed by value: `if (theta !== cachedTheta) { … }` filled by a plain call hits while
// differentiating, and f returns the stored plain value. The gradient was null (jvp's 0) with no
// word, where central differences give the derivative. An equality with a stored number that held
// is now said when f's result does not depend on that traced number; an equality with a number
// written in the source (`x === 0` in sinc) is a branch, and says nothing.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { compileGradient, derivative, gradient, isderiving, jacobian, jvp } from 'zygote-ts';

const expensive = (t: number) => Math.sin(t) * t;
const said = (warn: MockInstance, what = 'to a number it had stored') => warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(what));

describe('an equality with a stored number, then a result that does not depend on x', () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  it('a cache of the last argument (!==), a memo table searched with === or indexOf, a record: said, naming the line', () => {
    let cachedTheta = NaN;
    let cachedValue = 0;
    const loss = (theta: number) => {
      if (theta !== cachedTheta) {
        cachedValue = expensive(theta);
        cachedTheta = theta;
      }
      return cachedValue;
    };
    loss(2);
    expect(gradient(loss, 2)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
    expect(said(warn)[0]).toMatch(/\(2, a constant to this differentiation\) at .*equality-cache\.test\.ts:\d+/);
    expect(said(warn)[0]).toMatch(/cache keyed by value/);

    const keys = [1, 2];
    const values = [expensive(1), expensive(2)];
    const memo = (t: number) => {
      for (let i = 0; i < keys.length; i++) if (keys[i] === t) return values[i]!;
      return expensive(t);
    };
    expect(gradient(memo, 2)).toEqual([null]);
    const memoByIndex = (t: number) => {
      const i = keys.indexOf(t);
      return i >= 0 ? values[i]! : expensive(t);
    };
    expect(gradient(memoByIndex, 2)).toEqual([null]);
    const last = { t: 3, v: expensive(3) };
    const held = (t: number) => (t == last.t ? last.v : expensive(t));
    expect(jvp(held, [3], [1])).toEqual([expensive(3), 0]);
    expect(said(warn)).toHaveLength(4);
  });

  it('compileGradient and jacobian say it too', () => {
    let at = 2;
    let value = expensive(2);
    const compiled = compileGradient((t: number) => (t === at ? value : ((at = t), (value = expensive(t)))));
    expect(compiled(2)).toEqual([null]);
    const pair = (p: number[]) => [p[0] === at ? value : expensive(p[0]!), p[1]!];
    expect(jacobian(pair, [2, 5])).toEqual([[[0, 0], [0, 1]]]);
    expect(said(warn)).toHaveLength(2);
  });

  // (the outer level fills the cache with its traced x; the inner derivative hits it: 12 where it is 24)
  it('a cache the enclosing differentiation filled, hit by an inner derivative', () => {
    let cachedAt = NaN;
    let cachedCube = 0;
    const cube = (t: number) => {
      if (t !== cachedAt) {
        cachedCube = t * t * t;
        cachedAt = t;
      }
      return cachedCube;
    };
    expect(gradient((x: number) => cube(x) + derivative(cube, x), 2)).toEqual([12]);
    expect(said(warn)).toHaveLength(1);
  });

  // (a cache keyed by the object: the stand-in compares as the caller's object, and f returned
  // the plain value a plain call stored: [null] with no word, where it is { x: 3, y: 2 })
  it('a cache keyed by an argument object (p === lastP), eager and compiled', () => {
    let lastP: { x: number; y: number } | null = null;
    let lastR = 0;
    const area = (p: { x: number; y: number }) => {
      if (p === lastP) return lastR;
      lastP = p;
      lastR = p.x * p.y;
      return lastR;
    };
    const rect = { x: 2, y: 3 };
    area(rect);
    expect(gradient(area, rect)).toEqual([null]);
    expect(said(warn, 'identical')).toHaveLength(1);
    expect(said(warn, 'identical')[0]).toMatch(/to the caller's object it had stored at .*equality-cache\.test\.ts:\d+/);
    const compiledArea = (p: { x: number; y: number }) => (p === lastP ? lastR : p.x * p.y);
    expect(compileGradient(compiledArea)(rect)).toEqual([null]);
    expect(said(warn, 'identical')).toHaveLength(2);
    // (an object compared by identity where the result still depends on it says nothing)
    expect(gradient((p: { x: number; y: number }) => (p === lastP ? 2 * p.x : p.y), rect)).toEqual([{ x: 2, y: null }]);
    expect(said(warn, 'identical')).toHaveLength(2);
  });

  it('Object.is as the cache test, by number or by object', () => {
    let lastT = NaN;
    let lastV = 0;
    const square = (t: number) => (Object.is(t, lastT) ? lastV : ((lastT = t), (lastV = t * t)));
    square(3);
    expect(gradient(square, 3)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
    let lastP: number[] | null = null;
    let lastR = 0;
    const product = (p: number[]) => (Object.is(p, lastP) ? lastR : ((lastP = p), (lastR = p[0]! * p[1]!)));
    const xy = [2, 3];
    product(xy);
    expect(gradient(product, xy)).toEqual([null]);
    expect(said(warn, 'identical')).toHaveLength(1);
    // (Object.is(x, -0) and Object.is(x, NaN), its uses with a constant, say nothing)
    expect(gradient((x: number) => (Object.is(x, -0) ? 1 : x), -0)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
  });

  it('a memo whose keys are kept in a Float64Array, searched with === or indexOf: said', () => {
    // (keys.indexOf(t) of a Float64Array hit while differentiating: [null] with no word, where it is 2t + 3)
    const keys = new Float64Array(8);
    const values = new Float64Array(8);
    let n = 0;
    const memo = (t: number, hit: (t: number) => number) => {
      const k = hit(t);
      if (k >= 0 && k < n) return values[k]!;
      const v = t * t + 3 * t;
      if (!isderiving()) {
        keys[n] = t;
        values[n++] = v;
      }
      return v;
    };
    const byEquality = (t: number) => memo(t, (t) => {
      for (let k = 0; k < n; k++) if (keys[k] === t) return k;
      return -1;
    });
    const byIndexOf = (t: number) => memo(t, (t) => keys.indexOf(t));
    const byLastIndexOf = (t: number) => memo(t, (t) => keys.lastIndexOf(t));
    byEquality(2);
    expect(gradient(byEquality, 2)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
    expect(gradient(byIndexOf, 2)).toEqual([null]);
    expect(said(warn)).toHaveLength(2);
    expect(gradient(byLastIndexOf, 2)).toEqual([null]);
    expect(said(warn)).toHaveLength(3);
    // (a miss follows t: no word)
    expect(gradient(byIndexOf, 1.5)).toEqual([6]);
    expect(said(warn)).toHaveLength(3);
  });

  it('Object.is as the cache test with a stored 0 (not a 0 or -0 written in the source)', () => {
    // (the cache filled at t = 0, hit while differentiating there: [null] with no word, where it is 3)
    let lastT = NaN;
    let lastV = 0;
    const cached = (t: number) => (Object.is(t, lastT) ? lastV : ((lastT = t), (lastV = t * t + 3 * t)));
    cached(0);
    expect(gradient(cached, 0)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
    expect(said(warn)[0]).toMatch(/stored \(0, /);
    // (Object.is(x, 0) and Object.is(x, -0) at 0, the uses it is written for, say nothing)
    expect(gradient((x: number) => (Object.is(x, 0) ? 1 : x), 0)).toEqual([null]);
    expect(gradient((x: number) => (Object.is(x, -0) ? 1 : 2 * x), 0)).toEqual([2]);
    expect(said(warn)).toHaveLength(1);
  });

  // (`const is = Object.is`: the runtime's Object.is read as a value noted no equality at 0, [null] with no word where it is 3;
  // `const { is } = Object` was the built-in, comparing a traced 2 by identity: 1 where it is 10)
  it('Object.is bound once to a name (const is = Object.is, const { is } = Object, const O = Object) as the cache test with a stored 0', () => {
    const is = Object.is;
    const { is: isTaken } = Object;
    const O = Object;
    let lastT = [NaN, NaN, NaN];
    const lastV = [0, 0, 0];
    const byAlias = (t: number) => (is(t, lastT[0]) ? lastV[0]! : ((lastT[0] = t), (lastV[0] = t * t + 3 * t)));
    const byTaken = (t: number) => (isTaken(t, lastT[1]) ? lastV[1]! : ((lastT[1] = t), (lastV[1] = t * t + 3 * t)));
    const byObjectAlias = (t: number) => (O.is(t, lastT[2]) ? lastV[2]! : ((lastT[2] = t), (lastV[2] = t * t + 3 * t)));
    for (const cached of [byAlias, byTaken, byObjectAlias]) cached(0);
    expect([gradient(byAlias, 0), gradient(byTaken, 0), gradient(byObjectAlias, 0)]).toEqual([[null], [null], [null]]);
    expect(said(warn)).toHaveLength(3);
    expect(said(warn)[0]).toMatch(/stored \(0, /);
    lastT = [NaN, NaN, NaN];
    expect([gradient(byAlias, 0), gradient(byTaken, 0), gradient(byObjectAlias, 0)]).toEqual([[3], [3], [3]]);
    warn.mockClear();
    // (by value, as the plain run compares: is(2, 2))
    expect(gradient((x: number) => (isTaken(x, 2) ? 10 * x : x), 2)).toEqual([10]);
    expect(gradient((x: number) => (is(x, 2) ? 10 * x : x), 2)).toEqual([10]);
    // (a 0 or -0 written in the source is a test for it, and says nothing)
    expect(gradient((x: number) => (is(x, -0) ? 1 : 2 * x), 0)).toEqual([2]);
    expect(gradient((x: number) => (isTaken(x, 0) ? 1 : x), 0)).toEqual([null]);
    expect(said(warn)).toHaveLength(0);
    expect([is(0, -0), isTaken(NaN, NaN), O.is(2, 2)]).toEqual([false, true, true]);
  });

  // (a `case` compared the discriminant's number with no note: [null] with no word, where it is 3)
  it('a cache tested by switch (case cachedT:), and no word for cases written as constants', () => {
    let cachedT = NaN;
    let cachedV = 0;
    const cached = (t: number) => {
      switch (t) {
        case cachedT:
          return cachedV;
        default:
          cachedT = t;
          return (cachedV = t * t);
      }
    };
    cached(1.5);
    expect(gradient(cached, 1.5)).toEqual([null]);
    expect(said(warn)).toHaveLength(1);
    expect(said(warn)[0]).toMatch(/\(1\.5, a constant to this differentiation\) at .*equality-cache\.test\.ts:\d+/);
    const two = 2;
    const branches = (x: number) => {
      switch (x) {
        case 1:
        case -1:
          return 0;
        case two:
          return 3 * x;
      }
      switch (true) {
        case x > 0:
          return x * x;
      }
      return x;
    };
    expect(gradient(branches, 1)).toEqual([null]);
    expect(gradient(branches, -1)).toEqual([null]);
    expect(gradient(branches, 2)).toEqual([3]);
    expect(gradient(branches, 3)).toEqual([6]);
    // (the discriminant is read once, the cases in order until one matches)
    const read: string[] = [];
    const at = (name: string, v: number) => (read.push(name), v);
    const once = (x: number) => {
      switch (at('d', x)) {
        case at('a', 1):
          return 0;
        case at('b', two):
          return 5 * x;
        case at('c', 3):
          return 0;
      }
      return 0;
    };
    expect(gradient(once, 2)).toEqual([5]);
    expect(read).toEqual(['d', 'a', 'b']);
    expect(said(warn)).toHaveLength(1);
  });

  it('no word for a branch on a number written in the source, a result that depends on x, or a bypassed cache', () => {
    expect(gradient((x: number) => (x === 0 ? 1 : Math.sin(x) / x), 0)).toEqual([null]);
    expect(gradient((x: number) => (x == 1 ? 0 : x * x), 1)).toEqual([null]);
    const lo = 1;
    expect(gradient((x: number) => (x === lo ? 3 * x : x * x), 1)).toEqual([3]);
    let cachedTheta = NaN;
    let cachedValue = 0;
    const bypassed = (theta: number) => {
      if (isderiving() || theta !== cachedTheta) {
        cachedValue = expensive(theta);
        cachedTheta = theta;
      }
      return cachedValue;
    };
    bypassed(2);
    expect(gradient(bypassed, 2)[0]).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 12);
    expect(gradient((x: number) => { const y = x; return y === x ? 2 * x : 0; }, 3)).toEqual([2]);
    // (a rounded key's derivative is 0: a hit on it loses nothing)
    const table = [10, 20, 30];
    expect(gradient((x: number) => table[[1, 2, 3].indexOf(Math.round(x))]!, 2.2)).toEqual([null]);
    const third = 3;
    expect(gradient((x: number) => (Math.floor(x) === third ? 1 : 0), 3.5)).toEqual([null]);
    // (a table written in f, searched with includes, is a branch)
    expect(gradient((x: number) => ([0, 1].includes(x) ? 0 : x * x), 1)).toEqual([null]);
    expect(said(warn)).toEqual([]);
    expect(said(warn, 'identical')).toEqual([]);
  });
});
