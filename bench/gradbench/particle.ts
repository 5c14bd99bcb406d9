// particle: a charged particle starts at (0, 8) with velocity (0.75, 0) in the field of two
// charges at (10, 0) and (10, 10 − w); Euler steps of 0.1 move it (its acceleration is
// minus the gradient of the potential) until it crosses y = 0, and w is chosen by gradient
// descent so that it crosses at the origin. Nested differentiation: the outer gradient (in
// w) differentiates through every inner gradient (in the position). The four functions
// pick the mode of the outer and the inner gradient (f = forward, r = reverse).

import { densegradient, jvp } from 'zygote-ts';
import { argmin, forward, reverse, type Grad } from './solver.js';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  w: number;
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  plus(p: Point) {
    return new Point(this.x + p.x, this.y + p.y);
  }
  times(k: number) {
    return new Point(k * this.x, k * this.y);
  }
  distance(p: Point) {
    return Math.sqrt((this.x - p.x) ** 2 + (this.y - p.y) ** 2);
  }
}

/** The gradient of a potential at a point, by some mode. */
type PointGrad = (p: (x: Point) => number, x: Point) => Point;

/** The square of x where the particle crosses y = 0, for the charge placed by w. */
function miss(w: number, gradP: PointGrad): number {
  const charges = [new Point(10, 10 - w), new Point(10, 0)];
  const potential = (x: Point) => charges.reduce((s, c) => s + 1 / x.distance(c), 0);
  const dt = 0.1;
  let x = new Point(0, 8);
  let v = new Point(0.75, 0);
  for (;;) {
    const acceleration = gradP(potential, x).times(-1);
    const next = x.plus(v.times(dt));
    if (!(next.y > 0)) break;
    x = next;
    v = v.plus(acceleration.times(dt));
  }
  // the crossing, by linear interpolation along the last velocity
  const crossing = x.plus(v.times(-x.y / v.y));
  return crossing.x ** 2;
}

function particle(outer: Grad, inner: PointGrad, w0: number): number {
  return argmin(outer, ([w]) => miss(w!, inner), [w0])[0]!;
}

const reversePoint: PointGrad = (p, x) => {
  const g = densegradient(p, x)[0];
  return new Point(g.x, g.y);
};

// Two jvps, along x and along y (a tangent of a class instance is a record of its fields).
const forwardPoint: PointGrad = (p, x) => new Point(jvp(p, [x], [{ x: 1, y: 0 }])[1], jvp(p, [x], [{ x: 0, y: 1 }])[1]);

export const ff = multipleRuns(({ w }: Input) => () => particle(forward, forwardPoint, w));
export const fr = multipleRuns(({ w }: Input) => () => particle(forward, reversePoint, w));
export const rf = multipleRuns(({ w }: Input) => () => particle(reverse, forwardPoint, w));
export const rr = multipleRuns(({ w }: Input) => () => particle(reverse, reversePoint, w));
