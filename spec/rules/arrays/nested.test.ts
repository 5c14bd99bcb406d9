// Second order through array rules: the Hessian of small networks (a gradient nested in a
// gradient, and `hessian`) against central differences of the gradient.
import { describe, expect, it } from 'vitest';
import {
  add, gradient, hessian, logsumexp, matmul, mean, mul, NDArray, relu, row, sigmoid, softmax, sum, sumsq, tanh, transpose,
} from 'zygote-ts';
import { centralDifferences, checkArrayRule, uniform } from './check.js';

const W = uniform([3, 4], 21);
const V = uniform([2, 3], 22);
const x0 = uniform([4], 23);

// Scalar functions of a vector, built from matmul, tanh, sum, softmax, logsumexp.
const layer = (x: NDArray) => sum(tanh(matmul(W, x)));
const network = (x: NDArray) => {
  const h = tanh(add(matmul(W, x), 0.1));
  const logits = matmul(V, h);
  return logsumexp(logits) - logits.get(1) + 0.01 * sumsq(x);
};
const attention = (x: NDArray) => {
  const q = matmul(W, x);
  const weights = softmax(mul(q, sigmoid(q)));
  return sum(mul(weights, q)) + mean(matmul(transpose(W), q));
};

/** H[i] = ∂/∂x (∂f/∂x_i), by central differences of the gradient. */
function hessianByDifferences(f: (x: NDArray) => number, x: NDArray): Float64Array[] {
  const G = (x: NDArray) => (gradient(f, x)[0] as NDArray).data;
  return Array.from({ length: x.size }, (_, i) => centralDifferences((y) => G(y as NDArray)[i]!, [x], 0));
}

describe('second order through array rules', () => {
  for (const [name, f] of Object.entries({ layer, network, attention })) {
    it(`hessian of ${name} matches differences of its gradient`, () => {
      const H = hessian(f, x0);
      expect(H.shape).toEqual([4, 4]);
      const expected = hessianByDifferences(f, x0);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) expect(Math.abs(H.get(i, j) - expected[i]![j]!), `H[${i}][${j}]`).toBeLessThan(1e-6);
        // symmetric
        for (let j = 0; j < 4; j++) expect(H.get(i, j)).toBeCloseTo(H.get(j, i), 9);
      }
    });
  }

  it('the gradient of a gradient in two arguments (weights and input)', () => {
    // Covers every mixed second derivative of a two-layer network with a relu.
    const net = (w: NDArray, x: NDArray) => sum(mul(relu(matmul(w, x)), row(V, 0)));
    checkArrayRule('relu network', net, [uniform([3, 4], 31), uniform([4], 32)]);
    checkArrayRule('tanh layer', (w: NDArray, x: NDArray) => sum(tanh(matmul(w, x))), [uniform([3, 4], 33), uniform([4], 34)]);
  });

  it('third order through matmul, tanh and sum (a gradient three deep)', () => {
    const f = (s: number) => sum(tanh(mul(matmul(W, x0), s)));
    const d1 = (s: number) => (gradient(f, s) as number[])[0]!;
    const d2 = (s: number) => (gradient(d1, s) as number[])[0]!;
    const [d3] = gradient(d2, 0.3) as number[];
    const h = 1e-4;
    expect(Math.abs(d3! - (d2(0.3 + h) - d2(0.3 - h)) / (2 * h))).toBeLessThan(1e-6);
  });
});
