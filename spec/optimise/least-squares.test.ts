// leastSquares (Levenberg–Marquardt with the exact Jacobian): curve fits recover the
// parameters the data were made with; on noisy data the fit meets the first-order
// condition Jᵀr = 0 with J from central differences; any structure; why it stopped.
import { describe, expect, it } from 'vitest';
import { array, exp, leastSquares, mul, NDArray, sub, type LeastSquaresStep } from 'zygote-ts';

const ts = Array.from({ length: 25 }, (_, i) => i * 0.25);
const decay = (p: { a: number; k: number; c: number }, t: number) => p.a * Math.exp(-p.k * t) + p.c;
const maxError = (xs: readonly number[], target: readonly number[]) => Math.max(...xs.map((v, i) => Math.abs(v - target[i]!)));

describe('curve fits recover the known parameters', () => {
  it('an exponential decay with an offset (a record), from a poor start: to 1e-8', () => {
    const truth = { a: 2.5, k: 1.3, c: 0.4 };
    const ys = ts.map((t) => decay(truth, t));
    const fit = leastSquares((p: typeof truth) => ts.map((t, i) => decay(p, t) - ys[i]!), { a: 1, k: 0.1, c: 0 });
    expect(fit.converged).toBe(true);
    expect(maxError([fit.x.a, fit.x.k, fit.x.c], [2.5, 1.3, 0.4])).toBeLessThan(1e-8);
    expect(fit.cost).toBeLessThan(1e-18);
    expect(fit.jacobians).toBe(fit.iterations + 1);
    expect(fit.residuals.length).toBe(ts.length);
  });

  it('a Gaussian peak, parameters in an NDArray and residuals an NDArray: to 1e-8', () => {
    const t = array(ts);
    const peak = (p: NDArray) => mul(p.get(0), exp(mul(-0.5, mul(sub(t, p.get(1)), sub(t, p.get(1)))))) as NDArray;
    const data = peak(array([3, 2.2]));
    const fit = leastSquares((p: NDArray) => sub(peak(p), data) as NDArray, array([1, 1.5]));
    expect(fit.converged).toBe(true);
    expect(maxError(fit.x.toArray() as number[], [3, 2.2])).toBeLessThan(1e-8);
  });

  it('Rosenbrock as residuals [10(y − x²), 1 − x] from (−1.2, 1): (1, 1)', () => {
    const fit = leastSquares(([x, y]: number[]) => [10 * (y! - x! * x!), 1 - x!], [-1.2, 1]);
    expect(fit.converged).toBe(true);
    expect(maxError(fit.x, [1, 1])).toBeLessThan(1e-8);
  });

  it('noisy data: Jᵀr = 0 at the fit, J by central differences; the parameters to within the noise', () => {
    const truth = { a: 2.5, k: 1.3, c: 0.4 };
    const noise = ts.map((_, i) => 0.01 * Math.sin(12.9898 * i + 78.233)); // fixed, zero-mean-ish
    const ys = ts.map((t, i) => decay(truth, t) + noise[i]!);
    const residuals = (p: typeof truth) => ts.map((t, i) => decay(p, t) - ys[i]!);
    const fit = leastSquares(residuals, { a: 1, k: 0.5, c: 0 });
    expect(fit.converged).toBe(true);
    const r = residuals(fit.x);
    const h = 1e-6;
    for (const key of ['a', 'k', 'c'] as const) {
      const plus = residuals({ ...fit.x, [key]: fit.x[key] + h });
      const minus = residuals({ ...fit.x, [key]: fit.x[key] - h });
      const jTr = r.reduce((s, ri, i) => s + ((plus[i]! - minus[i]!) / (2 * h)) * ri, 0);
      expect(Math.abs(jTr), `(Jᵀr)_${key}`).toBeLessThan(1e-8);
    }
    expect(maxError([fit.x.a, fit.x.k, fit.x.c], [2.5, 1.3, 0.4])).toBeLessThan(0.05);
  });
});

describe('structures, snapshots and stopping', () => {
  class Line {
    constructor(
      public slope: number,
      public intercept: number,
    ) {}
    at(x: number): number {
      return this.slope * x + this.intercept;
    }
  }

  it('a class instance in, a class instance out; onStep sees frozen snapshots, the cost falling', () => {
    const xs = [0, 1, 2, 3];
    const seen: LeastSquaresStep<Line>[] = [];
    const fit = leastSquares((l: Line) => xs.map((x) => Math.atan(l.at(x)) - Math.atan(2 * x - 1)), new Line(0, 0), { onStep: (s) => void seen.push(s) });
    expect(fit.x).toBeInstanceOf(Line);
    expect(maxError([fit.x.slope, fit.x.intercept], [2, -1])).toBeLessThan(1e-8);
    expect(seen.length).toBe(fit.iterations);
    expect(seen.every((s) => s.x instanceof Line && Object.isFrozen(s.x))).toBe(true);
    expect(seen.every((s, i) => i === 0 || s.cost < seen[i - 1]!.cost)).toBe(true);
  });

  it('says why it stopped', () => {
    const few = leastSquares((p: number[]) => [Math.exp(p[0]!) - 2, p[1]! ** 3 - 8], [5, 5], { maxIterations: 2 });
    expect([few.reason, few.iterations, few.converged]).toEqual(['maxIterations', 2, false]);
    expect(leastSquares((x: number) => [Math.log(x)], -1).reason).toBe('notFinite');
    const stopped = leastSquares((p: number[]) => [p[0]! - 1, p[1]! - 2], [0, 0], { onStep: () => false });
    expect([stopped.reason, stopped.iterations]).toEqual(['stopped', 1]);
    expect(() => leastSquares((x: number) => x as unknown as number[], 1)).toThrow(/needs f to return an array of numbers/);
  });
});

describe('misuse is refused', () => {
  it('residuals whose count changes with x (a trimmed fit): refused, not fitted on the first rows of J', () => {
    // (the normal equations took x0's count of rows: this fit stopped 'converged' at
    // a = 1.98421, b = 1.05366, where the least-squares line of its 7 residuals is a = 1.97143, b = 1.08571)
    const xs = [0, 1, 2, 3, 4, 5, 6, 7];
    const ys = [1.2, 2.7, 5.3, 6.8, 9.1, 11.3, 12.6, 45];
    const trimmed = (p: { a: number; b: number }) => xs.map((x, i) => p.a * x + p.b - ys[i]!).filter((r) => Math.abs(r) < 10);
    expect(() => leastSquares(trimmed, { a: 0, b: 0 })).toThrow(/the residuals numbered 5 at x0 but 7 at x = \[.*\]: their count must not depend on x/);
  });
});
