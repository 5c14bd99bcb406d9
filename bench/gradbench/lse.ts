// lse: log-sum-exp of a vector, by the max trick, and its gradient — over NDArrays.

import { array, exp, gradient, max, sub, sum, type NDArray } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  x: number[];
}

function logsumexp(x: NDArray): number {
  const a = max(x);
  return a + Math.log(sum(exp(sub(x, a))));
}

export const primal = multipleRuns(({ x }: Input) => {
  const X = array(x);
  return () => logsumexp(X);
});

export const gradient_ = multipleRuns(({ x }: Input) => {
  const X = array(x);
  return () => Array.from(gradient(logsumexp, X)[0]!.data);
});
export { gradient_ as gradient };
