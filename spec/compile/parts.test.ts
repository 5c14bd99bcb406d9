// Long code that does not fold into loops (a branch on every sample) is cut into parts of at
// most PART_SIZE instructions, each a function of its own: V8 optimises no function of more
// than 60 KB of bytecode, and such a path ran as slowly as the eager gradient (the logistic
// loss of bench/cliff-workloads.js: 12× plain compiled, 0.5× in parts). Values cross from
// part to part through V; each compiled gradient equals the eager one exactly. (The paths here
// are written at once, `{ interpret: false }`: the interpreter's tier is interpret.test.ts's.)
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient } from 'zygote-ts';
import { PART_SIZE } from '../../dist/lib/compile/codegen.js';
import { logisticLoss } from './logistic.js';

const parts = (source: string) => source.match(/^function part\d+\(/gm)?.length ?? 0;
const instructions = (source: string) => Number(/(\d+) generated/.exec(source)?.[1] ?? 0);

const samples = Array.from({ length: 240 }, (_, n) => ({ x: [Math.sin(n), Math.cos(0.7 * n), ((n * 37) % 11) / 11 - 0.5], y: n % 3 === 0 ? -1 : 1 }));
const logistic = logisticLoss(samples);

describe('long straight code is cut into parts', () => {
  it('a branch on every sample: parts, and the eager gradient to the last bit', () => {
    const g = compileGradient(logistic, { interpret: false });
    const w = [0.3, -0.2, 0.5];
    expect(g(w, 0.05)).toEqual(gradient(logistic, w, 0.05)); // (recorded)
    expect(g(w, 0.05)).toEqual(gradient(logistic, w, 0.05)); // (generated)
    expect(g.fallback).toBeNull();
    expect(instructions(g.source)).toBeGreaterThan(3 * PART_SIZE);
    expect(parts(g.source)).toBeGreaterThanOrEqual(3);
    // (no part holds more than PART_SIZE instructions, give or take the loops that fold)
    for (const part of g.source.split(/^function part\d+\(/m).slice(1)) {
      expect(part.slice(0, part.indexOf('\nreturn 0;\n}')).split('\n').filter((line) => /^(const|let|if) /.test(line)).length).toBeLessThanOrEqual(2 * PART_SIZE + 8);
    }
  });

  it('weights that take other branches: another path, and every path stays right', () => {
    const g = compileGradient(logistic, { interpret: false });
    const w = [0.3, -0.2, 0.5];
    g(w, 0.05);
    g(w, 0.05);
    // (a change of one weight that flips some samples' branches)
    const flipped = [0.3, -0.2, 0.5 + 1e-3];
    expect(g(flipped, 0.05)).toEqual(gradient(logistic, flipped, 0.05));
    expect(g(flipped, 0.05)).toEqual(gradient(logistic, flipped, 0.05));
    expect(g(w, 0.05)).toEqual(gradient(logistic, w, 0.05));
    for (const b of [-0.4, 0, 0.3]) expect(g([0.1, 0.9, -0.6], b)).toEqual(gradient(logistic, [0.1, 0.9, -0.6], b));
  });

  it('a guard in the last part that fails: the earlier parts ran, the call records f again', () => {
    const c = Array.from({ length: 900 }, (_, i) => ((i * 7919) % 101) / 50 - 1);
    const f = (x: number, y: number) => {
      let s = 0;
      for (const ci of c) s += x * ci > 0 ? Math.sin(x * ci) : x * ci * ci; // does not fold
      return y > 0 ? s * y : s - y; // (the last guard)
    };
    const g = compileGradient(f, { interpret: false });
    expect(g(0.5, 2)).toEqual(gradient(f, 0.5, 2));
    expect(g(0.5, 2)).toEqual(gradient(f, 0.5, 2));
    expect(parts(g.source)).toBeGreaterThanOrEqual(2);
    expect(g.recordings).toBe(1);
    expect(g(0.5, -2)).toEqual(gradient(f, 0.5, -2));
    expect(g.recordings).toBe(2);
    expect(g(0.5, -3)).toEqual(gradient(f, 0.5, -3));
    expect(g(0.6, 3)).toEqual(gradient(f, 0.6, 3));
    expect(g.recordings).toBe(2);
  });

  it("a loop's last value, read parts later (before the code, after it, in the output)", () => {
    const c = Array.from({ length: 700 }, (_, i) => ((i * 7919) % 101) / 50 - 1);
    const f = (x: number, y: number) => {
      let s = 0;
      for (let i = 0; i < 300; i++) s = s * 0.99 + Math.sin(x * (1 + (i % 7))); // folds into a loop
      let t = 0;
      for (const ci of c) {
        const u = (y + s * 0.01) * ci;
        t += u > 0 ? u * u : -0.5 * u; // does not fold
      }
      return s * t + s + Math.cos(s) * y;
    };
    const g = compileGradient(f, { interpret: false });
    for (const [x, y] of [[0.7, 1.3], [0.7, 1.3], [0.2, -0.8], [0.2, -0.8], [1.5, 0.4], [1.5, 0.4]] as const) {
      expect(g(x, y)).toEqual(gradient(f, x, y));
    }
    expect(g.fallback).toBeNull();
    expect(parts(g.source)).toBeGreaterThanOrEqual(2);
    expect(g.source).toMatch(/for \(let t = 0;/);
  });

  it('-0, NaN and an infinity made in the first part keep their bits through V: the guards on them parts later hold', () => {
    const c = Array.from({ length: 900 }, (_, i) => ((i * 7919) % 101) / 50 - 1);
    const f = (x: number, y: number) => {
      const z = -x * 0; // -0 where x > 0
      const nan = (y - y) / (y - y);
      const inf = Math.exp(y * 1000);
      let t = 0;
      for (const ci of c) t += x * ci > 0 ? Math.sin(x * ci) : x * ci * ci; // does not fold
      const a = Object.is(z, -0) ? t * y : t + y;
      const b = nan !== nan ? x : y;
      return a + b + (inf === Infinity ? Math.atan2(inf, x) * y : x) + (1 / z) * 0;
    };
    const g = compileGradient(f, { interpret: false });
    for (const [x, y] of [[0.5, 2], [0.5, 2], [0.6, 3], [0.5, 2]] as const) expect(g(x, y)).toEqual(gradient(f, x, y));
    expect(parts(g.source)).toBeGreaterThanOrEqual(3);
    // (read in another part than the one that made them: a place in V that lost -0 would fail the pin, and record f again)
    expect(g.source).toMatch(/^if \(!sameNumber\(V\[\d+\], \(-0\)\)\) return MISS;$/m);
    expect(g.recordings).toBe(1);
  });

  it('short code stays one function', () => {
    const g = compileGradient((x: number, y: number) => (x > y ? x * y : x + y) * Math.exp(x));
    g(1, 2);
    g(1, 2);
    expect(parts(g.source)).toBe(0);
  });
});
