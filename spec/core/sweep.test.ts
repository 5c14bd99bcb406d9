// The reverse sweep: a zero cotangent contributes nothing, in every sweep (issue 12).
// A value the output does not use, or uses with a zero partial (an unchosen Math.max
// operand, a masked array element), must not turn an infinite or undefined partial into a
// NaN gradient (0·∞ = NaN): eager, compiled, nested and array sweeps agree with finite
// differences of the same program.
import { describe, expect, it } from 'vitest';
import { abs, add, array, compileGradient, gradient, hessian, hvp, jvp, maximum, minimum, mul, pullback, relu, sqrt, sum, withgradient } from 'zygote-ts';

const central = (f: (x: number) => number, x: number, h = 1e-6) => (f(x + h) - f(x - h)) / (2 * h);

describe('a zero cotangent contributes nothing', () => {
  const unused = (x: number) => {
    const unusedRoot = Math.sqrt(x - 3); // ∂/∂x is ∞ at 3, but nothing uses it
    return x * 2 + 0 * unusedRoot * 0;
  };
  const unchosen = (x: number) => Math.max(Math.sqrt(x - 3), 2 * x); // sqrt's operand is not chosen
  const masked = (x: number) => 0 * Math.sqrt(x); // the value is 0 for every x ≥ 0

  it('in the eager sweep', () => {
    expect(gradient((x: number) => { const u = Math.sqrt(x - 3); return x * 2; }, 3)).toEqual([2]);
    expect(gradient(unused, 3)).toEqual([2]);
    expect(gradient(unchosen, 3)).toEqual([2]);
    expect(gradient(masked, 0)).toEqual([0]);
    expect(withgradient(unchosen, 3)).toEqual({ val: 6, grad: [2] });
    const [, back] = pullback(unchosen, 3);
    expect(back(1)).toEqual([2]);
    expect(back(0)).toEqual([0]);
    // (the right side of each is finite differences of the same program)
    expect(gradient(unchosen, 3.5)[0]).toBeCloseTo(central(unchosen, 3.5), 6);
  });

  it('in compiled gradients, on the recording call and on generated code alike', () => {
    for (const f of [unused, unchosen]) {
      const g = compileGradient(f);
      expect(g(3)).toEqual([2]);
      expect(g(3)).toEqual([2]);
      expect(g(4)[0]).toBeCloseTo(gradient(f, 4)[0]!, 12);
    }
    const m = compileGradient(masked);
    expect(m(0)).toEqual([0]);
    expect(m(0)).toEqual([0]);
  });

  it('in nested sweeps (second derivatives)', () => {
    const f = (x: number) => {
      const unusedRoot = Math.sqrt(x - 3);
      return x * x * x;
    };
    expect(hessian(f, 3)).toBe(18);
    // (the inner gradient, 2, does not depend on x: no path, and above all no NaN)
    expect(gradient((x: number) => gradient(unchosen, x)[0]!, 3)).toEqual([null]);
  });

  it('nor does a zero partial, given an infinite cotangent or tangent: reverse, forward, nested and compiled agree with finite differences', () => {
    // Each f is smooth at the point, with an operand its value does not depend on there
    // (max's or min's unchosen one, 0 · v): that operand's partial is 0 and the cotangent
    // or tangent it meets is infinite. sqrt(max(x, 0)) at -1 gave NaN; min(exp(1000x), 5)
    // under jvp gave NaN.
    const cases: [(x: number) => number, number][] = [
      [(x) => Math.sqrt(Math.max(x, 0)), -1],
      [(x) => Math.max(x, 0) ** 0.5 + x * x, -1],
      [(x) => Math.min(Math.exp(1000 * x), 5) + x * x, 1],
      [(x) => Math.sqrt(0 * x) + 3 * x, 2],
    ];
    cases.forEach(([f, x], k) => {
      const fd = central(f, x);
      const fd2 = central((v) => central(f, v, 1e-4), x, 1e-4);
      const at = `case ${k} at ${x}`;
      expect(gradient(f, x)[0], at).toBeCloseTo(fd, 6);
      expect(jvp(f, [x], [1])[1], at).toBeCloseTo(fd, 6);
      const compiled = compileGradient(f);
      expect(compiled(x)[0], at).toBeCloseTo(fd, 6);
      expect(compiled(x)[0], at).toBeCloseTo(fd, 6); // (generated code)
      expect(hessian(f, x), at).toBeCloseTo(fd2, 3);
      expect(hvp((v: number[]) => f(v[0]!), [x], [1])[0], at).toBeCloseTo(fd2, 3);
      expect(jvp((v: number) => jvp(f, [v], [1])[1], [x], [1])[1], at).toBeCloseTo(fd2, 3);
    });
    // (a real NaN still comes through a partial that is not zero)
    expect(gradient((x: number) => Math.sqrt(Math.max(x, 0) - 1), 0.5)).toEqual([NaN]);
  });

  it('a zero cotangent still marks its path: 0, not null, where f depends on x', () => {
    expect(gradient((x: number) => Math.max(x, 5), 1)).toEqual([0]);
    expect(gradient((x: number) => 0 * x, 1)).toEqual([0]);
  });

  it('a real NaN still comes through: the path exists', () => {
    expect(gradient((x: number) => Math.sqrt(-x), 1)).toEqual([NaN]);
    expect(gradient((x: number) => 1 * Math.sqrt(x - 3), 2)).toEqual([NaN]);
  });

  it('in array sweeps, element by element', () => {
    const f = (x: any) => sum(maximum(sqrt(x), 2));
    const g = gradient(f, array([0, 9]))[0]!;
    expect(g.toArray()).toEqual([0, 1 / 6]);
    const compiled = compileGradient(f);
    expect(compiled(array([0, 9]))[0]!.toArray()).toEqual([0, 1 / 6]);
    expect(compiled(array([0, 16]))[0]!.toArray()).toEqual([0, 1 / 8]);
  });

  it('in array sweeps, a zero partial contributes nothing to an infinite cotangent or tangent (maximum, relu, abs)', () => {
    // (sqrt of maximum(x, 0) or relu(x) at x = -1: sqrt's partial at 0 is ∞, and the unchosen
    // operand's partial 0 made NaN where the derivative is 0; so did jvp of minimum(exp(1000x), 5)
    // at 4 and 9, where exp's tangent overflows)
    const fs = [
      (x: any) => sum(sqrt(maximum(x, 0))),
      (x: any) => sum(sqrt(relu(x))),
      (x: any) => sum(sqrt(maximum(0, x))),
      (x: any) => add(sum(minimum(Math.exp(mul(x, 1000) as any) as any, 5)), sum(mul(x, x))),
      (x: any) => sum(sqrt(abs(mul(x, 0)))),
    ];
    const xs = [-1, 4, 9];
    fs.forEach((f, k) => {
      for (const dtype of ['float64', 'float32'] as const) {
        const fd = xs.map((_, i) => central((v) => f(array(xs.map((x, j) => (j === i ? v : x)), { dtype })), xs[i]!, dtype === 'float32' ? 1e-2 : 1e-6));
        const at = `case ${k}, ${dtype}`;
        const x = array(xs, { dtype });
        const compiled = compileGradient(f);
        compiled(x);
        for (const g of [gradient(f, x)[0]!.toArray() as number[], compiled(x)[0]!.toArray() as number[]]) g.forEach((v, i) => expect(v, at).toBeCloseTo(fd[i]!, dtype === 'float32' ? 3 : 6));
        xs.forEach((_, i) => expect(jvp(f, [x], [array(xs.map((__, j) => (j === i ? 1 : 0)), { dtype })])[1], `${at}, direction ${i}`).toBeCloseTo(fd[i]!, dtype === 'float32' ? 3 : 6));
      }
    });
  });

  it('a spline through a repeated end point (d3-shape’s Catmull–Rom pattern)', () => {
    // d3's curveCatmullRom computes sqrt(pow(d², α)) for the distance to each neighbour,
    // a duplicated point included, and uses it only when it is above ε.
    const alpha = 0.5;
    const weighted = (ys: number[], computeUnused: boolean) => {
      let total = 0;
      for (let i = 1; i < ys.length; i++) {
        const d = ys[i]! - ys[i - 1]!;
        if (!computeUnused && d === 0) {
          total += ys[i]!;
          continue;
        }
        const la = Math.sqrt(Math.pow(d * d, alpha));
        total += la > 1e-12 ? la * ys[i]! : ys[i]!;
      }
      return total;
    };
    const ys = [1, 2, 2];
    const [g] = gradient((y: number[]) => weighted(y, true), ys);
    // The same program without the unused value: the gradient must not change.
    expect(g).toEqual(gradient((y: number[]) => weighted(y, false), ys)[0]);
    expect(g!.every(Number.isFinite)).toBe(true);
    // and away from the repeated point, finite differences agree
    const zs = [1, 2, 4];
    const [gz] = gradient((y: number[]) => weighted(y, true), zs);
    zs.forEach((_, k) => expect(gz![k]).toBeCloseTo(central((v) => weighted(zs.map((z, j) => (j === k ? v : z)), true), zs[k]!), 5));
  });
});
