// Fused float32 loops as WebAssembly (lib/compile/fuse-wasm.ts): each gradient is compiled
// three ways — fused as WebAssembly (the default kernels), fused as JavaScript (the JavaScript
// kernels in use while the code is generated), and not fused (each operation's own kernel) —
// and the numbers must be the same: bit for bit against the JavaScript loop (sums too: they
// add in the same order), arrays bit for bit against the unfused operations. The points hold
// the edges where float32 rounding shows: NaN, ±0, ±Infinity, overflow, subnormals.
import { afterEach, describe, expect, it } from 'vitest';
import { abs, add, array, compileGradient, div, kernels, maximum, minimum, mul, NDArray, neg, slice, sqrt, sub, sum, useKernels } from 'zygote-ts';
import { jsKernels } from '../../lib/kernels/js.js';
import { rosenbrock } from './rosenbrock.js';

const SPECIALS = [NaN, 0, -0, Infinity, -Infinity, 3e38, -2e38, 1e-40, -1e-45, 1.5, -1];
/** n float32 numbers: a smooth pattern with the specials at every 37th element. */
const points = (n: number, shift: number) =>
  array(Array.from({ length: n }, (_, i) => (i % 37 === 5 ? SPECIALS[(i / 37 + shift) % SPECIALS.length | 0]! : Math.sin(i * 0.7 + shift) * 2)), { dtype: 'float32' });

const asWasm = /\/\/ fused: .*\(as WebAssembly\)/;
let previous: ReturnType<typeof kernels> | undefined;
afterEach(() => {
  if (previous !== undefined) useKernels(previous);
  previous = undefined;
});

/** Compiles f three ways, runs each on every point; returns the WebAssembly-fused gradient. */
function sameThreeWays(f: (...args: any[]) => number, calls: unknown[][], expectWasm = true) {
  const wasm = compileGradient(f);
  const unfused = compileGradient(f, { fuse: false });
  const js = compileGradient(f);
  // (the JavaScript kernels in use while js records and generates its code: the loop stays JavaScript)
  previous = useKernels(jsKernels);
  js(...(calls[0] as any[]));
  js(...(calls[0] as any[]));
  useKernels(previous);
  previous = undefined;
  for (const args of calls) {
    const got = wasm(...(args as any[])) as unknown[];
    const loop = js(...(args as any[])) as unknown[];
    const each = unfused(...(args as any[])) as unknown[];
    got.forEach((g, k) => {
      if (g instanceof NDArray) {
        expect(g.dtype).toBe('float32');
        expect(Array.from(g.data), `argument ${k} against the JavaScript loop`).toEqual(Array.from((loop[k] as NDArray).data));
        expect(Array.from(g.data), `argument ${k} against each operation`).toEqual(Array.from((each[k] as NDArray).data));
      } else {
        expect(g, `argument ${k} against the JavaScript loop`).toEqual(loop[k]);
        const want = each[k] as number;
        if (Number.isNaN(want)) expect(g).toBeNaN();
        else if (!Number.isFinite(want)) expect(g, `argument ${k} against each operation`).toBe(want); // (∞ − ∞ is no distance)
        else expect(Math.abs((g as number) - want), `argument ${k} against each operation`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
      }
    });
  }
  expect(wasm.fallback).toBeNull();
  expect(js.source).toMatch(/\/\/ fused: /);
  expect(js.source).not.toMatch(asWasm);
  if (expectWasm) expect(wasm.source).toMatch(asWasm);
  else expect(wasm.source).not.toMatch(asWasm);
  return wasm;
}


describe('fused float32 loops as WebAssembly', () => {
  it('Rosenbrock over slices (windows, placed cotangents carried between elements), with NaN, ±0, ±Infinity, overflow and subnormals', () => {
    sameThreeWays(rosenbrock, [[points(700, 0)], [points(700, 3)], [points(700, 7)]]);
  });

  it('+ − × ÷, sqrt, abs, min and max, with a number argument (its gradient a sum over the elements)', () => {
    const f = (x: NDArray, y: NDArray, c: number) => {
      const a = div(mul(sqrt(Math.abs(x as any)), y), add(Math.abs(y as any), 1));
      const b = mul(sub(Math.max(x as any, y as any), Math.min(x as any, 0.5)), c);
      return sum(mul(add(a, b), sub(x, c)));
    };
    sameThreeWays(f, [[points(600, 1), points(600, 2), 0.3], [points(600, 4), points(600, 5), -1.7], [points(600, 6), points(600, 6), 1e30]]);
  });

  it('windows three elements apart (their cotangents placed in a loop of their own)', () => {
    const f = (x: NDArray) => {
      const n = x.size;
      const d = sub(slice(x, 3, n), slice(x, 0, n - 3));
      return sum(mul(mul(d, d), d));
    };
    const g = sameThreeWays(f, [[points(650, 0)], [points(650, 4)]]);
    expect(g.source.match(asWasm)!.length).toBeGreaterThan(0);
  });

  it('an array larger than the memory has (it grows)', () => {
    sameThreeWays(rosenbrock, [[points(40_000, 2)], [points(40_000, 9)]]);
  });

  it('random chains of the operations it takes, at random points with the edges (fixed seeds)', () => {
    // A small seeded generator: each program is a random expression over x, y, c and constants.
    let state = 12345;
    const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
    type E = (x: NDArray, y: NDArray, c: number) => NDArray | number;
    const grow = (depth: number): E => {
      if (depth === 0) {
        const k = pick([0, 1, -2.5, 1e-3, 3e38]);
        return pick<E>([(x) => x, (_, y) => y, (_, __, c) => c, () => k]);
      }
      const a = grow(depth - 1);
      const b = grow(depth - 1);
      const both = (op: (p: any, q: any) => any): E => (x, y, c) => {
        const p = a(x, y, c);
        const q = b(x, y, c);
        // (two numbers: make one an array, so the loop stays elementwise)
        return typeof p === 'number' && typeof q === 'number' ? op(mul(x, p), q) : op(p, q);
      };
      return pick<E>([
        both(add), both(sub), both(mul), both(div), both(maximum), both(minimum),
        (x, y, c) => abs(mul(x, a(x, y, c) as any)),
        (x, y, c) => sqrt(abs(add(y, a(x, y, c) as any))),
        (x, y, c) => neg(mul(a(x, y, c) as any, y)),
      ]);
    };
    for (let program = 0; program < 25; program++) {
      const e = grow(1 + (program % 3));
      const f = (x: NDArray, y: NDArray, c: number) => sum(mul(add(e(x, y, c) as any, x), y));
      const n = 256 + Math.floor(next() * 400);
      sameThreeWays(f, [[points(n, program), points(n, program + 2), 0.7], [points(n, program + 5), points(n, program + 1), -3]]);
    }
  });

  it('stays JavaScript with a function WebAssembly lacks here (sin), and below the cutoff', () => {
    const f = (x: NDArray) => sum(mul(Math.sin(x as any), add(x, 1)));
    sameThreeWays(f, [[points(600, 1)]], false);
    sameThreeWays(rosenbrock, [[points(200, 1)]], false);
  });

  it('float64 loops stay JavaScript', () => {
    const g = compileGradient(rosenbrock);
    const x = array(Array.from({ length: 600 }, (_, i) => Math.cos(i)));
    g(x);
    g(x);
    expect(g.source).toMatch(/\/\/ fused: /);
    expect(g.source).not.toMatch(asWasm);
  });
});
