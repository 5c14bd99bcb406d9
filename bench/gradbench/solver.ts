// The gradient-descent solver that the particle and saddle evals prescribe (so that every
// tool takes the same steps): a fixed rule for the step size, stopping when the gradient or
// the step is below 1e-5. The gradient is a parameter — forward or reverse mode, and, when
// the solver runs inside another differentiation, nested in it.

import { densegradient, jvp } from 'zygote-ts';

/** The gradient of f at x, by some mode. */
export type Grad = (f: (x: number[]) => number, x: number[]) => number[];

/** By reverse mode: one pullback. */
export const reverse: Grad = (f, x) => densegradient(f, x)[0];

/** By forward mode: one jvp per input, along each unit vector. */
export const forward: Grad = (f, x) => x.map((_, i) => jvp(f, [x], [x.map((_, j) => (j === i ? 1 : 0))])[1]);

const norm = (v: number[]) => Math.sqrt(v.reduce((s, vi) => s + vi * vi, 0));
const distance = (u: number[], v: number[]) => norm(u.map((ui, i) => ui - v[i]!));

/** A minimum of f near x0 by gradient descent: the step grows ×2 after 10 decreases, halves after an increase. */
export function argmin(grad: Grad, f: (x: number[]) => number, x0: number[]): number[] {
  let x = x0;
  let fx = f(x);
  let gx = grad(f, x);
  let eta = 1e-5;
  let decreases = 0;
  for (;;) {
    if (norm(gx) <= 1e-5) return x;
    if (decreases === 10) {
      eta *= 2;
      decreases = 0;
      continue;
    }
    const next = x.map((xi, i) => xi - eta * gx[i]!);
    if (distance(x, next) <= 1e-5) return x;
    const fnext = f(next);
    if (fnext < fx) {
      x = next;
      fx = fnext;
      gx = grad(f, x);
      decreases++;
    } else {
      eta /= 2;
      decreases = 0;
    }
  }
}

export const argmax = (grad: Grad, f: (x: number[]) => number, x0: number[]) => argmin(grad, (x) => -f(x), x0);

export const max = (grad: Grad, f: (x: number[]) => number, x0: number[]) => f(argmax(grad, f, x0));
