// Loops reroll while f is recorded (lib/compile/reroll.ts): copies of a body that differ only
// in data — constants, the outcome of a guard with the same code either way, which operand a
// Math.max picks — fold into one loop with tables; copies whose code differs end a loop.
// Each compiled gradient equals the eager one.
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient } from 'zygote-ts';

const close = (a: unknown, b: unknown): void => {
  if (typeof b === 'number') {
    if (Number.isNaN(b)) return void expect(Number.isNaN(a as number)).toBe(true);
    expect(Object.is(a, b) || Math.abs((a as number) - b) <= 1e-12 * (1 + Math.abs(b))).toBe(true);
    return;
  }
  if (b === null) return void expect(a).toBeNull();
  for (const k of Object.keys(b as object)) close((a as any)[k], (b as any)[k]);
};
const loops = (source: string) => source.match(/for \(let t = 0;/g)?.length ?? 0;

describe('copies that differ in data fold into one loop', () => {
  it('constants that change from copy to copy go to a table', () => {
    const c = Array.from({ length: 500 }, (_, i) => Math.cos(i) * 3);
    const f = (x: number) => c.reduce((s, ci) => s + Math.sin(x * ci) * ci, 0);
    const g = compileGradient(f);
    for (const x of [0.3, 1.1]) close(g(x), gradient(f, x));
    expect(loops(g.source)).toBe(2); // forward and reverse
    expect(g.source).toMatch(/D\d+\[t\]/);
  });

  it('a constant that is exactly 1 (or -1) in some copies does not break the loop', () => {
    const signs = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? -1 : 0.5));
    const f = (x: number) => signs.reduce((s, w) => s + w * x * x, 0);
    const g = compileGradient(f);
    close(g(0.7), gradient(f, 0.7));
    close(g(-2), gradient(f, -2));
    expect(loops(g.source)).toBe(2);
  });

  it('a guard whose outcome changes from copy to copy, the code the same: its outcomes are a table, and another pattern records again', () => {
    const f = (v: number[]) => {
      let s = 0;
      let positive = 0;
      for (const x of v) {
        if (x > 0) positive++;
        s += x * x;
      }
      return s * (1 + positive);
    };
    const v = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.3));
    const g = compileGradient(f);
    close(g(v), gradient(f, v));
    close(g(v.map((x) => x * 2)), gradient(f, v.map((x) => x * 2)));
    expect(g.recordings).toBe(1);
    expect(loops(g.source)).toBeLessThanOrEqual(3);
    const flipped = v.map((x, i) => (i === 17 ? -x : x));
    close(g(flipped), gradient(f, flipped)); // (a guard of the table fails: a new path)
    expect(g.recordings).toBe(2);
  });

  it('Math.max and Math.min pick without a guard, as Math.max does: NaN, ties, ±0', () => {
    const f = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.max(x, b[i]!) * 2 + Math.min(x * 3, b[i]!), 0);
    const a = [1, 2, NaN, 0, -0, 5, 3, 3, 1, 2, 4, 0];
    const b = [2, 1, 1, -0, 0, NaN, 3, -1, 1, 2, 0, 0];
    const g = compileGradient(f);
    close(g(a, b), gradient(f, a, b));
    const c = a.map((x) => -x);
    close(g(c, b), gradient(f, c, b));
    expect(g.recordings).toBe(1);
  });

  it('copies whose code differs end the loop, and one starts again after them', () => {
    const f = (v: number[]) => v.reduce((s, x, i) => s + (i % 50 === 25 ? Math.exp(x) : x * x * 0.5), 0);
    const v = Array.from({ length: 400 }, (_, i) => Math.cos(i));
    const g = compileGradient(f);
    close(g(v), gradient(f, v));
    close(g(v.map((x) => x + 1)), gradient(f, v.map((x) => x + 1)));
    expect(loops(g.source)).toBeGreaterThan(2);
    expect(g.source.length).toBeLessThan(30_000);
  });

  it('a loop reading the copies of an earlier loop, in reverse', () => {
    const f = (v: number[]) => {
      const w = v.map((x) => Math.tanh(x) * 2);
      let s = 0;
      for (let i = w.length - 1; i >= 0; i--) s = s * 0.9 + w[i]! * v[i]!;
      return s;
    };
    const v = Array.from({ length: 300 }, (_, i) => Math.sin(i) * 2);
    const g = compileGradient(f);
    close(g(v), gradient(f, v));
    close(g(v.map((x) => -x)), gradient(f, v.map((x) => -x)));
    expect(g.source.length).toBeLessThan(10_000);
  });
});

describe('a function of three or more numbers (Math.hypot(x, y, z))', () => {
  // Taken two at a time, hypot rounds more than once: the compiled value was one bit off the
  // eager gradient's (the structures fuzzer, seed 101). It is one call of them all now.
  it("has Math.hypot's value, bit for bit", () => {
    // (∂/∂v[0] is the hypot itself, one contribution: no order of summation to differ in)
    const f = (v: number[]) => v[0]! * Math.hypot(v[1]!, v[2]!, v[3]!) + Math.hypot(v[1]!, v[2]!, v[3]!, v[4]!, v[5]!);
    const g = compileGradient(f);
    for (const v of [[1, 0.1, 0.1, 0.1, 0.2, 0.3], [2, 3, -4, 12, 1e-3, 7], [1, 0.1, 0.1, 0.1, 0.2, 0.3]]) {
      const [compiled] = g(v);
      const [eager] = gradient(f, v);
      expect(compiled![0]).toBe(Math.hypot(v[1]!, v[2]!, v[3]!));
      expect(compiled).toEqual(eager);
    }
    expect(g.fallback).toBeNull();
  });

  it('in a loop, which still rerolls', () => {
    const points = Array.from({ length: 120 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), 0.1 * i] as const);
    const f = (s: number) => {
      let total = 0;
      for (const [x, y, z] of points) total += Math.hypot(s * x, y + s, z, 0.1);
      return total;
    };
    const g = compileGradient(f);
    for (const s of [0.1, 1.7, 0.1]) close(g(s), gradient(f, s));
    expect(g.fallback).toBeNull();
    expect(loops(g.source)).toBe(2); // forward and reverse
  });
});
