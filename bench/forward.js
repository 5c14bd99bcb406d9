// Forward mode against the reverse-mode way of getting the same numbers, each in a fresh
// process (spawned by bench/run.js); prints JSON.
//   node bench/forward.js <jacfwd|hvp>
// jacfwd: the 1000×3 Jacobian of `curve` by jacfwd (one evaluation carrying 3 tangents),
//   against jacobian (reverse: one sweep per output), and the plain primal.
// hvp: H·v of W2's Rosenbrock (n = 1000) by hvp (forward over reverse), against reverse over
//   reverse (the gradient of ⟨∇f(x), v⟩), and the plain primal.
// The results are checked against each other (and jacfwd against central differences) first.
import { gradient, hvp, jacfwd, jacobian } from 'zygote-ts';
import { measure } from './measure.js';
import { loadBoth } from './rewritten.js';

const { plain, rewritten: w } = await loadBoth('forward-workloads.js');
// (W2's Rosenbrock, as the scalar bench has it)
const { plain: w2Plain, rewritten: w2 } = await loadBoth('workloads.js');

const close = (a, b, what) => {
  if (!(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)))) throw new Error(`${what}: ${a} against ${b}`);
};

const id = process.argv[2];
if (id === 'jacfwd') {
  const args = [1.3, 0.7, -0.4];
  const forward = jacfwd(w.curve, ...args);
  const reverse = jacobian(w.curve, ...args);
  for (let k = 0; k < 3; k++) {
    for (const i of [0, 1, 499, 999]) {
      close(forward[k][i], reverse[k][i], `jacfwd[${k}][${i}] vs jacobian`);
      const h = 1e-6;
      const at = (d) => plain.curve(...args.map((a, j) => (j === k ? a + d : a)))[i];
      close(forward[k][i], (at(h) - at(-h)) / (2 * h), `jacfwd[${k}][${i}] vs central difference`);
    }
  }
  console.log(JSON.stringify({
    plain: measure(() => plain.curve(...args)),
    forward: measure(() => jacfwd(w.curve, ...args)),
    reverse: measure(() => jacobian(w.curve, ...args)),
  }));
} else if (id === 'hvp') {
  const x = Array.from({ length: 1000 }, (_, i) => -1.5 + (3 * ((i * 7919) % 1000)) / 1000);
  const v = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const forward = () => hvp(w2.rosenbrock, x, v);
  const reverse = () => gradient((y) => w.dot(gradient(w2.rosenbrock, y)[0], v), x)[0];
  const a = forward();
  const b = reverse();
  for (let i = 0; i < x.length; i++) close(a[i], b[i], `hvp[${i}] vs reverse over reverse`);
  console.log(JSON.stringify({
    plain: measure(() => w2Plain.rosenbrock(x)),
    gradient: measure(() => gradient(w2.rosenbrock, x)),
    forward: measure(forward),
    reverse: measure(reverse),
  }));
} else {
  throw new Error('usage: node bench/forward.js <jacfwd|hvp>');
}
