// The README's forward-mode examples, as written there.
import { expect, it } from 'vitest';
import { jvp, pushforward, jacfwd, hvp, rule } from 'zygote-ts';

it("the README's forward-mode examples give the numbers it shows", () => {
  expect(jvp((x: number, y: number) => x * y, [2, 3], [1, 0])).toEqual([6, 3]);
  expect(pushforward(Math.sin, 0)(2)).toEqual([0, 2]);
  expect(jacfwd((x: number, y: number) => [x * y, x + y, 2 * x], 3, 5)).toEqual([[5, 1, 2], [3, 1, 0]]);
  expect(hvp((x: number[]) => x[0]! ** 2 * x[1]!, [1, 2], [1, 0])).toEqual([4, 2]);
  class Vec { constructor(public x: number, public y: number) {} }
  const [v, dv] = jvp((p: Vec) => new Vec(p.x * p.y, p.x), [new Vec(2, 3)], [{ x: 1, y: 0 }]);
  expect(v).toEqual(new Vec(6, 2));
  expect(v).toBeInstanceOf(Vec);
  expect(dv).toEqual({ x: 3, y: 1 });
  const cube = rule(
    (x: number) => x ** 3,
    (x) => [x ** 3, (dy: number) => [3 * x * x * dy]],
    (x) => [x ** 3, (dx: number) => 3 * x * x * dx],
  );
  expect(jvp(cube, [2], [1])).toEqual([8, 12]);
});
