// A value traced by an inner differentiation that has ended is a constant layer over its
// primal, which an enclosing differentiation may still trace. Kept past the inner call —
// in a pullback's partials, a bound function — and met with an enclosing level's traced
// number, it was read as its plain number: the enclosing derivative through it was lost.
import { describe, expect, it } from 'vitest';
import { array, checkpointed, derivative, gradient, hook, jvp, matmul, mul, pullback, rule, sum, type NDArray } from 'zygote-ts';

type Back = (dy: number) => unknown[];

/** The pullback of `f` at z0, made inside a gradient over y = x and called after it ended. */
function keptBack<Z>(x: number, f: (z: Z, y: number) => number, z0: Z): Back {
  let back: Back | null = null;
  gradient((y: number) => {
    back = pullback((z: Z) => f(z, y), z0)[1] as Back;
    return y;
  }, x);
  return back!;
}

/** y · 1 for y = x, traced by a gradient that has ended, handed out by a bound function. */
function keptBound(x: number): number;
function keptBound<T>(x: number, make: (y: number) => T): T;
function keptBound(x: number, make: (y: number) => unknown = (y) => y * 1): unknown {
  let bound: (() => unknown) | null = null;
  gradient((y: number) => {
    bound = ((v: unknown) => v).bind(null, make(y));
    return y;
  }, x);
  return bound!();
}

describe('a value of an ended inner differentiation, kept and met at an enclosing level', () => {
  it("a kept pullback's partials keep the enclosing derivative", () => {
    // ∂/∂z (z·y·y) = y² with y = x: d/dx x² = 2x (was x: one factor y read as its number)
    expect(derivative((x: number) => keptBack(x, (z: number, y) => z * y * y, 2)(1)[0] as number, 3)).toBe(6);
    // ∂/∂z sin(z·y) at z = 0 is y = x: d/dx = 1 (was 0)
    expect(derivative((x: number) => keptBack(x, (z: number, y) => Math.sin(z * y), 0)(1)[0] as number, 3)).toBe(1);
    expect(jvp((x: number) => keptBack(x, (z: number, y) => z * y * y, 2)(1)[0] as number, [3], [1])[1]).toBe(6);
  });

  it("a kept matmul pullback's operand keeps the enclosing derivative", () => {
    // ∂/∂Z sum(Z·yI) = y everywhere (4 entries) with y = x: d/dx 4x = 4 (was 0)
    const viaMatmul = (z: NDArray, y: number) => sum(matmul(z, array([[y, 0], [0, y]])));
    const identity = array([[1, 0], [0, 1]]);
    expect(derivative((x: number) => sum(keptBack(x, viaMatmul, identity)(1)[0] as NDArray), 3)).toBe(4);
  });

  it('a bound function handing out such a value, met with the enclosing traced number', () => {
    expect(derivative((x: number) => x * keptBound(x), 3)).toBe(6); // was 3
    expect(derivative((x: number) => Math.hypot(x, keptBound(x)), 3)).toBeCloseTo(Math.SQRT2, 12);
    // two levels open: the kept value is traced on the middle one (y), the other operand on the outer (x)
    const mixed = (x: number) => derivative((y: number) => x * keptBound(y) * keptBound(y), x); // 2xy at y = x: 2x²
    expect(derivative(mixed, 3)).toBe(12);
  });

  it('hook, a custom rule and checkpointed take such a value as the traced number it holds', () => {
    // hook(fn, k) with k = x: its cotangent doubled, so d/dx (k·x) = 2x + x (the hook was skipped: 2x)
    expect(derivative((x: number) => hook((g: number) => 2 * g, keptBound(x)) * x, 3)).toBe(9);
    const pair = (x: number) => keptBound(x, (y) => array([y, 2 * y]));
    expect(derivative((x: number) => sum(mul(hook((g: NDArray) => mul(g, 2), pair(x)), x)), 3)).toBe(27); // (was 18)
    // (these two refused k as a number read from a closure)
    const times = rule((a: number, b: number) => a * b, (a, b) => [a * b, (c) => [c * b, c * a]]);
    expect(derivative((x: number) => times(x, keptBound(x)), 3)).toBe(6);
    expect(derivative((x: number) => checkpointed((a: number, b: number) => a * b, x, keptBound(x)), 3)).toBe(6);
  });

  it("an array cotangent given to a pullback's back keeps the enclosing derivative", () => {
    const pair = (x: number) => keptBound(x, (y) => array([y, 2 * y]));
    // back(dy) of y => [y, y] is dy[0] + dy[1] = 3x: d/dx = 3 (was 0: dy read as its data)
    expect(derivative((x: number) => pullback((y: number) => array([y, y]), 1)[1](pair(x))[0] as number, 3)).toBe(3);
  });

  it('a cotangent a pullback or a hook returns, and a value f returns, keep the enclosing derivative', () => {
    // the gradient in a is c (= x), or C (= [x, 2x]): d/dx = 1, or 3 for their sum (each was 0)
    const c = (x: number) => keptBound(x, (y) => y * 1);
    expect(derivative((x: number) => {
      const k = c(x);
      const times = rule((a: number) => a * k, (a) => [a * k, () => [k]]);
      return gradient((a: number) => times(a), 1)[0] as number;
    }, 3)).toBe(1);
    const pair = (x: number) => keptBound(x, (y) => array([y, 2 * y]));
    expect(derivative((x: number) => {
      const C = pair(x);
      const dotC = rule((a: NDArray) => sum(mul(a, C)), (a) => [sum(mul(a, C)), () => [C]]);
      return sum(gradient((a: NDArray) => dotC(a), array([1, 1]))[0] as NDArray);
    }, 3)).toBe(3);
    expect(derivative((x: number) => {
      const C = pair(x);
      return sum(gradient((a: NDArray) => sum(hook(() => C, a)), array([1, 1]))[0] as NDArray);
    }, 3)).toBe(3);
    // f returns k itself: d/dx x² = 2x (was 0)
    expect(derivative((x: number) => keptBound(x, (y) => y * y), 3)).toBe(6);
  });
});
