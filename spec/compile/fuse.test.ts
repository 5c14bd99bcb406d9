// Fused elementwise array code (lib/compile/fuse.ts, issue 15): a run of elementwise array
// operations and their backwards becomes one loop. Each case is compiled twice, fused and
// not (`fuse: false`, each operation's own kernel), and the gradients must be the same
// numbers — bit for bit for arrays; numbers that are sums of elements up to the order of
// the additions — and (float64) agree with central differences of the plain function.
import { describe, expect, it } from 'vitest';
import { abs2, add, array, compileGradient, concat, div, exp, gradient, log, mul, NDArray, rand, relu, sigmoid, slice, sqrt, sub, sum, tanh, matmul, reshape, zeros } from 'zygote-ts';
import { centralDifferences, expectClose, type Input } from '../rules/arrays/check.js';
import { rosenbrock } from './rosenbrock.js';

type Dtype = 'float64' | 'float32';
const seeded = (n: number, seed: number, dtype: Dtype, lo = -1, hi = 1) => {
  const r = rand(n, { seed });
  return array(Array.from(r.data, (v) => lo + (hi - lo) * v), { dtype });
};

/** Fused and unfused gradients of f at each point: equal; fused code was generated; float64 against central differences. */
function fusesLike(f: (...args: any[]) => number, points: Input[][], options: { fdTol?: number } = {}) {
  const fused = compileGradient(f);
  const unfused = compileGradient(f, { fuse: false });
  for (const args of points) {
    const got = fused(...args) as unknown[];
    const want = unfused(...args) as unknown[];
    expect(got).toHaveLength(want.length);
    want.forEach((w, k) => {
      if (w instanceof NDArray) {
        const g = got[k] as NDArray;
        expect(g).toBeInstanceOf(NDArray);
        expect(g.dtype).toBe(w.dtype);
        expect(g.shape).toEqual(w.shape);
        expect(Array.from(g.data)).toEqual(Array.from(w.data));
      } else if (typeof w === 'number') {
        const tol = (args.some((a) => a instanceof NDArray && a.dtype === 'float32') ? 1e-5 : 1e-12) * (1 + Math.abs(w));
        expect(Math.abs((got[k] as number) - w), `argument ${k}: ${got[k]} against ${w}`).toBeLessThanOrEqual(tol);
      } else expect(got[k]).toEqual(w);
    });
    if (args.every((a) => typeof a === 'number' || a.dtype === 'float64')) {
      args.forEach((a, k) => {
        if (got[k] === null || got[k] === undefined) return;
        expectClose(got[k] as Input, centralDifferences(f as (...xs: Input[]) => number, args, k), options.fdTol ?? 1e-6, `∂/∂argument ${k}`);
      });
    }
  }
  expect(fused.fallback).toBeNull();
  expect(unfused.fallback).toBeNull();
  expect(fused.source).toMatch(/\/\/ fused: /);
  expect(unfused.source).not.toMatch(/\/\/ fused: /);
  return fused;
}

const unary: [string, (x: any) => any, number, number][] = [
  ['sin', (x) => Math.sin(x), -1, 1],
  ['cos', (x) => Math.cos(x), -1, 1],
  ['tan', (x) => Math.tan(x), -1, 1],
  ['atan', (x) => Math.atan(x), -2, 2],
  ['sinh', (x) => Math.sinh(x), -1, 1],
  ['cosh', (x) => Math.cosh(x), -1, 1],
  ['tanh', (x) => tanh(x), -2, 2],
  ['exp', (x) => exp(x), -1, 1],
  ['expm1', (x) => Math.expm1(x), -1, 1],
  ['log', (x) => log(x), 0.2, 2],
  ['log1p', (x) => Math.log1p(x), 0, 2],
  ['sqrt', (x) => sqrt(x), 0.2, 2],
  ['sigmoid', (x) => sigmoid(x), -3, 3],
  ['relu', (x) => relu(x), -1, 1],
  ['abs2', (x) => abs2(x), -1, 1],
  ['floor', (x) => Math.floor(x), 0.1, 0.9],
  ['asin', (x) => Math.asin(x), -0.9, 0.9],
  ['acos', (x) => Math.acos(x), -0.9, 0.9],
  ['asinh', (x) => Math.asinh(x), -2, 2],
  ['acosh', (x) => Math.acosh(x), 2, 4],
  ['atanh', (x) => Math.atanh(x), -0.9, 0.9],
  ['log2', (x) => Math.log2(x), 0.2, 2],
  ['log10', (x) => Math.log10(x), 0.2, 2],
  ['cbrt', (x) => Math.cbrt(x), 0.2, 2],
  ['abs', (x) => Math.abs(x), -1, 1],
];

describe('fused elementwise array code', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, u, lo, hi] of unary) {
      it(`${name} in a chain, ${dtype}: fused equals unfused`, () => {
        // (x·x/4 + x/2 + 3/8 stays inside [lo, hi] when x does, scaled: the domain of log and sqrt)
        const f = (x: NDArray, s: number) => sum(mul(u(add(mul(mul(x, x), 0.25 / hi), mul(x, 0.5))), add(x, s))) * s;
        const inside = (seed: number) => seeded(40, seed, dtype, lo, hi);
        fusesLike(f, [[inside(1), 0.7], [inside(2), -1.3]], { fdTol: name === 'floor' ? 1e-5 : 1e-6 });
      });
    }

    it(`+ − × ÷ of arrays, constants and traced numbers, ${dtype}`, () => {
      const f = (x: NDArray, y: NDArray, s: number) => {
        const a = div(sub(mul(x, y), s), add(y, 3));
        const b = sub(2.5, div(s, add(mul(x, x), 1)));
        return sum(mul(add(a, b), sub(x, mul(y, s))));
      };
      fusesLike(f, [[seeded(33, 1, dtype), seeded(33, 2, dtype), 0.3], [seeded(33, 3, dtype), seeded(33, 4, dtype), -1.1]]);
      // (arrays past the WebAssembly kernels' cutoff: the same rounding of a number with a float32 array)
      fusesLike(f, [[seeded(600, 5, dtype), seeded(600, 6, dtype), 0.7]]);
    });

    it(`Rosenbrock over slices (windows read in place, placed cotangents), ${dtype}`, () => {
      const g = fusesLike(rosenbrock, [[seeded(64, 1, dtype)], [seeded(64, 2, dtype)], [seeded(64, 3, dtype)]], { fdTol: 1e-5 });
      // (one loop forward and backward, which also sums the two slices' cotangents into x's:
      // element i takes x[1:]'s cotangent of element i − 1, carried from the step before)
      expect(g.source.match(/\/\/ fused: /g)).toHaveLength(1);
      expect(g.source).toMatch(/fused: slice, slice, .*slice: backward, slice: backward, add cotangents/);
    });

    it(`differences of a matrix's rows (windows three elements apart: placed in a loop of their own), ${dtype}`, () => {
      const f = (m: NDArray) => {
        const d = sub(slice(m, 1, 5), slice(m, 0, 4));
        return sum(mul(mul(d, d), d));
      };
      const m = (seed: number) => reshape(seeded(15, seed, dtype), [5, 3]);
      const g = fusesLike(f, [[m(1)], [m(2)]]);
      expect(g.source.match(/\/\/ fused: /g)).toHaveLength(2);
    });
  }

  it('gives each loop a function of its own, one for all the runs whose code is the same (Runge–Kutta steps)', () => {
    // GradBench's ode: y₀′ = x₀, yᵢ′ = xᵢ·yᵢ₋₁, by s steps of classical Runge–Kutta; the steps'
    // runs are the same code on other arrays, so they call the same loop functions (a loop
    // written inline in the one large function ran interpreted for the first calls)
    const rhs = (x: NDArray, y: NDArray) => concat([slice(x, 0, 1), mul(slice(x, 1), slice(y, 0, x.size - 1))]);
    const f = (x: NDArray) => {
      const h = 2 / 6;
      let y = zeros(x.size);
      for (let step = 0; step < 6; step++) {
        const k1 = rhs(x, y);
        const k2 = rhs(x, add(y, mul(k1, h / 2)));
        const k3 = rhs(x, add(y, mul(k2, h / 2)));
        const k4 = rhs(x, add(y, mul(k3, h)));
        y = add(y, mul(add(add(k1, mul(k2, 2)), add(mul(k3, 2), k4)), h / 6));
      }
      return sum(slice(y, x.size - 1));
    };
    const g = fusesLike(f, [[seeded(40, 1, 'float64', 0.5, 1.5)], [seeded(40, 2, 'float64', 0.5, 1.5)]], { fdTol: 1e-6 });
    const runs = g.source.match(/\/\/ fused: /g)!.length;
    const loops = g.source.match(/^function loop\d+\(/gm)!.length;
    expect(g.source.match(/\bloop\d+\(/g)!.length - loops).toBe(runs); // (each run calls a loop function)
    expect(loops).toBeLessThanOrEqual(runs / 4); // (48 runs, 12 functions: unshared, 48)
  });

  it('writes the arrays other operations read, and keeps them apart from call to call', () => {
    // t is read by matmul (not fused) and returned through the gradient of W; each call's
    // gradients are new arrays, not the last call's overwritten
    const f = (x: NDArray, W: NDArray) => {
      const t = tanh(add(mul(x, x), 0.5));
      const h = matmul(reshape(t, [4, 3]), W);
      return sum(mul(h, h)) + sum(mul(t, x));
    };
    const W = array([[0.5, -1], [0.25, 2], [1, 0.75]]);
    const x1 = seeded(12, 1, 'float64');
    const x2 = seeded(12, 2, 'float64');
    const g = fusesLike(f, [[x1, W], [x2, W]]);
    const first = (g(x1, W) as NDArray[])[0]!;
    const kept = Array.from(first.data);
    g(x2, W);
    expect(Array.from(first.data)).toEqual(kept);
  });

  // (found by a random program: sum(x)'s result and mul(y, it) were fused into one loop, which
  // read the sum before computing it — ReferenceError: Cannot access 'v2' before initialization)
  it('an operation reading a sum made in the run (a number known after the loop) starts another loop', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const f = (x: NDArray, y: NDArray) => sum(mul(y, sum(x))) + sum(mul(tanh(x), sum(mul(x, y))));
      fusesLike(f, [
        [seeded(6, 1, dtype), seeded(6, 2, dtype)],
        [seeded(6, 3, dtype), seeded(6, 4, dtype)],
      ]);
    }
  });

  // (found by hand: a fused loop adds a sum in its own order, the eager kernel in another; at
  // 1000 numbers summing to 7e-14 eagerly and 0 in order, `s > 0` failed the guard on the call
  // it was recorded from, which threw "internal error: a compiled path rejected the call it was
  // recorded from", and Math.max(s, 0) or Math.sign(s) took the other operand or sign)
  it('a sum read by a guard, Math.max or Math.sign is added as eagerly, and takes the eager branch', () => {
    const n = 1000;
    const cancelling = (seed: number) => {
      const d = Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729));
      let inOrder = 0;
      for (let i = 0; i < n - 1; i++) inOrder += d[i]!;
      d[n - 1] = -inOrder; // (0 added in order; the kernel's lanes may leave a last bit)
      return new NDArray([n], d);
    };
    const ones = new NDArray([n], new Float64Array(n).fill(1));
    const fs = [
      (x: NDArray, y: NDArray) => (sum(mul(x, y)) > 0 ? sum(mul(x, 2)) : sum(mul(x, 3))),
      (x: NDArray, y: NDArray) => Math.max(sum(mul(x, y)), 0) * 1e13 + sum(x),
      (x: NDArray, y: NDArray) => Math.sign(sum(add(x, y)) - n) + sum(mul(x, y)),
    ];
    for (const f of fs) {
      const g = compileGradient(f);
      for (let seed = 1; seed <= 12; seed++) {
        const x = cancelling(seed);
        const got = (g(x, ones) as (NDArray | null)[]).map((a) => a && Array.from(a.data.subarray(0, 3), (v) => v + 0)); // (a zero's sign may differ: README, The last bit)
        const want = (gradient(f, x, ones) as (NDArray | null)[]).map((a) => a && Array.from(a.data.subarray(0, 3), (v) => v + 0)); // (a zero's sign may differ: README, The last bit)
        expect(got, `seed ${seed}`).toEqual(want);
      }
    }
  });

  it('gives no gradient through a zero cotangent where a partial is not finite, as unfused', () => {
    // the cotangent reaching log is 0 in x's zeros' places: 0 · (1/0) is NaN, and is taken as 0
    const f = (x: NDArray, w: NDArray) => sum(mul(log(x), mul(w, w)));
    const x = array([0, 1, 2, 0.5]);
    const w = array([0, 1, -1, 0]);
    const fused = compileGradient(f);
    const unfused = compileGradient(f, { fuse: false });
    const got = fused(x, w) as NDArray[];
    const want = unfused(x, w) as NDArray[];
    expect(Array.from(got[0]!.data)).toEqual(Array.from(want[0]!.data));
    expect(Array.from(got[0]!.data)).toEqual([0, 1, 0.5, 0]);
    expect(fused.source).toMatch(/\/\/ fused: /);
  });
});
