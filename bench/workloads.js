// The benchmark workloads, as ordinary JavaScript. bench/run.js loads this file twice:
// as it is (plain JavaScript) and rewritten by the zygote-ts transform.

/** W1: a scalar chain, 250 × (x = sin(x)·1.0001 + x·x·0.001): 1250 operations. */
export function w1(x) {
  for (let i = 0; i < 250; i++) x = Math.sin(x) * 1.0001 + x * x * 0.001;
  return x;
}

/** W2: Rosenbrock over a plain array, written as a scalar loop. */
export function rosenbrock(x) {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** W2 with its array spread into scalar arguments (one gradient per element). */
export function rosenbrockOfArgs(...x) {
  return rosenbrock(x);
}

/** W-points: the seed's Point and dist, summed over an array of 10⁵ class instances. */
export class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

export function dist(p) {
  return Math.sqrt(p.x ** 2 + p.y ** 2);
}

export function totalDist(points) {
  let s = 0;
  for (const p of points) s += dist(p);
  return s;
}

/**
 * W-mlp: a small network written with scalars — 2 inputs, 8 tanh units, 1 output — and its
 * mean squared error over 16 samples (33 parameters in one array). Not a workload of the
 * other rows: the eager gradient's figure on a program chosen after the tape was tuned.
 */
const MLP_SAMPLES = Array.from({ length: 16 }, (_, i) => [Math.cos(i), Math.sin(1.7 * i), Math.tanh(i / 8 - 1)]);

export function mlpLoss(p) {
  let loss = 0;
  for (const [x1, x2, y] of MLP_SAMPLES) {
    let out = p[32];
    for (let j = 0; j < 8; j++) out += p[24 + j] * Math.tanh(p[3 * j] * x1 + p[3 * j + 1] * x2 + p[3 * j + 2]);
    const e = out - y;
    loss += e * e;
  }
  return loss / MLP_SAMPLES.length;
}
