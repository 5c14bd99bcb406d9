// Nested differentiation through write-back: an inner differentiation writes f's changes
// back into an object of an enclosing level, with values traced on the levels in between.
import { describe, expect, it } from 'vitest';
import { gradient, jvp } from 'zygote-ts';

type Cell = { v: number };
type Middle = (f: (b: number) => number, b: number) => unknown;

const middleGradient: Middle = (f, b) => gradient(f, b);
const middleJvp: Middle = (f, b) => jvp(f, [b], [1]);

/**
 * d/da of what `data` holds after a middle differentiation over b = a runs an innermost
 * gradient that multiplies the number in `data` (its argument) by b: `read(data)` is a·b = a².
 */
function throughMiddle<D>(make: (a: number) => D, scale: (d: D, b: number) => void, read: (d: D) => number, middle: Middle = middleGradient) {
  return (a: number) => {
    const data = make(a);
    middle((b: number) => {
      gradient((d: D) => (scale(d, b), 0), data);
      return b;
    }, a);
    return read(data);
  };
}

const cell = throughMiddle(
  (a): Cell => ({ v: a }),
  (p, b) => (p.v = p.v * b),
  (p) => p.v,
);

describe('a write-back across a middle differentiation', () => {
  it('keeps the outer derivative of what the innermost gradient wrote into the outer object', () => {
    // o.v = a · b with b = a: d/da a² = 2a (was null: the middle left its own traced value in o)
    expect(gradient(cell, 1.5)).toEqual([3]);
    expect(jvp(cell, [1.5], [1])[1]).toBe(3);
  });

  it('also for a middle jvp, an array, a Map, and four levels', () => {
    const viaJvp = throughMiddle((a): Cell => ({ v: a }), (p, b) => (p.v = p.v * b), (p) => p.v, middleJvp);
    expect(gradient(viaJvp, 1.5)).toEqual([3]);
    const viaArray = throughMiddle((a) => [a], (xs, b) => (xs[0] = xs[0]! * b), (xs) => xs[0]!);
    expect(gradient(viaArray, 1.5)).toEqual([3]);
    const viaMap = throughMiddle((a) => new Map([['k', a]]), (m, b) => m.set('k', m.get('k')! * b), (m) => m.get('k')!);
    expect(gradient(viaMap, 1.5)).toEqual([3]);
    // (outer a → c → b → the innermost gradient)
    const twoMiddles: Middle = (f, b) => gradient((c: number) => (middleGradient(f, c), c), b);
    const fourLevels = throughMiddle((a): Cell => ({ v: a }), (p, b) => (p.v = p.v * b), (p) => p.v, twoMiddles);
    expect(gradient(fourLevels, 1.5)).toEqual([3]);
  });

  it("leaves the caller's object holding a number", () => {
    const o: Cell = { v: 2 };
    const f = throughMiddle((_a: number) => o, (p, b) => (p.v = p.v * b), (p) => p.v);
    expect(gradient((a: number) => f(a) * a, 1.5)).toEqual([6]); // o.v = 2a, so d/da 2a² = 4a
    expect(structuredClone(o)).toEqual({ v: 3 });
  });

  it("leaves the caller's object holding a number after two levels (it kept the outer's traced value)", () => {
    const o: Cell = { v: 2 };
    gradient((a: number) => {
      gradient((p: Cell) => ((p.v = p.v * a), 0), o);
      return o.v * a;
    }, 1.5);
    expect(() => structuredClone(o)).not.toThrow();
    expect(structuredClone(o)).toEqual({ v: 3 });
  });
});

// (the rewrite handed the runtime a member's writer alone: the write-back made it holding the
// enclosing level's traced number, which no clean-up saw, so the caller's box kept it, and
// across a middle level the outermost derivative through it was null)
describe('a #private member an inner gradient writes on an object of an enclosing one', () => {
  class Box {
    #v: number;
    constructor(v: number) {
      this.#v = v;
    }
    get v(): number {
      return this.#v;
    }
    scale(b: number): void {
      this.#v = this.#v * b;
    }
  }

  it("leaves the caller's object holding a number", () => {
    const box = new Box(3);
    const g = gradient((a: number) => {
      gradient((q: Box) => (q.scale(a), 0), box);
      return box.v * a;
    }, 2);
    expect(g).toEqual([12]); // box.v = 3a: d/da 3a² = 6a
    expect(box.v).toBe(6);
  });

  it('keeps the outer derivative across a middle differentiation', () => {
    const box = new Box(3);
    const through = throughMiddle((_a: number) => box, (q, b) => q.scale(b), (q) => q.v);
    expect(gradient(through, 2)).toEqual([3]); // box.v = 3b with b = a
    expect(box.v).toBe(6);
    const viaJvp = throughMiddle((_a: number) => new Box(3), (q, b) => q.scale(b), (q) => q.v, middleJvp);
    expect(gradient(viaJvp, 2)).toEqual([3]);
  });
});
