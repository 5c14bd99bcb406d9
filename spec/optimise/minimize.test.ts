// minimize: the standard problems reach their known minima (Moré, Garbow & Hillstrom's
// test set: Rosenbrock, Beale, Powell's singular function), a logistic regression meets its
// closed-form optimality conditions, and the solver works on any structure, says why it
// stopped, and shows each iterate to onStep as a frozen snapshot.
import { describe, expect, it } from 'vitest';
import { add, applyUpdates, array, exp, gradient, leastSquares, log, matmul, minimize, mul, NDArray, Params, reshape, sgd, sub, sum, type MinimizeStep } from 'zygote-ts';

const rosenbrock = (p: { x: number; y: number }) => (1 - p.x) ** 2 + 100 * (p.y - p.x ** 2) ** 2;

/** The chained Rosenbrock function of n numbers; minimum 0 at (1, …, 1). */
const rosenbrockN = (x: number[]) => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return s;
};

const maxError = (xs: readonly number[], target: readonly number[]) => Math.max(...xs.map((v, i) => Math.abs(v - target[i]!)));

describe('the standard problems reach their minima', () => {
  it('Rosenbrock in 2-D from (−1.2, 1), as a record: (1, 1) to 1e-7', () => {
    const r = minimize(rosenbrock, { x: -1.2, y: 1 });
    expect(r.reason).toBe('gradient');
    expect(r.converged).toBe(true);
    expect(maxError([r.x.x, r.x.y], [1, 1])).toBeLessThan(1e-7);
    expect(r.value).toBeLessThan(1e-14);
    expect(Object.keys(r.gradient)).toEqual(['x', 'y']);
    expect(Math.max(Math.abs(r.gradient.x!), Math.abs(r.gradient.y!))).toBeLessThanOrEqual(1e-8);
  });

  it('Rosenbrock with n = 100 from (−1.2, 1, −1.2, …): all ones to 1e-7', () => {
    const x0 = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const r = minimize(rosenbrockN, x0);
    expect(r.reason).toBe('gradient');
    expect(maxError(r.x, x0.map(() => 1))).toBeLessThan(1e-7);
    expect(x0[0]).toBe(-1.2); // x0 untouched
  });

  it("Beale from (1, 1): (3, 0.5) to 1e-7", () => {
    const beale = ([x, y]: number[]) => (1.5 - x! + x! * y!) ** 2 + (2.25 - x! + x! * y! ** 2) ** 2 + (2.625 - x! + x! * y! ** 3) ** 2;
    const r = minimize(beale, [1, 1]);
    expect(r.converged).toBe(true);
    expect(maxError(r.x, [3, 0.5])).toBeLessThan(1e-7);
  });

  it("Powell's singular function from (3, −1, 0, 1): its minimum 0 at the origin, where the Hessian is singular", () => {
    const powell = ([a, b, c, d]: number[]) => (a! + 10 * b!) ** 2 + 5 * (c! - d!) ** 2 + (b! - 2 * c!) ** 4 + 10 * (a! - d!) ** 4;
    const r = minimize(powell, [3, -1, 0, 1], { tolerance: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.value).toBeLessThan(1e-12);
    // (f grows as |x|⁴ along the singular directions: the gradient test places x to ~|g|^(1/3))
    expect(maxError(r.x, [0, 0, 0, 0])).toBeLessThan(1e-3);
  });

  it('a logistic regression meets its optimality conditions, checked by hand: Xᵀ(σ(Xw + b) − y)/n + λw = 0 and Σ(σ − y) = 0', () => {
    const n = 40;
    const X = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(1.3 * i)]);
    // labels from a linear rule, with some flipped (not separable: the optimum is finite)
    const y = X.map(([a, c], i) => (a! + 0.5 * c! > 0.1 !== (i % 7 === 0) ? 1 : 0));
    const lambda = 0.01;
    const Xa = array(X);
    const ya = array(y);
    const loss = (m: { w: NDArray; b: number }) => {
      const t = add(matmul(Xa, m.w), m.b); // the logits
      return sum(sub(log(add(exp(t), 1)), mul(ya, t))) / n + (lambda / 2) * sum(mul(m.w, m.w));
    };
    const r = minimize(loss, { w: array([0, 0]), b: 0 });
    expect(r.converged).toBe(true);
    const w = r.x.w.toArray() as number[];
    const sigma = (t: number) => 1 / (1 + Math.exp(-t));
    const p = X.map(([a, c]) => sigma(a! * w[0]! + c! * w[1]! + r.x.b));
    for (let j = 0; j < 2; j++) {
      const condition = X.reduce((s, row, i) => s + row[j]! * (p[i]! - y[i]!), 0) / n + lambda * w[j]!;
      expect(Math.abs(condition), `∂/∂w${j}`).toBeLessThan(1e-9);
    }
    expect(Math.abs(p.reduce((s, pi, i) => s + pi - y[i]!, 0))).toBeLessThan(1e-7);
  });
});

describe('any structure, and why it stopped', () => {
  class Circle {
    constructor(
      public centre: number[],
      public radius: number,
      public label = 'fit',
    ) {}
    distance(p: number[]): number {
      return Math.hypot(p[0]! - this.centre[0]!, p[1]! - this.centre[1]!) - this.radius;
    }
  }
  const points = [0, 1, 2, 3, 4, 5].map((k) => [2 + 3 * Math.cos(k), -1 + 3 * Math.sin(k)]);
  const misfit = (c: Circle) => points.reduce((s, p) => s + c.distance(p) ** 2, 0);

  it('a class instance: the result is one, holding the known circle', () => {
    const r = minimize(misfit, new Circle([0, 0], 1));
    expect(r.x).toBeInstanceOf(Circle);
    expect(r.x.label).toBe('fit');
    expect(maxError([...r.x.centre, r.x.radius], [2, -1, 3])).toBeLessThan(1e-7);
  });

  // (with the value test at its default 0, f equal at two iterates ended the run as converged)
  it('an oscillation is no convergence: gd at rate 1 on x² goes 3 → −3 → 3 … and reports so', () => {
    const r = minimize((x: number) => x * x, 3, { method: 'gd', learningRate: 1, maxIterations: 20 });
    expect([r.x, r.reason, r.converged]).toEqual([3, 'maxIterations', false]);
    // (with the value test on, f equal on both sides is no convergence either: it must have gone down)
    const tested = minimize((x: number) => x * x, 3, { method: 'gd', learningRate: 1, valueTolerance: 1e-12, maxIterations: 20 });
    expect([tested.x, tested.reason, tested.converged]).toEqual([3, 'maxIterations', false]);
    // (a slow descent still stops on it: rate 0.45 takes x to 0.1x, f to 0.01f, a step)
    const slow = minimize((x: number) => x * x + 1, 3, { method: 'gd', learningRate: 0.45, valueTolerance: 1e-9 });
    expect([slow.reason, slow.converged]).toEqual(['value', true]);
    expect(Math.abs(slow.x)).toBeLessThan(1e-3);
  });

  it('refuses a learning rate that cannot descend, and one given to L-BFGS', () => {
    // (learningRate 0 with a stepTolerance reported 'step', converged, at x0 = 0 where the gradient of (x − 3)² is −6)
    const f = (x: number) => (x - 3) ** 2;
    for (const learningRate of [0, -0.1, NaN, Infinity]) {
      expect(() => minimize(f, 0, { method: 'gd', learningRate, stepTolerance: 1e-9 })).toThrow(/minimize: learningRate must be a positive number/);
      expect(() => minimize(f, 0, { method: 'adam', learningRate, stepTolerance: 1e-9 })).toThrow(/minimize: learningRate must be a positive number/);
    }
    expect(() => minimize(f, 0, { learningRate: 0.1 })).toThrow(/learningRate is for method 'gd' or 'adam'; L-BFGS .* takes its steps from a line search/);
    expect(minimize(f, 0, { method: 'gd', learningRate: 0.25 }).x).toBeCloseTo(3, 8);
  });

  it('an NDArray and a Map', () => {
    const target = array([1, -2, 3]);
    const r = minimize((v: NDArray) => sum(mul(mul(v, v), 1)) - 2 * sum(mul(v, target)), array([0, 0, 0]));
    expect(maxError(r.x.toArray() as number[], [1, -2, 3])).toBeLessThan(1e-7);
    const m = minimize((p: Map<string, number>) => (p.get('a')! - 1) ** 2 + (p.get('b')! + p.get('a')!) ** 2, new Map([['a', 0], ['b', 0]]));
    expect(maxError([m.x.get('a')!, m.x.get('b')!], [1, -1])).toBeLessThan(1e-7);
  });

  it('onStep sees each iterate as a frozen snapshot, f falling; returning false stops it', () => {
    const seen: MinimizeStep<Circle>[] = [];
    const r = minimize(misfit, new Circle([0, 0], 1), { onStep: (s) => void seen.push(s) });
    expect(seen.map((s) => s.iteration)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.length).toBe(r.iterations);
    expect(seen.every((s, i) => i === 0 || s.value < seen[i - 1]!.value)).toBe(true);
    expect(seen.every((s) => s.x instanceof Circle && Object.isFrozen(s.x) && Object.isFrozen(s.x.centre))).toBe(true);
    expect(new Set(seen.map((s) => s.x.centre)).size).toBe(seen.length); // each its own
    expect(seen.at(-1)!.value).toBe(r.value);
    const stopped = minimize(misfit, new Circle([0, 0], 1), { onStep: (s) => s.iteration < 3 });
    expect([stopped.reason, stopped.iterations, stopped.converged]).toEqual(['stopped', 3, false]);
  });

  it('says why: iterations, a non-finite start, a value or step test, a stationary start', () => {
    const few = minimize(rosenbrock, { x: -1.2, y: 1 }, { maxIterations: 3 });
    expect([few.reason, few.iterations, few.converged]).toEqual(['maxIterations', 3, false]);
    expect(few.message).toMatch(/3 iterations without meeting a stopping test/);
    expect(minimize((x: number) => Math.log(x), -1).reason).toBe('notFinite');
    const loose = minimize(rosenbrock, { x: -1.2, y: 1 }, { valueTolerance: 1e-3 });
    expect(loose.reason).toBe('value');
    expect(minimize(rosenbrock, { x: -1.2, y: 1 }, { stepTolerance: 1e-2 }).reason).toBe('step');
    const flat = minimize((x: number) => (x - 2) ** 2, 2);
    expect([flat.reason, flat.iterations, flat.evaluations]).toEqual(['gradient', 0, 1]);
    expect(() => minimize(rosenbrock, { x: 0, y: 0 }, { method: 'newton' as 'gd' })).toThrow(/method must be 'lbfgs', 'gd' or 'adam'/);
  });

  it('gradient descent (line search or fixed rate) and Adam reach a convex minimum', () => {
    const bowl = (p: number[]) => (p[0]! - 1) ** 2 + 10 * (p[1]! + 2) ** 2;
    for (const options of [{ method: 'gd' as const }, { method: 'gd' as const, learningRate: 0.05 }, { method: 'adam' as const, learningRate: 0.05, maxIterations: 5000 }]) {
      const r = minimize(bowl, [0, 0], { ...options, tolerance: 1e-7 });
      expect(r.reason, JSON.stringify(options)).toBe('gradient');
      expect(maxError(r.x, [1, -2])).toBeLessThan(1e-6);
    }
  });

  // (found by hand: f ran for its value first and wrote to the iterate, then the compiled
  // gradient was recorded on what f left: at a = 1 it gave ∂/∂a = 4 where it is -4, and
  // minimize stopped at once, reason 'lineSearch', x unchanged)
  it('compiled or not, the same minimum where f writes to its argument', () => {
    const f = (p: { a: number; b: number }) => {
      p.a = p.a * 2; // (a write to the argument, as code that rescales in place makes)
      return (p.a - 3) ** 2 + (p.b - 1) ** 2;
    };
    const compiled = minimize(f, { a: 1, b: 0 });
    const eager = minimize(f, { a: 1, b: 0 }, { compile: false });
    // (plain JavaScript: f is smallest where 2a = 3 and b = 1)
    expect(maxError([compiled.x.a, compiled.x.b], [1.5, 1])).toBeLessThan(1e-7);
    expect(compiled.reason).toBe('gradient');
    expect(maxError([compiled.x.a, compiled.x.b], [eager.x.a, eager.x.b])).toBeLessThan(1e-12);
    expect(compiled.value).toBe(f({ ...compiled.x }));
  });

  // (found by helper O: the compiled gradient keeps what f read from outside x when it was
  // recorded, the value is f's now; Adam on batches taken in turn reported 'gradient' at the
  // first batch's minimum, x = 0, where f's own gradient is ±1)
  it("where f reads data that changes between calls, it stops only where f's own gradient says so", () => {
    // batches taken in turn, as a training loop's minibatches: f's mean over them is least at 0.5
    const batches = [0, 1];
    let taken = 0;
    const f = (x: number) => (x - batches[taken++ % 2]!) ** 2;
    const r = minimize(f, 3, { method: 'adam', learningRate: 0.05, maxIterations: 2000 });
    expect(r.reason).not.toBe('gradient');
    expect(Math.abs(r.x - 0.5)).toBeLessThan(0.1);
    // a closure variable changed from onStep: the minimum is the new target's
    let target = 1;
    const g = (x: number) => (x - target) ** 2;
    const moved = minimize(g, 3, { method: 'gd', onStep: (s) => void (s.iteration === 1 && (target = 5)) });
    expect(moved.reason).toBe('gradient');
    expect(Math.abs(moved.x - 5)).toBeLessThan(1e-8);
    expect(moved.gradient).toBeCloseTo(2 * (moved.x - 5), 14); // (plain JavaScript: g′ at the answer)
  });

  // (found by helper O: Params walked as a record are a list of arrays that f, of no
  // arguments, never reads — the gradient was zero, and x0 reported a minimum)
  it("refuses Params and Grads (Zygote's implicit style), in solvers and optimisers alike", () => {
    const W = array([1, 2]);
    const ps = new Params([W]);
    const loss = () => sum(mul(sub(W, 3), sub(W, 3)));
    expect(() => minimize(loss as (x: unknown) => number, ps)).toThrow(/minimize: the whole value is Params: optimisers and solvers take the parameters themselves/);
    expect(W.toArray()).toEqual([1, 2]);
    expect(() => leastSquares(() => [W.get(0) - 3], ps)).toThrow(/is Params/);
    const opt = sgd(0.1);
    expect(() => opt.init(ps)).toThrow(/sgd\(0\.1\)\.init: the whole value is Params/);
    const gs = gradient(loss, ps);
    expect(() => opt.update(gs as never, opt.init([W]))).toThrow(/the whole value is Grads/);
    expect(() => applyUpdates({ ps }, { ps: null } as never)).toThrow(/\.ps is Params/);
    // (the explicit form of the same step)
    const [u] = opt.update([gs.get(W)!], opt.init([W]));
    expect(applyUpdates([W], u)[0]!.toArray()).toEqual([1 - 0.1 * 2 * (1 - 3), 2 - 0.1 * 2 * (2 - 3)]);
  });

  it('compiled or not, the same minimum', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const compiled = minimize(rosenbrockN, x0);
    const eager = minimize(rosenbrockN, x0, { compile: false });
    expect(maxError(compiled.x, eager.x)).toBeLessThan(1e-9);
    expect(compiled.reason).toBe('gradient');
  });
});

describe('x0 holding two arrays over one memory', () => {
  // (the solver moved them apart as independent numbers: minimize of sum(W·W) + flat[0] over
  // { W, flat: reshape(W) } ran off to W ≈ -3e11, flat[0] ≈ -4e23, saying only 'lineSearch')
  it('minimize and leastSquares refuse it, naming the fix; views that do not overlap are independent and kept', () => {
    const A = array([[1, 2], [3, 4]]);
    const x0 = { W: A, flat: reshape(A, [4]) as NDArray };
    expect(() => minimize((p: typeof x0) => sum(mul(p.W, p.W)) + sum(mul(p.flat, array([1, 0, 0, 0]))), x0)).toThrow(/minimize: x0's arrays 0 and 1 .* view one memory .* make the other from it inside f/);
    expect(() => leastSquares((p: typeof x0) => [p.W.get(0, 0) - 1, p.flat.get(3) - 2], x0)).toThrow(/leastSquares: x0's arrays 0 and 1 .* view one memory/);
    const buffer = new Float64Array([5, -3]);
    const halves = { a: buffer.subarray(0, 1), b: buffer.subarray(1) };
    const r = minimize((p: typeof halves) => (p.a[0]! - 1) ** 2 + (p.b[0]! - 2) ** 2, halves);
    expect(r.x.a[0]).toBeCloseTo(1, 6);
    expect(r.x.b[0]).toBeCloseTo(2, 6);
  });
});

