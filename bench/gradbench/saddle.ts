// saddle: min over x of max over y of f(x, y) = (x₁² + x₂²) − (y₁² + y₂²), both by gradient
// descent from the same start, then the argmax at that x — nested differentiation: the
// outer gradient differentiates through the inner solver's iterations. The four functions
// pick the mode of the outer and the inner gradient (f = forward, r = reverse).

import { argmax, argmin, forward, max, reverse, type Grad } from './solver.js';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  start: [number, number];
}

const f = (x: number[], y: number[]) => x[0]! ** 2 + x[1]! ** 2 - (y[0]! ** 2 + y[1]! ** 2);

function saddle(outer: Grad, inner: Grad, start: number[]): number[] {
  const x = argmin(outer, (x) => max(inner, (y) => f(x, y), start), start);
  const y = argmax(outer, (y) => f(x, y), start);
  return [...x, ...y];
}

export const ff = multipleRuns(({ start }: Input) => () => saddle(forward, forward, start));
export const fr = multipleRuns(({ start }: Input) => () => saddle(forward, reverse, start));
export const rf = multipleRuns(({ start }: Input) => () => saddle(reverse, forward, start));
export const rr = multipleRuns(({ start }: Input) => () => saddle(reverse, reverse, start));
