// Custom rules (rules/custom.ts): what a pullback returns for each argument.
import { describe, expect, it } from 'vitest';
import { array, gradient, mul, rule, sum, type NDArray } from 'zygote-ts';

describe("a rule's pullback that returns undefined for an argument with a path", () => {
  // (undefined, a typo `c.a` or a hole `[, c * a]`, was taken for "none": the gradient was
  // null without a word, where the rule meant a cotangent; null still says "none")
  it('is refused, naming the rule and the argument', () => {
    const typo = rule(function times(a: number, b: number) { return a * b; }, (a, b) => [a * b, (c: number) => [c * b, (c as any).a]]);
    expect(() => gradient(typo, 2, 3)).toThrow(/the rule for times returned undefined as the cotangent of argument 2/);
    // eslint-disable-next-line no-sparse-arrays
    const hole = rule((a: number, b: number) => a * b, (a, b) => [a * b, (c: number) => [, c * a] as unknown as [number, number]]);
    expect(() => gradient(hole, 2, 3)).toThrow(/returned undefined as the cotangent of argument 1/);
    const dotRule = rule((a: NDArray, b: NDArray) => sum(mul(a, b)), (a, b) => [sum(mul(a, b)), (c: number) => [mul(c, b), undefined]]);
    expect(() => gradient(dotRule, array([1, 2]), array([3, 4]))).toThrow(/returned undefined as the cotangent of argument 2/);
  });
  it('passes for a constant argument, and null still says none', () => {
    const scaled = rule((a: number, k: number) => a * k, (a, k) => [a * k, (c: number) => [c * k, undefined]]);
    expect(gradient((x: number) => scaled(x, 3), 2)).toEqual([3]);
    const none = rule((a: number, b: number) => a * b, (a, b) => [a * b, (c: number) => [c * b, null]]);
    expect(gradient(none, 2, 3)).toEqual([3, null]);
  });
});
