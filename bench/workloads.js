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
