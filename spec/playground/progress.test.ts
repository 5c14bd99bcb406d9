// The live progress of a run (playground/src/progress.ts): the throttle the worker asks
// after each recorded call, the iterate paths, and the progress line.
import { describe, expect, it } from 'vitest';
import { liveRange, pathsOf, planeRange, progressText, Throttle, type CallPoint } from '../../playground/src/progress.js';

const call = (index: number, fn: number, line: number, at: [number, number] | null, more: Partial<CallPoint> = {}): CallPoint => ({
  index,
  kind: 'gradient',
  at: { line, column: 3 },
  scalar: false,
  fn,
  ...(at ? { plane: { names: ['p.x', 'p.y'], at } } : {}),
  ...more,
});

describe('Throttle', () => {
  it('is due once the interval has passed since the start, then since it last said so', () => {
    const t = new Throttle(100, 1000);
    expect([t.due(1000), t.due(1050), t.due(1099)]).toEqual([false, false, false]);
    expect(t.due(1100)).toBe(true);
    expect(t.due(1150)).toBe(false);
    expect(t.due(1230)).toBe(true);
    expect(t.due(1329)).toBe(false);
  });
});

describe('pathsOf', () => {
  it("joins the calls of the same f from the same place; the same f's calls from elsewhere are other paths", () => {
    const calls = [
      call(0, 0, 14, [-1.2, 1], { kind: 'minimize', iteration: 0 }),
      call(1, 0, 14, [-1, 1.07], { kind: 'minimize', iteration: 1 }),
      call(2, 1, 30, [5, 5]), // another f
      call(3, 0, 25, [-1.2, 1]),
      call(4, 0, 25, [-1.1, 0.9]),
      call(5, 0, 25, null), // not a plane
    ];
    expect(pathsOf(calls, calls[4]!)).toEqual({ own: [[-1.2, 1], [-1.1, 0.9]], others: [[[-1.2, 1], [-1, 1.07]]] });
    expect(pathsOf(calls, calls[0]!)).toEqual({ own: [[-1.2, 1], [-1, 1.07]], others: [[[-1.2, 1], [-1.1, 0.9]]] });
    expect(pathsOf(calls, calls[2]!)).toEqual({ own: [[5, 5]], others: [] });
  });
});

describe('progressText', () => {
  it("counts the latest call's path and gives f's value there", () => {
    expect(progressText([])).toBeNull();
    const calls = [call(0, 0, 25, [0, 0], { value: 24.2 }), call(1, 1, 9, null, { value: 3 }), call(2, 0, 25, [0, 1], { value: 0.0123 })];
    expect(progressText(calls)).toBe('iteration 2, loss 0.0123');
    expect(progressText(calls.slice(0, 2))).toBe('iteration 1, loss 3');
  });

  it("says a solver's own iteration (x0 is iteration 0, with no value yet)", () => {
    expect(progressText([call(0, 0, 14, [0, 0], { kind: 'minimize', iteration: 0 })])).toBe('iteration 0');
    expect(progressText([call(0, 0, 14, [0, 0], { kind: 'minimize', iteration: 0 }), call(1, 0, 14, [0, 1], { kind: 'minimize', iteration: 1, value: 4.5e-7 })])).toBe('iteration 1, loss 4.5e−7');
  });
});

describe('liveRange', () => {
  it('covers the points with room to spare', () => {
    const points: [number, number][] = [[-1.2, 1], [1, 1]];
    const r = liveRange(points);
    const p = planeRange(points);
    expect(r.x[0]).toBeLessThan(p.x[0]);
    expect(r.x[1]).toBeGreaterThan(p.x[1]);
    const inside = ([x, y]: [number, number]) => x >= r.x[0] && x <= r.x[1] && y >= r.y[0] && y <= r.y[1];
    expect(points.every(inside)).toBe(true);
    expect(inside([1.2, 1.1])).toBe(true);
    expect(inside([10, 0])).toBe(false);
  });
});
