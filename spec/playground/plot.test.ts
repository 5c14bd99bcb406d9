// The plot's curves (playground/src/plot.ts): where f is joined from sample to sample.
import { describe, expect, it } from 'vitest';
import { curveRuns, defaultRange, yRange } from '../../playground/src/plot.js';

/** f at the page's 241 samples of the range first shown around x0, the panel's y range, and the runs joined. */
function drawn(f: (x: number) => number, x0: number) {
  const [lo, hi] = defaultRange(x0);
  const xs = Array.from({ length: 241 }, (_, i) => lo + ((hi - lo) * i) / 240);
  const ys = xs.map(f);
  const [ylo, yhi] = yRange(ys, [f(x0)]);
  return { xs, runs: curveRuns(ys, ylo, yhi) };
}

describe('the curve of f', () => {
  it('is not joined across a pole (tan x around x = 5 was drawn with lines through the whole panel at π/2 and 5π/2)', () => {
    const { xs, runs } = drawn(Math.tan, 5);
    for (const pole of [Math.PI / 2, (5 * Math.PI) / 2]) {
      const joined = runs.some((run) => xs[run[0]!]! < pole && xs[run[run.length - 1]!]! > pole);
      expect(joined, `joined across ${pole}`).toBe(false);
    }
  });

  it('stays one line where f is continuous, however steep', () => {
    expect(drawn((x) => Math.tanh(50 * (x - 1.01)), 1).runs).toHaveLength(1);
    expect(drawn((x) => x ** 3, 2).runs).toHaveLength(1);
  });

  it('is broken where f is undefined', () => {
    const { xs, runs } = drawn(Math.log, 1);
    expect(runs).toHaveLength(1);
    expect(xs[runs[0]![0]!]!).toBeGreaterThan(0);
  });
});
