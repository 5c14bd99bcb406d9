// llsq: the linear least-squares objective ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)² at n points tᵢ on [−1, 1]
// with sᵢ = sign(tᵢ), and its gradient. The n points are an NDArray; the m coefficients
// are plain numbers, each scaling one power of t.

import { array, gradient, mul, sub, sumsq, type NDArray } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  x: number[];
  n: number;
}

function objective(x: number[], n: number): number {
  const ts = Array.from({ length: n }, (_, i) => -1 + (i * 2) / (n - 1));
  const t = array(ts);
  let residual: NDArray = array(ts.map(Math.sign));
  let power: NDArray = array(ts.map(() => 1));
  for (const xj of x) {
    residual = sub(residual, mul(power, xj));
    power = mul(power, t);
  }
  return sumsq(residual) / 2;
}

export const primal = multipleRuns(({ x, n }: Input) => () => objective(x, n));

// (n is a size, not a variable: closed over, so that it is not traced)
export const gradient_ = multipleRuns(({ x, n }: Input) => () => gradient((x: number[]) => objective(x, n), x)[0]);
export { gradient_ as gradient };
