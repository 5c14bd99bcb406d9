// A run's live progress (issue 17): while the user's code runs, the worker posts, at most
// every PROGRESS_MS of run time, the calls recorded since its last post (without their trace
// graphs, which are still being recorded). The page joins them into iterate paths and says
// how far the optimisation has got. Pure, so that Node's tests can read it.
import { fmt } from './format.js';
import type { CallInfo, Pos } from './trace-model.js';

/** A recorded call as progress reports it: everything but its graph. */
export type CallPoint = Omit<CallInfo, 'graph'>;

/** The least time between two progress posts. */
export const PROGRESS_MS = 100;

/**
 * Says when enough time has passed since the last time it said so (or since `start`). Asked
 * wherever a call is recorded, so it must be cheap: one clock reading and a subtraction.
 */
export class Throttle {
  private last: number;

  constructor(
    private readonly intervalMs: number,
    start: number,
  ) {
    this.last = start;
  }

  due(now: number): boolean {
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }
}

const sameSite = (a: Pos | null, b: Pos | null) => a === b || (a !== null && b !== null && a.line === b.line && a.column === b.column);

/** Two calls belong to one iterate path: the same function, called from the same place. */
export const samePath = (a: CallPoint, b: CallPoint) => a.fn === b.fn && sameSite(a.at, b.at);

/**
 * The iterate paths over the plane of `c`'s function: `c`'s own path (the calls of the same f
 * from the same place, in order) and the paths of the calls of f from other places (another
 * optimiser on the same function).
 */
export function pathsOf(calls: readonly CallPoint[], c: CallPoint): { own: [number, number][]; others: [number, number][][] } {
  const own: [number, number][] = [];
  const others = new Map<string, [number, number][]>();
  for (const o of calls) {
    if (o.fn !== c.fn || !o.plane) continue;
    if (samePath(o, c)) own.push(o.plane.at);
    else {
      const key = o.at ? `${o.at.line}:${o.at.column}` : '';
      if (!others.has(key)) others.set(key, []);
      others.get(key)!.push(o.plane.at);
    }
  }
  return { own, others: [...others.values()] };
}

/**
 * A square around the points: both axes cover them all with a margin, at one scale (so the
 * arrows and contours keep their true angles), on round numbers.
 */
export function planeRange(points: readonly [number, number][]): { x: [number, number]; y: [number, number] } {
  const mid = (k: 0 | 1) => (Math.min(...points.map((p) => p[k])) + Math.max(...points.map((p) => p[k]))) / 2;
  const spread = (k: 0 | 1) => Math.max(...points.map((p) => p[k])) - Math.min(...points.map((p) => p[k]));
  const [mx, my] = [mid(0), mid(1)];
  const half = Math.max(1, Math.max(spread(0), spread(1)) * 0.6, Math.max(Math.abs(mx), Math.abs(my)) * 0.25);
  const clean = (x: number) => Number(x.toPrecision(3));
  return { x: [clean(mx - half), clean(mx + half)], y: [clean(my - half), clean(my + half)] };
}

/** The range of a picture drawn while the path still grows: planeRange with room to spare. */
export function liveRange(points: readonly [number, number][]): { x: [number, number]; y: [number, number] } {
  const r = planeRange(points);
  const widen = ([a, b]: [number, number]): [number, number] => [a - (b - a) / 4, b + (b - a) / 4];
  return { x: widen(r.x), y: widen(r.y) };
}

/** "iteration 37, loss 0.0123" for the latest call's path (null before any call). */
export function progressText(calls: readonly CallPoint[]): string | null {
  const last = calls[calls.length - 1];
  if (last === undefined) return null;
  const iteration = last.iteration ?? calls.filter((o) => samePath(o, last)).length;
  return `iteration ${iteration}${last.value !== undefined ? `, loss ${fmt(last.value)}` : ''}`;
}
