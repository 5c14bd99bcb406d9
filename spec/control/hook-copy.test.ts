// hook(fn, x): fn sees the cotangent, but writing into it must not change other gradients.
import { describe, expect, it } from 'vitest';
import { add, array, gradient, hook, NDArray, sum } from 'zygote-ts';

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
});
