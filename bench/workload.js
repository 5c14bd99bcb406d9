// One workload in a fresh process (spawned by bench/run.js); prints its timings as JSON.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { compileGradient, gradient } from 'zygote-ts';
import { measure } from './measure.js';
import { loadBoth } from './rewritten.js';
import { idealW1Gradient, idealW2Gradient } from './ideal-tape.js';

const { plain, rewritten } = await loadBoth('workloads.js');

const w2Input = Array.from({ length: 1000 }, (_, i) => -1.5 + (3 * ((i * 7919) % 1000)) / 1000);
const mlpParams = Array.from({ length: 33 }, (_, i) => Math.sin(1 + 0.37 * i) * 0.8);
const points = Array.from({ length: 100_000 }, (_, i) => new plain.Point(Math.cos(i) * (1 + (i % 7)), Math.sin(i) * (1 + (i % 5))));
const gradientColumns = Float64Array.from({ length: 2 * points.length }, (_, k) => Math.cos(k));
/** Elements `ks` of the gradient `g` of `f` at `input`, against central differences (relative `tolerance`). */
function checkElements(name, f, input, g, ks, tolerance) {
  const h = 1e-6;
  for (const k of ks) {
    const plus = input.slice();
    const minus = input.slice();
    plus[k] += h;
    minus[k] -= h;
    const fd = (f(plus) - f(minus)) / (2 * h);
    if (Math.abs(g[k] - fd) > tolerance * Math.max(1, Math.abs(fd))) throw new Error(`${name} gradient[${k}] ${g[k]} differs from ${fd}`);
  }
}

const workloads = {
  w1: {
    plain: () => plain.w1(0.5),
    rewritten: () => rewritten.w1(0.5),
    gradient: () => gradient(rewritten.w1, 0.5),
    compile: () => {
      const g = compileGradient(rewritten.w1);
      return () => g(0.5);
    },
    ideal: () => idealW1Gradient(0.5),
    check(g) {
      const h = 1e-6;
      const fd = (plain.w1(0.5 + h) - plain.w1(0.5 - h)) / (2 * h);
      if (Math.abs(g[0] - fd) > 1e-6) throw new Error(`W1 gradient ${g[0]} differs from finite difference ${fd}`);
    },
  },
  w2: {
    plain: () => plain.rosenbrock(w2Input),
    rewritten: () => rewritten.rosenbrock(w2Input),
    gradient: () => gradient(rewritten.rosenbrockOfArgs, ...w2Input),
    // (the array form, as jax-js's jit(grad) takes it: one gradient array)
    compile: () => {
      const g = compileGradient(rewritten.rosenbrock);
      return () => g(w2Input)[0];
    },
    ideal: () => idealW2Gradient(w2Input),
    check: (g) => checkElements('W2', plain.rosenbrock, w2Input, g, [0, 1, 500, 999], 1e-4),
  },
  mlp: {
    plain: () => plain.mlpLoss(mlpParams),
    rewritten: () => rewritten.mlpLoss(mlpParams),
    gradient: () => gradient(rewritten.mlpLoss, mlpParams)[0],
    compile: () => {
      const g = compileGradient(rewritten.mlpLoss);
      return () => g(mlpParams)[0];
    },
    ideal: null,
    check: (g) => checkElements('MLP', plain.mlpLoss, mlpParams, g, [0, 10, 25, 32], 1e-6),
  },
  points: {
    plain: () => plain.totalDist(points),
    rewritten: () => rewritten.totalDist(points),
    gradient: () => gradient(rewritten.totalDist, points),
    // (the array of 10⁵ Points is read in columns: lib/compile/arguments.ts)
    compile: () => {
      const g = compileGradient(rewritten.totalDist);
      return () => g(points);
    },
    // What any gradient of this shape costs to hand back, compiled or not: 10⁵ new {x, y}
    // objects from numbers already computed (V8 boxes each field's double: three objects a point).
    resultOnly: () => {
      const out = new Array(points.length);
      for (let i = 0; i < points.length; i++) out[i] = { x: gradientColumns[2 * i] + 0, y: gradientColumns[2 * i + 1] + 0 };
      return out;
    },
    ideal: null,
    check([g]) {
      for (const k of [0, 1, 50_000, 99_999]) {
        const { x, y } = points[k];
        const r = Math.hypot(x, y);
        if (Math.abs(g[k].x - x / r) > 1e-12 || Math.abs(g[k].y - y / r) > 1e-12) throw new Error(`points gradient[${k}] is wrong`);
      }
    },
  },
};

const w = workloads[process.argv[2]];
let sink = 0;
if (process.argv[3] === '--untraced-only') {
  // Plain JavaScript, and rewritten code on plain numbers, in a process that never traces
  // anything (a traced class's objects, for one, can change shape for the whole process).
  console.log(JSON.stringify({ plain: measure(() => { sink += w.plain(); }), rewritten: measure(() => { sink += w.rewritten(); }) }));
} else if (process.argv[3] === '--compiled-only') {
  // compileGradient in a fresh process: its first call (recording f), its second (generating the
  // code, for a function without array operations), then steady calls.
  const t0 = performance.now();
  const compiled = w.compile();
  const first = compiled();
  const t1 = performance.now();
  const second = compiled();
  const t2 = performance.now();
  w.check(first);
  w.check(second);
  const resultOnly = w.resultOnly ? measure(() => { sink += w.resultOnly().length; }) : null;
  console.log(JSON.stringify({ compiled: measure(() => { sink += compiled().length; }), compiledCold: t1 - t0, compiledSecond: t2 - t1, resultOnly }));
} else {
  const t0 = performance.now();
  const first = w.gradient(); // the first gradient call of a fresh process
  const cold = performance.now() - t0;
  w.check(first);
  if (w.ideal) w.check(w.ideal());
  // The same rewritten function after it has been traced, on plain numbers. Measured before
  // the child processes below: a function whose first call is a long loop, run after this
  // process sat blocked for seconds, can land in a slow state of V8's (its first call runs
  // without a feedback vector; the whole-function code then deoptimises at its first
  // instruction and stays slow), and that lottery hits plain JavaScript too (Points' plain
  // totalDist, never rewritten, in some processes after a 4 s pause): not what this column asks.
  const afterTracing = measure(() => { sink += w.rewritten(); });
  const run = (flag) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), process.argv[2], flag], { encoding: 'utf8' }));
  const untraced = run('--untraced-only');
  const compiled = w.compile ? run('--compiled-only') : { compiled: null, compiledCold: null, compiledSecond: null, resultOnly: null };
  console.log(
    JSON.stringify({
      plain: untraced.plain,
      rewritten: untraced.rewritten,
      afterTracing,
      gradient: measure(() => { sink += w.gradient().length; }),
      ideal: w.ideal ? measure(() => { sink += w.ideal()[0]; }) : null,
      cold,
      ...compiled,
    }),
  );
}
if (!Number.isFinite(sink)) console.error('(sink is not finite)');
