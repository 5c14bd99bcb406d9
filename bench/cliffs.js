// Issue 15's cliffs, one workload and one way of running it in a fresh process (spawned by
// bench/run.js); prints JSON.
//   node --expose-gc bench/cliffs.js <monteCarlo|springMass|rosenbrock1e6|logistic|ode|points> <plain|eager|compiled>
// plain: ms per call of the plain JavaScript primal, and of the rewritten code on numbers
//   after the same process has taken one gradient (part 3's "after tracing").
// eager: gradient(f, ...): its first call (ms, and the resident memory it added at its peak),
//   the median of calls 3–10, then later calls.
// compiled: compileGradient(f): its first call (ms, memory, as above), its second call, the
//   median of calls 3–10, later calls, and `fallback`.
// Every gradient is checked against central differences of the plain function first.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as zygote from 'zygote-ts';
import { array, compileGradient, gradient, NDArray } from 'zygote-ts';

const isNDArray = (x) => x instanceof NDArray;
import { measure } from './measure.js';
import { loadBoth } from './rewritten.js';

const cliffModules = await loadBoth('cliff-workloads.js');
const scalarModules = await loadBoth('workloads.js');

const samples = Array.from({ length: 200 }, (_, n) => ({ x: [Math.sin(n), Math.cos(n * 0.7), ((n * 37) % 11) / 11 - 0.5, 1], y: n % 3 === 0 ? -1 : 1 }));
const workloads = {
  monteCarlo: { f: (m) => m.monteCarlo, args: () => [1.2], heavy: false },
  springMass: { f: (m) => m.springMass, args: () => [2, 0.1], heavy: false },
  // (inputs are made for the workload run only: a 10⁶-element array made in every process
  // raised its peak memory before the first call, which then read as adding none)
  rosenbrock1e6: { f: (m) => m.rosenbrock, args: () => [Array.from({ length: 1_000_000 }, (_, i) => -1.5 + (3 * ((i * 7919) % 1000)) / 1000)], heavy: true },
  logistic: { f: (m) => m.logisticLoss(samples), args: () => [[0.3, -0.2, 0.5, 0.1], 0.05], heavy: false },
  ode: { f: (m) => m.odeLast(zygote), args: () => [array(Array.from({ length: 100_000 }, (_, i) => 0.5 + (i % 7) / 10))], heavy: true },
  // (the scalars part's W-points, bench/workload.js: its first calls, read in columns when compiled)
  points: {
    f: (m) => m.totalDist,
    modules: scalarModules,
    args: () => [Array.from({ length: 100_000 }, (_, i) => new scalarModules.plain.Point(Math.cos(i) * (1 + (i % 7)), Math.sin(i) * (1 + (i % 5))))],
    heavy: true,
  },
};
const [id, mode] = process.argv.slice(2);
const w = { ...workloads[id], args: workloads[id].args() };
const { plain, rewritten } = w.modules ?? cliffModules;
const fPlain = w.f(plain);
const fRewritten = w.f(rewritten);

// Central differences of the plain function along each number of the arguments (for the
// 10⁶-element array, along a few of them).
function check(g) {
  const h = 1e-6;
  w.args.forEach((arg, k) => {
    // (an element of an array of records: one of its fields, on a copy of that record)
    const at = (delta, i, key) => {
      const args = w.args.map((a) => (Array.isArray(a) ? a.slice() : isNDArray(a) ? array(Float64Array.from(a.data)) : a));
      if (i === null) args[k] += delta;
      else if (isNDArray(args[k])) args[k].data[i] += delta;
      else if (key !== null) (args[k][i] = Object.assign(Object.create(Object.getPrototypeOf(args[k][i])), args[k][i]))[key] += delta;
      else args[k][i] += delta;
      return Number(fPlain(...args));
    };
    const elements = isNDArray(arg) ? arg.data : arg;
    const indices = Array.isArray(arg) || isNDArray(arg) ? (elements.length > 10 ? [0, 1, elements.length >> 1, elements.length - 1] : Array.from(elements, (_, i) => i)) : [null];
    for (const i of indices) {
      const keys = i !== null && typeof elements[i] === 'object' ? Object.keys(elements[i]) : [null];
      for (const key of keys) {
        const fd = (at(h, i, key) - at(-h, i, key)) / (2 * h);
        const got = i === null ? g[k] : isNDArray(g[k]) ? g[k].data[i] : key !== null ? g[k][i][key] : g[k][i];
        const where = `${k}${i === null ? '' : `[${i}]`}${key === null ? '' : `.${key}`}`;
        if (!(Math.abs(got - fd) <= 1e-4 * Math.max(1, Math.abs(fd)))) throw new Error(`${id}: gradient ${where} = ${got}, central difference ${fd}`);
      }
    }
  });
}

/**
 * ms and resident memory added (MB, at its peak) by one call. The peak is the call's own where
 * Linux lets a process reset its high-water mark (/proc/self/clear_refs); elsewhere it is the
 * process's, which an earlier peak (loading, making the inputs) may hide.
 */
function firstCall(fn) {
  globalThis.gc?.();
  const rss = process.memoryUsage().rss;
  const ownPeak = resetPeak();
  const t0 = performance.now();
  const out = fn();
  const ms = performance.now() - t0;
  const peak = (ownPeak ? peakSinceReset() : null) ?? process.resourceUsage().maxRSS * 1024;
  return { out, ms, mb: Math.max(0, peak - rss) / 2 ** 20 };
}

function resetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return peakSinceReset() !== null;
  } catch {
    return false;
  }
}

function peakSinceReset() {
  const kB = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return kB === null ? null : Number(kB[1]) * 1024;
}

/**
 * ms per call once warm: `measure` for quick calls (after 200 ms of calls), and for slow ones
 * the median of five after at least five calls and 1.5 s of calls (at most 60). V8 reaches
 * its steady code for a 10⁶-iteration loop only after several calls: the plain primal's
 * first twelve took 6.8, 4.0, 4.1, 4.0, 3.7, 2.2, 1.6, 1.6, 1.5 … ms.
 */
function perCall(fn) {
  if (!w.heavy) return measure(fn, { repeats: 5, targetMs: 100, warmupMs: 200 });
  const start = performance.now();
  for (let calls = 0; calls < 60 && (calls < 5 || performance.now() - start < 1500); calls++) fn();
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

/**
 * After a gradient, how many calls of `fn` run before one takes at most 1.2× `steady` ms (the
 * plain primal's time): the re-warming a first gradient costs (101: none did in 100).
 */
function callsToSettle(fn, steady) {
  for (let calls = 1; calls <= 100; calls++) {
    const t0 = performance.now();
    fn();
    if (performance.now() - t0 <= 1.2 * steady) return calls;
  }
  return 101;
}

/** The median ms of the eight calls after the first two (`fn` has been called twice): code V8 has not yet made fast. */
function earlyCalls(fn) {
  const times = [];
  for (let k = 3; k <= 10; k++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[4];
}

let sink = 0;
if (mode === 'plain') {
  const p = perCall(() => (sink += fPlain(...w.args)));
  check(gradient(fRewritten, ...w.args)); // (this process has now traced the rewritten code once)
  const settle = w.heavy ? callsToSettle(() => (sink += fRewritten(...w.args)), p) : null;
  const after = perCall(() => (sink += fRewritten(...w.args)));
  console.log(JSON.stringify({ plain: p, afterTracing: after, settle }));
} else if (mode === 'eager') {
  const first = firstCall(() => gradient(fRewritten, ...w.args));
  check(first.out);
  sink += gradient(fRewritten, ...w.args).length; // (the second call: calls 3–10 are measured as compiled ones are)
  const early = earlyCalls(() => (sink += gradient(fRewritten, ...w.args).length));
  const later = perCall(() => (sink += gradient(fRewritten, ...w.args).length));
  console.log(JSON.stringify({ first: first.ms, firstMB: first.mb, early, later }));
} else {
  const g = compileGradient(fRewritten);
  const first = firstCall(() => g(...w.args));
  check(first.out);
  const t0 = performance.now();
  const out = g(...w.args);
  const second = performance.now() - t0;
  check(out);
  // (a path of straight code is swept from its tape until writing it pays, lib/compile/interpret.ts)
  const early = earlyCalls(() => (sink += g(...w.args).length));
  const later = perCall(() => (sink += g(...w.args).length));
  console.log(JSON.stringify({ first: first.ms, firstMB: first.mb, second, early, later, fallback: g.fallback, source: g.source.length }));
}
if (!Number.isFinite(sink)) console.error('(sink is not finite)');
