// The array workloads for zygote-ts, as ordinary JavaScript on zygote-ts's array functions
// (the same math as bench/array-peers.js writes for TensorFlow.js and jax-js).
// bench/array-workload.js loads this file rewritten by the transform, as a user's code is.
import * as zy from 'zygote-ts';

const { matmul, sum, add, sub, mul, tanh } = zy;

/** W3: the MLP's mean squared error; X and Y are constants, the four parameters arguments. */
export function mlpLoss(X, Y) {
  const count = Y.size;
  return function loss(W1, b1, W2, b2) {
    const h = tanh(add(matmul(X, W1), b1));
    const out = add(matmul(h, W2), b2);
    const d = sub(out, Y);
    return sum(mul(d, d)) / count;
  };
}

/** W4: sum(A·B). */
export function sumOfProduct(A, B) {
  return sum(matmul(A, B));
}

/** Rosenbrock over a vector, with array operations: x[:-1] and x[1:] as slices. */
export function rosenbrock(x) {
  const n = x.size;
  const a = zy.slice(x, 0, n - 1);
  const b = zy.slice(x, 1, n);
  const t = sub(b, mul(a, a));
  const u = sub(1, a);
  return sum(add(mul(100, mul(t, t)), mul(u, u)));
}
