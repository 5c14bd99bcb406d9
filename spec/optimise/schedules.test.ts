// Learning-rate schedules: their ends, their shapes and their joins.
import { describe, expect, it } from 'vitest';
import { adam, adamw, cosineDecay, derivative, exponentialDecay, leastSquares, linearSchedule, minimize, rmsprop, scaleByRms, sgd, trace, warmupCosineDecay, type LearningRate } from 'zygote-ts';

const steps = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);
const monotone = (xs: number[], sign: 1 | -1) => xs.every((x, i) => i === 0 || sign * (x - xs[i - 1]!) >= 0);

describe('schedules', () => {
  it('linear: from init to end over its steps, flat before and after, equal steps between', () => {
    const lr = linearSchedule(0.1, 0.02, 8, 4);
    expect(lr(0)).toBe(0.1);
    expect(lr(4)).toBe(0.1);
    expect(lr(12)).toBeCloseTo(0.02, 15);
    expect(lr(100)).toBeCloseTo(0.02, 15);
    const diffs = steps(8).slice(1).map((k) => lr(4 + k) - lr(3 + k));
    diffs.forEach((d) => expect(d).toBeCloseTo(-0.01, 15));
  });

  it('exponential: a constant ratio per period, a staircase constant within a period, bounded by end', () => {
    const lr = exponentialDecay(1, 10, 0.5);
    steps(30).slice(1).forEach((k) => expect(lr(k) / lr(k - 1)).toBeCloseTo(0.5 ** 0.1, 14));
    const stairs = exponentialDecay(1, 10, 0.5, { staircase: true });
    expect([stairs(0), stairs(9), stairs(10), stairs(19), stairs(20)]).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const floored = exponentialDecay(1, 10, 0.5, { end: 0.3 });
    expect(floored(100)).toBe(0.3);
    const delayed = exponentialDecay(1, 10, 0.5, { begin: 5 });
    expect([delayed(0), delayed(5), delayed(15)]).toEqual([1, 1, 0.5]);
    expect(exponentialDecay(1, 1, 2, { end: 3 })(10)).toBe(3); // growing, capped
  });

  // (the order was (init, rate, steps), where optax's and Keras's is (init, steps, rate): optax's
  // exponential_decay(0.1, 1000, 0.96) written so grew 1000-fold every 0.96 steps, with no word)
  it("exponential: optax's order of arguments, and a rate and steps that look swapped are refused", () => {
    const lr = exponentialDecay(0.1, 1000, 0.96);
    expect(lr(1000)).toBeCloseTo(0.096, 15);
    expect(lr(2000)).toBeCloseTo(0.1 * 0.96 ** 2, 15);
    expect(() => exponentialDecay(0.1, 0.96, 1000)).toThrow(/steps is 0\.96, less than one step \(and rate 1000: swapped\?\)\. The order is optax's/);
    expect(() => exponentialDecay(0.1, 100, 0)).toThrow(/the rate must be a positive number, got 0/);
    expect(() => exponentialDecay(0.1, 100, -0.5)).toThrow(/positive number, got -0\.5/);
  });

  it('cosine: from init to alpha·init, symmetric about its midpoint, then flat', () => {
    const lr = cosineDecay(2, 100, 0.1);
    expect(lr(0)).toBe(2);
    expect(lr(100)).toBeCloseTo(0.2, 14);
    expect(lr(500)).toBeCloseTo(0.2, 14);
    expect(lr(50)).toBeCloseTo((2 + 0.2) / 2, 14);
    expect(lr(25) + lr(75)).toBeCloseTo(2 + 0.2, 14);
    expect(monotone(steps(100).map(lr), -1)).toBe(true);
  });

  it('warm-up then cosine: rises to the peak, continuous at the join, decays to end', () => {
    const lr = warmupCosineDecay(1e-3, 10, 110, { init: 1e-5, end: 1e-6 });
    expect(lr(0)).toBe(1e-5);
    expect(lr(10)).toBeCloseTo(1e-3, 15);
    expect(Math.abs(lr(10) - lr(9.999))).toBeLessThan(1e-6);
    expect(lr(110)).toBeCloseTo(1e-6, 15);
    expect(monotone(steps(10).map(lr), 1) && monotone(steps(100).map((k) => lr(10 + k)), -1)).toBe(true);
    expect(() => warmupCosineDecay(1, 10, 10)).toThrow(/steps \(10\) must be more than the warm-up/);
    expect(() => cosineDecay(1, 0)).toThrow(/must be positive/);
  });

  // (an options object, as JavaScript can pass it, failed only at the first update: "rate is not a function")
  it('a learning rate that is neither a number nor a schedule is refused when the optimiser is made', () => {
    const options = { learningRate: 0.1 } as unknown as LearningRate;
    expect(() => sgd(options)).toThrow(/a learning rate is a number or a schedule \(a function of the step count\), got an object: write sgd\(0\.1\)/);
    expect(() => adam('1e-3' as unknown as LearningRate)).toThrow(/got string/);
    expect(() => sgd(cosineDecay(0.1, 100))).not.toThrow();
  });

  // (derivative((lr) => … sgd(lr) …) was told the learning rate was "an object")
  it('a learning rate an enclosing differentiation traces is refused as traced, not as an object', () => {
    expect(() => derivative((lr: number) => (sgd(lr), lr), 0.1)).toThrow(/the learning rate is being differentiated \(a traced number\)\. Optimisers compute on plain numbers/);
  });

  // (found by helper O: an option of another name — a typo, PyTorch's or scipy's — was ignored,
  // and the default used: minimize with { method: 'adam', lr: 0.1 } stepped at 0.001)
  it('an option the solver or optimiser does not take is refused, naming those it does; so is a count or tolerance out of range', () => {
    const bowl = (x: number) => (x - 2) ** 2;
    const given = (options: object) => options as never;
    expect(() => minimize(bowl, 0, given({ method: 'adam', lr: 0.1 }))).toThrow(/minimize: there is no option "lr"; the options are method, maxIterations, .*learningRate/);
    expect(() => minimize(bowl, 0, given({ maxIter: 5 }))).toThrow(/no option "maxIter"/);
    expect(() => leastSquares((x: number) => [x - 2], 0, given({ gtol: 1e-3 }))).toThrow(/leastSquares: there is no option "gtol"/);
    expect(() => adam(0.01, given({ beta1: 0.5 }))).toThrow(/adam: there is no option "beta1"; the options are b1, b2, eps, epsRoot/);
    expect(() => adamw(0.01, given({ weight_decay: 0.1 }))).toThrow(/adamw: there is no option "weight_decay"/);
    expect(() => sgd(0.1, given({ momentun: 0.9 }))).toThrow(/sgd: there is no option "momentun"/);
    expect(() => rmsprop(0.1, given({ alpha: 0.99 }))).toThrow(/rmsprop: there is no option "alpha"/);
    expect(() => trace(given({ momentum: 0.5 }))).toThrow(/trace: there is no option "momentum"/);
    expect(() => scaleByRms(given({ epsilon: 1 }))).toThrow(/scaleByRms: there is no option "epsilon"/);
    expect(() => exponentialDecay(1, 10, 0.5, given({ staircased: true }))).toThrow(/exponentialDecay: there is no option "staircased"/);
    expect(() => warmupCosineDecay(1, 10, 100, given({ peak: 1 }))).toThrow(/warmupCosineDecay: there is no option "peak"/);
    expect(() => minimize(bowl, 0, { maxIterations: NaN })).toThrow(/maxIterations must be a whole number ≥ 0, got NaN/);
    expect(() => minimize(bowl, 0, { maxIterations: -1 })).toThrow(/got -1/);
    expect(() => minimize(bowl, 0, { tolerance: -1e-8 })).toThrow(/tolerance must be a number ≥ 0, got -1e-8/);
    expect(() => leastSquares((x: number) => [x - 2], 0, { stepTolerance: NaN })).toThrow(/stepTolerance must be a number ≥ 0/);
    // (the options it takes work as before: the one asked for is used)
    const r = minimize(bowl, 0, { method: 'adam', learningRate: 0.1, maxIterations: 1 });
    expect(r.x).toBeCloseTo(0.1, 6); // Adam's first step: lr · sign(g)
    expect(minimize(bowl, 0, { maxIterations: Infinity }).x).toBeCloseTo(2, 8);
  });
});
