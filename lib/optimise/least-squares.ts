// leastSquares(residuals, x0): the x minimising ½‖r(x)‖² by Levenberg–Marquardt, with the
// exact Jacobian of the residuals (`withjacobian`, one reverse sweep per residual) where
// curve-fitting libraries in JavaScript difference it numerically.
//
// The damping follows Madsen, Nielsen & Tingleff, "Methods for non-linear least squares
// problems" (2004), Algorithm 3.16 (the gain ratio ρ sets μ), with Marquardt's scaling by
// the largest diagonal of JᵀJ seen so far (as MINPACK's lmder), so that parameters of
// different scales are damped alike.

import { withjacobian } from '../api.js';
import { isNDArray, type NDArray } from '../ndarray.js';
import { Layout } from '../tree/layout.js';
import { rebuild } from '../tree/rebuild.js';
import { refuseSharedMemory } from '../tree/leaves.js';
import type { StopReason } from './minimize.js';
import { checkOptionNames, checkStopping } from './options.js';
import { allFinite, dot, maxAbs } from './vectors.js';

export interface LeastSquaresOptions<T> {
  /** Accepted steps at most. Default 200. */
  maxIterations?: number;
  /** Converged when the gradient Jᵀr's largest component is at most this. Default 1e-10. */
  tolerance?: number;
  /** Converged when a step is at most this relative to x (‖h‖ ≤ tol·(‖x‖ + tol)). Default 1e-10. */
  stepTolerance?: number;
  /** Converged when a step lowers the cost by at most this fraction of it. Default 1e-14. */
  valueTolerance?: number;
  /** Called after each accepted step; returning false stops. */
  onStep?: (step: LeastSquaresStep<T>) => void | boolean;
}

export interface LeastSquaresStep<T> {
  readonly iteration: number;
  /** The iterate: a frozen snapshot in x0's shape. */
  readonly x: T;
  /** ½‖r‖² */
  readonly cost: number;
}

export interface LeastSquaresResult<T> {
  readonly x: T;
  /** ½‖r(x)‖² */
  readonly cost: number;
  readonly residuals: number[];
  /** Accepted steps. */
  readonly iterations: number;
  /** Evaluations of the residuals (a Jacobian counts as one as well). */
  readonly evaluations: number;
  /** Jacobians computed (one per accepted step, and x0's). */
  readonly jacobians: number;
  /** 'noDecrease': no step, however damped, lowered the cost. */
  readonly reason: StopReason | 'noDecrease';
  readonly converged: boolean;
  readonly message: string;
}

/**
 * The least-squares fit: `x` minimising ½‖residuals(x)‖², by Levenberg–Marquardt with the
 * exact Jacobian. `x0` may be any structure zygote-ts differentiates; the residuals are an
 * array of numbers (or an NDArray).
 *
 * @example
 * const ts = [0, 1, 2, 3, 4], ys = ts.map((t) => 3 * Math.exp(-0.5 * t));
 * const fit = leastSquares((p: { a: number; k: number }) => ts.map((t, i) => p.a * Math.exp(-p.k * t) - ys[i]!), { a: 1, k: 1 });
 * fit.x; // { a: 3, k: 0.5 } (to 1e-10)
 */
export function leastSquares<T>(residuals: (x: T) => readonly number[] | NDArray, x0: T, options: LeastSquaresOptions<T> = {}): LeastSquaresResult<T> {
  checkOptionNames('leastSquares', options, ['maxIterations', 'tolerance', 'stepTolerance', 'valueTolerance', 'onStep']);
  const { maxIterations = 200, tolerance = 1e-10, stepTolerance = 1e-10, valueTolerance = 1e-14, onStep } = options;
  checkStopping('leastSquares', maxIterations, { tolerance, stepTolerance, valueTolerance });
  if (typeof residuals !== 'function') throw new TypeError(`zygote-ts: leastSquares(residuals, x0) needs a function, got ${typeof residuals}.`);
  const layout = Layout.of(x0, 'leastSquares');
  const n = layout.size;
  if (n === 0) throw new TypeError('zygote-ts: leastSquares: x0 holds no numbers to fit.');
  refuseSharedMemory(layout.gather(x0, 'leastSquares'), 'leastSquares');
  const structure = (v: Float64Array, freeze = false) => rebuild(x0, layout, layout.unflatten(v), { caller: 'leastSquares', freeze });
  let evaluations = 0;
  let jacobians = 0;

  // The residuals' count, set at x0. (one that changed with x — a trimmed fit dropping the
  // points beyond a threshold — was read against x0's count: the normal equations summed the
  // first m rows of J only, and the fit stopped 'converged' where the gradient of the cost
  // it reported was not zero)
  let count = -1;
  const counted = (r: Float64Array, v: Float64Array): Float64Array => {
    if (count < 0) count = r.length;
    else if (r.length !== count) {
      throw new RangeError(
        `zygote-ts: leastSquares: the residuals numbered ${count} at x0 but ${r.length} at ${v.length <= 6 ? `x = [${Array.from(v).join(', ')}]` : 'a later x'}: ` +
          'their count must not depend on x (Levenberg–Marquardt fits one vector of residuals; a cost whose terms come and go jumps). ' +
          'Give a point you leave out a residual of 0 (or a weight) instead of dropping it.',
      );
    }
    return r;
  };
  const residualsAt = (v: Float64Array): Float64Array => {
    evaluations++;
    return counted(numbersOf(residuals(structure(v))), v);
  };
  /** The residuals and their Jacobian (m×n, row-major) at v. */
  const linearised = (v: Float64Array): { r: Float64Array; J: Float64Array } => {
    evaluations++;
    jacobians++;
    const { val, grad } = withjacobian(residuals, structure(v));
    const r = counted(numbersOf(val), v);
    const rows = grad[0] as unknown;
    if (isNDArray(rows)) return { r, J: Float64Array.from(rows.data) };
    const J = new Float64Array(r.length * n);
    (rows as unknown[]).forEach((row, i) => J.set(layout.flatten(layout.gather(row, 'leastSquares (a Jacobian row)')), i * n));
    return { r, J };
  };

  let x = layout.flatten(layout.gather(x0, 'leastSquares'));
  let { r, J } = linearised(x);
  const m = r.length;
  let cost = dot(r, r) / 2;
  let normal = normalEquations(J, r, m, n);
  const scaling = Float64Array.from({ length: n }, (_, k) => Math.max(normal.A[k * (n + 1)]!, 1e-300));
  let mu = 1e-3 * Math.max(...scaling);
  let nu = 2;
  let iterations = 0;

  const finish = (reason: LeastSquaresResult<T>['reason'], message: string): LeastSquaresResult<T> => ({
    x: structure(x),
    cost,
    residuals: Array.from(r),
    iterations,
    evaluations,
    jacobians,
    reason,
    converged: reason === 'gradient' || reason === 'value' || reason === 'step',
    message,
  });
  if (!Number.isFinite(cost) || !allFinite(J)) return finish('notFinite', 'the residuals or their Jacobian are not finite at x0.');

  while (iterations < maxIterations) {
    if (maxAbs(normal.g) <= tolerance) return finish('gradient', `the gradient Jᵀr's largest component ${maxAbs(normal.g)} ≤ tolerance ${tolerance}.`);
    // Damped steps until one lowers the cost (ρ > 0).
    let accepted = false;
    for (let tries = 0; !accepted; tries++) {
      if (tries === 60 || !Number.isFinite(mu)) return finish('noDecrease', `no step lowered the cost ${cost} (damping μ = ${mu}).`);
      const h = solveDamped(normal.A, normal.g, scaling, mu, n);
      if (h === null) {
        [mu, nu] = [mu * nu, nu * 2];
        continue;
      }
      const hNorm = Math.sqrt(dot(h, h));
      const xNorm = Math.sqrt(dot(x, x));
      if (hNorm <= stepTolerance * (xNorm + stepTolerance)) return finish('step', `the step ${hNorm} ≤ stepTolerance ${stepTolerance} × (‖x‖ + stepTolerance).`);
      const xNew = x.map((v, k) => v + h[k]!);
      const rNew = residualsAt(xNew);
      const costNew = dot(rNew, rNew) / 2;
      // L(0) − L(h) = ½ hᵀ(μ·D·h − g), the decrease the linear model predicts
      let predicted = 0;
      for (let k = 0; k < n; k++) predicted += h[k]! * (mu * scaling[k]! * h[k]! - normal.g[k]!);
      const rho = (cost - costNew) / (predicted / 2);
      if (!(Number.isFinite(costNew) && rho > 0)) {
        [mu, nu] = [mu * nu, nu * 2];
        continue;
      }
      accepted = true;
      const decrease = cost - costNew;
      x = xNew;
      ({ r, J } = linearised(x));
      cost = dot(r, r) / 2;
      normal = normalEquations(J, r, m, n);
      for (let k = 0; k < n; k++) scaling[k] = Math.max(scaling[k]!, normal.A[k * (n + 1)]!);
      mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      nu = 2;
      iterations++;
      if (onStep?.({ iteration: iterations, x: structure(x, true), cost }) === false) return finish('stopped', `onStep returned false at iteration ${iterations}.`);
      if (decrease <= valueTolerance * costNew) return finish('value', `the cost fell by ${decrease} ≤ valueTolerance ${valueTolerance} × the cost.`);
    }
  }
  return finish('maxIterations', `${maxIterations} steps without meeting a stopping test; the gradient's largest component is ${maxAbs(normal.g)}.`);
}

function numbersOf(r: readonly number[] | NDArray): Float64Array {
  if (isNDArray(r)) return Float64Array.from(r.data);
  if (!Array.isArray(r)) throw new TypeError('zygote-ts: leastSquares: the residuals must be an array of numbers (or an NDArray).');
  return Float64Array.from(r);
}

/** JᵀJ (n×n, row-major) and Jᵀr. */
function normalEquations(J: Float64Array, r: Float64Array, m: number, n: number): { A: Float64Array; g: Float64Array } {
  const A = new Float64Array(n * n);
  const g = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let a = 0; a < n; a++) {
      const ja = J[row + a]!;
      if (ja === 0) continue;
      g[a]! += ja * r[i]!;
      for (let b = 0; b <= a; b++) A[a * n + b]! += ja * J[row + b]!;
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) A[b * n + a] = A[a * n + b]!;
  return { A, g };
}

/** The step h solving (A + μ·diag(D)) h = −g by Cholesky; null when the matrix is not positive definite in floating point. */
function solveDamped(A: Float64Array, g: Float64Array, D: Float64Array, mu: number, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]! + (i === j ? mu * D[i]! : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
  }
  // L·z = −g, then Lᵀ·h = z
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = -g[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * h[k]!;
    h[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = h[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * h[k]!;
    h[i] = s / L[i * n + i]!;
  }
  return h;
}
