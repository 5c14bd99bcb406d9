// The programs behind issue 15's cliffs, as ordinary JavaScript: bench/cliffs.js loads this
// file as it is (plain JavaScript) and rewritten by the zygote-ts transform.

/** The Monte Carlo loop of the issue: a `%` inside the body, a Math.max kink. */
export function monteCarlo(s0) {
  let p = 0;
  for (let i = 0; i < 1e5; i++) {
    const S = s0 * (0.5 + ((i * 0.618) % 1));
    p += Math.max(S - 1, 0);
  }
  return p;
}

/** A small vector class, as simulations write them. */
export class Vec {
  x;
  y;
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  add(o) {
    return new Vec(this.x + o.x, this.y + o.y);
  }
  sub(o) {
    return new Vec(this.x - o.x, this.y - o.y);
  }
  scale(s) {
    return new Vec(this.x * s, this.y * s);
  }
  dot(o) {
    return this.x * o.x + this.y * o.y;
  }
  length() {
    return Math.sqrt(this.dot(this));
  }
}

export class Particle {
  constructor(pos, vel, mass) {
    this.pos = pos;
    this.vel = vel;
    this.mass = mass;
  }
}

/**
 * A 1000-step spring–mass simulation: two masses on springs to an anchor and to each other,
 * damped, driven by a force that changes with time; the energy at the end, as a function of
 * the stiffness and the damping.
 */
export function springMass(k, damping) {
  const dt = 0.01;
  const ps = [new Particle(new Vec(1, 0), new Vec(0, 0.5), 1), new Particle(new Vec(-1, 0.2), new Vec(0.1, 0), 2)];
  const anchor = new Vec(0, 0);
  for (let step = 0; step < 1000; step++) {
    const drive = new Vec(Math.cos(step * dt * 3), 0);
    const d = ps[1].pos.sub(ps[0].pos);
    const stretch = d.length() - 1.5;
    const pull = d.scale((k * stretch) / d.length());
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      let f = p.pos.sub(anchor).scale(-k).sub(p.vel.scale(damping)).add(drive);
      f = i === 0 ? f.add(pull) : f.sub(pull);
      p.vel = p.vel.add(f.scale(dt / p.mass));
      p.pos = p.pos.add(p.vel.scale(dt));
    }
  }
  let e = 0;
  for (const p of ps) e += p.pos.dot(p.pos) + 0.5 * p.mass * p.vel.dot(p.vel);
  return e;
}

/** Rosenbrock over a plain array, written as a scalar loop (W2's function, run on 10⁶ numbers). */
export function rosenbrock(x) {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/**
 * A scalar program none of the other workloads is like, for the eager gradient's "≤ 10× on
 * a program of your choice": a logistic-regression loss over 200 samples of 4 features with
 * an L2 penalty, as a function of the weights and the bias (the data is captured).
 */
export function logisticLoss(data) {
  return function loss(w, b) {
    let total = 0;
    for (let n = 0; n < data.length; n++) {
      const { x, y } = data[n];
      let z = b;
      for (let j = 0; j < w.length; j++) z += w[j] * x[j];
      // log(1 + e^-yz), written so that it does not overflow
      const m = -y * z;
      total += m > 0 ? m + Math.log(1 + Math.exp(-m)) : Math.log(1 + Math.exp(m));
    }
    let penalty = 0;
    for (let j = 0; j < w.length; j++) penalty += w[j] * w[j];
    return total / data.length + 0.01 * penalty;
  };
}

/**
 * GradBench's ode at n = 10⁵: y₀′ = x₀, yᵢ′ = xᵢ·yᵢ₋₁ from y(0) = 0 to t = 2, by 10 steps
 * of classical Runge–Kutta over NDArrays (`ops`: zygote-ts's array functions); the last
 * yᵢ(2). Compiled, it is some 90 fused loops: written inline in the one generated
 * function, they ran interpreted for the first calls (1–1.5 s each, against 0.4 s eager).
 */
export function odeLast({ add, concat, mul, slice, sum, zeros }) {
  const rhs = (x, y) => concat([slice(x, 0, 1), mul(slice(x, 1), slice(y, 0, x.size - 1))]);
  return function ode(x) {
    const steps = 10;
    const h = 2 / steps;
    let y = zeros(x.size);
    for (let step = 0; step < steps; step++) {
      const k1 = rhs(x, y);
      const k2 = rhs(x, add(y, mul(k1, h / 2)));
      const k3 = rhs(x, add(y, mul(k2, h / 2)));
      const k4 = rhs(x, add(y, mul(k3, h)));
      y = add(y, mul(add(add(k1, mul(k2, 2)), add(mul(k3, 2), k4)), h / 6));
    }
    return sum(slice(y, x.size - 1));
  };
}
