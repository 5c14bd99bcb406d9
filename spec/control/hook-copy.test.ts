// hook(fn, x): fn sees the cotangent, but writing into it must not change other gradients;
// what fn returns is checked against x's kind and shape, as a rule's cotangents are.
import { describe, expect, it } from 'vitest';
import { add, array, gradient, hook, NDArray, reshape, sum } from 'zygote-ts';

describe('hook', () => {
  // (the pullback handed fn the sweep's own buffer, shared by both operands of add: a hook
  // that zeroed it in place zeroed b's gradient and the direct use's too)
  it('a hook that edits its cotangent in place changes only the hooked gradient', () => {
    const zero = (g: NDArray) => {
      g.data.fill(0);
      return g;
    };
    const [ga, gb] = gradient((a: NDArray, b: NDArray) => sum(add(hook(zero, a), b)), array([1, 2]), array([3, 4])) as NDArray[];
    expect(ga!.toArray()).toEqual([0, 0]);
    expect(gb!.toArray()).toEqual([1, 1]);
    const [gc] = gradient((a: NDArray) => sum(add(hook(zero, a), a)), array([1, 2])) as NDArray[];
    expect(gc!.toArray()).toEqual([1, 1]);
  });

  // (a number for an array's cotangent became the array's gradient, [5] for x of shape [3];
  // an array of another shape was added into x's buffer as it was)
  it("a cotangent fn returns of another kind or shape than x's is an error naming both", () => {
    const x = array([1, 2, 3]);
    const through = (fn: (g: NDArray) => unknown) => () => gradient((v: NDArray) => sum(hook(fn as (g: NDArray) => NDArray, v)), x);
    expect(through(() => 5)).toThrow(/hook's fn returned a number as the cotangent of the hooked value, an NDArray of shape \[3\]/);
    expect(through((g) => reshape(g, [3, 1]))).toThrow(/an NDArray of shape \[3, 1\] as the cotangent of the hooked value, an NDArray of shape \[3\]/);
    expect(through(() => array([1]))).toThrow(/shape \[1\]/);
    expect(() => gradient((v: number) => hook(() => array([1, 2]) as unknown as number, v) * 2, 1)).toThrow(/an NDArray of shape \[2\] as the cotangent of the hooked value, a number/);
    expect((through((g) => g)()[0] as NDArray).toArray()).toEqual([1, 1, 1]);
  });
});
