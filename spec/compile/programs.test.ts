// compileGradient on programs written the way users write them: nested arrays and
// records, loops over data with branches inside, loops whose trip count depends on the
// numbers. Each compiled gradient equals the eager one at several points.
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient } from 'zygote-ts';

/** Deep equality up to the rounding of a sum's order. */
function close(a: unknown, b: unknown): void {
  if (typeof b === 'number') { expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b))); return; }
  if (b === null) { expect(a).toBeNull(); return; }
  for (const k of Object.keys(b as object)) close((a as any)[k], (b as any)[k]);
}

describe('compileGradient on ordinary programs', () => {
  it('a two-layer network written with nested arrays, map and reduce', () => {
    const layer = (W: number[][], b: number[], x: number[]) => W.map((row, i) => Math.tanh(row.reduce((s, w, j) => s + w * x[j]!, b[i]!)));
    const loss = (p: { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] }, x: number[], y: number[]) => {
      const h = layer(p.W1, p.b1, x);
      const o = layer(p.W2, p.b2, h);
      return o.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
    };
    const rnd = (n: number, m: number, s: number) => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => Math.sin(s + i * 7 + j * 3)));
    const p = { W1: rnd(16, 8, 1), b1: rnd(1, 16, 2)[0]!, W2: rnd(4, 16, 3), b2: rnd(1, 4, 4)[0]! };
    const x = rnd(1, 8, 5)[0]!, y = rnd(1, 4, 6)[0]!;
    const g = compileGradient(loss);
    for (let k = 0; k < 3; k++) {
      const xs = x.map((v) => v + k * 0.1);
      close(g(p, xs, y), gradient(loss, p, xs, y));
    }
    expect(g.fallback).toBeNull();
    expect(g.recordings).toBe(1);
  });

  it('a branch on the data inside a long loop: one path per pattern of signs', () => {
    const f = (v: number[]) => { let s = 0; for (const x of v) s += x > 0 ? x * x : Math.abs(x) * 3; return s; };
    const v = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7));
    const g = compileGradient(f);
    close(g(v), gradient(f, v));
    const w = v.map((x) => x * 1.1);
    close(g(w), gradient(f, w));
    expect(g.recordings).toBe(1);
    const u = v.map((x) => -x);
    close(g(u), gradient(f, u));
    expect(g.recordings).toBe(2);
  });

  it('a while loop whose trip count depends on the numbers, with Math.max', () => {
    const f = (x: number, y: number) => { let r = 0; let k = 0; while (r < 10 && k < 100) { r += Math.max(x, y) * 0.5 + k * 0.01; k++; } return r * x; };
    const g = compileGradient(f);
    for (const [x, y] of [[1, 2], [1.01, 2.01], [3, 1], [0.5, 0.4]] as [number, number][]) close(g(x, y), gradient(f, x, y));
    expect(g.fallback).toBeNull();
  });
});
