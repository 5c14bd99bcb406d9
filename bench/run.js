// npm run bench: zygote-ts against plain JavaScript on the reference workloads, and on the
// array workloads against TensorFlow.js and jax-js (bench/peers: a package of their own,
// installed there from its lock file the first time the array part runs).
// A report, not a test — but every gradient is checked against a reference first, and a
// wrong one stops the report.
//
// Scalar workloads run as plain JavaScript (the same source, not rewritten), rewritten but
// not traced, and differentiated. Array workloads run in zygote-ts, by hand, and in each
// peer. Every measurement is made in its own fresh process (V8's type feedback from one
// workload would otherwise shape the next), three rounds, and the median round is reported.
// `node bench/run.js scalars`, `… cliffs`, `… forward`, `… arrays`, `… kernels`, `… load` or `… optimise`
// prints only that part (forward: bench/forward.js, forward mode against reverse mode; cliffs: bench/cliffs.js, issue 15's programs that compileGradient
// used to crash or stall on; kernels: bench/kernels.js, the matmul kernels' GFLOP/s against
// the machine's peak; load: bench/load.js, loading a large package rewritten against plain).
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { formatMs } from './measure.js';
import { installPeers } from './peers/index.js';

const ROUNDS = 3;
const part = process.argv[2] ?? 'all';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medians = (rounds) => Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, rounds[0][k] === null ? null : median(rounds.map((x) => x[k]))]));
const ratioText = (r) => `${r.toFixed(r < 10 ? 2 : 0)}×`;

console.log(`zygote-ts benchmark — ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
if (part === 'all' || part === 'scalars') scalars();
if (part === 'all' || part === 'cliffs') cliffs();
if (part === 'all' || part === 'forward') forwardMode();
if (part === 'all' || part === 'arrays') arrays();
if (part === 'all' || part === 'kernels') kernelReport();
if (part === 'all' || part === 'load') console.log(execFileSync(process.execPath, [fileURLToPath(new URL('./load.js', import.meta.url))], { encoding: 'utf8' }));
if (part === 'all' || part === 'optimise') console.log(execFileSync(process.execPath, [fileURLToPath(new URL('./optimise.js', import.meta.url))], { encoding: 'utf8' }));

function kernelReport() {
  console.log('\nKernels (bench/kernels.js):\n');
  console.log(execFileSync(process.execPath, [fileURLToPath(new URL('./kernels.js', import.meta.url))], { encoding: 'utf8' }));
}

// ---- scalar workloads: zygote-ts against the plain JavaScript of the same source -----------
function scalars() {
  const worker = fileURLToPath(new URL('./workload.js', import.meta.url));
  const workloads = [
    { id: 'w1', name: 'W1 scalar chain (250 iterations)', target: 8, compiledTarget: '≤ 3× primal, first call ≤ 10 ms', compiledMet: (m) => m.compiled <= 3 * m.plain && m.compiledCold <= 10 },
    { id: 'w2', name: 'W2 Rosenbrock n = 1000 (scalar loop)', target: 100, compiledTarget: '≤ 0.01 ms', compiledMet: (m) => m.compiled <= 0.01 },
    { id: 'points', name: 'dist over 10⁵ Points (array of class instances)', target: 15, compiledTarget: '≤ 15× plain', compiledMet: (m) => m.compiled <= 15 * m.plain },
    { id: 'mlp', name: 'MLP 2→8→1 over 16 samples (scalar loops, 33 parameters; chosen after tuning)', target: 10, compiledTarget: 'no target' },
  ];
  const verdicts = [];
  const floors = [];
  console.log(`Median ms per call (median of ${ROUNDS} fresh processes); ratios against the plain JavaScript primal of the same source.\n`);
  console.log('| workload | plain JS | rewritten, never traced | rewritten, after tracing | gradient | ideal eager tape | first gradient call | compileGradient | its first call, second call | targets (eager; compiled) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const w of workloads) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(JSON.parse(execFileSync(process.execPath, [worker, w.id], { encoding: 'utf8' })));
    const m = medians(rounds);
    const ratio = (x) => ratioText(x / m.plain);
    console.log(
      `| ${w.name} | ${formatMs(m.plain)} | ${formatMs(m.rewritten)} (${ratio(m.rewritten)}) | ` +
        `${formatMs(m.afterTracing)} (${ratio(m.afterTracing)}) | ${formatMs(m.gradient)} (${ratio(m.gradient)}) | ` +
        `${m.ideal === null ? '—' : `${formatMs(m.ideal)} (${ratio(m.ideal)})`} | ` +
        `${formatMs(m.cold)} ms | ${m.compiled === null ? '—' : `${formatMs(m.compiled)} (${ratio(m.compiled)})`} | ` +
        `${m.compiledCold === null ? '—' : `${formatMs(m.compiledCold)} ms, ${formatMs(m.compiledSecond)} ms`} | ` +
        `rewritten ≤ 1.3×, gradient ≤ ${w.target}×, first call ≤ 10 ms; ${w.compiledTarget} |`,
    );
    if (w.compiledMet) verdicts.push(`${w.id} ${w.compiledTarget} — ${w.compiledMet(m) ? 'met' : 'NOT MET'}`);
    if (m.resultOnly != null) floors.push(`${w.id}: making the gradient's objects alone takes ${formatMs(m.resultOnly)} ms (${ratio(m.resultOnly)})`);
  }
  console.log('\nideal eager tape: bench/ideal-tape.js, the same tape hand-inlined with no generality — a floor for eager taping.');
  console.log('compileGradient: measured in its own fresh process. Its first call records f (and returns the gradient swept from the tape it recorded);');
  console.log('the second writes its reverse pass and generates the code (array code is generated at once). W2 compiled takes the array (one gradient array), as jax-js does.');
  console.log('For scale (../shared/peers, same machine): tf.grad on W1 takes 17–20 ms (~7000× plain); jax-js jit(grad) 4.7× after a 1.4 s first call.');
  console.log(`Compiled targets: ${verdicts.join('; ')}.`);
  if (floors.length > 0) console.log(`Floor of any gradient of that shape (bench/workload.js resultOnly): ${floors.join('; ')}.`);
}

// ---- forward mode against the reverse-mode way of getting the same numbers ----------------
function forwardMode() {
  const worker = fileURLToPath(new URL('./forward.js', import.meta.url));
  const run = (id) => {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(JSON.parse(execFileSync(process.execPath, [worker, id], { encoding: 'utf8' })));
    return medians(rounds);
  };
  console.log(`\nForward mode (bench/forward.js): median ms per call (median of ${ROUNDS} fresh processes), results checked against each other first.\n`);
  console.log('| workload | plain JS | forward mode | reverse mode | forward against reverse |');
  console.log('|---|---|---|---|---|');
  const j = run('jacfwd');
  console.log(`| Jacobian of a 3-input, 1000-output curve: jacfwd vs jacobian | ${formatMs(j.plain)} | ${formatMs(j.forward)} (${ratioText(j.forward / j.plain)}) | ${formatMs(j.reverse)} (${ratioText(j.reverse / j.plain)}) | ${ratioText(j.reverse / j.forward)} faster |`);
  const h = run('hvp');
  console.log(`| H·v of W2's Rosenbrock, n = 1000: hvp (forward over reverse) vs reverse over reverse | ${formatMs(h.plain)} | ${formatMs(h.forward)} (${ratioText(h.forward / h.gradient)} a gradient) | ${formatMs(h.reverse)} (${ratioText(h.reverse / h.gradient)} a gradient) | ${h.forward <= h.reverse ? `${ratioText(h.reverse / h.forward)} faster` : `${ratioText(h.forward / h.reverse)} slower`} |`);
  console.log(`(one gradient of the Rosenbrock: ${formatMs(h.gradient)} ms)`);
}

// ---- issue 15's cliffs: programs compileGradient used to crash or stall on ------------------
function cliffs() {
  const worker = fileURLToPath(new URL('./cliffs.js', import.meta.url));
  const workloads = [
    { id: 'monteCarlo', name: 'Monte Carlo loop, 10⁵ iterations (% and Math.max in the body)' },
    { id: 'springMass', name: 'spring–mass simulation, 1000 steps over Vec and Particle instances' },
    { id: 'rosenbrock1e6', name: "Rosenbrock n = 10⁶ (W2's scalar loop)" },
    { id: 'logistic', name: 'logistic loss, 200 samples × 4 features (a branch on each sample)' },
    { id: 'ode', name: "GradBench's ode: Runge–Kutta over NDArrays, n = 10⁵, 10 steps (~90 fused loops)" },
    { id: 'points', name: 'dist over 10⁵ Points (W-points: an array of class instances, read in columns)' },
  ];
  const run = (id, mode) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', worker, id, mode], { encoding: 'utf8' }));
  console.log(`\nCliffs (issue 15): each in fresh processes, median of ${ROUNDS} rounds; ms per call once warm (bench/cliffs.js: perCall); first calls also with the resident memory they added (MB).\n`);
  console.log('| workload | plain JS | rewritten, after tracing | eager: first call | eager: later calls | compiled: first call | second call | calls 3–10 (median): compiled / eager | later calls | compiled first ÷ eager first (time, memory) | fallback |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const verdicts = [];
  for (const w of workloads) {
    const rounds = { plain: [], eager: [], compiled: [] };
    for (let r = 0; r < ROUNDS; r++) for (const mode of Object.keys(rounds)) rounds[mode].push(run(w.id, mode));
    const pick = (mode, key) => median(rounds[mode].map((x) => x[key]));
    const p = pick('plain', 'plain');
    const ratio = (x) => ratioText(x / p);
    const timeRatio = pick('compiled', 'first') / pick('eager', 'first');
    const memoryRatio = pick('compiled', 'firstMB') / Math.max(1, pick('eager', 'firstMB'));
    // (heavy workloads: how many calls after the gradient ran before one was within 1.2× plain)
    const settled = (n) => (n === null ? '' : n > 100 ? '; not within 1.2× in 100 calls' : `; within 1.2× from call ${n}`);
    const fallback = rounds.compiled.map((x) => x.fallback).find((x) => x !== null) ?? null;
    console.log(
      `| ${w.name} | ${formatMs(p)} | ${formatMs(pick('plain', 'afterTracing'))} (${ratio(pick('plain', 'afterTracing'))})${settled(pick('plain', 'settle'))} | ` +
        `${formatMs(pick('eager', 'first'))} ms, ${pick('eager', 'firstMB').toFixed(0)} MB | ${formatMs(pick('eager', 'later'))} (${ratio(pick('eager', 'later'))}) | ` +
        `${formatMs(pick('compiled', 'first'))} ms, ${pick('compiled', 'firstMB').toFixed(0)} MB | ${formatMs(pick('compiled', 'second'))} | ${formatMs(pick('compiled', 'early'))} / ${formatMs(pick('eager', 'early'))} | ` +
        `${formatMs(pick('compiled', 'later'))} (${ratio(pick('compiled', 'later'))}) | ${timeRatio.toFixed(2)}×, ${memoryRatio.toFixed(2)}× | ${fallback ?? 'none'} |`,
    );
    verdicts.push(`${w.id}: compiled first call ≤ 2× the eager first call's time and memory — ${timeRatio <= 2 && memoryRatio <= 2 ? 'met' : 'NOT MET'}`);
    if (w.id === 'logistic') verdicts.push(`eager ≤ 10× plain on the logistic loss — ${pick('eager', 'later') <= 10 * p ? 'met' : 'NOT MET'}`);
  }
  console.log('\nFirst calls are cold (a fresh process: V8 compiles the library as it goes), for the eager gradient and compileGradient alike;');
  console.log('memory is the peak resident size the call added (MB; the call\'s own peak on Linux, bench/cliffs.js firstCall; below 1 MB counts as 1 in the ratio). Every gradient is checked');
  console.log('against central differences of the plain function. The logistic loss is part 4\'s program of choice (eager ≤ 10× plain).');
  console.log(`Targets: ${verdicts.join('; ')}.`);
}

// ---- array workloads: the same math in zygote-ts, by hand, in TensorFlow.js and in jax-js ---
function arrays() {
  installPeers();
  const worker = fileURLToPath(new URL('./array-workload.js', import.meta.url));
  const workloads = [
    { id: 'w3', name: 'W3 MLP 784→128 (tanh)→10, batch 64, MSE' },
    { id: 'w4', name: 'W4 sum(A·B), 256×256' },
    { id: 'rosenbrock', name: 'Rosenbrock n = 10⁵ (array operations, slices)' },
  ];
  const contenders = [
    { id: 'zygote-ts', name: 'zygote-ts' },
    { id: 'zygote-ts-f32', name: 'zygote-ts f32' },
    { id: 'zygote-ts-compiled', name: 'zygote-ts compiled' },
    { id: 'zygote-ts-compiled-f32', name: 'zygote-ts compiled f32' },
    { id: 'hand', name: 'plain JS by hand' },
    { id: 'tfjs-cpu', name: 'tfjs cpu (f32)' },
    { id: 'tfjs-wasm', name: 'tfjs wasm (f32)' },
    { id: 'jax-eager', name: 'jax-js wasm' },
    { id: 'jax-jit', name: 'jax-js wasm jit' },
    { id: 'jax-jit-f32', name: 'jax-js wasm jit f32' },
  ];
  // A contender's process prints its result as JSON. Its stderr (where tfjs advertises its
  // Node backend) is shown only when it fails: a wrong gradient makes it exit non-zero, which
  // stops the report here.
  const run = (w, c) => {
    try {
      return JSON.parse(execFileSync(process.execPath, [worker, w, c], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    } catch (error) {
      process.stderr.write(error.stderr ?? '');
      throw new Error(`bench: ${c} on ${w} failed`);
    }
  };
  const results = {};
  for (const w of workloads) {
    const rounds = Object.fromEntries(contenders.map((c) => [c.id, []]));
    for (let r = 0; r < ROUNDS; r++) for (const c of contenders) rounds[c.id].push(run(w.id, c.id));
    results[w.id] = Object.fromEntries(
      contenders.map((c) => {
        const rs = rounds[c.id];
        if (rs[0] === null) return [c.id, null];
        return [c.id, { ...medians(rs), error: Math.max(...rs.map((x) => x.error)) }];
      }),
    );
  }

  console.log(`\nArrays: the same math in each, float64 (zygote-ts f32: the same data as float32 arrays; tfjs has no float64: float32).`);
  console.log(`Median ms per call (median of ${ROUNDS} fresh processes);`);
  console.log('in parentheses, zygote-ts ÷ that column (below 1: zygote-ts is faster). Gradients w.r.t. W1, b1, W2, b2 (W3), A and B (W4), x (Rosenbrock).\n');
  const cell = (ours, theirs, key) => (theirs === null ? '—' : theirs === ours ? formatMs(ours[key]) : `${formatMs(theirs[key])} (${ratioText(ours[key] / theirs[key])})`);
  for (const [title, key] of [['gradient', 'gradient'], ['loss only (forward)', 'forward']]) {
    console.log(`| ${title} | ${contenders.map((c) => c.name).join(' | ')} |`);
    console.log(`|---|${contenders.map(() => '---|').join('')}`);
    for (const w of workloads) {
      const r = results[w.id];
      console.log(`| ${w.name} | ${contenders.map((c) => cell(r['zygote-ts'], r[c.id], key)).join(' | ')} |`);
    }
    console.log('');
  }
  console.log('Gradient checks against float64 references (by hand for W3 and Rosenbrock, the closed form for W4): the largest');
  console.log('max |g − ref| / max(1, max |ref|) over the rounds (a process stops the report above 1e-6, or 1e-4 in float32: zygote-ts f32, tfjs);');
  console.log('and the first gradient call of a fresh process, ms:');
  for (const w of workloads) {
    const r = results[w.id];
    const parts = contenders.filter((c) => r[c.id] !== null).map((c) => `${c.name} ${r[c.id].error.toExponential(1)}, ${formatMs(r[c.id].cold)} ms`);
    console.log(`- ${w.id}: ${parts.join('; ')}`);
  }
  const ours = (w) => results[w]['zygote-ts'].gradient;
  const compiled = (w, f32) => results[w][f32 ? 'zygote-ts-compiled-f32' : 'zygote-ts-compiled'].gradient;
  const verdict = (ok) => (ok ? 'met' : 'NOT MET');
  console.log(
    `\nTargets: gradient faster than tfjs cpu on all three — ${verdict(workloads.every((w) => ours(w.id) < results[w.id]['tfjs-cpu'].gradient))}; ` +
      `W3 no slower than plain JS by hand — ${verdict(ours('w3') <= results.w3.hand.gradient)}.`,
  );
  console.log(
    `Compiled: W3 ≤ 1.3 ms f32 — ${verdict(compiled('w3', true) <= 1.3)}, ≤ 5 ms f64 — ${verdict(compiled('w3', false) <= 5)}; ` +
      `W4 ≤ 2 ms f32 — ${verdict(compiled('w4', true) <= 2)}, ≤ 4 ms f64 — ${verdict(compiled('w4', false) <= 4)}.`,
  );
  // (issue 15: fused elementwise code, against jax-js's jit, which fuses too, in this run)
  const jit = (w, f32) => results[w][f32 ? 'jax-jit-f32' : 'jax-jit'].gradient;
  console.log(
    `Fused (issue 15): Rosenbrock over arrays compiled ≤ jax-js jit, f32 — ${verdict(compiled('rosenbrock', true) <= jit('rosenbrock', true))} ` +
      `(${formatMs(compiled('rosenbrock', true))} against ${formatMs(jit('rosenbrock', true))} ms), f64 — ${verdict(compiled('rosenbrock', false) <= jit('rosenbrock', false))} ` +
      `(${formatMs(compiled('rosenbrock', false))} against ${formatMs(jit('rosenbrock', false))} ms); W3 and W4 compiled against jax-js jit f32: ` +
      `${formatMs(compiled('w3', true))} / ${formatMs(jit('w3', true))} ms and ${formatMs(compiled('w4', true))} / ${formatMs(jit('w4', true))} ms.`,
  );
}
