// minimize(f, x0): the minimum of a scalar function of any structure zygote-ts
// differentiates, by L-BFGS with a strong Wolfe line search (the default), gradient
// descent, or Adam. The solver sees f as a function of one vector (objective.ts); the
// caller sees structures: the iterate, its snapshots and the gradient have x0's shape.
//
// Stopping tests, checked after each iteration: the gradient's largest component
// (`tolerance`), the change of f (`valueTolerance`), the step's largest component
// (`stepTolerance`); and `maxIterations`. The result says which one stopped it, or why the
// solver could not go on.

import type { Grad } from '../types.js';
import { applyUpdates } from './apply.js';
import { LbfgsMemory } from './lbfgs.js';
import { strongWolfe, type Trial } from './line-search.js';
import { Objective, type Evaluation } from './objective.js';
import { checkOptionNames, checkStopping } from './options.js';
import { adam, sgd } from './optimisers.js';
import type { GradientTransformation } from './transformation.js';
import { allFinite, along, difference, dot, maxAbs } from './vectors.js';

export type MinimizeMethod = 'lbfgs' | 'gd' | 'adam';

/** Why a solver stopped. The first three mean it converged. */
export type StopReason = 'gradient' | 'value' | 'step' | 'maxIterations' | 'lineSearch' | 'notFinite' | 'stopped';

/** What `onStep` sees after each iteration. */
export interface MinimizeStep<T> {
  readonly iteration: number;
  /** The iterate: a snapshot in x0's shape, frozen (the solver never changes it; keep it for a plot). */
  readonly x: T;
  readonly value: number;
  /** The gradient's largest component (what `tolerance` is compared with). */
  readonly gradientNorm: number;
  /** Evaluations of f and its gradient so far. */
  readonly evaluations: number;
}

export interface MinimizeOptions<T> {
  /** 'lbfgs' (default), 'gd' (steepest descent; with a line search unless `learningRate` is given) or 'adam'. */
  method?: MinimizeMethod;
  /** Iterations at most. Default 1000. */
  maxIterations?: number;
  /** Converged when the gradient's largest component is at most this. Default 1e-8. */
  tolerance?: number;
  /** Converged when an iteration lowers f by at most this times max(|f|, 1) (f equal or higher is no convergence). Default 0 (off). */
  valueTolerance?: number;
  /** Converged when a step's largest component is at most this. Default 0 (off). */
  stepTolerance?: number;
  /** Adam's learning rate (default 0.001), or gradient descent's fixed step: a positive number (refused with L-BFGS). */
  learningRate?: number;
  /** How many steps L-BFGS remembers. Default 10. */
  memory?: number;
  /** Use compileGradient while f compiles (it falls back by itself when f does not). Default true. */
  compile?: boolean;
  /** Called after each iteration (for plots, progress bars); returning false stops the solver. */
  onStep?: (step: MinimizeStep<T>) => void | boolean;
}

export interface MinimizeResult<T> {
  /** The last iterate, in x0's shape. */
  readonly x: T;
  readonly value: number;
  /** ∇f at x, in x0's gradient shape. */
  readonly gradient: Grad<T>;
  readonly iterations: number;
  /** Evaluations of f and its gradient. */
  readonly evaluations: number;
  readonly reason: StopReason;
  /** True when a convergence test stopped it ('gradient', 'value' or 'step'). */
  readonly converged: boolean;
  /** The reason in words, with the numbers compared. */
  readonly message: string;
}

/** A point the solver stands on: its numbers, f and ∇f there. */
interface Iterate extends Evaluation {
  readonly x: Float64Array;
}

/** One iteration of a method: the next iterate, or why there is none. */
type Stepper = (at: Iterate) => Iterate | 'lineSearch' | 'notFinite';

/**
 * The minimum of `f` from `x0`, which may be any structure zygote-ts differentiates
 * (numbers, records, class instances, arrays, NDArrays, Maps, nesting); the result's `x` has
 * x0's shape. L-BFGS with a strong Wolfe line search by default.
 *
 * @example
 * const rosenbrock = (p: { x: number; y: number }) => (1 - p.x) ** 2 + 100 * (p.y - p.x ** 2) ** 2;
 * const result = minimize(rosenbrock, { x: -1.2, y: 1 });
 * result.x;      // { x: 1, y: 1 } (to 1e-8)
 * result.reason; // 'gradient'
 */
export function minimize<T>(f: (x: T) => number, x0: T, options: MinimizeOptions<T> = {}): MinimizeResult<T> {
  checkOptionNames('minimize', options, ['method', 'maxIterations', 'tolerance', 'valueTolerance', 'stepTolerance', 'learningRate', 'memory', 'compile', 'onStep']);
  const { method = 'lbfgs', maxIterations = 1000, tolerance = 1e-8, valueTolerance = 0, stepTolerance = 0, onStep } = options;
  checkStopping('minimize', maxIterations, { tolerance, valueTolerance, stepTolerance });
  checkMethodOptions(method, options);
  const objective = new Objective(f, x0, 'minimize', options.compile ?? true);
  let step = stepperFor(method, objective, options);

  let at: Iterate = { x: objective.start, ...objective.evaluate(objective.start) };
  let iterations = 0;
  const stop = (reason: StopReason, detail: string) => ({ reason, detail });

  /** Iterates from `at` until a test stops it. */
  const solve = (): { reason: StopReason; detail: string } => {
    if (!finiteAt(at)) return stop('notFinite', iterations === 0 ? 'f or its gradient is not finite at x0.' : `f or its gradient is not finite at iteration ${iterations}.`);
    if (maxAbs(at.gradient) <= tolerance) {
      return stop('gradient', `${iterations === 0 ? 'x0 is stationary: ' : ''}the gradient's largest component ${maxAbs(at.gradient)} ≤ tolerance ${tolerance}.`);
    }
    while (iterations < maxIterations) {
      const iteration = iterations + 1;
      const next = step(at);
      if (next === 'notFinite') return stop(next, `f or its gradient is not finite after the step of iteration ${iteration}; the last finite iterate is returned.`);
      if (next === 'lineSearch') {
        return stop(next, `no step along the search direction met the strong Wolfe conditions at iteration ${iteration} (f may be flat to rounding there, or not smooth); the gradient's largest component is ${maxAbs(at.gradient)}.`);
      }
      const previous = at;
      at = next;
      iterations = iteration;
      const gradientNorm = maxAbs(at.gradient);
      if (onStep?.({ iteration, x: objective.structure(at.x, true), value: at.value, gradientNorm, evaluations: objective.evaluations }) === false) {
        return stop('stopped', `onStep returned false at iteration ${iteration}.`);
      }
      if (gradientNorm <= tolerance) return stop('gradient', `the gradient's largest component ${gradientNorm} ≤ tolerance ${tolerance}.`);
      // (each test is off at 0: f equal at two iterates is no convergence when gd oscillates
      // across a minimum, x ↦ −x on x², and an iterate that did not move has no small gradient;
      // for the same reason f must have gone down: a fixed step — gd with a learning rate, Adam
      // — can land where f is as high as before, on the other side)
      const change = Math.abs(previous.value - at.value);
      if (valueTolerance > 0 && at.value < previous.value && change <= valueTolerance * Math.max(Math.abs(previous.value), Math.abs(at.value), 1)) {
        return stop('value', `f changed by ${change} ≤ valueTolerance ${valueTolerance} × max(|f|, 1).`);
      }
      const stepSize = maxAbs(difference(at.x, previous.x));
      if (stepTolerance > 0 && stepSize <= stepTolerance) return stop('step', `the step's largest component ${stepSize} ≤ stepTolerance ${stepTolerance}.`);
    }
    return stop('maxIterations', `${maxIterations} iterations without meeting a stopping test; the gradient's largest component is ${maxAbs(at.gradient)}.`);
  };

  for (;;) {
    const { reason, detail } = solve();
    // The compiled gradient is f's as recorded, with what f read from outside x then fixed (a
    // closure variable, Math.random(), a minibatch counter); the values are f's now. Where they
    // are two functions, the solver converged on the recording's gradient: Adam on a loss of
    // random batches reported 'gradient' at the first batch's minimum. The point it stops on
    // is checked with f's own gradient, and where that one does not stop it, or differs, the
    // solver goes on uncompiled.
    if (at.compiled && reason !== 'notFinite') {
      const compiledGradient = at.gradient;
      at = { x: at.x, ...objective.evaluateEagerly(at.x) };
      const stale = reason === 'gradient' ? !(maxAbs(at.gradient) <= tolerance) : !agree(at.gradient, compiledGradient);
      if (stale && reason !== 'maxIterations' && reason !== 'stopped') {
        objective.stopCompiling();
        step = stepperFor(method, objective, options);
        continue;
      }
    }
    return {
      x: objective.structure(at.x),
      value: at.value,
      gradient: objective.layout.scatter(objective.layout.unflatten(at.gradient)) as Grad<T>,
      iterations,
      evaluations: objective.evaluations,
      reason,
      converged: reason === 'gradient' || reason === 'value' || reason === 'step',
      message: detail,
    };
  }
}

/**
 * Refuses a learning rate that cannot descend, and one given to L-BFGS. (learningRate 0 left
 * x where it was, and with a stepTolerance the zero step reported 'step', converged, at x0
 * where the gradient was 6; a negative one climbed; L-BFGS took its steps from the line
 * search, the rate asked for unused, with nothing said)
 */
function checkMethodOptions<T>(method: MinimizeMethod, options: MinimizeOptions<T>): void {
  const { learningRate } = options;
  if (learningRate === undefined) return;
  if (method === 'lbfgs') {
    throw new TypeError(`zygote-ts: minimize: learningRate is for method 'gd' or 'adam'; L-BFGS (the default method) takes its steps from a line search. Pass method: 'gd' for a fixed step.`);
  }
  if (!(typeof learningRate === 'number' && learningRate > 0 && learningRate < Infinity)) {
    throw new RangeError(`zygote-ts: minimize: learningRate must be a positive number, got ${String(learningRate)}.`);
  }
}

/** Whether two gradients at one point are the same but for rounding. */
const agree = (a: Float64Array, b: Float64Array) => maxAbs(difference(a, b)) <= 1e-6 * Math.max(maxAbs(a), maxAbs(b));

const finiteAt = (e: Evaluation) => Number.isFinite(e.value) && allFinite(e.gradient);

function stepperFor<T>(method: MinimizeMethod, objective: Objective<T>, options: MinimizeOptions<T>): Stepper {
  if (method === 'lbfgs') return lbfgs(objective, options.memory ?? 10);
  if (method === 'gd') return options.learningRate === undefined ? steepestDescent(objective) : fixedRate(objective, sgd(options.learningRate));
  if (method === 'adam') return fixedRate(objective, adam(options.learningRate ?? 0.001));
  throw new TypeError(`zygote-ts: minimize: method must be 'lbfgs', 'gd' or 'adam', got ${JSON.stringify(method)}.`);
}

/** The line along `d` from `at`, as the line search evaluates it. */
function lineThrough<T>(objective: Objective<T>, at: Iterate, d: Float64Array) {
  return (alpha: number): Trial<Iterate> => {
    const x = along(at.x, alpha, d);
    const e = objective.evaluate(x);
    return { alpha, value: e.value, slope: dot(e.gradient, d), point: { x, ...e } };
  };
}

/** L-BFGS (Nocedal & Wright, Algorithm 7.5). */
function lbfgs<T>(objective: Objective<T>, size: number): Stepper {
  const memory = new LbfgsMemory(size);
  return (at) => {
    for (;;) {
      let d = memory.direction(at.gradient);
      let slope = dot(at.gradient, d);
      if (!(slope < 0)) {
        // (rounding can spoil the quasi-Newton matrix: start again from steepest descent)
        memory.clear();
        d = memory.direction(at.gradient);
        slope = dot(at.gradient, d);
      }
      // The first step along −∇f has no curvature to go by: a step of length 1 at most.
      const first = memory.empty ? Math.min(1, 1 / Math.sqrt(dot(at.gradient, at.gradient))) : 1;
      const found = strongWolfe(lineThrough(objective, at, d), { value: at.value, slope }, first);
      if (found === null) {
        if (memory.empty) return 'lineSearch';
        memory.clear(); // one more try, along −∇f
        continue;
      }
      memory.push(difference(found.point.x, at.x), difference(found.point.gradient, at.gradient));
      return found.point;
    }
  };
}

/** Steepest descent with the strong Wolfe line search; each first step guesses from the last (Nocedal & Wright (3.60)). */
function steepestDescent<T>(objective: Objective<T>): Stepper {
  let lastDecrease = 0; // α·|∇f|² of the last accepted step
  return (at) => {
    const squared = dot(at.gradient, at.gradient);
    const d = at.gradient.map((g) => -g);
    const first = lastDecrease > 0 ? Math.min(1e10, lastDecrease / squared) : Math.min(1, 1 / Math.sqrt(squared));
    const found = strongWolfe(lineThrough(objective, at, d), { value: at.value, slope: -squared }, first);
    if (found === null) return 'lineSearch';
    lastDecrease = found.alpha * squared;
    return found.point;
  };
}

/** A transformation applied to the flat vector (Adam, or gradient descent with a fixed rate). */
function fixedRate<T>(objective: Objective<T>, optimiser: GradientTransformation): Stepper {
  let state = optimiser.init(objective.start);
  return (at) => {
    const [updates, next] = optimiser.update(at.gradient, state);
    state = next;
    const x = applyUpdates(at.x, updates);
    const e = objective.evaluate(x);
    return finiteAt(e) ? { x, ...e } : 'notFinite';
  };
}
