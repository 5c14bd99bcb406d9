import { describe, expect, it } from 'vitest';
import { __zy, array, compileGradient, gradient, hessian, jvp, sum, withgradient, type NDArray } from 'zygote-ts';
import { centralDifference, checkRule, type ScalarFn } from './check.js';
import { specs, zeroDerivative, notDifferentiable, widerStep } from './math-points.js';

const M = __zy.Math as unknown as Record<string, ScalarFn>;

describe('Math rules against finite differences', () => {
  for (const [name, points] of Object.entries(specs)) {
    it(name, () => {
      for (const args of points) {
        const f: ScalarFn = (...xs) => M[name]!(...xs);
        checkRule(`Math.${name}`, f, args);
      }
    });
  }

  it('has a spec for every function of Math', () => {
    const functions = Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function');
    const covered = [...Object.keys(specs), ...zeroDerivative, ...notDifferentiable, ...widerStep];
    expect(functions.filter((k) => !covered.includes(k))).toEqual([]);
    expect(functions.filter((k) => !(k in __zy.Math))).toEqual([]);
  });

  it('keeps the values of Math exactly', () => {
    for (const name of Object.getOwnPropertyNames(Math)) {
      const original = (Math as unknown as Record<string, unknown>)[name];
      const ours = (__zy.Math as unknown as Record<string, unknown>)[name];
      if (typeof original !== 'function') expect(ours).toBe(original);
      else if (name !== 'random') for (const x of [0.3, -2.5, 7, 0, -0, NaN, Infinity]) expect(Object.is((ours as ScalarFn)(x, 2), (original as ScalarFn)(x, 2))).toBe(true);
    }
  });

  it("keeps Math.hypot's value of three or more numbers in nested differentiation", () => {
    // (taken two at a time on an outer tape: 0.17320508075688776 for hypot(0.1, 0.1, 0.1), 5e-324 for 1e-323)
    const inner = (x: number) => withgradient((v: number) => M.hypot!(v, x, v), x).val;
    for (const x of [0.1, -2.5, 3, 1e-10, 5e-324, 1e300]) {
      expect(Object.is(withgradient(inner, x).val, Math.hypot(x, x, x)), `hypot(${x}, ${x}, ${x})`).toBe(true);
      expect(Object.is(jvp(inner, [x], [1])[0], Math.hypot(x, x, x)), `hypot(${x}, ${x}, ${x}) under jvp`).toBe(true);
    }
  });

  for (const name of widerStep) {
    it(name, () => {
      // (a step wide against the rounding's spacing near 0.5: 2⁻²⁴ for float32, 2⁻¹¹ for float16)
      const h = name === 'fround' ? 1e-2 : 0.1;
      const round = (Math as unknown as Record<string, ScalarFn>)[name]!;
      const fd = (round(0.5 + h) - round(0.5 - h)) / (2 * h);
      const [g] = gradient((x: number) => M[name]!(x), 0.5);
      expect(Math.abs(g! - fd)).toBeLessThan(name === 'fround' ? 1e-5 : 2 ** -11 / h);
      // (by its name in rewritten code too: Math.f16round(x) was the built-in, which refused x)
      const [called] = gradient((x: number) => (name === 'fround' ? Math.fround(x) : (Math as unknown as Record<string, ScalarFn>).f16round!(x)) * x, 0.5);
      expect(called).toBeCloseTo(2 * round(0.5), 3);
    });
  }

  it('gives zero (not null) through rounding functions', () => {
    for (const name of zeroDerivative) {
      const [g] = gradient((x: number) => M[name]!(x, 3), 2.7);
      expect(g, name).toBe(0);
    }
  });
});

describe('Math rules at non-smooth points (documented choices)', () => {
  it('abs has derivative 0 at 0, ±1 elsewhere', () => {
    expect(gradient((x: number) => M.abs!(x), 0)).toEqual([0]);
    expect(gradient((x: number) => M.abs!(x), -3)).toEqual([-1]);
  });
  it('tied arguments of max and min share the derivative, as (a + b ± |a − b|) / 2 does', () => {
    const viaAbs = (sign: number) => (a: number, b: number) => (a + b + sign * M.abs!(a - b)) / 2;
    for (const [a, b] of [[2, 2], [-0, 0], [1, 2]] as const) {
      expect(gradient((a: number, b: number) => M.max!(a, b), a, b)).toEqual(gradient(viaAbs(1), a, b));
      expect(gradient((a: number, b: number) => M.min!(a, b), a, b)).toEqual(gradient(viaAbs(-1), a, b));
    }
    expect(gradient((a: number, b: number, c: number) => M.max!(a, b, c), 2, 1, 2)).toEqual([0.5, 0, 0.5]);
  });
  // (the whole derivative went to the first of tied arguments, for max and min alike: code
  // that is smooth across the tie got a wrong gradient there, with no word)
  it('code smooth across a tie of max or min gets its gradient there (eager, forward, compiled)', () => {
    // LAPACK's dlapy2, a hypot that neither overflows nor underflows: [√2, 0] for [1/√2, 1/√2]
    // at |a| = |b| (max and min both took a)
    const dlapy2: ScalarFn = (a, b) => {
      const w = M.max!(M.abs!(a), M.abs!(b));
      const z = M.min!(M.abs!(a), M.abs!(b));
      return w * M.sqrt!(1 + (z / w) * (z / w));
    };
    const sorted: ScalarFn = (a, b) => M.min!(a, b) * 3 + M.max!(a, b) * 3 + M.min!(a, b) * M.max!(a, b);
    // the stable logistic loss (TensorFlow's sigmoid_cross_entropy_with_logits) at logit 0, where
    // a model initialised with zeros starts: 1 - y for ½ - y
    const logistic: ScalarFn = (x, y) => M.max!(x, 0) - x * y + M.log1p!(M.exp!(-M.abs!(x)));
    const cases: [string, ScalarFn, number[]][] = [
      ['dlapy2', dlapy2, [1, 1]], ['dlapy2', dlapy2, [-3, 3]], ['min and max', sorted, [1.5, 1.5]], ['logistic loss', logistic, [0, 1]],
    ];
    for (const [name, f, args] of cases) {
      const grads = gradient(f, ...args) as number[];
      args.forEach((_, k) => {
        expect(Math.abs(grads[k]! - centralDifference(f, args, k)), `${name} ∂/∂x${k} at (${args}): ${grads[k]}`).toBeLessThan(1e-8);
        const along = args.map((_, j) => (j === k ? 1 : 0));
        expect(jvp(f, args, along)[1], `${name} forward`).toBeCloseTo(grads[k]!, 14);
      });
      expect(compileGradient(f)(...args), `${name} compiled`).toEqual(grads);
    }
  });
  it('max with a NaN argument is NaN and follows that argument', () => {
    const [ga, gb] = gradient((a: number, b: number) => M.max!(a, b), 1, NaN);
    expect(ga).toBe(0);
    expect(gb).toBe(1);
  });
  it('hypot at the origin has zero partials, not NaN', () => {
    expect(gradient((a: number, b: number) => M.hypot!(a, b), 0, 0)).toEqual([0, 0]);
  });
  it('sqrt at 0 has an infinite derivative', () => {
    expect(gradient((x: number) => M.sqrt!(x), 0)).toEqual([Infinity]);
  });
  it('pow with a negative base and constant exponent has no NaN', () => {
    expect(gradient((x: number) => M.pow!(x, 2), -3)).toEqual([-6]);
    expect(gradient((x: number) => M.pow!(x, 3), -2)).toEqual([12]);
  });
  it('pow at 0 with exponent 0 has derivative 0 in the base', () => {
    expect(gradient((x: number) => M.pow!(x, 0), 0)).toEqual([0]);
  });
});

// Partials written with squares (x² + y², x² ± 1) overflow or underflow far inside the range
// where the derivative itself is a normal number. Checked against central differences with a
// step relative to the point (the checks above use an absolute scale, blind to 1e-200 vs 0).
describe('Math rules where a square overflows or underflows and the derivative does not', () => {
  /** ∂f/∂x_k at args by a central difference of relative step 1e-6 (or `step` where x_k is 0). */
  const relativeDifference = (f: ScalarFn, args: number[], k: number, step: number): number => {
    const h = args[k] === 0 ? step : 1e-6 * Math.abs(args[k]!);
    const at = (d: number) => f(...args.map((x, j) => (j === k ? x + d : x)));
    return (at(h) - at(-h)) / (2 * h);
  };
  const agrees = (name: string, f: ScalarFn, args: number[], step: number) => {
    const grads = gradient(f, ...args) as number[];
    args.forEach((_, k) => {
      const fd = relativeDifference(f, args, k, step);
      const what = `${name} ∂/∂x${k} at (${args}): got ${grads[k]}, finite difference ${fd}`;
      if (fd === 0) expect(grads[k], what).toBe(0);
      else expect(Math.abs(grads[k]! / fd - 1), what).toBeLessThan(1e-5);
    });
  };

  it('atan2 with tiny or huge coordinates (and an axis)', () => {
    const atan2: ScalarFn = (y, x) => M.atan2!(y, x);
    // (was [NaN, -Infinity] at (1e-200, 0), Infinity at 1e-170, 0 at 1e200, digits lost at 1e-162)
    for (const args of [[1e-200, 0], [0, 1e-200], [1e-170, 1e-170], [3e-162, -4e-162], [1e200, 1e200], [-2e300, 1e300]]) agrees('atan2', atan2, args, 1e-6 * Math.abs(args[0]! + args[1]!));
    expect(gradient(atan2, 0, 0)).toEqual([NaN, NaN]); // (0/0 at the origin, as in ChainRules)
    // float32 arrays, where a square underflows below 1e-23: as the float64 partials, to float32's precision
    const ys = [1e-25, 3, -2e-30, 1e25];
    const xs = [2e-25, -4, 1e-30, 1e25];
    const [gy, gx] = gradient((y: NDArray, x: NDArray) => sum(M.atan2!(y as never, x as never) as never), array(ys, { dtype: 'float32' }), array(xs, { dtype: 'float32' }));
    ys.forEach((_, k) => {
      const [wy, wx] = gradient(atan2, Math.fround(ys[k]!), Math.fround(xs[k]!)) as number[];
      expect(Math.abs(gy!.toArray()[k]! / wy! - 1), `∂/∂y at ${ys[k]}, ${xs[k]}: ${gy!.toArray()[k]} vs ${wy}`).toBeLessThan(1e-6);
      expect(Math.abs(gx!.toArray()[k]! / wx! - 1), `∂/∂x at ${ys[k]}, ${xs[k]}: ${gx!.toArray()[k]} vs ${wx}`).toBeLessThan(1e-6);
    });
  });

  // (∂/∂x was -(∞/∞)/∞ = NaN where y is infinite: atan2(Math.expm1(y), x) * y at y = 1000 had
  // gradient [π/2, NaN] where it is [π/2, 0], and with x infinite ∂/∂y was NaN for 0; fuzzer seed
  // 8264019 program 189)
  it('atan2 with an infinite coordinate (or an overflowing hypot): both partials are 0, as their limits', () => {
    const f: ScalarFn = (y, x) => M.atan2!(M.expm1!(y), x) * y;
    const g: ScalarFn = (y, x) => M.atan2!(y, M.expm1!(x)) * x;
    const compiledF = compileGradient(f);
    compiledF(1000, 2);
    for (const [y, x] of [[1000, 2], [1000, -2], [1000, 0]]) {
      expect(gradient(f, y, x)).toEqual([Math.PI / 2, 0]);
      expect(compiledF(y, x)).toEqual([Math.PI / 2, 0]);
      expect(gradient((a: number) => (gradient(f, a, x) as number[])[0]!, y)).toEqual([0]); // (second order)
    }
    expect(gradient(g, 2, 1000)).toEqual([0, 0]);
    expect(jvp((y: number) => f(y, 2), [1000], [1])).toEqual([1000 * Math.PI / 2, Math.PI / 2]);
    expect(gradient((a: number, b: number) => M.atan2!(a * 1e308 * 10, b), 1, 3)).toEqual([0, 0]);
    expect(gradient((a: number, b: number) => M.atan2!(a, b), Infinity, Infinity)).toEqual([0, 0]);
    const [gy] = gradient((y: NDArray) => sum(M.atan2!(M.expm1!(y as never) as never, array([2, 2]) as never) as never), array([1000, 1])) as NDArray[];
    expect(gy!.toArray()[0]).toBe(0);
    expect(gy!.toArray()[1]).toBeCloseTo((2 * Math.E) / (Math.expm1(1) ** 2 + 4), 12);
  });

  // (∞·0 = NaN: gradient(x => (0.5 * x) ** Infinity + x, 1.3) was [NaN] where it is [1], and so was
  // Math.pow's, an exponent that overflowed (Math.exp(1000)), and ∞ ** -x's partial in x)
  it('a power that is 0 through an infinite exponent or base has partials 0, not NaN', () => {
    const big = Math.exp(1000);
    const cases: ((x: number) => number)[] = [
      (x) => (0.5 * x) ** big + x,
      (x) => M.pow!(0.5 * x, big) + x,
      (x) => (2 * x) ** -big + x,
      (x) => big ** -x + x,
      (x) => (0.5 * x) ** (big * x) + x,
    ];
    for (const f of cases) {
      expect(gradient(f, 1.3)).toEqual([1]);
      expect(jvp(f, [1.3], [1])).toEqual([1.3, 1]);
      // (compiled code and a nested sweep gave NaN: the partials are recorded as products that are 0 where a factor is)
      const compiled = compileGradient(f);
      expect([compiled(1.3), compiled(1.3)]).toEqual([[1], [1]]);
      expect(hessian((v: number[]) => f(v[0]!), [1.3])).toEqual([[0]]);
    }
    expect(gradient((x: number, y: number) => M.pow!(0.5 * x, y * big), 1.3, 2)).toEqual([0, 0]);
    expect(compileGradient((x: number, y: number) => M.pow!(0.5 * x, y * big))(1.3, 2)).toEqual([0, 0]);
    // (a partial that is 0 but not ∞·0 keeps its derivative: the mixed partial of x ** y at y = 0)
    expect(hessian((v: number[]) => v[0]! ** v[1]!, [2, 0])).toEqual([[0, 0.5], [0.5, Math.log(2) ** 2]]);
  });

  it('asinh and acosh at huge arguments', () => {
    // (was 0 where the derivative is 1e-200)
    for (const x of [1e200, -1e200, 1e160, 3]) agrees('asinh', (v) => M.asinh!(v), [x], 0);
    for (const x of [1e200, 1e160, 3, 1.5]) agrees('acosh', (v) => M.acosh!(v), [x], 0);
    // float32 arrays (x² overflows above 1.8e19), eager and compiled: as the float64 derivative, to float32's precision
    const xs = [1e25, 3e20, 2, 1.5];
    for (const name of ['asinh', 'acosh'] as const) {
      const f = (x: NDArray) => sum(M[name]!(x as never) as never);
      const x32 = array(xs, { dtype: 'float32' });
      const compiled = compileGradient(f);
      compiled(x32);
      for (const [g] of [gradient(f, x32), compiled(x32)]) {
        xs.forEach((x, k) => {
          const [want] = gradient((v: number) => M[name]!(v), Math.fround(x)) as number[];
          expect(Math.abs(g!.toArray()[k]! / want! - 1), `${name}′(${x}) in float32: ${g!.toArray()[k]} vs ${want}`).toBeLessThan(1e-6);
        });
      }
    }
  });
});

// A program (a test's spy, a polyfill, a wrapper) may replace one of Math's functions: rewritten
// code must then call the replacement on traced numbers too, and take the function Math has
// at the moment it reads or destructures it (rules/math.ts, mathCalls and mathNow).
describe('a replaced Math function, on traced numbers', () => {
  const withMath = (body: () => void) => {
    const saved = Object.getOwnPropertyDescriptors(Math); // (descriptors: the built-ins themselves)
    try {
      body();
    } finally {
      Object.defineProperties(Math, saved);
    }
  };

  it('calls the replacement where the code calls Math.f(…)', () => {
    withMath(() => {
      Math.sin = (x: number) => 2 * x;
      expect(gradient((x: number) => Math.sin(x) * x + Math.sin(3), 1.5)).toEqual([6]);
      expect(withgradient((x: number) => Math.sin(x), 1.5)).toEqual({ val: 3, grad: [2] });
    });
  });

  it('calls a wrapper of the saved original, whose own call reaches the original', () => {
    withMath(() => {
      const original = Math.exp;
      const { exp } = Math;
      let calls = 0;
      Math.exp = (x: number) => {
        calls++;
        return original(x) + exp(0);
      };
      const [g] = gradient((x: number) => Math.exp(x) * x, 0.5);
      expect(g).toBeCloseTo(Math.E ** 0.5 * 1.5 + 1, 12);
      expect(calls).toBe(1);
      expect(gradient((x: number) => Math.max(Math.exp(x), 0), 0)).toEqual([1]);
    });
  });

  it('takes what Math has when the code reads or destructures it', () => {
    withMath(() => {
      Math.cos = (x: number) => x * x;
      const { cos } = Math;
      const read = Math.cos;
      expect(gradient((x: number) => cos(x) + read(x) + [x].map(Math.cos)[0]!, 3)).toEqual([18]);
    });
    // (and the built-ins' rules once it is put back)
    expect(gradient((x: number) => Math.cos(x), 0.5)[0]).toBeCloseTo(-Math.sin(0.5), 15);
  });
});
