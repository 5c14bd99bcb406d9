// npm run bench: zygote-ts against plain JavaScript on the reference workloads.
// A report, not a test. Each workload runs as plain JavaScript (the same source, not
// rewritten), rewritten but not traced, and differentiated.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { transform } from 'zygote-ts/transform';
import { gradient } from 'zygote-ts';
import { measure, formatMs } from './measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const source = readFileSync(join(here, 'workloads.js'), 'utf8');
const runtimeUrl = pathToFileURL(fileURLToPath(import.meta.resolve('zygote-ts/runtime'))).href;
const rewrittenFile = join(mkdtempSync(join(tmpdir(), 'zygote-bench-')), 'workloads.rewritten.js');
writeFileSync(rewrittenFile, transform(source, { runtime: { kind: 'import', specifier: runtimeUrl } }).code);

const plain = await import('./workloads.js');
const rewritten = await import(pathToFileURL(rewrittenFile).href);

let sink = 0;
const W2_N = 1000;
const w2Input = Array.from({ length: W2_N }, (_, i) => -1.5 + (3 * ((i * 7919) % W2_N)) / W2_N);

// The first gradient call of a fresh process (nothing warm): run in a child process.
if (process.argv[2] === '--cold') {
  const t0 = performance.now();
  gradient(rewritten.w1, 0.5);
  const w1 = performance.now() - t0;
  const t1 = performance.now();
  gradient(rewritten.rosenbrockOfArgs, ...w2Input);
  console.log(JSON.stringify({ w1, w2: performance.now() - t1 }));
  process.exit(0);
}
const cold = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cold'], { encoding: 'utf8' }));

// Rewritten code on plain numbers, before this process has traced anything (the cost of
// the rewrite for code that is never differentiated) ...
const untraced = {
  w1: measure(() => { sink += rewritten.w1(0.5); }),
  w2: measure(() => { sink += rewritten.rosenbrock(w2Input); }),
};
const [coldW1] = gradient(rewritten.w1, 0.5);

// Check the gradients before timing them.
const h = 1e-6;
const fdW1 = (plain.w1(0.5 + h) - plain.w1(0.5 - h)) / (2 * h);
if (Math.abs(coldW1 - fdW1) > 1e-6) throw new Error(`W1 gradient ${coldW1} differs from finite difference ${fdW1}`);
const gW2 = gradient(rewritten.rosenbrockOfArgs, ...w2Input);
for (const k of [0, 1, 500, W2_N - 1]) {
  const plus = w2Input.slice(), minus = w2Input.slice();
  plus[k] += h;
  minus[k] -= h;
  const fd = (plain.rosenbrock(plus) - plain.rosenbrock(minus)) / (2 * h);
  if (Math.abs(gW2[k] - fd) > 1e-4 * Math.max(1, Math.abs(fd))) throw new Error(`W2 gradient[${k}] ${gW2[k]} differs from ${fd}`);
}

const rows = [
  {
    name: 'W1 scalar chain (250 iterations)',
    plain: measure(() => { sink += plain.w1(0.5); }),
    rewritten: untraced.w1,
    gradient: measure(() => { sink += gradient(rewritten.w1, 0.5)[0]; }),
    // ... and after: V8 now also compiles the traced paths into the same functions.
    afterTracing: measure(() => { sink += rewritten.w1(0.5); }),
    cold: cold.w1,
    target: 8,
  },
  {
    name: 'W2 Rosenbrock n = 1000 (scalar loop)',
    plain: measure(() => { sink += plain.rosenbrock(w2Input); }),
    rewritten: untraced.w2,
    gradient: measure(() => { sink += gradient(rewritten.rosenbrockOfArgs, ...w2Input)[0]; }),
    afterTracing: measure(() => { sink += rewritten.rosenbrock(w2Input); }),
    cold: cold.w2,
    target: 100,
  },
];

console.log(`zygote-ts benchmark — ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log('Median ms per call; ratios against the plain JavaScript primal of the same source.\n');
console.log('| workload | plain JS | rewritten, never traced | rewritten, after tracing | gradient | first gradient call (fresh process) | targets |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${formatMs(r.plain)} | ${formatMs(r.rewritten)} (${(r.rewritten / r.plain).toFixed(2)}×) | ` +
      `${formatMs(r.afterTracing)} (${(r.afterTracing / r.plain).toFixed(2)}×) | ` +
      `${formatMs(r.gradient)} (${(r.gradient / r.plain).toFixed(1)}×) | ${formatMs(r.cold)} | ` +
      `rewritten ≤ 1.3×, gradient ≤ ${r.target}×, first call ≤ 10 ms |`,
  );
}
console.log('\nFor scale (../shared/peers, same machine): tf.grad on W1 takes 17–20 ms (~7000× plain); jax-js jit(grad) 4.7× after a 1.4 s first call.');
if (!Number.isFinite(sink)) console.log('(sink is not finite)');
