// Optimisation. minimize finds the bottom of Rosenbrock's banana
// valley by L-BFGS; onStep sees every iterate on the way (the
// path). Then the same valley by hand with Adam: init, gradient,
// update, applyUpdates, on a class instance, which stays one.
// (Adam, a first-order method, is still on its way after 100
// steps.) The plot draws both paths, growing while the loop runs.
import { adam, applyUpdates, gradient, minimize } from 'zygote-ts';

class Point {
  constructor(public x: number, public y: number) {}
}
const banana = (p: Point) => (1 - p.x) ** 2 + 100 * (p.y - p.x ** 2) ** 2;

const path: Point[] = [];
const result = minimize(banana, new Point(-1.2, 1), {
  onStep: (step) => void path.push(step.x), // a frozen snapshot
});
result.x; // (1, 1)
[result.reason, result.iterations, result.evaluations];
path.slice(0, 4); // the first steps

let p = new Point(-1.2, 1);
const opt = adam(0.2);
let state = opt.init(p);
for (let i = 0; i < 100; i++) {
  const [g] = gradient(banana, p);
  const [updates, next] = opt.update(g, state);
  state = next;
  p = applyUpdates(p, updates);
}
p; // still a Point
banana(p); // 1.77, from 24.2
