// The strong Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6): the step it
// returns satisfies both conditions, whether the first step is too short, too long, or
// lands where f is not finite.
import { describe, expect, it } from 'vitest';
import { derivative } from 'zygote-ts';
// (from dist/, the module the package's exports load)
import { strongWolfe, type Trial } from '../../dist/lib/optimise/line-search.js';

/** φ and φ′ of a function of one number, φ′ by zygote-ts, counting the trials. */
function line(phi: (a: number) => number) {
  const trials: number[] = [];
  const at = (alpha: number): Trial<null> => {
    trials.push(alpha);
    return { alpha, value: phi(alpha), slope: derivative(phi, alpha), point: null };
  };
  return { at, trials, start: { value: phi(0), slope: derivative(phi, 0) } };
}

function expectWolfe(phi: (a: number) => number, t: Trial<null> | null, c1 = 1e-4, c2 = 0.9): void {
  expect(t).not.toBeNull();
  const f0 = phi(0);
  const g0 = derivative(phi, 0);
  expect(t!.value, 'sufficient decrease').toBeLessThanOrEqual(f0 + c1 * t!.alpha * g0);
  expect(Math.abs(t!.slope), 'curvature').toBeLessThanOrEqual(c2 * Math.abs(g0));
}

describe('strongWolfe', () => {
  const cases: [string, (a: number) => number, number][] = [
    ['a parabola, first step too short (it grows the step)', (a) => (a - 30) ** 2, 1],
    ['a parabola, first step too long (it zooms in)', (a) => (a - 0.01) ** 2, 1],
    ['a quartic valley with a steep wall', (a) => (a - 2) ** 4 + 0.1 * (a - 2) ** 2 - a * 1e-3, 50],
    ['f not finite beyond a point (treated as too long)', (a) => (a < 3 ? (a - 1) ** 2 : Math.log(3 - a)), 10],
    ['Rosenbrock along −∇f from (−1.2, 1)', (a) => {
      const [x, y] = [-1.2 + a * 215.6, 1 + a * 88];
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    }, 1 / Math.hypot(215.6, 88)],
  ];
  for (const [name, phi, first] of cases) {
    it(name, () => {
      const { at, trials, start } = line(phi);
      const found = strongWolfe(at, start, first);
      expectWolfe(phi, found);
      expect(trials.length).toBeLessThan(30);
    });
  }
  it('with a tighter curvature condition (c2 = 0.1, as for conjugate gradients)', () => {
    const phi = (a: number) => Math.cos(a + 0.5) + 0.05 * a * a;
    const { at, start } = line(phi);
    expectWolfe(phi, strongWolfe(at, start, 0.1, { c2: 0.1 }), 1e-4, 0.1);
  });
  it('refuses a direction that does not descend', () => {
    const { at } = line((a) => a * a);
    expect(() => strongWolfe(at, { value: 0, slope: 1 }, 1)).toThrow(/does not descend/);
  });
});
