// gmm: the log posterior of a Gaussian mixture with a Wishart prior on the precision
// matrices, and its gradient in (alpha, mu, q, l) — over NDArrays. Component c's precision
// factor is Q_c = diag(exp q_c) + L_c, L_c strictly lower triangular, filled column by column
// from l_c; for every point the quadratic term is |Q_c (xᵢ − μ_c)|².

import { add, array, concat, exp, gradient, logsumexp, matmul, mul, reshape, row, slice, stack, sub, sum, sumsq, transpose, zeros, type NDArray } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Parameters {
  alpha: number[];
  mu: number[][];
  q: number[][];
  l: number[][];
}

interface Input extends Runs, Parameters {
  d: number;
  k: number;
  n: number;
  x: number[][];
  m: number;
  gamma: number;
}

/** log Γ(x) for x > 0.5, by Lanczos' approximation (g = 7, nine terms; ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the multivariate gamma function Γ_p(a). */
function logMultiGamma(a: number, p: number): number {
  let out = 0.25 * p * (p - 1) * Math.log(Math.PI);
  for (let j = 1; j <= p; j++) out += logGamma(a + 0.5 * (1 - j));
  return out;
}

/**
 * Every component's L_cᵀ (k × d × d, as k × d² rows): row j of L_cᵀ is column j of L_c,
 * zeros down to the diagonal, then l_c's entries for that column. Built for all
 * components at once, from the columns of l (the k components side by side).
 */
function lowerTransposed(l: NDArray, d: number): NDArray {
  const k = l.shape[0]!;
  const byEntry = transpose(l); // (d(d−1)/2) × k
  const rows: NDArray[] = [];
  for (let j = 0, offset = 0; j < d; offset += d - j - 1, j++) {
    const below = slice(byEntry, offset, offset + d - j - 1);
    rows.push(j === d - 1 ? zeros(d, k) : concat([zeros(j + 1, k), below]));
  }
  return transpose(reshape(stack(rows), [d * d, k]));
}

export function logPosterior(alpha: NDArray, mu: NDArray, q: NDArray, l: NDArray, x: NDArray, m: number, gamma: number): number {
  const [n, d] = x.shape as [number, number];
  const k = alpha.shape[0]!;
  const diagonals = exp(q);
  const Lt = lowerTransposed(l, d);
  // −½|Q_c (xᵢ − μ_c)|² for every point i (a column per component)
  const quadratic: NDArray[] = [];
  for (let c = 0; c < k; c++) {
    const centred = sub(x, row(mu, c));
    const Qx = add(mul(centred, row(diagonals, c)), matmul(centred, reshape(row(Lt, c), [d, d])));
    quadratic.push(mul(sum(mul(Qx, Qx), 1), -0.5));
  }
  const beta = add(stack(quadratic, 1), add(alpha, sum(q, 1)));
  const likelihood = -n * d * 0.5 * Math.log(2 * Math.PI) + sum(logsumexp(beta, 1)) - n * logsumexp(alpha);
  // the Wishart prior: V = I/γ², n′ = d + m + 1 degrees of freedom
  const dof = d + m + 1;
  const C = dof * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logMultiGamma(0.5 * dof, d);
  const prior = k * C - (0.5 * gamma * gamma * (sumsq(diagonals) + sumsq(l)) - m * sum(q));
  return likelihood + prior;
}

function read(input: Input) {
  return { alpha: array(input.alpha), mu: array(input.mu), q: array(input.q), l: array(input.l), x: array(input.x) };
}

export const objective = multipleRuns((input: Input) => {
  const { alpha, mu, q, l, x } = read(input);
  return () => logPosterior(alpha, mu, q, l, x, input.m, input.gamma);
});

export const jacobian = multipleRuns((input: Input) => {
  const { alpha, mu, q, l, x } = read(input);
  const f = (alpha: NDArray, mu: NDArray, q: NDArray, l: NDArray) => logPosterior(alpha, mu, q, l, x, input.m, input.gamma);
  return (): Parameters => {
    const [dalpha, dmu, dq, dl] = gradient(f, alpha, mu, q, l);
    return { alpha: Array.from(dalpha!.data), mu: dmu!.toArray() as number[][], q: dq!.toArray() as number[][], l: dl!.toArray() as number[][] };
  };
});
