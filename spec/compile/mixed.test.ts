// compileGradient on array code mixed with numbers: traced numbers as operands of array
// operations, guards on numbers computed from arrays, and the operator syntax on arrays.
// Each compiled gradient equals the eager one, on the call that records and the next.
import { describe, expect, it } from 'vitest';
import { add, compileGradient, div, gradient, matmul, mean, mul, NDArray, pow, rand, sub, sum, tanh, exp, maximum, relu, sigmoid, abs, sqrt, log, max, min, logsumexp, transpose, reshape } from 'zygote-ts';
/** Deep equality up to the rounding of a sum's order. */
const close = (a: any, b: any): void => {
  if (b instanceof NDArray) { b.data.forEach((v, i) => expect(Math.abs(a.data[i] - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)))); return; }
  if (typeof b === 'number') { expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b))); return; }
  if (b === null) { expect(a).toBeNull(); return; }
  for (const k of Object.keys(b)) close(a[k], b[k]);
};
const X = rand(3, 4, { seed: 1 }), Y = rand(3, 4, { seed: 2 }), v = rand(4, { seed: 3 });
const cases: [string, (...a: any[]) => number, any[]][] = [
  ['add scalar', (x: NDArray, s: number) => sum(add(x, s)) * s, [X, 0.7]],
  ['div scalar', (x: NDArray, s: number) => sum(div(s, add(x, 1))), [X, 1.3]],
  ['pow scalar', (x: NDArray, s: number) => sum(pow(add(x, 1), s)), [X, 1.5]],
  ['products of sums', (x: NDArray, y: NDArray) => sum(x) * sum(mul(y, y)), [X, Y]],
  ['guard on mean', (x: NDArray) => (mean(x) > 0.3 ? sum(tanh(x)) : sum(exp(x))), [X]],
  ['maximum relu sigmoid', (x: NDArray, y: NDArray) => sum(maximum(x, y)) + sum(relu(sub(x, 0.5))) + sum(sigmoid(y)), [X, Y]],
  ['abs sqrt log', (x: NDArray) => sum(sqrt(abs(sub(x, 0.5)))) + sum(log(add(x, 1))), [X]],
  ['max min lse axis', (x: NDArray) => sum(max(x, 0)) + sum(min(x, 1)) + sum(logsumexp(x, 1)), [X]],
  ['matvec', (x: NDArray, w: NDArray) => sum(tanh(matmul(x, w))), [X, v]],
  ['transpose reshape', (x: NDArray) => sum(mul(transpose(x), reshape(x, [4, 3]))), [X]],
  ['operators', (x: NDArray, y: NDArray) => sum((x as any) * (y as any) + (x as any) / 2) as number, [X, Y]],
];
describe('compileGradient on arrays mixed with numbers', () => {
  for (const [name, f, args] of cases) {
    it(name, () => {
      const g = compileGradient(f);
      close(g(...args), gradient(f, ...args));
      close(g(...args), gradient(f, ...args));
      expect(g.fallback).toBeNull();
    });
  }
});
