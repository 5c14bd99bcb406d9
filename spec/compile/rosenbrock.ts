// Rosenbrock over an NDArray with array operations: the slices x[0:n-1] and x[1:n] (windows
// of x), the stencil between them, and its sum — one fused loop, forward and backward.
import { add, mul, NDArray, slice, sub, sum } from 'zygote-ts';

export function rosenbrock(x: NDArray): number {
  const n = x.size;
  const a = slice(x, 0, n - 1);
  const b = slice(x, 1, n);
  const t = sub(b, mul(a, a));
  const u = sub(1, a);
  return sum(add(mul(100, mul(t, t)), mul(u, u)));
}
