// Nested differentiation through write-back: an inner differentiation writes f's changes
// back into an object of an enclosing level, with values traced on the levels in between.
import { describe, expect, it } from 'vitest';
import { gradient, jvp } from 'zygote-ts';

type Cell = { v: number };

describe('a write-back across a middle differentiation', () => {
  it('keeps the outer derivative of what the innermost gradient wrote into the outer object', () => {
    // o.v = a · b with b = a: d/da a² = 2a (was null: the middle left its own traced value in o)
    const outer = (a: number) => {
      const o: Cell = { v: a };
      gradient((b: number) => {
        gradient((p: Cell) => {
          p.v = p.v * b;
          return p.v;
        }, o);
        return b;
      }, a);
      return o.v;
    };
    expect(gradient(outer, 1.5)).toEqual([3]);
    expect(jvp(outer, [1.5], [1])[1]).toBe(3);
  });

  it('also for a middle jvp, an array, a Map, and four levels', () => {
    const viaJvp = (a: number) => {
      const o: Cell = { v: a };
      jvp((b: number) => {
        gradient((p: Cell) => {
          p.v = p.v * b;
          return p.v;
        }, o);
        return b;
      }, [a], [1]);
      return o.v;
    };
    expect(gradient(viaJvp, 1.5)).toEqual([3]);
    const viaArray = (a: number) => {
      const xs = [a];
      gradient((b: number) => {
        gradient((p: number[]) => {
          p[0] = p[0]! * b;
          return 0;
        }, xs);
        return b;
      }, a);
      return xs[0]!;
    };
    expect(gradient(viaArray, 1.5)).toEqual([3]);
    const viaMap = (a: number) => {
      const m = new Map([['k', a]]);
      gradient((b: number) => {
        gradient((n: Map<string, number>) => {
          n.set('k', n.get('k')! * b);
          return 0;
        }, m);
        return b;
      }, a);
      return m.get('k')!;
    };
    expect(gradient(viaMap, 1.5)).toEqual([3]);
    const fourLevels = (a: number) => {
      const o: Cell = { v: a };
      gradient((c: number) => {
        gradient((b: number) => {
          gradient((p: Cell) => {
            p.v = p.v * b;
            return p.v;
          }, o);
          return b;
        }, c);
        return c;
      }, a);
      return o.v;
    };
    expect(gradient(fourLevels, 1.5)).toEqual([3]);
  });

  it("leaves the caller's object holding a number", () => {
    const o: Cell = { v: 2 };
    expect(
      gradient((a: number) => {
        gradient((b: number) => {
          gradient((p: Cell) => {
            p.v = p.v * b;
            return p.v;
          }, o);
          return b;
        }, a);
        return o.v * a;
      }, 1.5),
    ).toEqual([6]); // o.v = 2a, so d/da 2a² = 4a
    expect(o.v).toBe(3);
    expect(JSON.stringify(structuredClone(o))).toBe('{"v":3}');
  });

  it("leaves the caller's object holding a number after two levels (it kept the outer's traced value)", () => {
    const o: Cell = { v: 2 };
    gradient((a: number) => {
      gradient((p: Cell) => {
        p.v = p.v * a;
        return 0;
      }, o);
      return o.v * a;
    }, 1.5);
    expect(() => structuredClone(o)).not.toThrow();
    expect(structuredClone(o)).toEqual({ v: 3 });
  });
});
