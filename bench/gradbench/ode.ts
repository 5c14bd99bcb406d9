// ode: the system y₀′ = x₀, yᵢ′ = xᵢ·yᵢ₋₁ from y(0) = 0 to t = 2, solved by s steps of
// classical Runge–Kutta over NDArrays; `gradient` is the gradient of the last yᵢ(2) in x.

import { add, array, concat, get, gradient, mul, slice, zeros, type NDArray } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  x: number[];
  s: number;
}

/** The right-hand side: z₀ = x₀, zᵢ = xᵢ·yᵢ₋₁. */
function rhs(x: NDArray, y: NDArray): NDArray {
  const n = x.shape[0]!;
  return concat([slice(x, 0, 1), mul(slice(x, 1), slice(y, 0, n - 1))]);
}

export function solve(x: NDArray, s: number): NDArray {
  const h = 2 / s;
  let y = zeros(x.shape[0]!);
  for (let step = 0; step < s; step++) {
    const k1 = rhs(x, y);
    const k2 = rhs(x, add(y, mul(k1, h / 2)));
    const k3 = rhs(x, add(y, mul(k2, h / 2)));
    const k4 = rhs(x, add(y, mul(k3, h)));
    y = add(y, mul(add(add(k1, mul(k2, 2)), add(mul(k3, 2), k4)), h / 6));
  }
  return y;
}

export const primal = multipleRuns(({ x, s }: Input) => {
  const X = array(x);
  return () => Array.from(solve(X, s).data);
});

export const gradient_ = multipleRuns(({ x, s }: Input) => {
  const X = array(x);
  const last = x.length - 1;
  return () => Array.from(gradient((x: NDArray) => get(solve(x, s), last), X)[0]!.data);
});
export { gradient_ as gradient };
