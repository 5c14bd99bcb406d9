// Finite-difference checks for scalar rules (after ChainRulesTestUtils' test_rrule).
import { expect } from 'vitest';
import { gradient, ruleReport } from 'zygote-ts';
import { plainTypeOf } from '../proxies/plain-data.js';

export type ScalarFn = (...args: number[]) => number;

/** Central difference of `f` in argument `k` at `args`. */
export function centralDifference(f: ScalarFn, args: number[], k: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(args[k]!));
  const plus = args.slice();
  const minus = args.slice();
  plus[k]! += h;
  minus[k]! -= h;
  return (f(...plus) - f(...minus)) / (2 * h);
}

function close(actual: number, expected: number, tol: number, what: string): void {
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected) / scale, `${what}: got ${actual}, finite difference ${expected}`).toBeLessThan(tol);
}

/**
 * Checks a differentiable scalar function at a point: `testRule`'s checks (the traced value
 * equals the plain one; the pullback passes a dot-product test against central
 * differences; the arguments are untouched), one gradient per argument, each matching a
 * central difference, and the gradient of each partial (second derivatives through
 * nested tapes) matching a central difference of the partial.
 */
export function checkRule(name: string, f: ScalarFn, args: number[], tol = 1e-6): void {
  const report = ruleReport(f, args, { rtol: tol });
  expect(report.passed, `${name}:\n${report.text}`).toBe(true);
  const grads = gradient(f, ...args) as (number | null)[];
  expect(grads.length, `${name}: one gradient per argument`).toBe(args.length);
  args.forEach((_, k) => {
    const g = grads[k];
    expect(plainTypeOf(g), `${name}: gradient ${k} at ${args}`).toBe('number');
    close(g as number, centralDifference(f, args, k), tol, `${name} ∂/∂x${k} at (${args})`);
    // Second order: ∂/∂xj of the k-th partial, through a gradient nested in a gradient.
    const partial: ScalarFn = (...xs) => (gradient(f, ...xs) as number[])[k]!;
    const second = gradient(partial, ...args) as (number | null)[];
    args.forEach((__, j) => {
      const expected = centralDifference(partial, args, j);
      close(second[j] ?? 0, expected, Math.max(tol, 1e-5), `${name} ∂²/∂x${j}∂x${k} at (${args})`);
    });
  });
}
