// L-BFGS on the chained Rosenbrock function of n = 100 numbers (from −1.2, 1, −1.2, …):
// `minimize` with exact gradients — compiled, and eager — beside the same minimisation
// driven by central finite differences (2n evaluations of f per gradient, given to the
// solver through a custom rule, so the algorithm is the same and only the gradient
// differs). Each variant runs in its own fresh process, three rounds; the median round
// is reported. `node bench/optimise.js` prints the table (bench/run.js calls it).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { array, minimize, rule } from 'zygote-ts';

const n = 100;
const ROUNDS = 3;
const RUNS = 5;

// Plain JavaScript, closing over nothing: gradient rewrites it from its source (this file
// is not run through the loader).
const rosenbrock = (x) => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
};

// Evaluations of f made for finite differences (and their line search), counted.
let fEvaluations = 0;
const counted = (x) => {
  fEvaluations++;
  return rosenbrock(x);
};

/** ∇f by central differences, each step scaled to its coordinate (h ≈ ∛ε). */
function centralDifferences(x) {
  const g = new Float64Array(x.length);
  const y = Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const h = 6e-6 * Math.max(1, Math.abs(x[i]));
    y[i] = x[i] + h;
    const plus = counted(y);
    y[i] = x[i] - h;
    const minus = counted(y);
    y[i] = x[i];
    g[i] = (plus - minus) / (2 * h);
  }
  return g;
}

// f of an NDArray whose derivative is the finite differences above.
const byDifferences = rule(
  (v) => counted(Array.from(v.data)),
  (v) => {
    const x = Array.from(v.data);
    return [counted(x), (dy) => [array(Array.from(centralDifferences(x), (g) => dy * g))]];
  },
);

const x0 = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
const variants = {
  compiled: { name: 'L-BFGS, exact gradient (compileGradient)', run: () => minimize(rosenbrock, x0) },
  eager: { name: 'L-BFGS, exact gradient (eager tape)', run: () => minimize(rosenbrock, x0, { compile: false }) },
  differences: { name: 'L-BFGS, central finite differences', run: () => minimize(byDifferences, array(x0), { compile: false }) },
};

/** One variant in this process: the first run, then the median of RUNS more. */
function measureOne(id) {
  const variant = variants[id];
  const once = () => {
    fEvaluations = 0;
    const t0 = performance.now();
    const result = variant.run();
    return { ms: performance.now() - t0, result, fEvaluations };
  };
  const first = once();
  const times = [];
  let last = first;
  for (let r = 0; r < RUNS; r++) {
    last = once();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const x = Array.from(last.result.x.data ?? last.result.x);
  return {
    first: first.ms,
    ms: times[Math.floor(RUNS / 2)],
    iterations: last.result.iterations,
    gradients: last.result.evaluations,
    // (with exact gradients, f runs once per evaluation: its value comes with its gradient)
    fEvaluations: id === 'differences' ? last.fEvaluations : last.result.evaluations,
    reason: last.result.reason,
    error: Math.max(...x.map((v) => Math.abs(v - 1))),
  };
}

if (process.argv[2] === 'one') {
  process.stdout.write(JSON.stringify(measureOne(process.argv[3])));
} else {
  const here = fileURLToPath(import.meta.url);
  console.log(`\nOptimisation (bench/optimise.js): L-BFGS on Rosenbrock, n = ${n}, from (−1.2, 1, …); ms per minimisation, median of ${ROUNDS} fresh processes`);
  console.log(`(each: the median of ${RUNS} runs after a first). f evaluations count every call of f: the line search's, and finite differences' 2n per gradient.\n`);
  console.log('| method | iterations | gradient evaluations | f evaluations | stopped by | max |x − 1| | ms | first run, ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [id, variant] of Object.entries(variants)) {
    const rounds = Array.from({ length: ROUNDS }, () => JSON.parse(execFileSync(process.execPath, [here, 'one', id], { encoding: 'utf8' })));
    const r = rounds[0];
    if (r.error > 1e-4) throw new Error(`bench: ${variant.name} ended ${r.error} from the minimum (${r.reason})`);
    console.log(
      `| ${variant.name} | ${r.iterations} | ${r.gradients} | ${r.fEvaluations} | ${r.reason} | ${r.error.toExponential(1)} | ` +
        `${median(rounds.map((x) => x.ms)).toFixed(1)} | ${median(rounds.map((x) => x.first)).toFixed(1)} |`,
    );
  }
}
